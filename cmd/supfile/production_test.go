package main

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/seal"
)

// productionEnv is the configuration of an instance in a council's
// deployment: PostgreSQL, a MinIO bucket with Object Lock, and the
// organisation's sealing certificate shared by every instance.
func productionEnv(t *testing.T, mio *miniotest.Server, bucket, databaseURL string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	if _, _, err := seal.LoadOrCreate(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), "Testshire County Council"); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"DATABASE_URL": databaseURL,
		"S3_ENDPOINT":  mio.Endpoint, "S3_BUCKET": bucket, "S3_ACCESS_KEY": mio.AccessKey, "S3_SECRET_KEY": mio.SecretKey,
		"S3_USE_TLS": "false", "S3_PATH_STYLE": "true",
		"SUPFILE_SEAL_CERT": filepath.Join(dir, "cert.pem"), "SUPFILE_SEAL_KEY": filepath.Join(dir, "key.pem"),
	}
}

func with(env map[string]string, more ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(more); i += 2 {
		out[more[i]] = more[i+1]
	}
	return out
}

// Two instances behind a load balancer share one PostgreSQL database and
// one bucket: a draft saved on one is signed on the other, a stale save is
// refused across them, both serve the same sealed PDF, and the signed
// documents sit in the bucket locked in compliance mode.
func TestTwoInstancesOnePostgresOneBucket(t *testing.T) {
	mio := miniotest.Start(t)
	bucket := mio.NewBucket(t, true)
	env := productionEnv(t, mio, bucket, pgtest.Schema(t))
	a := startApp(t, env)
	b := startApp(t, env)

	p := setUpTeam(t, a.URL)
	supB := login(t, b.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	seeB := login(t, b.URL, "sian.jones@testshire.gov.uk", "a long password 1")

	draft := validAgreement("We will meet every four weeks.")
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement", "data": draft}, http.StatusCreated, &rec)
	opened := rec.Revision
	// B reads what A saved and saves on top of it.
	var onB recordResp
	supB.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &onB)
	if onB.Data["location"] != draft["location"] {
		t.Fatalf("instance B does not see A's draft: %v", onB.Data["location"])
	}
	draft["location"] = "Room 2, Tŷ Newydd (saved on B)"
	supB.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": draft, "revision": onB.Revision}, http.StatusOK, &onB)
	// A's save from the page it opened before is stale.
	var e apiErr
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": validAgreement("stale"), "revision": opened}, http.StatusConflict, &e)
	if e.Error.Code != "conflict" {
		t.Errorf("stale save across instances: %+v", e)
	}
	supB.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	supB.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("after both signed: %+v", rec)
	}

	pdfA := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	pdfB := seeB.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	if !bytes.Equal(pdfA, pdfB) {
		t.Error("the two instances serve different PDFs")
	}
	if r := pdfsigSays(t, pdfA); r.Validation != "Signature is Valid." {
		t.Errorf("pdfsig: %+v", r)
	}
	if text, err := doctext.PDF(pdfA); err != nil || !strings.Contains(text, "Room 2, Tŷ Newydd (saved on B)") {
		t.Errorf("the PDF lacks the answer saved on B (%v)", err)
	}

	// In the bucket, under the file's keys, locked until the retention date.
	key := "files/" + p.superviseeID + "/records/" + rec.ID + "/v1/supervision-agreement.pdf"
	cl := mio.Client(t)
	mode, until, err := cl.GetObjectRetention(t.Context(), bucket, key, "")
	if err != nil || mode == nil || *mode != minio.Governance && *mode != minio.Compliance || until == nil {
		t.Fatalf("retention of %s: %v %v %v", key, mode, until, err)
	}
	if *mode != minio.Compliance || until.Year() < 2031 {
		t.Errorf("retention of %s: %s until %s, want COMPLIANCE for about six years", key, *mode, until)
	}
	if err := cl.RemoveObject(t.Context(), bucket, key, minio.RemoveObjectOptions{VersionID: objectVersion(t, cl, bucket, key)}); err == nil {
		t.Error("a locked signed document could be deleted")
	}
	for _, c := range []*client{newClient(t, a.URL), newClient(t, b.URL)} {
		if status, body := c.get("/readyz"); status != http.StatusOK {
			t.Errorf("/readyz: %d %s", status, body)
		}
	}
}

func objectVersion(t *testing.T, cl *minio.Client, bucket, key string) string {
	t.Helper()
	info, err := cl.StatObject(t.Context(), bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return info.VersionID
}

// With S3_PRESIGN_TTL a download is a redirect to a short-lived URL, given
// only after the same access check.
func TestPresignedDownloads(t *testing.T) {
	t.Parallel()
	mio := miniotest.Start(t)
	bucket := mio.NewBucket(t, false)
	m := startApp(t, with(productionEnv(t, mio, bucket, ""), "DATABASE_URL", "", "S3_PRESIGN_TTL", "2m"))
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")

	req, _ := http.NewRequest("GET", m.URL+"/api/v1/records/"+rec.ID+"/document.pdf", nil)
	resp, err := p.supervisee.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "http://"+mio.Endpoint+"/"+bucket+"/") || !strings.Contains(loc, "X-Amz-Expires=120") {
		t.Fatalf("download with presigning: %d %q", resp.StatusCode, loc)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF-")) || !strings.Contains(got.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("presigned URL: %d %q", got.StatusCode, got.Header.Get("Content-Disposition"))
	}
	outsider := login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	outsider.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusNotFound, nil)
}

// MinIO stops just before the last signature: the signature is kept, the
// record says "signed, documents pending", reading it writes nothing, and
// once MinIO is back the finish job (queued by the failed finalise, on
// River, backing off from a second) completes it. /readyz says the store is not ready meanwhile.
// Start-up with a wrong key or a missing bucket stops with one line.
func TestS3Faults(t *testing.T) {
	mio := miniotest.Start(t)
	bucket := mio.NewBucket(t, true)
	env := with(productionEnv(t, mio, bucket, ""), "DATABASE_URL", "")
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)

	mio.Stop()
	var signed struct {
		recordResp
		DocumentsPending bool `json:"documents_pending"`
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &signed)
	if !signed.DocumentsPending || len(signed.Signatures) != 2 {
		t.Errorf("last signature with S3 down: pending %v, %d signatures", signed.DocumentsPending, len(signed.Signatures))
	}
	page := string(p.supervisee.call("GET", "/records/"+rec.ID, nil, http.StatusOK, nil))
	if !strings.Contains(page, "Signed, documents pending") {
		t.Error("the record page does not say the documents are pending")
	}
	if status, body := newClient(t, m.URL).get("/readyz"); status != http.StatusServiceUnavailable || body != "not ready: document store\n" {
		t.Errorf("/readyz with S3 down: %d %s", status, body)
	}
	p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusNotFound, nil)

	mio.Restart(t)
	var after recordResp
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		p.supervisee.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &after)
		if after.Status == "signed" || time.Now().After(deadline) {
			break
		}
	}
	if after.Status != "signed" || len(after.Documents) != 3 {
		t.Fatalf("after S3 came back: %+v", after)
	}
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	if r := pdfsigSays(t, pdf); r.Validation != "Signature is Valid." {
		t.Errorf("pdfsig after the retry: %+v", r)
	}

	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{with(env, "S3_SECRET_KEY", "not-the-secret"), "S3_ENDPOINT: "},
		{with(env, "S3_BUCKET", "no-such-bucket"), "no-such-bucket"},
		{with(env, "S3_ENDPOINT", "http://"+mio.Endpoint), "S3_ENDPOINT: "},
		{with(env, "S3_BUCKET", ""), "S3_BUCKET: "},
		{with(env, "S3_USE_TLS", "maybe"), "S3_USE_TLS: "},
	} {
		cfg, err := loadConfig(nil, envOf(t, c.env))
		if err == nil {
			err = NewMain(cfg, io.Discard).Run(t.Context())
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("start: %v, want one line with %q", err, c.want)
		}
	}
}
