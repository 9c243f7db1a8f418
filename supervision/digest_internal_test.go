package supervision

import (
	"strings"
	"testing"
	"time"
)

// The weekly digest counts the cases whose supervision is overdue (past
// the grace, for the line manager) and never names them: a case reference
// is record content.
func TestDigestCountsOverdueCases(t *testing.T) {
	by := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	v := &DueView{Items: []Due{
		{What: DueSupervision, By: by, OverdueDays: 3},
		{What: DueCaseSupervision, By: by, OverdueDays: 20, Reason: "case LL-98765, last discussed 2026-03-06; 8 weeks (Manchester)"},
		{What: DueCaseSupervision, By: by, OverdueDays: 5, Reason: "case LL-12345, last discussed 2026-03-20; 8 weeks (Manchester)"},
		{What: DueCaseSupervision, By: by, Reason: "case LL-55555, last discussed 2026-04-20; 8 weeks (Manchester)"},
		{What: DueFileAudit, By: by, OverdueDays: 40},
	}}
	if got, want := overdueText(v, 0), "supervision 3 days overdue, case supervision of 2 cases overdue (by up to 20 days)"; got != want {
		t.Errorf("supervisor's digest line: %q, want %q", got, want)
	}
	if got, want := overdueText(v, 14), "case supervision of 1 case overdue (by up to 20 days)"; got != want {
		t.Errorf("line manager's digest line (grace 14): %q, want %q", got, want)
	}
	if got := overdueText(v, 30); got != "" {
		t.Errorf("nothing past a grace of 30 days, got %q", got)
	}
	for _, g := range []int{0, 14} {
		if s := overdueText(v, g); strings.Contains(s, "LL-") {
			t.Errorf("the digest names a case: %q", s)
		}
	}
}
