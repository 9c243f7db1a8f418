package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// leaverTeam: Siân started in 2012 and left on 30 June 2015, with a signed
// agreement in her file; Olwen still works here, with a draft in hers.
type leaverTeam struct {
	*people
	olwenID string
	signed  recordResp
}

func setUpLeaver(t *testing.T, base string) *leaverTeam {
	t.Helper()
	p := &people{admin: login(t, base, adminEmail, adminPassword)}
	p.supervisorID = addStaff(t, p.admin, "Ahmed Khan", "ahmed.khan@testshire.gov.uk", "Team Manager", "team_manager")
	var st struct{ ID string }
	p.admin.call("POST", "/api/v1/staff", map[string]any{"name": "Siân Gwŷnedd-Jones", "email": "sian.jones@testshire.gov.uk", "job_title": "Social Worker",
		"role": "social_worker", "start_date": "2012-01-09", "password": "a long password 1"}, http.StatusCreated, &st)
	p.superviseeID = st.ID
	p.admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/supervisor", map[string]any{"supervisor_id": p.supervisorID, "from": "2012-01-09"}, http.StatusOK, nil)
	p.supervisor = login(t, base, "ahmed.khan@testshire.gov.uk", "a long password 1")
	p.supervisee = login(t, base, "sian.jones@testshire.gov.uk", "a long password 1")
	lt := &leaverTeam{people: p, signed: signAgreement(t, p, "Before I left.")}
	lt.olwenID = addStaff(t, p.admin, "Olwen Price", "olwen@testshire.gov.uk", "Social Worker", "social_worker")
	p.admin.call("PUT", "/api/v1/staff/"+lt.olwenID+"/supervisor", map[string]any{"supervisor_id": p.supervisorID, "from": "2025-01-06"}, http.StatusOK, nil)
	p.supervisor.call("POST", "/api/v1/staff/"+lt.olwenID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, nil)
	p.admin.call("PATCH", "/api/v1/staff/"+p.superviseeID, map[string]any{"end_date": "2015-06-30"}, http.StatusOK, nil)
	return lt
}

func purgeRun(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"purge"}, args...), func(k string) string { return env[k] }, &out, &out)
	return out.String(), err
}

func appEnv(m *Main, more map[string]string) map[string]string {
	env := map[string]string{"SUPFILE_DATA_DIR": m.Config.DataDir, "SUPFILE_ORG_NAME": "Testshire County Council"}
	for k, v := range more {
		env[k] = v
	}
	return env
}

func TestPurge(t *testing.T) {
	t.Parallel()
	t.Run("sqlite, local documents", func(t *testing.T) { testPurge(t, nil, nil) })
	t.Run("postgres, MinIO", func(t *testing.T) {
		mio := miniotest.Start(t)
		bucket := mio.NewBucket(t, false)
		env := map[string]string{"DATABASE_URL": pgtest.Schema(t), "S3_ENDPOINT": mio.Endpoint, "S3_BUCKET": bucket,
			"S3_ACCESS_KEY": mio.AccessKey, "S3_SECRET_KEY": mio.SecretKey, "S3_USE_TLS": "false"}
		testPurge(t, env, func(prefix string) int {
			n := 0
			for obj := range mio.Client(t).ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true, WithVersions: true}) {
				if obj.Err != nil {
					t.Fatal(obj.Err)
				}
				n++
			}
			return n
		})
	})
}

// testPurge: the dry run lists the leaver's file past retention and deletes
// nothing; purge deletes its rows and objects, is in the access log, and
// leaves everyone else's file alone. objects counts stored objects under a
// prefix (nil: the local folder).
func testPurge(t *testing.T, env map[string]string, objects func(prefix string) int) {
	m := startApp(t, env)
	lt := setUpLeaver(t, m.URL)
	if objects == nil {
		objects = func(prefix string) int {
			n := 0
			_ = filepath.WalkDir(filepath.Join(m.Config.DataDir, "documents", filepath.FromSlash(prefix)), func(_ string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					n++
				}
				return nil
			})
			return n
		}
	}
	prefix := "files/" + lt.superviseeID + "/"
	stored := objects(prefix)
	if stored < 3 {
		t.Fatalf("the leaver's file has %d objects before purge", stored)
	}
	penv := appEnv(m, env)

	out, err := purgeRun(t, penv, "--dry-run")
	if err != nil {
		t.Fatalf("purge --dry-run: %v\n%s", err, out)
	}
	for _, want := range []string{"files past retention (6 years after the end date): 1", lt.superviseeID, "Siân Gwŷnedd-Jones", "left 2015-06-30", "kept until 2021-06-30", "dry run: nothing was deleted"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, lt.olwenID) {
		t.Errorf("dry run lists someone still employed:\n%s", out)
	}
	if n := objects(prefix); n != stored {
		t.Errorf("the dry run deleted objects: %d → %d", stored, n)
	}
	lt.supervisor.call("GET", "/api/v1/records/"+lt.signed.ID, nil, http.StatusOK, nil)

	out, err = purgeRun(t, penv)
	if err != nil {
		t.Fatalf("purge: %v\n%s", err, out)
	}
	if !strings.Contains(out, "purged  "+lt.superviseeID) || !strings.Contains(out, "files purged: 1, refused (Object Lock): 0, failed: 0") {
		t.Errorf("purge output:\n%s", out)
	}
	if n := objects(prefix); n != 0 {
		t.Errorf("%d objects of the purged file are left", n)
	}
	lt.supervisor.call("GET", "/api/v1/records/"+lt.signed.ID, nil, http.StatusNotFound, nil)
	lt.admin.call("PATCH", "/api/v1/staff/"+lt.superviseeID, map[string]any{"job_title": "X"}, http.StatusNotFound, nil)
	var f fileOutJSON
	lt.supervisor.call("GET", "/api/v1/staff/"+lt.olwenID+"/file", nil, http.StatusOK, &f)
	if len(f.Records) != 1 {
		t.Errorf("Olwen's file has %d records after the purge, want 1", len(f.Records))
	}
	if n := logTotal(t, lt.admin, lt.superviseeID, "purge"); n != 1 {
		t.Errorf("purge entries in the access log: %d, want 1", n)
	}

	out, err = purgeRun(t, penv)
	if err != nil || !strings.Contains(out, "files purged: 0") {
		t.Errorf("second purge: %v\n%s", err, out)
	}
}

// With Object Lock the objects cannot go before their retention date: purge
// refuses the file, says until when, and deletes nothing of it.
func TestPurgeRefusesObjectLock(t *testing.T) {
	mio := miniotest.Start(t)
	bucket := mio.NewBucket(t, true)
	env := map[string]string{"S3_ENDPOINT": mio.Endpoint, "S3_BUCKET": bucket, "S3_ACCESS_KEY": mio.AccessKey, "S3_SECRET_KEY": mio.SecretKey, "S3_USE_TLS": "false"}
	m := startApp(t, env)
	lockedFrom := time.Now().Add(6*365*24*time.Hour + 2*24*time.Hour).UTC().Format(time.DateOnly)
	lt := setUpLeaver(t, m.URL)
	lockedUntil := time.Now().Add(6*365*24*time.Hour + 2*24*time.Hour).UTC().Format(time.DateOnly)
	// The lock date is the day the documents were written plus the
	// retention: either end of the set-up, should it cross midnight.
	lockedSays := func(out string) bool {
		return strings.Contains(out, "under Object Lock until "+lockedFrom) || strings.Contains(out, "under Object Lock until "+lockedUntil)
	}

	out, err := purgeRun(t, appEnv(m, env), "--dry-run")
	if err != nil || !strings.Contains(out, "cannot be purged yet") || !lockedSays(out) {
		t.Errorf("dry run with Object Lock: %v\n%s", err, out)
	}
	out, err = purgeRun(t, appEnv(m, env))
	if err == nil || !strings.Contains(out, "refused "+lt.superviseeID) || !lockedSays(out) ||
		!strings.Contains(out, "files purged: 0, refused (Object Lock): 1") {
		t.Errorf("purge with Object Lock: %v\n%s", err, out)
	}
	n := 0
	for obj := range mio.Client(t).ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: "files/" + lt.superviseeID + "/", Recursive: true}) {
		if obj.Err == nil {
			n++
		}
	}
	if n < 3 {
		t.Errorf("objects left after a refused purge: %d", n)
	}
	lt.supervisor.call("GET", "/api/v1/records/"+lt.signed.ID, nil, http.StatusOK, nil)
	if got := logTotal(t, lt.admin, lt.superviseeID, "purge"); got != 0 {
		t.Errorf("a refused purge is in the access log as done: %d", got)
	}
}
