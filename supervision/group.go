package supervision

// Group supervision (002 §1.1.3, issue 14). One record, many files: the
// lead starts a group record in their own file and names the attendees who
// are staff here (record_parties, role "attendee"); each attendee writes
// their own row of the learning table and signs as "attendee:<their id>";
// once everyone has signed, the record (one record.json, one PDF, one DOCX,
// kept under the lead's file) is listed in every attendee's file, exported
// with it, and counts as supervision held for each attendee (due.go).
// Anyone who stands to an attendee's file (their supervisor, a stand-in,
// their line manager, an auditor of it) may read it, as they may read the
// rest of that file, and every read is logged.

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/supervisionfile/supfile/forms"
)

// The record party roles of a group record; they are also the form's
// signer roles.
const (
	// PartyLead leads a group supervision: a team manager, senior social
	// worker or practice lead.
	PartyLead = "lead"
	// PartyAttendee attends it, and signs as AttendeeRole(their id).
	PartyAttendee = "attendee"
)

// learningTable is the group form's table of each attendee's learning, and
// learningAttendee its column naming whose row it is.
const (
	learningTable    = "learning"
	learningAttendee = "attendee"
)

// IsGroup says whether a form is a group record: it has a lead or an
// attendee signer (a record's definition has one signer per attendee named,
// and none before the first is added: see groupForm).
func IsGroup(def *forms.Definition) bool {
	return slices.ContainsFunc(def.Signers, func(sg forms.Signer) bool {
		return sg.Role == PartyLead || sg.Role == PartyAttendee || strings.HasPrefix(sg.Role, PartyAttendee+":")
	})
}

// AttendeeRole is the signer role of one attendee of a group record: each
// attendee signs once, as themselves.
func AttendeeRole(staffID string) string { return PartyAttendee + ":" + staffID }

// MayLead says whether a member of staff may lead group supervision: 002
// §1.1.3 names the team leader or manager, a senior social worker or a
// Signs of Safety practice lead. The product's role categories have
// managers; a senior social worker or a practice lead is a social worker
// whose job title says so.
func MayLead(st *Staff) bool {
	if st == nil {
		return false
	}
	switch st.Role {
	case RoleTeamManager, RoleSeniorManager:
		return true
	}
	title := strings.ToLower(st.JobTitle)
	for _, t := range []string{"senior social worker", "practice lead", "team leader", "team manager", "practice supervisor"} {
		if strings.Contains(title, t) {
			return true
		}
	}
	return false
}

// attendees are the staff ids named as attendees, in the order named.
func attendees(parties []*RecordParty) []string {
	var ids []string
	for _, p := range parties {
		if p.Role == PartyAttendee {
			ids = append(ids, p.StaffID)
		}
	}
	return ids
}

// groupForm is the definition a group record is filled and signed under:
// the form with its attendee signer replaced by one signer per attendee
// named on the record, labelled with their name, so that every attendee
// signs and the record is complete only when all of them have. The answers
// and their validation are the form's own.
func (s *core) groupForm(ctx context.Context, def *forms.Definition, parties []*RecordParty) (*forms.Definition, error) {
	g := *def
	g.Signers = nil
	for _, sg := range def.Signers {
		if sg.Role != PartyAttendee {
			g.Signers = append(g.Signers, sg)
			continue
		}
		for _, id := range attendees(parties) {
			st, err := s.store.GetStaff(ctx, id)
			if err != nil {
				return nil, err
			}
			g.Signers = append(g.Signers, forms.Signer{Role: AttendeeRole(id), Label: sg.Label + ": " + st.Name})
		}
	}
	return &g, nil
}

// recordForm is the definition a record is read under: its form's version,
// expanded for a group record (groupForm).
func (s *core) recordForm(ctx context.Context, r *Record, def *forms.Definition, parties []*RecordParty) (*forms.Definition, []*RecordParty, error) {
	if !IsGroup(def) {
		return def, parties, nil
	}
	if parties == nil {
		var err error
		if parties, err = s.store.RecordParties(ctx, r.ID); err != nil {
			return nil, nil, err
		}
	}
	g, err := s.groupForm(ctx, def, parties)
	return g, parties, err
}

// syncLearning gives every attendee named on a group draft a row of the
// learning table, in the order they were named, and drops the row of
// anyone no longer named; the rows' answers are kept. Saving the draft
// keeps what it shows, so a submitted record asks every attendee's learning.
func syncLearning(data map[string]any, parties []*RecordParty) {
	rows, _ := data[learningTable].([]any)
	byAttendee := map[string]map[string]any{}
	for _, row := range rows {
		if cells, ok := row.(map[string]any); ok {
			if id, _ := cells[learningAttendee].(string); id != "" && byAttendee[id] == nil {
				byAttendee[id] = cells
			}
		}
	}
	var out []any
	for _, id := range attendees(parties) {
		cells := byAttendee[id]
		if cells == nil {
			cells = map[string]any{learningAttendee: id}
		}
		out = append(out, cells)
	}
	if len(out) == 0 {
		delete(data, learningTable)
		return
	}
	data[learningTable] = out
}

// keepOwnLearning is what an attendee's save does to the learning table:
// every row as stored, but theirs, whose learning is what they posted (in
// the row naming them, or else in their row's place).
func keepOwnLearning(actorID string, posted, stored map[string]any) any {
	storedRows, _ := stored[learningTable].([]any)
	postedRows, _ := posted[learningTable].([]any)
	out := make([]any, 0, len(storedRows))
	for i, row := range storedRows {
		cells, _ := row.(map[string]any)
		if id, _ := cells[learningAttendee].(string); id != actorID {
			out = append(out, row)
			continue
		}
		var mine map[string]any
		for _, p := range postedRows {
			if pc, ok := p.(map[string]any); ok && pc[learningAttendee] == actorID {
				mine = pc
				break
			}
		}
		if mine == nil && i < len(postedRows) {
			mine, _ = postedRows[i].(map[string]any)
		}
		own := map[string]any{learningAttendee: actorID}
		if v, ok := mine["learning"]; ok && mine != nil {
			own["learning"] = v
		}
		out = append(out, own)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// attendedRecords are the signed group records staffID attended, newest
// first: they are listed in their file, exported with it and count as
// supervision held.
func (s *Files) attendedRecords(ctx context.Context, staffID string) ([]*Record, error) {
	recs, err := s.store.PartyRecords(ctx, staffID, PartyAttendee)
	if err != nil {
		return nil, err
	}
	var out []*Record
	for _, r := range recs {
		if r.Status == StatusSigned && r.StaffID != staffID {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}
