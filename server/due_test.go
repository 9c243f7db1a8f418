package server

import (
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

// The timeline draws each open case on a row of its own below the
// observations: a diamond at its last discussion, a line to when it is
// next due, red from then to today when that has passed; and says so in
// its text, naming the case only when the DueView carries the reference
// (supervision.FileDue and TeamDue leave it out for someone who may not
// read the record).
func TestTimelineCaseSupervision(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	v := &supervision.DueView{
		Supervisee: &supervision.Staff{ID: "s1", Name: "Siân Gwŷnedd-Jones"},
		Today:      day("2026-05-18"),
		NextDue:    day("2026-05-25"),
		Agreement:  supervision.AgreementNone,
	}
	plain := timelineSVG(v)
	if !strings.Contains(string(plain), `viewBox="0 0 400 96"`) || strings.Contains(string(plain), "app-timeline__cases") {
		t.Errorf("with no cases the timeline has a case row: %.200s", plain)
	}
	for _, line := range timelineText(v) {
		if strings.Contains(strings.ToLower(line), "case") {
			t.Errorf("with no cases the text says %q", line)
		}
	}

	v.Cases = []supervision.CaseDue{
		// Planned for 13 April, sooner than the cycle: overdue by 35 days.
		{Reference: "LL-40417", LastDiscussed: day("2026-03-02"), Planned: day("2026-04-13"), Due: day("2026-04-24")},
		// Not overdue, and its reference withheld from this viewer.
		{Reference: "", LastDiscussed: day("2026-05-11"), Due: day("2026-07-03")},
	}
	svg := string(timelineSVG(v))
	if !strings.Contains(svg, `viewBox="0 0 400 112"`) {
		t.Errorf("the timeline did not grow a row for the cases: %.200s", svg)
	}
	cases := svg[strings.Index(svg, `<g class="app-timeline__cases">`):]
	cases = cases[:strings.Index(cases, "</g>")]
	if n := strings.Count(cases, "<path "); n != 2 {
		t.Errorf("%d diamonds, want 2 (one per last discussion): %s", n, cases)
	}
	if n := strings.Count(cases, `fill="#d4351c"`); n != 1 {
		t.Errorf("%d red stretches, want 1 (the overdue case): %s", n, cases)
	}
	if n := strings.Count(cases, `width="2" height="13"`); n != 2 {
		t.Errorf("%d due marks, want 2: %s", n, cases)
	}
	text := timelineText(v)
	want := []string{
		"Case LL-40417 last discussed in case supervision on 2 Mar 2026, next due by 13 Apr 2026, overdue by 35 days.",
		"A case last discussed in case supervision on 11 May 2026, next due by 3 Jul 2026.",
	}
	if got := text[len(text)-2:]; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline text ends\n%q\nwant\n%q", got, want)
	}
	// The description is the same text.
	if !strings.Contains(svg, "Case LL-40417 last discussed") || !strings.Contains(svg, "A case last discussed") {
		t.Errorf("the description lacks the cases: %s", svg)
	}
}
