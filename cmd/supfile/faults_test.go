package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/supervision"
)

// The fault tests: the process killed in the middle of finalising, the
// database restarted during saves, and the data disk full. (S3 stopped
// during finalising is TestS3Faults.)

// try sends a JSON request and returns the status and body, whatever they are.
func (c *client) try(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// mountTmpfs mounts a tmpfs of size bytes on a new folder and unmounts it
// when the test ends (after everything registered later has stopped). The
// tests run as root; a machine where mount is refused fails the test.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "supfile-tmpfs-*")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		os.Remove(dir)
		t.Fatalf("mount a %d-byte tmpfs on %s (the disk-full test needs root and mount): %v\n%s", size, dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
			return
		}
		os.Remove(dir)
	})
	return dir
}

// fillDisk writes a file in dir until the disk is full and returns its name.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// The last partial chunks: down to single bytes.
	for n := len(chunk) / 2; n > 0; n /= 2 {
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	return name
}

// The data folder's disk fills up: saves, submitting and signing answer 503
// with a message saying the disk is full (pages and API), the record keeps
// the last save that was answered 200 and nothing of the refused ones, and
// once space is freed the same saves work and the record is signed with
// its documents.
func TestDiskFull(t *testing.T) {
	needs.Tools(t, "mount (root)", "pdfsig")
	dir := mountTmpfs(t, 24<<20)
	m := startApp(t, map[string]string{"SUPFILE_DATA_DIR": dir})
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("First words.")}, http.StatusCreated, &rec)
	// A second record waits for its last signature.
	var toSign recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("Signed on a full disk.")}, http.StatusCreated, &toSign)
	p.supervisor.call("POST", "/api/v1/records/"+toSign.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+toSign.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)

	filler := fillDisk(t, dir)
	// Each save is a distinct 20,000-character answer, so the database has
	// to grow; a save may still fit in space SQLite already holds, and
	// then it is answered 200 and kept.
	accepted, refused := rec, 0
	var e apiErr
	for i := 0; refused < 3; i++ {
		if i == 400 {
			t.Fatalf("400 saves of 20,000 characters on a full disk were all accepted")
		}
		data := validAgreement(fmt.Sprintf("Save %d. %s", i, longAnswer()[:19900]))
		status, body := p.supervisor.try("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": accepted.Revision})
		switch status {
		case http.StatusOK:
			if refused > 0 {
				t.Fatalf("save %d accepted after one was refused for a full disk", i)
			}
			if err := json.Unmarshal(body, &accepted); err != nil {
				t.Fatal(err)
			}
		case http.StatusServiceUnavailable:
			refused++
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != "disk_full" || !strings.Contains(e.Error.Message, "disk is full") {
				t.Fatalf("save on a full disk: %s", body)
			}
		default:
			t.Fatalf("save %d on a full disk: %d %s", i, status, truncateForLog(body))
		}
	}
	// The page says so too, and keeps nothing.
	status, page := p.supervisor.post("/records/"+rec.ID+"/edit", url.Values{"_revision": {fmt.Sprint(accepted.Revision)}, "action": {"save"},
		"supervisee_aims": {"From the page. " + longAnswer()[:19000]}})
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "disk is full") {
		t.Errorf("page save on a full disk: %d\n%.1500s", status, page)
	}
	if status, body := p.supervisor.try("POST", "/api/v1/records/"+rec.ID+"/submit", nil); status != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("disk is full")) {
		t.Errorf("submit on a full disk: %d %s", status, body)
	}
	// The last signature: refused (the signature could not be kept) or
	// kept with its documents pending (they could not be written); either
	// way the record ends signed once there is space.
	lastSigned := false
	switch status, body := p.supervisor.try("POST", "/api/v1/records/"+toSign.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}); status {
	case http.StatusServiceUnavailable:
		if !bytes.Contains(body, []byte("disk is full")) {
			t.Errorf("last signature on a full disk: %s", body)
		}
	case http.StatusCreated:
		lastSigned = true
		if !bytes.Contains(body, []byte(`"documents_pending":true`)) {
			t.Errorf("last signature kept on a full disk, but its documents are not pending: %.300s", body)
		}
	default:
		t.Errorf("last signature on a full disk: %d %s", status, truncateForLog(body))
	}
	t.Logf("on the full disk: %d saves still fitted, then refused; last signature kept: %v", accepted.Revision-rec.Revision, lastSigned)
	// Reading a record writes the access log, so it waits for space too.
	if status, body := p.supervisor.try("GET", "/api/v1/records/"+rec.ID, nil); status != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("disk is full")) {
		t.Errorf("reading a record on a full disk: %d %s", status, body)
	}

	// Space is freed: the record is the last accepted save, and the same
	// calls work; the record is signed.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	var now recordResp
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &now)
	if now.Revision != accepted.Revision || now.Status != "draft" || now.Data["supervisee_aims"] != accepted.Data["supervisee_aims"] {
		t.Fatalf("after refused saves the record is revision %d (%s), %.40q; want the last accepted, revision %d, %.40q",
			now.Revision, now.Status, now.Data["supervisee_aims"], accepted.Revision, accepted.Data["supervisee_aims"])
	}
	draft := validAgreement("After the disk was freed.")
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": draft, "revision": now.Revision}, http.StatusOK, &now)
	if now.Data["supervisee_aims"] != "After the disk was freed." {
		t.Errorf("save after space was freed: %v", now.Data["supervisee_aims"])
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &now)
	if now.Status != "signed" || len(now.Documents) < 2 {
		t.Fatalf("signed after space was freed: %s, %d documents", now.Status, len(now.Documents))
	}
	if !lastSigned {
		p.supervisor.call("POST", "/api/v1/records/"+toSign.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, nil)
	}
	waitSigned(t, p.supervisee, toSign.ID, 90*time.Second)
	for _, id := range []string{rec.ID, toSign.ID} {
		pdf := p.supervisee.call("GET", "/api/v1/records/"+id+"/document.pdf", nil, http.StatusOK, nil)
		checkSealed(t, m, pdf)
	}
	// No partly written document is left behind.
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("a partly written file is left: %s", path)
		}
		return nil
	})
}

// checkSealed checks a signed record's PDF as `supfile verify` does (sealed
// by the organisation, intact, the copy in the file) and with pdfsig.
func checkSealed(t *testing.T, m *Main, pdf []byte) {
	t.Helper()
	v, err := m.svc.Records.Verify(t.Context(), &supervision.Staff{ID: "system", Name: "supfile verify"}, pdf)
	if err != nil || !v.Good {
		t.Errorf("verify: %v %+v", err, v)
	}
	if r := pdfsigSays(t, pdf); r.Validation != "Signature is Valid." || !r.Total {
		t.Errorf("pdfsig: %+v", r)
	}
}

// PostgreSQL (a private server, so the shared one other tests use is not
// disturbed) is stopped at once, as in a crash, while four writers save
// drafts, then started again. During the outage every save is answered 503
// saying the database cannot be reached and nothing was changed, never
// 500; /readyz says the database is down; afterwards saves work again, and
// each record holds exactly its last save answered 200.
func TestPostgresRestartDuringSaves(t *testing.T) {
	pg := pgtest.StartPrivate(t)
	m := startApp(t, map[string]string{"DATABASE_URL": pg.URL})
	p := setUpTeam(t, m.URL)

	const writers = 4
	type writer struct {
		id       string
		accepted recordResp // the last save answered 200
		ok, down int        // saves answered 200 and 503
		okAfter  int        // saves answered 200 after the restart
		bad      []string   // anything else
	}
	ws := make([]*writer, writers)
	for i := range ws {
		w := &writer{}
		p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
			"data": validAgreement(fmt.Sprintf("Writer %d opened this.", i))}, http.StatusCreated, &w.accepted)
		w.id = w.accepted.ID
		ws[i] = w
	}
	var (
		phase atomic.Int32 // 0 before the outage, 1 during, 2 after
		stop  atomic.Bool
		wg    sync.WaitGroup
	)
	for i, w := range ws {
		c := login(t, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
		wg.Go(func() {
			for n := 0; !stop.Load(); n++ {
				data := validAgreement(fmt.Sprintf("Writer %d, save %d.", i, n))
				raw, _ := json.Marshal(map[string]any{"data": data, "revision": w.accepted.Revision})
				req, _ := http.NewRequest("PUT", m.URL+"/api/v1/records/"+w.id, bytes.NewReader(raw))
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.http.Do(req)
				if err != nil {
					w.bad = append(w.bad, err.Error())
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var e apiErr
				switch {
				case resp.StatusCode == http.StatusOK:
					var rec recordResp
					if err := json.Unmarshal(body, &rec); err != nil || rec.Data["supervisee_aims"] != data["supervisee_aims"] {
						w.bad = append(w.bad, fmt.Sprintf("200 with %.200s", body))
						continue
					}
					w.accepted = rec
					w.ok++
					if phase.Load() == 2 {
						w.okAfter++
					}
				case resp.StatusCode == http.StatusServiceUnavailable && json.Unmarshal(body, &e) == nil &&
					e.Error.Code == "unavailable" && strings.Contains(e.Error.Message, "cannot reach its database") &&
					strings.Contains(e.Error.Message, "nothing was changed"):
					w.down++
					time.Sleep(20 * time.Millisecond)
				default:
					w.bad = append(w.bad, fmt.Sprintf("phase %d: %d %.300s", phase.Load(), resp.StatusCode, body))
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	phase.Store(1)
	pg.Stop()
	time.Sleep(time.Second)
	if status, body := newClient(t, m.URL).get("/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
		t.Errorf("/readyz with PostgreSQL stopped: %d %s", status, body)
	}
	status, page := p.supervisor.post("/records/"+ws[0].id+"/edit", url.Values{"_revision": {"1"}, "action": {"save"}, "location": {"During the outage"}})
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "cannot reach its database") {
		t.Errorf("page save with PostgreSQL stopped: %d\n%.1000s", status, page)
	}
	pg.Start()
	phase.Store(2)
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()
	for i, w := range ws {
		t.Logf("writer %d: %d saves answered 200 (%d after the restart), %d answered 503", i, w.ok, w.okAfter, w.down)
		for _, b := range w.bad {
			t.Errorf("writer %d: %s", i, b)
		}
		if w.down == 0 || w.okAfter == 0 {
			t.Errorf("writer %d: %d saves refused while PostgreSQL was stopped, %d accepted after it restarted; want some of each", i, w.down, w.okAfter)
		}
		var now recordResp
		p.supervisor.call("GET", "/api/v1/records/"+w.id, nil, http.StatusOK, &now)
		if now.Revision != w.accepted.Revision || now.Data["supervisee_aims"] != w.accepted.Data["supervisee_aims"] {
			t.Errorf("writer %d's record is revision %d %.40q; the last save answered 200 was revision %d %.40q",
				i, now.Revision, now.Data["supervisee_aims"], w.accepted.Revision, w.accepted.Data["supervisee_aims"])
		}
	}
	if status, body := newClient(t, m.URL).get("/readyz"); status != http.StatusOK {
		t.Errorf("/readyz after PostgreSQL restarted: %d %s", status, body)
	}
}

// The documents' disk fills up while the database's has room: the last
// signature is kept and answered 201 with the documents pending, nothing
// partly written is served, and once space is freed the job queue writes
// them and the record is signed and sealed.
func TestDocumentsDiskFull(t *testing.T) {
	needs.Tools(t, "mount (root)", "pdfsig")
	dataDir := t.TempDir()
	docs := filepath.Join(dataDir, "documents")
	if err := os.Mkdir(docs, 0o750); err != nil {
		t.Fatal(err)
	}
	tmpfs := mountTmpfs(t, 4<<20)
	// The documents folder is a small tmpfs (bound there): the database
	// beside it has room, the documents do not.
	if out, err := exec.Command("mount", "--bind", tmpfs, docs).CombinedOutput(); err != nil {
		t.Fatalf("mount --bind %s %s: %v\n%s", tmpfs, docs, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", docs).Run() })
	m := startApp(t, map[string]string{"SUPFILE_DATA_DIR": dataDir})
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("Signed while the documents' disk was full.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)

	filler := fillDisk(t, tmpfs)
	var signed struct {
		recordResp
		DocumentsPending bool `json:"documents_pending"`
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &signed)
	if !signed.DocumentsPending || len(signed.Signatures) != 2 {
		t.Fatalf("last signature with the documents' disk full: pending %v, %d signatures", signed.DocumentsPending, len(signed.Signatures))
	}
	p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusNotFound, nil)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitSigned(t, p.supervisee, rec.ID, 90*time.Second)
	checkSealed(t, m, p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil))
	filepath.WalkDir(docs, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("a partly written file is left: %s", path)
		}
		return nil
	})
}
