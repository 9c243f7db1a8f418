// Package mailpittest starts a real SMTP server for a test, Mailpit
// (github.com/axllent/mailpit), on free ports, and reads the messages it
// received back through its HTTP API (/api/v1/messages, /api/v1/message/{ID}),
// so email is tested as it travels rather than against a fake. A missing
// Mailpit binary fails the test: it is never skipped (except under -short).
package mailpittest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/needs"
)

// Version is the Mailpit the tests are written against.
const Version = "v1.33.1"

// cachedBinary is where CI (and the build hint below) installs Mailpit.
const cachedBinary = "/root/.cache/supfile-bin/mailpit"

// Binary returns the Mailpit binary to run: $SUPFILE_MAILPIT, else mailpit
// on PATH, else the one CI builds.
func Binary() (string, error) {
	if p := os.Getenv("SUPFILE_MAILPIT"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("SUPFILE_MAILPIT=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	if _, err := os.Stat(cachedBinary); err == nil {
		return cachedBinary, nil
	}
	return "", fmt.Errorf("no Mailpit found ($SUPFILE_MAILPIT, mailpit on PATH, %s); build it with:\n"+
		"\tGOBIN=%s go install github.com/axllent/mailpit@%s", cachedBinary, filepath.Dir(cachedBinary), Version)
}

// Server is a Mailpit on 127.0.0.1, stopped when the test ends.
type Server struct {
	SMTPHost string // 127.0.0.1
	SMTPPort int
	API      string // http://127.0.0.1:port

	t    testing.TB
	logs string
}

// Start starts Mailpit and waits until its SMTP port and API answer.
// Extra arguments are passed to it (for example --smtp-auth-file).
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	needs.Tools(t, "Mailpit")
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for try := 1; ; try++ {
		smtpAddr, httpAddr := freeAddr(t), freeAddr(t)
		s := &Server{t: t, logs: filepath.Join(dir, fmt.Sprintf("mailpit-%d.log", try))}
		s.SMTPHost, s.SMTPPort = splitAddr(t, smtpAddr)
		s.API = "http://" + httpAddr
		err := s.start(bin, append([]string{"--smtp", smtpAddr, "--listen", httpAddr,
			"--database", filepath.Join(dir, fmt.Sprintf("mailpit-%d.db", try)), "--disable-version-check"}, args...))
		if err == nil {
			return s
		}
		if !errors.Is(err, errExited) || try == 3 {
			t.Fatal(err)
		}
	}
}

var errExited = errors.New("mailpit exited")

func (s *Server) start(bin string, args []string) error {
	logs, err := os.Create(s.logs)
	if err != nil {
		return err
	}
	defer logs.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start Mailpit: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			out, _ := os.ReadFile(s.logs)
			return fmt.Errorf("%w: %s", errExited, out)
		default:
		}
		if s.ready() {
			return nil
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(s.logs)
			return fmt.Errorf("mailpit did not answer within 20 s: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) ready() bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	resp, err := http.Get(s.API + "/api/v1/messages")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Env is the service's settings to send to this server (no STARTTLS, no
// password).
func (s *Server) Env() map[string]string {
	return map[string]string{
		"SUPFILE_SMTP_HOST":     s.SMTPHost,
		"SUPFILE_SMTP_PORT":     strconv.Itoa(s.SMTPPort),
		"SUPFILE_SMTP_FROM":     "Supervision File <supervision@testshire.gov.uk>",
		"SUPFILE_SMTP_STARTTLS": "false",
	}
}

// Address is a name and an address, as Mailpit reports them.
type Address struct {
	Name    string
	Address string
}

// Summary is one message in the list.
type Summary struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
}

// Message is one message in full.
type Message struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Date      time.Time
	Text      string
	HTML      string
}

// Messages lists every message received, newest first.
func (s *Server) Messages() []Summary {
	s.t.Helper()
	var out struct {
		Total    int       `json:"total"`
		Messages []Summary `json:"messages"`
	}
	s.get("/api/v1/messages?limit=1000", &out)
	return out.Messages
}

// Message reads one message.
func (s *Server) Message(id string) *Message {
	s.t.Helper()
	var m Message
	s.get("/api/v1/message/"+id, &m)
	return &m
}

// Raw is one message's source as received.
func (s *Server) Raw(id string) string {
	s.t.Helper()
	var b []byte
	s.get("/api/v1/message/"+id+"/raw", &b)
	return string(b)
}

// Headers are one message's headers as Mailpit parsed them.
func (s *Server) Headers(id string) map[string][]string {
	s.t.Helper()
	var h map[string][]string
	s.get("/api/v1/message/"+id+"/headers", &h)
	return h
}

// WaitFor waits until at least n messages have arrived (failing the test
// after within), then returns them all, newest first.
func (s *Server) WaitFor(n int, within time.Duration) []Summary {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ms := s.Messages()
		if len(ms) >= n {
			return ms
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("Mailpit has %d messages after %s, want %d: %+v", len(ms), within, n, ms)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// To lists the messages to an address, newest first.
func (s *Server) To(address string) []Summary {
	s.t.Helper()
	var out []Summary
	for _, m := range s.Messages() {
		for _, a := range m.To {
			if strings.EqualFold(a.Address, address) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func (s *Server) get(path string, into any) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.API+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("Mailpit API %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("Mailpit API %s: %d %v %.300s", path, resp.StatusCode, err, body)
	}
	if b, ok := into.(*[]byte); ok {
		*b = body
		return
	}
	if err := json.Unmarshal(body, into); err != nil {
		s.t.Fatalf("Mailpit API %s: %v: %.300s", path, err, body)
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func splitAddr(t testing.TB, addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}
