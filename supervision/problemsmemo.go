package supervision

import (
	"slices"
	"sync"
	"time"

	"github.com/supervisionfile/supfile/forms"
)

// problemsMemo keeps, for each draft recently shown, the problems found in
// its stored answers, so that opening the same draft again does not
// validate every answer again (3 % of the edit page's CPU on a filled
// agreement). An entry is used only for the very same stored answers (the
// bytes), form version, day and supervisee's role and policy minimum:
// whatever the problems depend on. A save changes the bytes; a new day or
// a change to the supervisee changes the rest.
type problemsMemo struct {
	mu    sync.Mutex
	m     map[string]problemsEntry // by record ID
	bytes int                      // the answers' bytes kept in m
}

type problemsEntry struct {
	def      *forms.Definition
	raw      string
	today    time.Time
	role     string
	min      int
	problems []FieldError
}

const (
	problemsMemoRecords = 1024    // entries kept; the memo is emptied when full
	problemsMemoBytes   = 8 << 20 // the answers' bytes kept; emptied when full
	problemsMemoMaxData = 1 << 18 // answers larger than this are not kept
)

// storedDraftProblems is draftProblems for a view whose Data is exactly its
// record's stored answers decoded (nothing filled in or synced after the
// read), answered from the memo when it can be.
func (s *Records) storedDraftProblems(v *RecordView) []FieldError {
	if v.Record.Status != StatusDraft || v.Supervisee == nil {
		return nil
	}
	raw := v.Record.Data
	if len(raw) > problemsMemoMaxData {
		return s.draftProblems(v)
	}
	vc := s.validationContext(v.Supervisee)
	id := v.Record.ID
	s.problems.mu.Lock()
	e, ok := s.problems.m[id]
	s.problems.mu.Unlock()
	if ok && e.def == v.Form && e.today.Equal(vc.Today) && e.role == vc.SuperviseeRole && e.min == vc.MinTimesPerYear && e.raw == string(raw) {
		return slices.Clone(e.problems)
	}
	problems := v.Form.Validate(v.Data, forms.Draft, vc)
	e = problemsEntry{def: v.Form, raw: string(raw), today: vc.Today, role: vc.SuperviseeRole, min: vc.MinTimesPerYear, problems: slices.Clone(problems)}
	s.problems.mu.Lock()
	if old, ok := s.problems.m[id]; ok {
		s.problems.bytes -= len(old.raw)
	}
	if s.problems.m == nil || len(s.problems.m) >= problemsMemoRecords || s.problems.bytes+len(e.raw) > problemsMemoBytes {
		s.problems.m, s.problems.bytes = make(map[string]problemsEntry), 0
	}
	s.problems.m[id] = e
	s.problems.bytes += len(e.raw)
	s.problems.mu.Unlock()
	return problems
}
