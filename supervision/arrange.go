package supervision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// Arrangements: cover for an absent supervisor, auditors assigned to files
// and people invited onto a record. Who may make them is decided in
// access.go; these check the input and store them.

// CoverInput is what an admin or a line manager enters to arrange cover.
type CoverInput struct {
	SupervisorID string `json:"supervisor_id"`
	StandInID    string `json:"stand_in_id"`
	From         string `json:"from"` // 2006-01-02
	To           string `json:"to"`
	Reason       string `json:"reason"`
}

// isLineManagerOf says whether actor is the current supervisor of staffID.
func (s *Admin) isLineManagerOf(ctx context.Context, actor *Staff, staffID string) (bool, error) {
	rel, err := s.store.CurrentRelationship(ctx, staffID, s.today())
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return rel.SupervisorID == actor.ID, nil
}

func parseDateField(field, label, v string, errs *[]FieldError) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		*errs = append(*errs, FieldError{Field: field, Message: "Enter the " + label})
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		*errs = append(*errs, FieldError{Field: field, Message: dateError("the "+label, v)})
		return time.Time{}
	}
	return d
}

// staffField looks a chosen member of staff up for a field; a missing or
// unknown id is a field error.
func (s *core) staffField(ctx context.Context, field, id, what string, errs *[]FieldError) (*Staff, error) {
	if id == "" {
		*errs = append(*errs, FieldError{Field: field, Message: "Select the " + what})
		return nil, nil
	}
	st, err := s.store.GetStaff(ctx, id)
	if errors.Is(err, ErrNotFound) {
		*errs = append(*errs, FieldError{Field: field, Message: "Select the " + what + " from the list of staff"})
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if st.EndDate != nil && !st.EndDate.After(s.today()) {
		*errs = append(*errs, FieldError{Field: field, Message: st.Name + " has left: select someone in post"})
		return nil, nil
	}
	return st, nil
}

// ArrangeCover makes someone stand in for an absent supervisor from one
// date to another. An admin or the supervisor's line manager may; an admin
// cannot make themselves the stand-in.
func (s *Admin) ArrangeCover(ctx context.Context, actor *Staff, in CoverInput) (*Cover, error) {
	var errs []FieldError
	sup, err := s.staffField(ctx, "supervisor_id", in.SupervisorID, "supervisor who is absent", &errs)
	if err != nil {
		return nil, err
	}
	lm := false
	if sup != nil {
		if lm, err = s.isLineManagerOf(ctx, actor, sup.ID); err != nil {
			return nil, err
		}
		if !actor.IsAdmin && !lm {
			return nil, Errorf(ErrForbidden, "Only an administrator or %s's line manager can arrange cover for them", sup.Name)
		}
		if in.StandInID == actor.ID && !lm {
			errs = append(errs, FieldError{Field: "stand_in_id", Message: "You cannot make yourself a stand-in supervisor: ask another administrator"})
		}
	} else if ok, err := s.mayArrangeAny(ctx, actor); err != nil {
		return nil, err
	} else if !ok {
		return nil, Errorf(ErrForbidden, "Only an administrator or the supervisor's line manager can arrange cover")
	}
	stand, err := s.staffField(ctx, "stand_in_id", in.StandInID, "stand-in supervisor", &errs)
	if err != nil {
		return nil, err
	}
	if stand != nil && sup != nil && stand.ID == sup.ID {
		errs = append(errs, FieldError{Field: "stand_in_id", Message: "Select someone other than the absent supervisor"})
	}
	from := parseDateField("from", "first day of cover", in.From, &errs)
	to := parseDateField("to", "last day of cover", in.To, &errs)
	if !from.IsZero() && !to.IsZero() {
		if to.Before(from) {
			errs = append(errs, FieldError{Field: "to", Message: "The last day of cover must be on or after the first day"})
		} else if to.Before(s.today()) {
			errs = append(errs, FieldError{Field: "to", Message: "The last day of cover must be today or later"})
		} else if to.Sub(from) > 366*24*time.Hour {
			errs = append(errs, FieldError{Field: "to", Message: "Cover can last a year at most: for longer, hand the file over"})
		}
	}
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.Reason == "":
		errs = append(errs, FieldError{Field: "reason", Message: "Enter the reason for the cover, for example annual leave"})
	case !utf8.ValidString(in.Reason) || utf8.RuneCountInString(in.Reason) > 500:
		errs = append(errs, FieldError{Field: "reason", Message: "The reason must be 500 characters or fewer"})
	default:
		// Kept in the access log, not printed: no font check, but no
		// direction or control characters either.
		if msg := printout.CheckText(in.Reason, "the reason", printout.Lines, nil); msg != "" {
			errs = append(errs, FieldError{Field: "reason", Message: msg})
		}
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	c := &Cover{ID: newID(), SupervisorID: sup.ID, StandInID: stand.ID, From: from, To: to, Reason: in.Reason,
		CreatedBy: actor.ID, CreatedAt: s.now()}
	if err := s.store.CreateCover(ctx, c); err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, "", ActRelationship, "", "", fmt.Sprintf("cover %s: %s stands in for %s from %s to %s (%s)",
		c.ID, stand.ID, sup.ID, from.Format(time.DateOnly), to.Format(time.DateOnly), in.Reason)); err != nil {
		return nil, err
	}
	return c, nil
}

// EndCover ends a cover arrangement today; whoever may arrange it may end it.
func (s *Admin) EndCover(ctx context.Context, actor *Staff, id string) error {
	c, err := s.store.GetCover(ctx, id)
	if err != nil {
		return err
	}
	lm, err := s.isLineManagerOf(ctx, actor, c.SupervisorID)
	if err != nil {
		return err
	}
	if !actor.IsAdmin && !lm {
		return Errorf(ErrNotFound, "No such cover arrangement")
	}
	if err := s.store.EndCover(ctx, id, s.now()); err != nil {
		return err
	}
	return s.logActor(ctx, actor, "", ActRelationship, "", "", "cover "+id+" ended: "+c.StandInID+" no longer stands in for "+c.SupervisorID)
}

// CoversFor lists the cover arrangements the actor may see, current and
// future: an admin all; anyone else those they stand in, those for them,
// and those for the supervisors they manage.
func (s *Admin) CoversFor(ctx context.Context, actor *Staff) ([]*Cover, error) {
	all, err := s.store.Covers(ctx, "", "", s.today())
	if err != nil {
		return nil, err
	}
	if actor.IsAdmin {
		return all, nil
	}
	var out []*Cover
	for _, c := range all {
		lm, err := s.isLineManagerOf(ctx, actor, c.SupervisorID)
		if err != nil {
			return nil, err
		}
		if lm || c.StandInID == actor.ID || c.SupervisorID == actor.ID {
			out = append(out, c)
		}
	}
	return out, nil
}

// Covering are the files the actor stands in for today, by supervisee.
func (s *Admin) Covering(ctx context.Context, actor *Staff) ([]*Staff, error) {
	covers, err := s.store.Covers(ctx, "", actor.ID, s.today())
	if err != nil {
		return nil, err
	}
	var out []*Staff
	for _, c := range covers {
		if !c.ActiveOn(s.today()) {
			continue
		}
		list, err := s.store.Supervisees(ctx, c.SupervisorID, s.today())
		if err != nil {
			return nil, err
		}
		for _, st := range list {
			if st.ID != actor.ID && !slices.ContainsFunc(out, func(o *Staff) bool { return o.ID == st.ID }) {
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// AuditInput is what an admin or a line manager enters to assign an auditor.
type AuditInput struct {
	SuperviseeID string `json:"supervisee_id"`
	AuditorID    string `json:"auditor_id"`
	Due          string `json:"due"` // 2006-01-02
}

// AssignAuditor gives an auditor a supervisee's file to audit by a due
// date. An admin or the file's supervisor's line manager may; the auditor
// is someone other than the supervisee and the supervisor, and an admin
// cannot assign themselves.
func (s *Admin) AssignAuditor(ctx context.Context, actor *Staff, in AuditInput) (*AuditAssignment, error) {
	var errs []FieldError
	see, err := s.staffField(ctx, "supervisee_id", in.SuperviseeID, "member of staff whose file is audited", &errs)
	if err != nil {
		return nil, err
	}
	var sup *Staff
	lm := false
	if see != nil {
		fa, err := s.FileAccess(ctx, actor, see.ID)
		if err != nil {
			return nil, err
		}
		if !fa.CanArrange() {
			return nil, Errorf(ErrForbidden, "Only an administrator or the supervisor's line manager can assign an auditor to this file")
		}
		lm, sup = fa.Is(StandingLineManager), fa.Supervisor
		if sup == nil {
			errs = append(errs, FieldError{Field: "supervisee_id", Message: see.Name + " has no supervisor: a file audit is of a supervisor's file"})
		}
	} else if ok, err := s.mayArrangeAny(ctx, actor); err != nil {
		return nil, err
	} else if !ok {
		return nil, Errorf(ErrForbidden, "Only an administrator or the supervisor's line manager can assign an auditor")
	}
	aud, err := s.staffField(ctx, "auditor_id", in.AuditorID, "auditor", &errs)
	if err != nil {
		return nil, err
	}
	switch {
	case aud == nil:
	case see != nil && aud.ID == see.ID:
		errs = append(errs, FieldError{Field: "auditor_id", Message: "Nobody can audit their own file: select someone else"})
	case sup != nil && aud.ID == sup.ID:
		errs = append(errs, FieldError{Field: "auditor_id", Message: "The supervisor cannot audit a file they supervise: select a peer manager or a service manager"})
	case aud.ID == actor.ID && !lm:
		errs = append(errs, FieldError{Field: "auditor_id", Message: "You cannot assign yourself as an auditor: ask another administrator"})
	}
	due := parseDateField("due", "date the audit is due", in.Due, &errs)
	if !due.IsZero() && due.Before(s.today()) {
		errs = append(errs, FieldError{Field: "due", Message: "The date the audit is due must be today or later"})
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	a := &AuditAssignment{ID: newID(), SuperviseeID: see.ID, AuditorID: aud.ID, Due: due, CreatedBy: actor.ID, CreatedAt: s.now()}
	if err := s.store.CreateAuditAssignment(ctx, a); err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, "", ActAssignment, see.ID, "", "auditor "+aud.ID+" due "+due.Format(time.DateOnly)); err != nil {
		return nil, err
	}
	return a, nil
}

// EndAuditAssignment ends an assignment: the auditor no longer reads the file.
func (s *Admin) EndAuditAssignment(ctx context.Context, actor *Staff, id string) error {
	a, err := s.store.GetAuditAssignment(ctx, id)
	if err != nil {
		return err
	}
	fa, err := s.FileAccess(ctx, actor, a.SuperviseeID)
	if err != nil {
		return err
	}
	if !fa.CanArrange() {
		return Errorf(ErrNotFound, "No such audit assignment")
	}
	if err := s.store.EndAuditAssignment(ctx, id, s.now()); err != nil {
		return err
	}
	return s.logActor(ctx, actor, fa.Role(), ActAssignment, a.SuperviseeID, "", "auditor "+a.AuditorID+" assignment ended")
}

// AuditAssignmentsFor lists the assignments the actor may see: an admin
// all; anyone else those they audit and those on files whose supervisor
// they manage.
func (s *Admin) AuditAssignmentsFor(ctx context.Context, actor *Staff) ([]*AuditAssignment, error) {
	all, err := s.store.AuditAssignments(ctx, "", "")
	if err != nil {
		return nil, err
	}
	if actor.IsAdmin {
		return all, nil
	}
	var out []*AuditAssignment
	for _, a := range all {
		if a.AuditorID == actor.ID {
			out = append(out, a)
			continue
		}
		fa, err := s.FileAccess(ctx, actor, a.SuperviseeID)
		if err != nil {
			return nil, err
		}
		if fa.Is(StandingLineManager) {
			out = append(out, a)
		}
	}
	return out, nil
}

// NamedRecord is a record the actor is named on, for their home page.
type NamedRecord struct {
	Record     *Record
	FormTitle  string
	Supervisee *Staff // whose file it is in
	Role       string
}

// NamedRecords are the records the actor is named on and may read (an
// invited observer's observation, a senior manager's plan, an audit).
func (s *Files) NamedRecords(ctx context.Context, actor *Staff) ([]*NamedRecord, error) {
	recs, err := s.store.PartyRecords(ctx, actor.ID, "")
	if err != nil {
		return nil, err
	}
	var out []*NamedRecord
	for _, r := range recs {
		ra, err := s.RecordAccess(ctx, actor, r)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		roles := slices.DeleteFunc(ra.NamedAs(), func(r string) bool { return !grantsRead(r) })
		if len(roles) == 0 || r.StaffID == actor.ID {
			continue
		}
		see, err := s.store.GetStaff(ctx, r.StaffID)
		if err != nil {
			return nil, err
		}
		out = append(out, &NamedRecord{Record: r, FormTitle: ra.Form.Title, Supervisee: see, Role: strings.Join(roles, ", ")})
	}
	return out, nil
}

// AuditLinks are the file audits of a supervisee's file, kept in their
// supervisors' files, that the actor may read: the links on the file page.
func (s *Files) AuditLinks(ctx context.Context, actor *Staff, superviseeID string) ([]*NamedRecord, error) {
	recs, err := s.store.PartyRecords(ctx, superviseeID, PartySubject)
	if err != nil {
		return nil, err
	}
	var out []*NamedRecord
	for _, r := range recs {
		ra, err := s.RecordAccess(ctx, actor, r)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sup, err := s.store.GetStaff(ctx, r.StaffID)
		if err != nil {
			return nil, err
		}
		out = append(out, &NamedRecord{Record: r, FormTitle: ra.Form.Title, Supervisee: sup, Role: PartySubject})
	}
	return out, nil
}

// InviteToRecord names a member of staff on a record in a role the form
// allows (a second observer on a practice observation, the senior manager
// on a serious-incident plan). The supervisor or a stand-in may.
func (s *Records) InviteToRecord(ctx context.Context, actor *Staff, recordID, staffID, role string) (*RecordParty, error) {
	r, err := s.store.GetRecord(ctx, recordID)
	if err != nil {
		return nil, err
	}
	ra, err := s.RecordAccess(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	if !ra.CanManageParties() {
		return nil, Errorf(ErrForbidden, "Only the supervisor can invite someone to this record")
	}
	roles := InvitableRoles(ra.Form)
	if len(roles) == 0 {
		return nil, Errorf(ErrForbidden, "Nobody else can be invited to a record of ‘%s’", ra.Form.Title)
	}
	var errs []FieldError
	if role == "" && len(roles) == 1 {
		role = roles[0]
	}
	if !slices.Contains(roles, role) {
		errs = append(errs, FieldError{Field: "role", Message: fmt.Sprintf("Choose the role: %s", strings.Join(roles, " or "))})
	}
	st, err := s.staffField(ctx, "staff_id", staffID, "member of staff to invite", &errs)
	if err != nil {
		return nil, err
	}
	if st != nil {
		switch {
		case role == PartyAttendee && slices.ContainsFunc(ra.Parties, func(p *RecordParty) bool { return p.StaffID == st.ID }):
			errs = append(errs, FieldError{Field: "staff_id", Message: st.Name + " is on the record already: select someone else"})
		case st.ID == r.StaffID:
			errs = append(errs, FieldError{Field: "staff_id", Message: "The supervisee is on the record already: select someone else"})
		case st.ID == actor.ID:
			errs = append(errs, FieldError{Field: "staff_id", Message: "You are on the record already: select someone else"})
		}
	}
	if role == PartyObserver && r.Status != StatusDraft {
		return nil, Errorf(ErrConflict, "A second observer can only be invited while the record is a draft")
	}
	if role == PartyAttendee && r.Status != StatusDraft {
		return nil, Errorf(ErrConflict, "Attendees can only be added while the record is a draft")
	}
	if role == PartyObserver && ra.named(PartyObserver) {
		errs = append(errs, FieldError{Field: "staff_id", Message: "A second observer is invited already: remove them first"})
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	p := &RecordParty{RecordID: r.ID, StaffID: st.ID, Role: role, AddedBy: actor.ID, AddedAt: s.now()}
	if err := s.store.AddRecordParty(ctx, p); err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, ra.Role(), ActAssignment, r.StaffID, r.ID, st.ID+" invited as "+role); err != nil {
		return nil, err
	}
	return p, nil
}

// RemoveFromRecord takes a person invited onto a record off it. An observer
// can only be taken off while the record is a draft.
func (s *Records) RemoveFromRecord(ctx context.Context, actor *Staff, recordID, staffID, role string) error {
	r, err := s.store.GetRecord(ctx, recordID)
	if err != nil {
		return err
	}
	ra, err := s.RecordAccess(ctx, actor, r)
	if err != nil {
		return err
	}
	if !ra.CanManageParties() || !slices.Contains(InvitableRoles(ra.Form), role) {
		return Errorf(ErrForbidden, "Only the supervisor can take an invited person off this record")
	}
	if !slices.ContainsFunc(ra.Parties, func(p *RecordParty) bool { return p.StaffID == staffID && p.Role == role }) {
		return &ValidationError{Fields: []FieldError{{Field: "staff_id", Message: "This person is not named on the record in that role"}}}
	}
	if role == PartyObserver && r.Status != StatusDraft {
		return Errorf(ErrConflict, "The observer cannot be taken off a record that has been submitted for signatures")
	}
	if role == PartyAttendee && r.Status != StatusDraft {
		return Errorf(ErrConflict, "An attendee cannot be taken off a record that has been submitted for signatures")
	}
	if err := s.store.RemoveRecordParty(ctx, recordID, role, staffID); err != nil {
		return err
	}
	return s.logActor(ctx, actor, ra.Role(), ActAssignment, r.StaffID, r.ID, staffID+" taken off as "+role)
}

// RecordPartiesOf lists the people named on a record the actor may read.
func (s *Records) RecordPartiesOf(v *RecordView) []*RecordParty {
	if v.Access == nil {
		return nil
	}
	return v.Access.Parties
}

// CoverCandidates are the supervisors the actor may arrange cover for: every
// member of staff for an admin, otherwise the people they supervise.
func (s *Admin) CoverCandidates(ctx context.Context, actor *Staff) ([]*Staff, error) {
	if actor.IsAdmin {
		return s.store.ListStaff(ctx)
	}
	return s.store.Supervisees(ctx, actor.ID, s.today())
}

// AuditCandidates are the files the actor may assign an auditor to: every
// member of staff for an admin, otherwise the supervisees of the people they
// supervise.
func (s *Admin) AuditCandidates(ctx context.Context, actor *Staff) ([]*Staff, error) {
	if actor.IsAdmin {
		return s.store.ListStaff(ctx)
	}
	sups, err := s.store.Supervisees(ctx, actor.ID, s.today())
	if err != nil {
		return nil, err
	}
	var out []*Staff
	for _, sup := range sups {
		list, err := s.store.Supervisees(ctx, sup.ID, s.today())
		if err != nil {
			return nil, err
		}
		for _, st := range list {
			if st.ID != actor.ID {
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// AuditsToDo are the actor's audit assignments, for their home page.
func (s *Admin) AuditsToDo(ctx context.Context, actor *Staff) ([]*AuditAssignment, error) {
	return s.store.AuditAssignments(ctx, "", actor.ID)
}

// mayArrangeAny says whether the actor may arrange cover or audits for
// anyone: an admin, or someone who supervises a supervisor (or anyone: their
// supervisees are who they may arrange cover for). It decides whether a form
// sent without a person chosen is a mistake to show (422) or refused (403).
func (s *Admin) mayArrangeAny(ctx context.Context, actor *Staff) (bool, error) {
	if actor.IsAdmin {
		return true, nil
	}
	list, err := s.store.Supervisees(ctx, actor.ID, s.today())
	return len(list) > 0, err
}
