package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/pgtest"
)

// Many reads cancelled in flight (browsers closing tabs, a load balancer's
// time-out) must leave no database connection holding an old snapshot:
// afterwards one person saving their own draft, alone, sees every save
// succeed with the revision it was given and every read show that save.
// modernc.org/sqlite v1.40.0 failed this on the embedded default: a
// statement interrupted by a cancelled context could leave its read
// transaction open, so the pool went on answering from the past.
func TestReadYourWritesAfterCancelledReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  func(t *testing.T) map[string]string
	}{
		{"sqlite", func(*testing.T) map[string]string { return nil }},
		{"postgres", func(t *testing.T) map[string]string { return map[string]string{"DATABASE_URL": pgtest.Schema(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := startApp(t, tc.env(t))
			p := setUpTeam(t, m.URL)
			var rec recordResp
			p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
				map[string]any{"form": "supervision-agreement", "data": validAgreement("A first answer.")}, http.StatusCreated, &rec)

			reads := []string{
				"/records/" + rec.ID + "/edit", "/records/" + rec.ID, "/api/v1/records/" + rec.ID,
				"/staff/" + p.superviseeID + "/file", "/",
			}
			// Five rounds, as a busy day would have them: a burst of
			// cancelled reads, then 200 saves, each read back. Under
			// -short, two rounds of 50: the same check, fewer tries.
			rounds, burst, saves := 5, 200, 200
			if testing.Short() {
				rounds, saves = 2, 50
			}
			revision := rec.Revision
			for i := range rounds * saves {
				if i%saves == 0 {
					if n := cancelReads(t, p.supervisor, m.URL, reads, burst); n < burst/2 {
						t.Fatalf("only %d of %d reads were cancelled in flight; the test needs a few hundred", n, burst)
					}
				}
				want := fmt.Sprintf("Save %d: we meet every four weeks at Tŷ Newydd.", i)
				data := validAgreement(want)
				var saved recordResp
				p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": revision}, http.StatusOK, &saved)
				if saved.Revision != revision+1 {
					t.Fatalf("save %d: revision %d, want %d", i, saved.Revision, revision+1)
				}
				revision = saved.Revision
				var read recordResp
				p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &read)
				if read.Revision != revision {
					t.Fatalf("read after save %d shows revision %d, want %d", i, read.Revision, revision)
				}
				if got := read.Data["supervisee_aims"]; got != want {
					t.Fatalf("read after save %d shows %q, want %q", i, got, want)
				}
			}

			// Signing straight after another burst: the answer to the last
			// signature shows the record signed with both signatures.
			p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
			cancelReads(t, p.supervisor, m.URL, reads, burst)
			var signed recordResp
			p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
				map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, &signed)
			if signed.Status != "awaiting_signatures" || len(signed.Signatures) != 1 {
				t.Fatalf("after the first signature: status %q, %d signatures", signed.Status, len(signed.Signatures))
			}
			cancelReads(t, p.supervisor, m.URL, reads, burst)
			p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
				map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &signed)
			if signed.Status != "signed" || len(signed.Signatures) != 2 || len(signed.Documents) == 0 {
				t.Fatalf("after the last signature: status %q, %d signatures, %d documents", signed.Status, len(signed.Signatures), len(signed.Documents))
			}

			// A client that went away is not the service's error.
			for _, line := range strings.Split(serviceLog(m), "\n") {
				if strings.Contains(line, "level=ERROR") {
					t.Fatalf("the service logged an error: %s", line)
				}
			}
			if !strings.Contains(serviceLog(m), `msg="client went away"`) {
				t.Fatal("no cancelled request was logged as a client going away")
			}
		})
	}
}

// cancelReads sends n GET requests as the signed-in client, 32 at a time,
// each cancelled after a random few hundred microseconds, and returns how
// many ended cancelled rather than answered.
func cancelReads(t *testing.T, c *client, base string, paths []string, n int) int {
	t.Helper()
	var (
		mu        sync.Mutex
		cancelled int
		wg        sync.WaitGroup
	)
	sem := make(chan struct{}, 32)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(100+rand.IntN(1900))*time.Microsecond)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, "GET", base+paths[i%len(paths)], nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := c.http.Do(req)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if err != nil {
				mu.Lock()
				cancelled++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Let the server notice the last disconnects before the saves start.
	time.Sleep(50 * time.Millisecond)
	return cancelled
}

// serviceLog is what the application started by startApp has logged so far.
func serviceLog(m *Main) string {
	sw := m.out.(*syncWriter)
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.w.(*bytes.Buffer).String()
}
