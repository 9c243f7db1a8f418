package supervision

import (
	"testing"
	"time"
)

func TestThrottleWait(t *testing.T) {
	last := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {4, 0}, {5, 4 * time.Second}, {6, 8 * time.Second}, {7, 16 * time.Second},
		{12, 512 * time.Second}, {13, 15 * time.Minute}, {40, 15 * time.Minute}, {1 << 30, 15 * time.Minute},
	} {
		if got := throttleWait(Throttle{Failures: tt.failures, LastFailure: last}, last); got != tt.want {
			t.Errorf("%d failures: wait %v, want %v", tt.failures, got, tt.want)
		}
	}
	if got := throttleWait(Throttle{Failures: 5, LastFailure: last}, last.Add(5*time.Second)); got > 0 {
		t.Errorf("wait after it passed = %v", got)
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":               "addr:192.0.2.7",
		" 192.0.2.7 ":             "addr:192.0.2.7",
		"::ffff:192.0.2.7":        "addr:192.0.2.7",
		"2001:db8:1:2:3:4:5:6":    "addr:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9999": "addr:2001:db8:1:2::/64",
		"":                        "",
		"not an address":          "",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	if n := CommonPasswordCount(); n < 5000 {
		t.Errorf("the common password list has %d entries", n)
	}
	for pw, bad := range map[string]bool{
		"":                             true,
		"eleven char":                  true,
		"twelve chars":                 false,
		"Password1234":                 true,
		"P A S S W O R D 1 2 3 4":      true,
		"manchester2019":               true,
		"111111111111":                 true,
		"1q2w3e4r5t6y":                 true,
		"qwertyuiop123":                true,
		"ŵŷŵŷŵŷŵŷŵŷŵŷ":                 false, // 12 characters, 24 bytes
		"tea kettle owl":               false,
		string(make([]byte, 73)):       true,
		"\xff\xfe invalid utf8 bytes!": true,
	} {
		if got := PasswordProblem(pw) != ""; got != bad {
			t.Errorf("PasswordProblem(%q) = %q", pw, PasswordProblem(pw))
		}
	}
}

func TestHumanWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Millisecond: "1 second", 4 * time.Second: "4 seconds", 90 * time.Second: "1 minute", 15 * time.Minute: "15 minutes",
	} {
		if got := humanWait(d); got != want {
			t.Errorf("humanWait(%v) = %q, want %q", d, got, want)
		}
	}
}
