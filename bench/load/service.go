package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL for the fresh schema
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

const (
	adminEmail    = "admin@load.test"
	adminPassword = "load harness admin password"
)

// service is one `supfile serve` process started by the harness, with
// everything it runs on: a data folder, and for the postgres backend a
// fresh schema and a MinIO server with an Object Lock bucket.
type service struct {
	bin     string
	dir     string
	addr    string
	env     []string
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string

	cleanups []func()
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// buildBinary builds the real command into dir.
func buildBinary(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "supfile")
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/supfile")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/supfile: %w", err)
	}
	return bin, nil
}

// newService prepares (but does not start) a service on a fresh data folder.
func newService(ctx context.Context, backend, bin, work string) (*service, error) {
	s := &service{bin: bin, dir: filepath.Join(work, "data"), logPath: filepath.Join(work, "serve.log")}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s.addr = addr
	s.env = []string{
		"SUPFILE_ADDR=" + addr,
		"SUPFILE_DATA_DIR=" + s.dir,
		"SUPFILE_ORG_NAME=Loadshire County Council",
		"SUPFILE_ADMIN_EMAIL=" + adminEmail,
		"SUPFILE_ADMIN_PASSWORD=" + adminPassword,
		"SUPFILE_LOG_FORMAT=json",
	}
	if backend == "postgres" {
		dbURL, err := s.freshSchema(ctx)
		if err != nil {
			return nil, err
		}
		s.env = append(s.env, "DATABASE_URL="+dbURL)
		if err := s.startMinIO(ctx, work); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

// freshSchema makes an empty schema on the test PostgreSQL, dropped at the end.
func (s *service) freshSchema(ctx context.Context) (string, error) {
	raw := os.Getenv("SUPFILE_TEST_DATABASE_URL")
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		return "", err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	schema := "load_" + random(6)
	if _, err := admin.ExecContext(cctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", fmt.Errorf("PostgreSQL at %s: create schema: %w", u.Redacted(), err)
	}
	s.cleanups = append(s.cleanups, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "drop schema %s: %v\n", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

const minioBinary = "/root/.cache/supfile-bin/minio"

// startMinIO starts MinIO on loopback and makes an Object Lock bucket, as
// internal/miniotest does for the tests.
func (s *service) startMinIO(ctx context.Context, work string) error {
	bin := os.Getenv("SUPFILE_MINIO")
	if bin == "" {
		bin = minioBinary
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("MinIO binary: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	console, err := freeAddr()
	if err != nil {
		return err
	}
	access, secret := "load-"+random(4), random(16)
	logs, err := os.Create(filepath.Join(work, "minio.log"))
	if err != nil {
		return err
	}
	defer logs.Close()
	cmd := exec.Command(bin, "server", "--address", addr, "--console-address", console,
		"--certs-dir", filepath.Join(work, "minio-certs"), "--quiet", filepath.Join(work, "minio-data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+access, "MINIO_ROOT_PASSWORD="+secret,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start MinIO: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cleanups = append(s.cleanups, func() { cmd.Process.Kill(); <-done })

	client, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""),
		BucketLookup: minio.BucketLookupPath, Region: "us-east-1", MaxRetries: 1})
	if err != nil {
		return err
	}
	bucket := "load-" + random(4)
	deadline := time.Now().Add(time.Minute)
	for {
		err = client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{ObjectLocking: true, Region: "us-east-1"})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("MinIO on %s: make bucket: %w", addr, err)
		}
		select {
		case <-done:
			return errors.New("MinIO exited; see minio.log")
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.env = append(s.env, "S3_ENDPOINT="+addr, "S3_BUCKET="+bucket, "S3_ACCESS_KEY="+access,
		"S3_SECRET_KEY="+secret, "S3_USE_TLS=false", "S3_REGION=us-east-1")
	return nil
}

// start execs `supfile serve` and waits for /readyz to answer 200; it
// returns the time from exec to ready.
func (s *service) start(ctx context.Context) (time.Duration, error) {
	logs, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	defer logs.Close()
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(s.exited)
	client := &http.Client{Timeout: time.Second}
	deadline := began.Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := client.Get(s.url() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(began), nil
			}
		}
		select {
		case <-s.exited:
			return 0, fmt.Errorf("supfile serve exited; see %s", s.logPath)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	s.stop()
	return 0, fmt.Errorf("supfile serve not ready within a minute; see %s", s.logPath)
}

func (s *service) url() string { return "http://" + s.addr }

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func (s *service) peakRSS() (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM")
}

// cpuTime is the CPU time (user + system) the service has used so far, from
// /proc/PID/stat in clock ticks of 1/100 s (CLK_TCK on Linux).
func (s *service) cpuTime() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	rest := string(raw)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	// After the name: state is f[0], so utime (field 14) is f[11], stime f[12].
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}

// stop ends the service as an operator would (SIGTERM), killing it after 30 s.
func (s *service) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

func (s *service) close() {
	s.stop()
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}
