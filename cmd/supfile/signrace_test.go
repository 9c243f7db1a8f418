package main

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/mailpittest"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// TestSignRaceEmailsOnce: a senior manager signs a serious-incident plan
// after both the worker and the supervisor (a council's FORMS_DIR adds the
// signer, "after: [worker, supervisor]"). When the two sign at the same
// moment, each request read the record before the other's signature was
// stored, yet the senior manager is asked to sign exactly once: the email
// is decided inside the signature's transaction, where whichever commits
// last sees both. Many rounds, on SQLite and on PostgreSQL, through a real
// SMTP server (Mailpit).
func TestSignRaceEmailsOnce(t *testing.T) {
	needs.Tools(t, "Mailpit")
	t.Run("sqlite", func(t *testing.T) { testSignRaceEmailsOnce(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		testSignRaceEmailsOnce(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)})
	})
}

var recordLink = regexp.MustCompile(regexp.QuoteMeta(mailBase) + `/records/([A-Za-z0-9_-]+)`)

// signRaceRounds is how many records two people sign at once.
const signRaceRounds = 25

func testSignRaceEmailsOnce(t *testing.T, env map[string]string) {
	dir := seniorManagerSigns(t)
	mp := mailpittest.Start(t)
	m := startApp(t, mailEnv(mp, with(env, "FORMS_DIR", dir)))
	p := setUpTeam(t, m.URL)
	smID := addStaff(t, p.admin, "Sara Malik", "sara.malik@testshire.gov.uk", "Service Manager", "senior_manager")
	const sara = "sara.malik@testshire.gov.uk"
	cat, err := forms.Load(forms.Builtin(), dir)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("serious-incident-support")

	var ids []string
	raced := 0 // rounds where both requests were answered 201
	for range signRaceRounds {
		var rec recordResp
		data := forms.Sample(def, p.supervisorID)
		p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
		p.supervisee.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
		p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/parties", map[string]any{"staff_id": smID, "role": "senior_manager"}, http.StatusCreated, nil)
		p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
		ids = append(ids, rec.ID)

		// Both sign at once.
		var wg sync.WaitGroup
		start := make(chan struct{})
		status := make([]int, 2)
		for i, s := range []struct {
			c    *client
			name string
		}{{p.supervisee, "Siân Gwŷnedd-Jones"}, {p.supervisor, "Ahmed Khan"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status[i] = signAt(t, s.c, rec.ID, s.name)
			}()
		}
		close(start)
		wg.Wait()
		if status[0] != http.StatusCreated || status[1] != http.StatusCreated {
			t.Fatalf("record %s: the two signatures answered %v", rec.ID, status)
		}
		raced++
		var after recordResp
		p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &after)
		if after.Status != "awaiting_signatures" || len(after.Signatures) != 2 {
			t.Fatalf("record %s after both signed: %s, %d signatures", rec.ID, after.Status, len(after.Signatures))
		}
	}

	// Every email job done; then exactly one "Awaiting your signature" to
	// the senior manager per record (and none before both had signed: the
	// submission did not ask her).
	emailsSettled(t, m)
	got := map[string]int{}
	for _, s := range mp.To(sara) {
		if !strings.HasPrefix(s.Subject, "Awaiting your signature: ") {
			t.Errorf("the senior manager was sent %q", s.Subject)
			continue
		}
		if l := recordLink.FindStringSubmatch(mp.Message(s.ID).Text); l != nil {
			got[l[1]]++
		} else {
			t.Errorf("an email to the senior manager links to no record: %+v", s)
		}
	}
	missed, twice := 0, 0
	for _, id := range ids {
		switch got[id] {
		case 1:
		case 0:
			missed++
		default:
			twice++
		}
	}
	if missed > 0 || twice > 0 {
		t.Errorf("of %d records signed by two at once, the senior manager was asked to sign %d not at all and %d more than once (want exactly once each): %v",
			len(ids), missed, twice, got)
	}
	t.Logf("%d rounds of two signatures at once; the senior manager emailed once for each of %d", raced, len(ids)-missed-twice)
	// She can sign each, and it is then signed by everyone.
	sm := login(t, m.URL, sara, "a long password 1")
	rec := signRecord(t, ids[0], sm, "Sara Malik")
	if rec.Status != "signed" {
		t.Errorf("after the senior manager signed: %s", rec.Status)
	}
}

// signAt signs a record as the named person and returns the status; safe
// to call from any goroutine.
func signAt(t *testing.T, c *client, rid, name string) int {
	raw, _ := json.Marshal(map[string]any{"name": name, "confirm": true})
	req, err := http.NewRequest("POST", c.base+"/api/v1/records/"+rid+"/signatures", bytes.NewReader(raw))
	if err != nil {
		t.Error(err)
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("%s signing %s: %d %s", name, rid, resp.StatusCode, truncateForLog(body))
	}
	return resp.StatusCode
}

// seniorManagerSigns is a FORMS_DIR whose serious-incident plan is signed
// by the senior manager named on it once the worker and the supervisor
// have both signed.
func seniorManagerSigns(t *testing.T) string {
	t.Helper()
	raw, err := fs.ReadFile(forms.Builtin(), "serious-incident-support.yaml")
	if err != nil {
		t.Fatal(err)
	}
	old := "  - role: supervisor\n    label: Practice supervisor\n"
	y := strings.Replace(string(raw), old, old+"  - role: senior_manager\n    label: Senior manager\n    after: [worker, supervisor]\n", 1)
	if y == string(raw) {
		t.Fatal("serious-incident-support.yaml: no supervisor signer to add a senior manager after")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "serious-incident-support.yaml"), []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
