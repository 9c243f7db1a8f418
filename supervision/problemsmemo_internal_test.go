package supervision

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/policy"
	"github.com/supervisionfile/supfile/supervision/printout"
)

type printsAll struct{}

func (printsAll) PDF(context.Context, printout.Document) ([]byte, error)  { return nil, nil }
func (printsAll) DOCX(context.Context, printout.Document) ([]byte, error) { return nil, nil }
func (printsAll) CanPrint(rune) bool                                      { return true }

// A draft opened again with the same stored answers on the same day has
// its problems from the memo; different answers, another day, another
// form version or a supervisee in another role are worked out afresh.
func TestStoredDraftProblemsMemo(t *testing.T) {
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	var def *forms.Definition
	var date string
	for _, d := range cat.List() {
		for _, sec := range d.Sections {
			for _, f := range sec.Fields {
				if f.Kind == forms.KindDate && date == "" {
					def, date = d, f.ID
				}
			}
		}
	}
	if def == nil {
		t.Fatal("no built-in form has a date question")
	}
	pol, err := policy.Preset(policy.Presets()[0])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	s := &Records{core: &core{forms: cat, renderer: printsAll{}, cfg: Config{Location: time.UTC, Now: func() time.Time { return now }, Policy: pol}}}
	sup := &Staff{ID: "s1", Role: "social_worker", StartDate: now.AddDate(-2, 0, 0)}
	view := func(answers map[string]any) *RecordView {
		raw, err := json.Marshal(answers)
		if err != nil {
			t.Fatal(err)
		}
		v := &RecordView{Record: &Record{ID: "r1", Status: StatusDraft, Data: raw}, Form: def, Supervisee: sup}
		if err := json.Unmarshal(raw, &v.Data); err != nil {
			t.Fatal(err)
		}
		return v
	}
	bad := map[string]any{date: "31 February"}
	first := s.storedDraftProblems(view(bad))
	if want := s.draftProblems(view(bad)); len(first) == 0 || len(first) != len(want) || first[0] != want[0] {
		t.Fatalf("problems of a bad date: %v, want %v", first, want)
	}
	// Mark the memo's entry: what comes back from it is recognisable.
	marked := FieldError{Field: date, Message: "from the memo"}
	s.problems.mu.Lock()
	e := s.problems.m["r1"]
	e.problems = []FieldError{marked}
	s.problems.m["r1"] = e
	s.problems.mu.Unlock()
	if got := s.storedDraftProblems(view(bad)); len(got) != 1 || got[0] != marked {
		t.Fatalf("the same answers again were validated again (%v), not taken from the memo", got)
	}
	fromMemo := func(what string, v *RecordView) {
		t.Helper()
		got := s.storedDraftProblems(v)
		if want := s.draftProblems(v); len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("%s: problems %v, want %v", what, got, want)
		}
		// Put the mark back for the next case.
		s.problems.mu.Lock()
		e := s.problems.m["r1"]
		e.problems = []FieldError{marked}
		s.problems.m["r1"] = e
		s.problems.mu.Unlock()
	}
	fromMemo("answers corrected", view(map[string]any{date: "2026-02-27"}))
	s.storedDraftProblems(view(bad)) // back to the bad answers, marked
	s.problems.mu.Lock()
	e = s.problems.m["r1"]
	e.problems = []FieldError{marked}
	s.problems.m["r1"] = e
	s.problems.mu.Unlock()
	now = now.AddDate(0, 0, 1)
	fromMemo("the next day", view(bad))
	sup.Role = "manager"
	fromMemo("the supervisee's role changed", view(bad))
	other := *def
	v := view(bad)
	v.Form = &other
	fromMemo("another version of the form", v)
	v = view(bad)
	v.Record.Status = StatusAwaitingSignatures
	if got := s.storedDraftProblems(v); got != nil {
		t.Errorf("a record that is not a draft has problems %v", got)
	}
}
