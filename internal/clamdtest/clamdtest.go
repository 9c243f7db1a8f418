// Package clamdtest starts a real clamd (Debian's clamav-daemon) for a
// test, with a temporary configuration and a signature database holding
// only what the test writes: the EICAR test file's MD5 in a .hdb. No
// signatures are downloaded (freshclam is not run). A missing clamd fails
// the test; under -short it is skipped (internal/needs).
package clamdtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/clamav"
	"github.com/supervisionfile/supfile/internal/needs"
)

// EICAR is the anti-virus test file: harmless, and detected by every
// scanner as if it were a virus.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// Signature is the .hdb line that makes clamd detect EICAR: its MD5, its
// size and the name clamd reports.
const Signature = "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature"

// Server is a clamd listening on a unix socket in a temporary folder,
// stopped when the test ends.
type Server struct {
	Socket string // the unix socket's path
	Client *clamav.Client
	logs   string
}

// Binary is the clamd to run: $SUPFILE_CLAMD_BIN, else clamd on PATH, else
// Debian's /usr/sbin/clamd.
func Binary() (string, error) {
	if p := os.Getenv("SUPFILE_CLAMD_BIN"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("clamd"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/clamd"); err == nil {
		return "/usr/sbin/clamd", nil
	}
	return "", fmt.Errorf("no clamd found ($SUPFILE_CLAMD_BIN, clamd on PATH, /usr/sbin/clamd): apt-get install clamav-daemon")
}

// Start starts clamd and waits until it answers PING.
func Start(t testing.TB) *Server {
	t.Helper()
	needs.Tools(t, "clamd (clamav-daemon)")
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	// A unix socket's path is limited to about 100 bytes, and t.TempDir
	// can be longer: use a short folder of our own.
	dir, err := os.MkdirTemp("", "clamd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(db, "test.hdb"), []byte(Signature+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Server{Socket: filepath.Join(dir, "clamd.sock"), logs: filepath.Join(dir, "clamd.log")}
	conf := filepath.Join(dir, "clamd.conf")
	cfg := fmt.Sprintf("Foreground yes\nDatabaseDirectory %s\nLocalSocket %s\nLogFile %s\nPidFile %s\n"+
		"StreamMaxLength 64M\nMaxFileSize 64M\nMaxScanSize 64M\nSelfCheck 0\n",
		db, s.Socket, s.logs, filepath.Join(dir, "clamd.pid"))
	if os.Geteuid() == 0 {
		cfg += "User root\n" // clamd would otherwise switch to the clamav user, who cannot read the folder
	}
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-c", conf)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start clamd (%s): %v", bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	s.Client = &clamav.Client{Network: "unix", Address: s.Socket, Timeout: 30 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := s.Client.Ping(ctx)
		cancel()
		if err == nil {
			return s
		}
		select {
		case <-done:
			logs, _ := os.ReadFile(s.logs)
			t.Fatalf("clamd exited before it was ready: %s\n%s", out.String(), logs)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(s.logs)
			t.Fatalf("clamd did not answer within a minute: %v\n%s\n%s", err, out.String(), logs)
		}
	}
}

// Address is the clamd address as SUPFILE_CLAMD takes it.
func (s *Server) Address() string { return "unix:" + s.Socket }
