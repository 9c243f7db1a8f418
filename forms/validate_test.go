package forms

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestRuleTypes checks each rule type of the vocabulary alone: it fails
// when broken and passes when met.
func TestRuleTypes(t *testing.T) {
	const (
		frequency = `  - {type: frequency_agrees, times_per_year: times, every_weeks: weeks, message: "Meet {expected} times for every {weeks} weeks, not {times}"}`
		within    = `  - {type: date_within, field: end_date, of: start_date, months: 1, message: "End within {months} month of the start"}`
		withinDay = `  - {type: date_within, field: end_date, of: start_date, days: 10, message: "End within 10 days"}`
		after     = `  - {type: date_after, field: end_date, after: start_date, message: "End after the start"}`
		orSame    = `  - {type: date_after, field: end_date, after: start_date, or_same: true, message: "End on or after the start"}`
		rowAfter  = `  - {type: date_after, table: actions, field: due, after: start_date, message: "Due in row {row} after the start"}`
		reqIf     = `  - {type: required_if, field: done_on, when: {field: status, equals: done}, message: "Enter when it was done"}`
		rowReqIf  = `  - {type: required_if, table: actions, field: done_on, when: {field: status, equals: done}, message: "Enter when row {row} was done"}`
		reqHidden = `  - {type: required_if, field: explain, when: {field: status, equals: open}, message: "Explain"}`
		future    = `  - {type: not_future, field: done_on, message: "Done on cannot be in the future"}`
		rowFuture = `  - {type: not_future, table: actions, field: done_on, when: {field: status, equals: done}, message: "Row {row} cannot be done in the future"}`
		minimum   = `  - {type: below_minimum_requires, field: times, requires: [reason, approval], message: "{times} is below {min}: give the reason and approval"}`
	)
	ctx := Context{Today: date(2026, 3, 27), MinTimesPerYear: 13}
	tests := []struct {
		name string
		rule string
		data map[string]any
		mode Mode
		ctx  Context
		want []FieldError
	}{
		{"frequency broken", frequency, map[string]any{"times": 12.0, "weeks": 4.0}, Final, ctx,
			[]FieldError{{"times", "Meet 13 times for every 4 weeks, not 12"}}},
		{"frequency met", frequency, map[string]any{"times": 13.0, "weeks": 4.0}, Final, ctx, nil},
		{"frequency met, rounded", frequency, map[string]any{"times": 9.0, "weeks": 6.0}, Final, ctx, nil},
		{"frequency with one answer", frequency, map[string]any{"times": 12.0}, Draft, ctx, nil},
		{"frequency with a bad answer", frequency, map[string]any{"times": 12.0, "weeks": "four"}, Draft, ctx,
			[]FieldError{{"weeks", "Weeks between must be a number"}}},

		{"within broken", within, map[string]any{"start_date": "2026-01-31", "end_date": "2026-03-01"}, Final, ctx,
			[]FieldError{{"end_date", "End within 1 month of the start"}}},
		{"within met at the end of a short month", within, map[string]any{"start_date": "2026-01-31", "end_date": "2026-02-28"}, Final, ctx, nil},
		{"within days broken", withinDay, map[string]any{"start_date": "2026-01-01", "end_date": "2026-01-12"}, Final, ctx,
			[]FieldError{{"end_date", "End within 10 days"}}},
		{"within days met", withinDay, map[string]any{"start_date": "2026-01-01", "end_date": "2026-01-11"}, Final, ctx, nil},
		{"within with one date", within, map[string]any{"end_date": "2030-01-01"}, Final, ctx, nil},

		{"after broken, same day", after, map[string]any{"start_date": "2026-03-27", "end_date": "2026-03-27"}, Final, ctx,
			[]FieldError{{"end_date", "End after the start"}}},
		{"after broken, before", after, map[string]any{"start_date": "2026-03-27", "end_date": "2026-03-01"}, Final, ctx,
			[]FieldError{{"end_date", "End after the start"}}},
		{"after met", after, map[string]any{"start_date": "2026-03-27", "end_date": "2026-03-28"}, Final, ctx, nil},
		{"after or same met", orSame, map[string]any{"start_date": "2026-03-27", "end_date": "2026-03-27"}, Final, ctx, nil},
		{"after or same broken", orSame, map[string]any{"start_date": "2026-03-27", "end_date": "2026-03-26"}, Final, ctx,
			[]FieldError{{"end_date", "End on or after the start"}}},
		{"after with an invalid date", after, map[string]any{"start_date": "2026-03-27", "end_date": "2026-02-30"}, Draft, ctx,
			[]FieldError{{"end_date", "Enter end date as a real date, for example 27 3 2026"}}},
		{"after in table rows broken", rowAfter, map[string]any{"start_date": "2026-03-27", "actions": []any{
			map[string]any{"due": "2026-04-01"}, map[string]any{"due": "2026-03-01"}, map[string]any{"action": "no date"}}}, Final, ctx,
			[]FieldError{{"actions.1.due", "Due in row 2 after the start"}}},
		{"after in table rows met", rowAfter, map[string]any{"start_date": "2026-03-27", "actions": []any{
			map[string]any{"due": "2026-04-01"}, map[string]any{"due": "2026-03-28"}}}, Final, ctx, nil},

		{"required_if broken in a draft", reqIf, map[string]any{"status": "done"}, Draft, ctx,
			[]FieldError{{"done_on", "Enter when it was done"}}},
		{"required_if met", reqIf, map[string]any{"status": "done", "done_on": "2026-03-01"}, Final, ctx, nil},
		{"required_if not triggered", reqIf, map[string]any{"status": "open"}, Final, ctx, nil},
		{"required_if in table rows broken", rowReqIf, map[string]any{"actions": []any{
			map[string]any{"status": "open"}, map[string]any{"status": "done"}}}, Draft, ctx,
			[]FieldError{{"actions.1.done_on", "Enter when row 2 was done"}}},
		{"required_if in table rows met", rowReqIf, map[string]any{"actions": []any{
			map[string]any{"status": "done", "done_on": "2026-03-01"}}}, Final, ctx, nil},
		{"required_if never asks for a hidden question", reqHidden, map[string]any{"status": "open"}, Final, ctx, nil},

		{"not_future broken", future, map[string]any{"done_on": "2026-03-28"}, Final, ctx,
			[]FieldError{{"done_on", "Done on cannot be in the future"}}},
		{"not_future met today", future, map[string]any{"done_on": "2026-03-27"}, Final, ctx, nil},
		{"not_future in rows broken", rowFuture, map[string]any{"actions": []any{
			map[string]any{"status": "open", "done_on": "2026-04-01"}, map[string]any{"status": "done", "done_on": "2026-04-01"}}}, Final, ctx,
			[]FieldError{{"actions.1.done_on", "Row 2 cannot be done in the future"}}},
		{"not_future in rows met", rowFuture, map[string]any{"actions": []any{
			map[string]any{"status": "done", "done_on": "2026-03-01"}}}, Final, ctx, nil},

		{"below minimum broken in a draft", minimum, map[string]any{"times": 6.0}, Draft, ctx,
			[]FieldError{{"reason", "6 is below 13: give the reason and approval"}, {"approval", "6 is below 13: give the reason and approval"}}},
		{"below minimum with reason and approval", minimum, map[string]any{"times": 6.0, "reason": "Part time", "approval": "J Bloggs"}, Final, ctx, nil},
		{"at the minimum", minimum, map[string]any{"times": 13.0}, Final, ctx, nil},
		{"minimum unknown", minimum, map[string]any{"times": 6.0}, Final, Context{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := parseFile(t, "rules.yaml", tt.rule+"\n")
			got := d.Validate(tt.data, tt.mode, tt.ctx)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAgreementRules checks the rules of the built-in agreement: each test
// breaks one, so it fails if the rule is taken out of the YAML.
func TestAgreementRules(t *testing.T) {
	d := agreement(t)
	if errs := d.Validate(validAgreement(), Final, socialWorker()); errs != nil {
		t.Fatalf("a complete agreement is not valid: %v", errs)
	}
	const minimumMsg = "Meeting 9 times a year is less often than the policy's minimum of 13 for the supervisee's role: record the reason and the senior manager's approval"
	tests := []struct {
		name    string
		changes map[string]any
		ctx     Context
		want    []FieldError
	}{
		{"times a year disagree with weeks", map[string]any{"times_per_year": 14.0}, socialWorker(),
			[]FieldError{{"times_per_year", "Times a year must agree with the weeks between sessions: once every 4 weeks is 13 times a year"}}},
		{"times a year agree with weeks", map[string]any{"times_per_year": 26.0, "every_weeks": 2.0}, socialWorker(), nil},
		{"review date more than 12 months on", map[string]any{"review_date": "2027-03-28"}, socialWorker(),
			[]FieldError{{"review_date", "The review date must be no later than 12 months after the date of agreement"}}},
		{"review date on the same day", map[string]any{"review_date": "2026-03-27"}, socialWorker(),
			[]FieldError{{"review_date", "The review date must be after the date of agreement"}}},
		{"review date before the agreement", map[string]any{"review_date": "2025-12-01"}, socialWorker(),
			[]FieldError{{"review_date", "The review date must be after the date of agreement"}}},
		{"review date within 12 months", map[string]any{"review_date": "2026-09-27"}, socialWorker(), nil},
		{"below the minimum without a reason", map[string]any{"times_per_year": 9.0, "every_weeks": 6.0}, socialWorker(),
			[]FieldError{
				{"frequency_reason", minimumMsg},
				{"senior_manager_approval", minimumMsg},
				{"senior_manager_approval_date", minimumMsg},
			}},
		{"below the minimum with a reason and approval", map[string]any{"times_per_year": 9.0, "every_weeks": 6.0,
			"frequency_reason": "Works three days a week", "senior_manager_approval": "Jo Bloggs", "senior_manager_approval_date": "2026-03-20"}, socialWorker(), nil},
		{"below the minimum for a student only", map[string]any{"times_per_year": 13.0, "every_weeks": 4.0}, Context{Today: date(2026, 3, 27), MinTimesPerYear: 52},
			[]FieldError{
				{"frequency_reason", strings.NewReplacer("9", "13", "13 for", "52 for").Replace(minimumMsg)},
				{"senior_manager_approval", strings.NewReplacer("9", "13", "13 for", "52 for").Replace(minimumMsg)},
				{"senior_manager_approval_date", strings.NewReplacer("9", "13", "13 for", "52 for").Replace(minimumMsg)},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Validate(with(validAgreement(), tt.changes), Final, tt.ctx)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAgreementDraftsArePartial(t *testing.T) {
	d := agreement(t)
	prefilled := map[string]any{"supervisee_name": "Siân", "agreement_date": "2026-03-27"}
	if errs := d.Validate(prefilled, Draft, socialWorker()); errs != nil {
		t.Errorf("a prefilled draft: %v", errs)
	}
	if errs := d.Validate(map[string]any{}, Draft, socialWorker()); errs != nil {
		t.Errorf("an empty draft: %v", errs)
	}
	// The below-minimum rule asks for the reason even in a draft.
	got := d.Validate(map[string]any{"times_per_year": 4.0}, Draft, socialWorker())
	var fields []string
	for _, e := range got {
		fields = append(fields, e.Field)
	}
	if diff := cmp.Diff([]string{"frequency_reason", "senior_manager_approval", "senior_manager_approval_date"}, fields); diff != "" {
		t.Errorf("below the minimum in a draft (-want +got):\n%s", diff)
	}
}

func TestValidateFormats(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	noEmoji := func(r rune) bool { return r < 0x10000 }
	tests := []struct {
		name string
		data map[string]any
		ctx  Context
		want []FieldError
	}{
		{"impossible date", map[string]any{"discussion_date": "2026-02-30"}, Context{},
			[]FieldError{{"discussion_date", "Enter the discussion date as a real date, for example 27 3 2026"}}},
		{"date in another format", map[string]any{"discussion_date": "27/3/2026"}, Context{},
			[]FieldError{{"discussion_date", "Enter the discussion date as a real date, for example 27 3 2026"}}},
		{"text in a number", map[string]any{"count": "abc"}, Context{},
			[]FieldError{{"count", "Count must be a number"}}},
		{"fraction in a whole number", map[string]any{"count": 2.5}, Context{},
			[]FieldError{{"count", "Count must be a whole number"}}},
		{"number out of range", map[string]any{"count": 11.0}, Context{},
			[]FieldError{{"count", "Count must be between 1 and 10"}}},
		{"an int is a number", map[string]any{"count": 3, "hours": int64(2)}, Context{}, nil},
		{"text too long", map[string]any{"name": strings.Repeat("a", 21)}, Context{},
			[]FieldError{{"name", "Name must be 20 characters or fewer"}}},
		{"characters, not bytes", map[string]any{"name": strings.Repeat("ŷ", 20)}, Context{}, nil},
		{"long text over the default", map[string]any{"notes": strings.Repeat("a", 50001)}, Context{},
			[]FieldError{{"notes", "Notes must be 50,000 characters or fewer"}}},
		{"long text at the default", map[string]any{"notes": strings.Repeat("a", 50000)}, Context{}, nil},
		{"bad time", map[string]any{"start": "25:00"}, Context{},
			[]FieldError{{"start", "Enter start time as a real time, for example 14:30"}}},
		{"unknown option", map[string]any{"colour": "green"}, Context{},
			[]FieldError{{"colour", "Select an option from the list"}}},
		{"unknown multichoice option", map[string]any{"topics": []any{"a", "z"}}, Context{},
			[]FieldError{{"topics", "Select an option from the list"}}},
		{"multichoice as []string", map[string]any{"topics": []string{"a", "b"}}, Context{}, nil},
		{"bad yes/no", map[string]any{"agreed": "maybe"}, Context{},
			[]FieldError{{"agreed", "Select an option from the list"}}},
		{"scale out of range", map[string]any{"safety": 11.0}, Context{},
			[]FieldError{{"safety", "Safety must be between 0 and 10"}}},
		{"bad RAG", map[string]any{"rating": "purple"}, Context{},
			[]FieldError{{"rating", "Select an option from the list"}}},
		{"unknown question", map[string]any{"favourite": "x"}, Context{},
			[]FieldError{{"favourite", `"favourite" is not a question on this form`}}},
		{"emoji refused", map[string]any{"name": "Hi 😀", "notes": "Line one\nLine two\tok"}, Context{Printable: noEmoji},
			[]FieldError{{"name", `Remove 😀 from name: it cannot be printed in the signed record`}}},
		{"emoji allowed without a Printable func", map[string]any{"name": "Hi 😀"}, Context{}, nil},
		{"Welsh letters are printable", map[string]any{"name": "Tŷ Siân"}, Context{Printable: noEmoji}, nil},
		{"Greek and Cyrillic are printable", map[string]any{"name": "Ελένη Παπαδοπούλου", "notes": "Ольга\nПетрова"}, Context{Printable: noEmoji}, nil},
		{"bidi override refused, even without a Printable func", map[string]any{"name": "Paid \u202egnirts"}, Context{},
			[]FieldError{{"name", "Remove the text direction character U+202E from name: it can make the signed record read differently from what was typed"}}},
		{"bidi isolate refused in a table cell", map[string]any{"actions": []any{map[string]any{"action": "a\u2067b"}}}, Context{},
			[]FieldError{{"actions.0.action", "Remove the text direction character U+2067 from action in row 1 of actions: it can make the signed record read differently from what was typed"}}},
		{"control character refused", map[string]any{"notes": "bell\u0007"}, Context{},
			[]FieldError{{"notes", "Remove the control character U+0007 from notes: it cannot be printed in the signed record"}}},
		{"table cells", map[string]any{"actions": []any{
			map[string]any{"action": "Call", "effort": "lots"},
			map[string]any{"action": "Write 😀", "due": "2026-13-01", "tags": []any{"x", "q"}, "colour": "red"},
		}}, Context{Printable: noEmoji},
			[]FieldError{
				{"actions.0.effort", "Effort in row 1 of actions must be a number"},
				{"actions.1.action", `Remove 😀 from action in row 2 of actions: it cannot be printed in the signed record`},
				{"actions.1.due", "Enter due in row 2 of actions as a real date, for example 27 3 2026"},
				{"actions.1.tags", "Select an option from the list"},
				{"actions.1.colour", `"colour" is not a column of actions`},
			}},
		{"errors in page order", map[string]any{"rating": "x", "name": 5.0, "count": "x", "actions": "x"}, Context{},
			[]FieldError{
				{"name", "Name must be text"},
				{"count", "Count must be a number"},
				{"rating", "Select an option from the list"},
				{"actions", "Actions must be a list of rows"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Validate(tt.data, Draft, tt.ctx)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
			for _, e := range got {
				if !utf8.ValidString(e.Message) || strings.Contains(e.Message, "want") || strings.Contains(e.Message, "got ") {
					t.Errorf("library jargon in %q", e.Message)
				}
			}
		})
	}
}

func TestRequired(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	complete := map[string]any{
		"name": "Ann", "discussion_date": "2026-03-01", "colour": "r", "topics": []any{"a"}, "agreed": "yes",
		"actions": []any{map[string]any{"action": "Call"}},
	}
	tests := []struct {
		name string
		data map[string]any
		mode Mode
		want []FieldError
	}{
		{"empty draft", map[string]any{}, Draft, nil},
		{"empty final", map[string]any{}, Final, []FieldError{
			{"name", "Enter name"},
			{"discussion_date", "Enter the discussion date"},
			{"colour", "Select colour"},
			{"topics", "Select topics"},
			{"agreed", "Select yes or no for agreed"},
			{"actions", "Add at least one row to actions"},
		}},
		{"complete final", complete, Final, nil},
		{"spaces are not an answer", with(complete, map[string]any{"name": "   "}), Final, []FieldError{{"name", "Enter name"}}},
		{"empty strings and lists are no answer", with(complete, map[string]any{"name": "", "topics": []any{}}), Final,
			[]FieldError{{"name", "Enter name"}, {"topics", "Select topics"}}},
		{"empty strings are fine in a draft", map[string]any{"discussion_date": "", "count": nil}, Draft, nil},
		{"follow-up shown and missing", with(complete, map[string]any{"agreed": "no"}), Final,
			[]FieldError{{"why_not", "Enter why not"}}},
		{"follow-up shown and given", with(complete, map[string]any{"agreed": "no", "why_not": "Busy"}), Final, nil},
		{"follow-up hidden is not required", with(complete, map[string]any{"agreed": "yes"}), Final, nil},
		{"follow-up hidden is still checked for its format", with(complete, map[string]any{"why_not": 5.0}), Final,
			[]FieldError{{"why_not", "Why not must be text"}}},
		{"a started row needs its required cells", with(complete, map[string]any{"actions": []any{
			map[string]any{"action": "Call"}, map[string]any{"owner": "u1"}, map[string]any{}}}), Final,
			[]FieldError{{"actions.1.action", "Enter action in row 2 of actions"}}},
		{"only empty rows", with(complete, map[string]any{"actions": []any{map[string]any{"action": ""}}}), Final,
			[]FieldError{{"actions", "Add at least one row to actions"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Validate(tt.data, tt.mode, Context{})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

// A definition built in Go, not parsed, still validates.
func TestValidateHandBuilt(t *testing.T) {
	d := &Definition{ID: "hand", Version: 1, Title: "Hand", Sections: []Section{{ID: "s", Title: "S", Fields: []Field{
		{ID: "when", Kind: KindDate, Label: "When", Required: true},
	}}}}
	want := []FieldError{{"when", "Enter when"}}
	if diff := cmp.Diff(want, d.Validate(nil, Final, Context{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidateConcurrently(t *testing.T) {
	d := agreement(t)
	done := make(chan []FieldError)
	for range 8 {
		go func() {
			done <- d.Validate(with(validAgreement(), map[string]any{"times_per_year": 14.0}), Final, socialWorker())
		}()
	}
	for range 8 {
		if got := <-done; len(got) != 1 {
			t.Errorf("got %v", got)
		}
	}
}
