package main

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/supervisionfile/supfile/internal/pgtest"
)

// pendingRecord takes an agreement to its last signature while the file
// cannot be written (a plain file stands where the record's folder must go),
// so the signature is kept and the documents are left to a finish job. It
// returns the record and the obstacle, to remove when the file is writable
// again.
func pendingRecord(t *testing.T, p *people, dataDir string) (recordResp, string) {
	t.Helper()
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	block := filepath.Join(dataDir, "documents", "files", p.superviseeID, "records", rec.ID)
	if err := os.MkdirAll(filepath.Dir(block), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(block, []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	var signed struct {
		recordResp
		DocumentsPending bool `json:"documents_pending"`
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &signed)
	if !signed.DocumentsPending || signed.Status == "signed" || len(signed.Signatures) != 2 {
		t.Fatalf("last signature with the file unwritable: %+v", signed)
	}
	return signed.recordResp, block
}

// waitSigned polls the record until it is signed with its three documents.
func waitSigned(t *testing.T, c *client, id string, within time.Duration) recordResp {
	t.Helper()
	var rec recordResp
	for deadline := time.Now().Add(within); ; time.Sleep(100 * time.Millisecond) {
		c.call("GET", "/api/v1/records/"+id, nil, http.StatusOK, &rec)
		if rec.Status == "signed" || time.Now().After(deadline) {
			break
		}
	}
	if rec.Status != "signed" || len(rec.Documents) != 3 {
		t.Fatalf("record %s after %s: status %s, %d documents", id, within, rec.Status, len(rec.Documents))
	}
	return rec
}

// stillPending checks for a while that nobody finished the record.
func stillPending(t *testing.T, c *client, id string, d time.Duration) {
	t.Helper()
	time.Sleep(d)
	var rec recordResp
	c.call("GET", "/api/v1/records/"+id, nil, http.StatusOK, &rec)
	if rec.Status == "signed" {
		t.Fatalf("record %s was finished with no instance working jobs", id)
	}
}

// finishJobsSettled lists a record's finish jobs once none is running: a
// worker marks its job completed a moment after the record is signed.
func finishJobsSettled(t *testing.T, m *Main, id string) ([]*rivertype.JobRow, error) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		js, err := m.jobs.FinishJobs(t.Context(), id)
		if err != nil || time.Now().After(deadline) || len(js) == 0 || js[len(js)-1].State != rivertype.JobStateRunning {
			return js, err
		}
	}
}

// The job queue on each database: instance A only queues (SUPFILE_JOB_WORKERS=0),
// so a finish job it queues is done by instance B; then B dies with a job it
// was retrying, and C, started later on the same database, finishes it: the
// same job, kept in the database across the restart.
func TestJobsSharedAndDurable(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"SUPFILE_DATA_DIR": data}
			if db == "postgres" {
				env["DATABASE_URL"] = pgtest.Schema(t)
			}
			a := startApp(t, with(env, "SUPFILE_JOB_WORKERS", "0"))
			p := setUpTeam(t, a.URL)

			// Queued by A, done by B.
			rec, block := pendingRecord(t, p, data)
			js, err := a.jobs.FinishJobs(t.Context(), rec.ID)
			if err != nil || len(js) != 1 {
				t.Fatalf("finish jobs after the last signature: %v %d, want 1", err, len(js))
			}
			first := js[0]
			if err := os.Remove(block); err != nil {
				t.Fatal(err)
			}
			stillPending(t, p.supervisee, rec.ID, 2*time.Second)
			b := startApp(t, env)
			waitSigned(t, p.supervisee, rec.ID, 30*time.Second)
			if js, err = finishJobsSettled(t, a, rec.ID); err != nil || len(js) != 1 || js[0].ID != first.ID || js[0].State != rivertype.JobStateCompleted {
				t.Fatalf("finish jobs after B worked: %v %+v, want job %d completed", err, js, first.ID)
			}
			pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
			if r := pdfsigSays(t, pdf); r.Validation != "Signature is Valid." {
				t.Errorf("pdfsig of the finished document: %+v", r)
			}

			// B retries a job, and stops (a restart); C finishes the same job.
			rec, block = pendingRecord(t, p, data)
			// B tries the job at least once and fails (River's scheduler
			// makes a scheduled job available within about five seconds).
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				js, err := a.jobs.FinishJobs(t.Context(), rec.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(js) == 1 && js[0].State == rivertype.JobStateRetryable || time.Now().After(deadline) {
					break
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			b.httpSrv, b.db = nil, nil
			js, err = a.jobs.FinishJobs(t.Context(), rec.ID)
			if err != nil || len(js) != 1 || js[0].State == rivertype.JobStateCompleted || js[0].Attempt < 1 {
				t.Fatalf("finish jobs after B stopped: %v %d jobs (first %+v), want one tried and not completed", err, len(js), js[0])
			}
			first = js[0]
			if err := os.Remove(block); err != nil {
				t.Fatal(err)
			}
			stillPending(t, p.supervisee, rec.ID, 2*time.Second)
			startApp(t, env)
			waitSigned(t, p.supervisee, rec.ID, 90*time.Second)
			js, err = finishJobsSettled(t, a, rec.ID)
			if err != nil || len(js) != 1 || js[0].ID != first.ID || js[0].State != rivertype.JobStateCompleted || js[0].Attempt <= first.Attempt {
				t.Fatalf("finish jobs after C worked: %v %+v, want job %d completed after attempt %d", err, js, first.ID, first.Attempt)
			}
		})
	}
}
