// Package miniotest starts a real MinIO server for a test, so S3 storage is
// tested against the server it runs on in production rather than a fake.
// A missing MinIO binary fails the test: it is never skipped.
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/supervisionfile/supfile/internal/needs"
)

// Version is the MinIO server the tests are written against.
const Version = "v0.0.0-20260212201848-7aac2a2c5b7c"

// cachedBinary is where CI (and the build hint below) installs MinIO.
const cachedBinary = "/root/.cache/supfile-bin/minio"

// Server is a MinIO server on 127.0.0.1 with its data in a temporary
// folder, stopped when the test ends.
type Server struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string

	console string // the console's address (the console itself is off)
	bin     string
	dir     string // data
	logs    string // server output, shown when it fails to start

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Binary returns the MinIO binary to run: $SUPFILE_MINIO, else minio on
// PATH, else the one CI builds.
func Binary() (string, error) {
	if p := os.Getenv("SUPFILE_MINIO"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("SUPFILE_MINIO=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	if _, err := os.Stat(cachedBinary); err == nil {
		return cachedBinary, nil
	}
	return "", fmt.Errorf("no MinIO server found ($SUPFILE_MINIO, minio on PATH, %s); build it with:\n"+
		"\tGOBIN=%s go install github.com/minio/minio@%s",
		cachedBinary, filepath.Dir(cachedBinary), Version)
}

// Start starts a MinIO server and waits until it is ready.
func Start(t testing.TB) *Server {
	t.Helper()
	needs.Tools(t, "MinIO")
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	s := &Server{
		AccessKey: "test-" + random(6),
		SecretKey: random(20),
		bin:       bin,
		dir:       filepath.Join(tmp, "data"),
		logs:      filepath.Join(tmp, "minio.log"),
	}
	t.Cleanup(s.Stop)
	// The free ports are found by listening and closing, so another
	// process may take one before MinIO does; then try new ones.
	for try := 1; ; try++ {
		addrs := freeAddrs(t, 2)
		s.Endpoint, s.console = addrs[0], addrs[1]
		err := s.start(t.Context())
		if err == nil {
			return s
		}
		if !errors.Is(err, errExited) || try == 3 {
			t.Fatal(err)
		}
	}
}

var errExited = errors.New("the server exited")

func (s *Server) start(ctx context.Context) error {
	logs, err := os.OpenFile(s.logs, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logs.Close() // the child has its own copy
	cmd := exec.Command(s.bin, "server",
		"--address", s.Endpoint,
		"--console-address", s.console,
		"--certs-dir", filepath.Join(filepath.Dir(s.dir), "certs"),
		"--quiet",
		s.dir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start MinIO: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	err = waitReady(ctx, "http://"+s.Endpoint+"/minio/health/ready", done)
	if err == nil {
		err = s.waitIAM(ctx, done)
	}
	if err != nil {
		s.Stop()
		out, _ := os.ReadFile(s.logs)
		return fmt.Errorf("MinIO (%s) on %s did not become ready: %w\n%s", s.bin, s.Endpoint, err, bytes.TrimSpace(out))
	}
	return nil
}

func waitReady(ctx context.Context, url string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitIAM waits until the server checks keys other than the root user's.
// It reports ready before its IAM subsystem has loaded, and until then it
// answers a request with unknown keys XMinioIAMNotInitialized (503) rather
// than InvalidAccessKeyId.
func (s *Server) waitIAM(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	probe, err := minio.New(s.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4("miniotest-probe", "miniotest-probe-secret", ""),
		Region:       "us-east-1",
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   1,
	})
	if err != nil {
		return err
	}
	for {
		_, err := probe.BucketExists(ctx, "miniotest-probe")
		if code := minio.ToErrorResponse(err).Code; code != "XMinioIAMNotInitialized" && code != "XMinioServerNotInitialized" {
			return nil
		}
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("IAM did not initialise: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop kills the server, as a crash or a lost network would; requests to
// it then fail. It is safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-done
}

// Restart starts the server again after Stop, on the same address with the
// same data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.start(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// Client returns a client with the server's root keys.
func (s *Server) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// NewBucket creates a bucket with a new name and returns the name. With
// objectLock it has Object Lock (and so versioning) enabled.
func (s *Server) NewBucket(t testing.TB, objectLock bool) string {
	t.Helper()
	name := "test-" + random(8)
	err := s.Client(t).MakeBucket(t.Context(), name, minio.MakeBucketOptions{ObjectLocking: objectLock})
	if err != nil {
		t.Fatalf("make bucket %s: %v", name, err)
	}
	return name
}

// freeAddrs returns n different 127.0.0.1 addresses with ports nothing
// listens on. All are held open until the last is found, so no two are
// the same.
func freeAddrs(t testing.TB, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
