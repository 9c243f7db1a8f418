package supervision

import (
	"slices"
	"testing"
)

// "Start a new record" offers the agreement first, then the forms in the
// file checklist's order, then any the checklist does not name.
func TestChecklistRank(t *testing.T) {
	ids := []string{"case-supervision", "a-councils-own-form", "self-assessment", "workers-details", "supervision-record", "supervision-agreement", "forward-planner"}
	slices.SortStableFunc(ids, func(a, b string) int { return checklistRank(a) - checklistRank(b) })
	want := []string{"supervision-agreement", "workers-details", "forward-planner", "supervision-record", "case-supervision", "self-assessment", "a-councils-own-form"}
	if !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
}
