// Package needs marks tests that need something outside Go: Chromium,
// PostgreSQL, MinIO, LibreOffice, poppler (pdftotext, pdfsig), mount, or a
// second build of the command. `go test -short ./...` skips them, for a
// fast run on any machine; without -short (CI, .ci/run) they run, and a
// missing tool fails them.
package needs

import (
	"strings"
	"testing"
)

// Tools skips the test under -short, naming what it needs. Call it on the
// test's first line, before any set-up (starting the service, signing
// people in), so that -short skips the test at once.
func Tools(tb testing.TB, what ...string) {
	tb.Helper()
	if testing.Short() {
		tb.Skipf("-short: needs %s", strings.Join(what, ", "))
	}
}
