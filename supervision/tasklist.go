package supervision

import (
	"context"
	"fmt"
	"strings"

	"github.com/supervisionfile/supfile/forms"
)

// A form with more than TaskListSections sections is filled in from a task
// list, a section at a time (GOV.UK "complete multiple tasks"); a shorter
// one on a single page.
const TaskListSections = 4

// UsesTaskList says whether a form is filled in from a task list.
func UsesTaskList(def *forms.Definition) bool { return len(def.Sections) > TaskListSections }

// EditURL is where a draft of the form is filled in: its task list, or
// its single edit page.
func EditURL(def *forms.Definition, id string) string {
	if UsesTaskList(def) {
		return "/records/" + id + "/tasks"
	}
	return "/records/" + id + "/edit"
}

// SectionState is how far a section of a draft has got.
type SectionState string

const (
	SectionNotStarted SectionState = "not started"
	SectionInProgress SectionState = "in progress"
	SectionCompleted  SectionState = "completed"
)

// sectionEventDetail is the detail of the "saved draft" event written when
// one section is saved from its own page: it says which, in the history,
// and marks the section as worked on.
func sectionEventDetail(def *forms.Definition, i int) string {
	return fmt.Sprintf("section %d, %s", i+1, def.Sections[i].Title)
}

// SectionStates says for each section of a draft, in the form's order, how
// far it has got:
//   - completed: it has been saved (from its own page, or with answers in
//     it from the whole page or the API) and its answers are complete and
//     valid for submitting;
//   - in progress: it has been saved but is not complete yet, or it holds
//     answers saved as a whole (a new version prefilled from the last);
//   - not started: otherwise. Answers the service prefilled when the
//     record was started do not count until the section is saved.
func (s *Records) SectionStates(ctx context.Context, v *RecordView) ([]SectionState, error) {
	if err := s.History(ctx, v); err != nil { // the section saves are in the audit trail
		return nil, err
	}
	def := v.Form
	var final map[string]bool // top-level fields with a problem for submitting
	if v.Supervisee != nil {
		final = map[string]bool{}
		for _, p := range def.Validate(v.Data, forms.Final, s.validationContext(v.Supervisee)) {
			top, _, _ := strings.Cut(p.Field, ".")
			final[top] = true
		}
	}
	for _, p := range v.Problems {
		top, _, _ := strings.Cut(p.Field, ".")
		if final != nil {
			final[top] = true
		}
	}
	sectionSaved := map[string]bool{}
	wholeSaved := v.Record.Version > 1
	for _, e := range v.Events {
		if e.Action != "saved draft" {
			continue
		}
		if e.Detail == "" {
			wholeSaved = true
		} else {
			sectionSaved[e.Detail] = true
		}
	}
	out := make([]SectionState, len(def.Sections))
	for i := range def.Sections {
		sec := &def.Sections[i]
		answered, valid := false, true
		for _, f := range sec.Fields {
			if answeredValue(v.Data[f.ID]) {
				answered = true
			}
			if final[f.ID] {
				valid = false
			}
		}
		started := sectionSaved[sectionEventDetail(def, i)] || (wholeSaved && answered)
		switch {
		case started && valid:
			out[i] = SectionCompleted
		case started:
			out[i] = SectionInProgress
		default:
			out[i] = SectionNotStarted
		}
	}
	return out, nil
}

// answeredValue says whether an answer holds anything.
func answeredValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(x) != ""
	case []any:
		for _, e := range x {
			if answeredValue(e) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if answeredValue(e) {
				return true
			}
		}
		return false
	}
	return true
}

// SectionIndex finds a section of the form by its number in the form's
// order, counting from 1, as the section pages name them.
func SectionIndex(def *forms.Definition, number string) (int, bool) {
	n := 0
	for _, c := range number {
		if c < '0' || c > '9' || n > len(def.Sections) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if number == "" || n < 1 || n > len(def.Sections) {
		return 0, false
	}
	return n - 1, true
}

// SubmitAt submits a draft for signatures if revision is still the latest:
// the check-your-answers page posts the revision it showed, so that what is
// sent is what was checked.
func (s *Records) SubmitAt(ctx context.Context, actor *Staff, id string, revision int) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if v.Record.Status == StatusDraft && v.Record.Revision != revision {
		return v, Errorf(ErrConflict, "Someone else saved this record after you checked it")
	}
	return s.submit(ctx, actor, v)
}

// onlySection is the stored answers with one section's replaced by those
// posted: a section's page posts that section alone.
func onlySection(def *forms.Definition, i int, posted, stored map[string]any) map[string]any {
	out := make(map[string]any, len(stored))
	for k, v := range stored {
		out[k] = v
	}
	for _, f := range def.Sections[i].Fields {
		if v, ok := posted[f.ID]; ok {
			out[f.ID] = v
		} else {
			delete(out, f.ID)
		}
	}
	return out
}

// ownerOf names who fills in a section: its owner's signer label, or for
// the author's sections the first signer on the supervisor's side.
func ownerOf(def *forms.Definition, owner string) string {
	for _, sg := range def.Signers {
		if (owner != "" && sg.Role == owner) || (owner == "" && Party(sg.Role) == "supervisor") {
			return sg.Label
		}
	}
	if owner == "" {
		return "Supervisor"
	}
	return "Supervisee"
}

// RecordEditURL is EditURL for a record: where its draft is filled in.
func (s *Records) RecordEditURL(r *Record) string {
	if def, ok := s.forms.GetVersion(r.FormID, r.FormVersion); ok {
		return EditURL(def, r.ID)
	}
	return "/records/" + r.ID + "/edit"
}
