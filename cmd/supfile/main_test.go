package main

import (
	"os"
	"testing"
)

// TestMain stops what the package's tests share once they are done: the
// one Chromium of the browser tests, and the supfile binary built for the
// tests that run it as a process.
func TestMain(m *testing.M) {
	code := m.Run()
	stopChromium()
	removeBuiltSupfile()
	os.Exit(code)
}
