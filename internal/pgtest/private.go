package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"

	"github.com/supervisionfile/supfile/internal/needs"
)

// Private is a PostgreSQL server of a test's own, so the test can stop and
// start it without disturbing the shared one other tests use in parallel.
// It runs the Debian binaries (/usr/lib/postgresql/*/bin) on a free
// loopback port, as the postgres user when the test runs as root (which
// PostgreSQL refuses).
type Private struct {
	// URL reaches its postgres database as the postgres superuser.
	URL string

	tb      testing.TB
	bin     string // the folder of initdb and pg_ctl
	dir     string // owned by the server's user: data/, the socket and the log
	port    int
	cred    *syscall.Credential
	running bool
}

// StartPrivate initialises a new cluster in a temporary folder, starts it,
// and stops it and removes the folder when the test ends. Anything missing
// (the binaries, the postgres user when root) fails the test.
func StartPrivate(tb testing.TB) *Private {
	tb.Helper()
	needs.Tools(tb, "PostgreSQL server binaries")
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(found) == 0 {
		tb.Fatal("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (Debian package postgresql)")
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	p := &Private{tb: tb, bin: filepath.Dir(found[0])}
	dir, err := os.MkdirTemp("", "supfile-pg-*")
	if err != nil {
		tb.Fatal(err)
	}
	p.dir = dir
	tb.Cleanup(func() {
		if p.running {
			p.pgctl("stop", "-m", "immediate", "-w")
		}
		os.RemoveAll(p.dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("PostgreSQL will not run as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p.run(filepath.Join(p.bin, "initdb"), "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
	p.Start()
	return p
}

// version orders /usr/lib/postgresql/N/bin paths by N.
func version(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func (p *Private) data() string { return filepath.Join(p.dir, "data") }

func (p *Private) run(name string, args ...string) {
	p.tb.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = p.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8"}
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		p.tb.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
	}
}

func (p *Private) pgctl(args ...string) {
	p.tb.Helper()
	p.run(filepath.Join(p.bin, "pg_ctl"), append([]string{"-D", p.data()}, args...)...)
}

// Start starts the server and waits until it accepts connections.
func (p *Private) Start() {
	p.tb.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=50", p.port, p.dir)
	p.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(p.dir, "log"), "-o", opts)
	p.running = true
}

// Stop stops the server at once (-m immediate: no checkpoint, connections
// cut, as in a crash); Start recovers it.
func (p *Private) Stop() {
	p.tb.Helper()
	p.pgctl("stop", "-m", "immediate", "-w")
	p.running = false
}
