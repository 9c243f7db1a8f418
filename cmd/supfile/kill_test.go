package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/needs"
)

// buildSupfile builds this command into a temporary folder, once per test
// binary, so a test can run it as its own process (and kill it).
func buildSupfile(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "supfile-bin-*")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "supfile")
		out, err := exec.Command("go", "build", "-o", built, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// removeBuiltSupfile deletes the binary's folder, if a test built it.
func removeBuiltSupfile() {
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
}

// process is `supfile serve` running as its own process.
type process struct {
	t   *testing.T
	cmd *exec.Cmd
	out *syncWriter
	buf *bytes.Buffer
	URL string
}

// freeAddr is a loopback address nothing listens on just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveProcess starts `bin serve` with env (and nothing else from this
// process's environment but PATH) and waits until /readyz answers 200.
func serveProcess(t *testing.T, bin string, env map[string]string) *process {
	t.Helper()
	p := &process{t: t, buf: &bytes.Buffer{}}
	p.out = &syncWriter{w: p.buf}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("log of supfile serve (pid %d):\n%s", p.cmd.Process.Pid, p.log())
		}
	})
	p.URL = "http://" + env["SUPFILE_ADDR"]
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("supfile serve not ready after 60 s:\n%s", p.log())
		}
	}
}

func (p *process) log() string {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return p.buf.String()
}

// kill sends SIGKILL and waits for the process to end.
func (p *process) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	p.cmd.Wait()
}

// stop asks the process to shut down (SIGTERM) and waits for it.
func (p *process) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		p.t.Errorf("supfile serve after SIGTERM: %v", err)
	}
}

// The process is killed (SIGKILL, so nothing is cleaned up) while 50 last
// signatures are being finalised, and started again on the same data
// folder: every signature answered 201 is still there, the rest can be
// given again, and every record ends signed with documents that pdfsig and
// `supfile verify` accept.
func TestKilledWhileFinalising(t *testing.T) {
	needs.Tools(t, "a build of supfile", "pdfsig")
	const n = 50
	bin := buildSupfile(t)
	env := map[string]string{
		"SUPFILE_ADDR":           freeAddr(t),
		"SUPFILE_DATA_DIR":       t.TempDir(),
		"SUPFILE_ORG_NAME":       "Testshire County Council",
		"SUPFILE_ADMIN_EMAIL":    "admin@testshire.gov.uk",
		"SUPFILE_ADMIN_PASSWORD": "correct horse battery",
	}
	first := serveProcess(t, bin, env)
	p := setUpTeam(t, first.URL)
	ids := make([]string, n)
	for i := range ids {
		var rec recordResp
		p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
			"data": validAgreement(fmt.Sprintf("Record %d of %d, killed while finalising.", i+1, n))}, http.StatusCreated, &rec)
		p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
		p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
		ids[i] = rec.ID
	}

	// 50 last signatures at once; the process is killed when the fifth is
	// answered, with the rest in flight.
	const killAfter = 5
	var (
		mu       sync.Mutex
		accepted = map[string]bool{}
		answered = map[string]int{}
		killOnce sync.Once
		wg       sync.WaitGroup
	)
	body, _ := json.Marshal(map[string]any{"name": "Ahmed Khan", "confirm": true})
	for _, id := range ids {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", first.URL+"/api/v1/records/"+id+"/signatures", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := p.supervisor.http.Do(req)
			if err != nil {
				return // killed before answering
			}
			resp.Body.Close()
			mu.Lock()
			answered[id] = resp.StatusCode
			if resp.StatusCode == http.StatusCreated {
				accepted[id] = true
			}
			kill := len(accepted) == killAfter
			mu.Unlock()
			if kill {
				killOnce.Do(first.kill)
			}
		})
	}
	wg.Wait()
	killOnce.Do(first.kill)
	for id, status := range answered {
		if status != http.StatusCreated {
			t.Errorf("last signature on %s answered %d before the kill", id, status)
		}
	}
	t.Logf("killed with %d of %d last signatures answered 201", len(accepted), n)
	if len(accepted) == n {
		t.Fatalf("all %d signatures were answered before the kill: nothing was in flight", n)
	}

	// Started again: every accepted signature is kept; any other record has
	// its one signature or both, and is signed again if it needs it.
	second := serveProcess(t, bin, env)
	p.supervisor.base, p.supervisee.base = second.URL, second.URL
	resigned, pending := 0, 0
	for _, id := range ids {
		var rec recordResp
		p.supervisor.call("GET", "/api/v1/records/"+id, nil, http.StatusOK, &rec)
		if len(rec.Signatures) == 2 && rec.Status != "signed" {
			pending++
		}
		switch {
		case len(rec.Signatures) == 2:
		case accepted[id]:
			t.Errorf("record %s: the signature answered 201 before the kill is lost (%d signatures, %s)", id, len(rec.Signatures), rec.Status)
		case len(rec.Signatures) == 1 && rec.Status == "awaiting_signatures":
			p.supervisor.call("POST", "/api/v1/records/"+id+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, nil)
			resigned++
		default:
			t.Errorf("record %s after the restart: %s with %d signatures", id, rec.Status, len(rec.Signatures))
		}
	}
	t.Logf("after the restart: %d records signed by both with documents still to make, %d signatures not kept (never answered) given again", pending, resigned)
	pdfDir := t.TempDir()
	var files []string
	for i, id := range ids {
		rec := waitSigned(t, p.supervisee, id, 120*time.Second)
		if len(rec.Signatures) != 2 {
			t.Errorf("record %s signed with %d signatures", id, len(rec.Signatures))
		}
		pdf := p.supervisee.call("GET", "/api/v1/records/"+id+"/document.pdf", nil, http.StatusOK, nil)
		if r := pdfsigSays(t, pdf); r.Validation != "Signature is Valid." || !r.Total {
			t.Errorf("pdfsig on record %s: %+v", id, r)
		}
		name := filepath.Join(pdfDir, fmt.Sprintf("record-%02d.pdf", i+1))
		if err := os.WriteFile(name, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	second.stop()

	// `supfile verify` on the same data folder: every one a true copy.
	cmd := exec.Command(bin, append([]string{"verify"}, files...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("supfile verify: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "is a true copy"); got != n {
		t.Errorf("supfile verify says %d true copies of %d:\n%s", got, n, out)
	}
}
