package forms

import (
	"net/url"
	"testing"
	"time"
)

func TestJoinDateParts(t *testing.T) {
	for _, c := range []struct{ d, m, y, want string }{
		{"", "", "", ""},
		{" 27 ", "3", "2026", "2026-03-27"},
		{"07", "03", "2026", "2026-03-07"},
		{"27", "March", "2026", "2026-03-27"},
		{"27", "mar", "2026", "2026-03-27"},
		{"31", "2", "2026", "31/2/2026"},
		{"27", "", "2026", "27//2026"},
		{"27", "3", "26", "27/3/26"},
		{"2026-03-27", "", "", "2026-03-27"}, // a whole date in one box
		{"27/3/2026", "", "", "2026-03-27"},
		{"next week", "", "", "next week//"},
	} {
		if got := JoinDateParts(c.d, c.m, c.y); got != c.want {
			t.Errorf("JoinDateParts(%q, %q, %q) = %q, want %q", c.d, c.m, c.y, got, c.want)
		}
		d, m, y := SplitDate(JoinDateParts(c.d, c.m, c.y))
		if _, ok := parseDate(JoinDateParts(c.d, c.m, c.y)); !ok && c.want != "" && (d != trim(c.d) || m != trim(c.m) || y != trim(c.y)) {
			t.Errorf("typed %q %q %q shown again as %q %q %q", c.d, c.m, c.y, d, m, y)
		}
	}
	if d, m, y := SplitDate("2026-03-07"); d != "7" || m != "3" || y != "2026" {
		t.Errorf("SplitDate of a stored date: %q %q %q", d, m, y)
	}
}

func trim(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

func TestDateInputMessages(t *testing.T) {
	for _, c := range []struct {
		typed string
		want  string
		bad   [3]bool
	}{
		{"27//2026", "The review date must include a month", [3]bool{false, true, false}},
		{"//2026", "The review date must include a day and month", [3]bool{true, true, false}},
		{"31/2/2026", "The review date must be a real date", [3]bool{true, true, true}},
		{"27/13/2026", "The review date must be a real date", [3]bool{false, true, false}},
		{"27/3/26", "The year of the review date must include 4 numbers", [3]bool{false, false, true}},
	} {
		if got := dateMessageFor("the review date", c.typed); got != c.want {
			t.Errorf("%q: message %q, want %q", c.typed, got, c.want)
		}
		if _, bad := DateProblem(c.typed); bad != c.bad {
			t.Errorf("%q: boxes marked %v, want %v", c.typed, bad, c.bad)
		}
	}
}

// A form post with the date input's boxes decodes as one date, and a date
// that is not real is kept as typed and refused with the part named.
func TestDecodeDateInput(t *testing.T) {
	def := &Definition{ID: "t", Title: "T", Sections: []Section{{Title: "S", Fields: []Field{
		{ID: "review_date", Kind: KindDate, Label: "Review date", ErrorLabel: "the review date"},
		{ID: "actions", Kind: KindTable, Label: "Actions", Columns: []Field{{ID: "due", Kind: KindDate, Label: "Due"}, {ID: "what", Kind: KindText, Label: "What"}}},
	}}}}
	data := def.DecodeForm(url.Values{
		"review_date.day": {"27"}, "review_date.month": {""}, "review_date.year": {"2026"},
		"actions.0.due.day": {"1"}, "actions.0.due.month": {"4"}, "actions.0.due.year": {"2026"}, "actions.0.what": {"x"},
	})
	if data["review_date"] != "27//2026" {
		t.Errorf("review date decoded as %v", data["review_date"])
	}
	rows, _ := data["actions"].([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["due"] != "2026-04-01" {
		t.Errorf("actions decoded as %v", data["actions"])
	}
	errs := def.Validate(data, Draft, Context{Today: time.Now()})
	if len(errs) != 1 || errs[0].Field != "review_date" || errs[0].Message != "The review date must include a month" {
		t.Errorf("errors %v", errs)
	}
}
