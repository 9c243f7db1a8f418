package jobs

import (
	"testing"
	"time"
)

// A finish job's wait after a storage fault doubles from a second and stays
// at its cap of a minute; it never drops back while the fault lasts.
func TestBackoffIsCapped(t *testing.T) {
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60}
	for i, w := range want {
		if got := Backoff(i + 1); got != w*time.Second {
			t.Errorf("retry %d after %v, want %v", i+1, got, w*time.Second)
		}
	}
	if got := Backoff(5000); got != time.Minute {
		t.Errorf("retry 5000 after %v, want a minute", got)
	}
}
