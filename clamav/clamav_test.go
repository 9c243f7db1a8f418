package clamav_test

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/clamav"
	"github.com/supervisionfile/supfile/internal/clamdtest"
)

func TestParse(t *testing.T) {
	for spec, want := range map[string]string{
		"unix:/run/clamav/clamd.ctl": "unix:/run/clamav/clamd.ctl",
		"/run/clamav/clamd.ctl":      "unix:/run/clamav/clamd.ctl",
		"tcp:127.0.0.1:3310":         "tcp:127.0.0.1:3310",
		"tcp://clamav:3310":          "tcp:clamav:3310",
		"clamav:3310":                "tcp:clamav:3310",
	} {
		c, err := clamav.Parse(spec)
		if err != nil || c.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", spec, c, err, want)
		}
	}
	for _, bad := range []string{"", "clamav", "tcp:nohost"} {
		if _, err := clamav.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

// TestScan runs a real clamd with only the EICAR signature.
func TestScan(t *testing.T) {
	srv := clamdtest.Start(t)
	ctx := t.Context()
	if v, err := srv.Client.Version(ctx); err != nil || !strings.Contains(v, "ClamAV") {
		t.Errorf("Version = %q, %v", v, err)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"EICAR":          {[]byte(clamdtest.EICAR), "Eicar-Test-Signature"},
		"clean":          {[]byte("%PDF-1.7\nnothing to see\n"), ""},
		"empty":          {nil, ""},
		"several chunks": {bytes.Repeat([]byte("supervision "), 100_000), ""},
	} {
		found, err := srv.Client.Scan(ctx, bytes.NewReader(tc.data))
		// clamd adds .UNOFFICIAL to a signature from outside its own databases.
		if err != nil || strings.TrimSuffix(found, ".UNOFFICIAL") != tc.want {
			t.Errorf("%s: Scan = %q, %v; want %q", name, found, err, tc.want)
		}
	}
}

// TestScanNoDaemon: nothing listening is an error, never a clean answer.
func TestScanNoDaemon(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := &clamav.Client{Network: "tcp", Address: addr}
	if found, err := c.Scan(t.Context(), strings.NewReader(clamdtest.EICAR)); err == nil {
		t.Errorf("Scan with no clamd = %q, nil; want an error", found)
	}
}
