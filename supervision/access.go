package supervision

// Who may do what (issue 9). Every rule about who may read, write, sign,
// download, manage or hand over a file or a record is decided here, from an
// actor's standing towards a file and the people named on a record; the
// rest of the service and every route asks these functions and nothing
// else. Anyone with no standing is told that the file or record does not
// exist (ErrNotFound), so that an id reveals nothing.
//
//	standing           file page, records             confidential  write & sign          other
//	supervisee         yes, all                      yes           their parts           download
//	supervisor         yes, all                      yes           supervisor's parts    download, start forms, hand over
//	stand-in           as the supervisor while the cover lasts
//	line manager       yes, all but confidential     no            no                    download, hand over, arrange cover and audits
//	auditor            yes, all but confidential     no            the file audit        download
//	named on a record  that record only              yes           their named role      observer, senior manager, auditor, …
//	former supervisor  nothing (from the end of the relationship)
//	admin              nothing through admin rights; manages people, relationships, cover and audits
//	anyone else        nothing: 404

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/supervisionfile/supfile/forms"
)

// Standing is how an actor stands towards one supervisee's file today.
type Standing string

// The standings, strongest first.
const (
	StandingSupervisee  Standing = "supervisee"
	StandingSupervisor  Standing = "supervisor"
	StandingStandIn     Standing = "stand_in"
	StandingLineManager Standing = "line_manager"
	StandingAuditor     Standing = "auditor"
	StandingFormer      Standing = "former_supervisor"
	StandingAdmin       Standing = "admin"
	StandingNone        Standing = "none"
)

// Record party roles that are not signer roles of any form.
const (
	// PartyObserver is an invited second observer on a practice observation.
	PartyObserver = "observer"
	// PartySeniorManager is the senior manager named on a serious-incident plan.
	PartySeniorManager = "senior_manager"
	// PartyAuditor is the person who audits a file (a file audit's signer).
	PartyAuditor = "auditor"
	// PartySubject is the supervisee whose file a record in another file
	// (a file audit in the supervisor's file) is about. Naming gives no access.
	PartySubject = "subject"
)

// RecordParty names a member of staff on one record with a role. A role
// that is one of the form's signer roles is then signed (and its sections
// written) by that person and nobody else; any other role (senior_manager)
// lets them read the record. Handover uses it for the outgoing and incoming
// supervisors.
type RecordParty struct {
	RecordID string
	StaffID  string
	Role     string
	AddedBy  string
	AddedAt  time.Time
}

// Cover is a dated arrangement for a stand-in supervisor: while it lasts
// (From to To inclusive, not ended) the stand-in has the supervisor's rights
// over every one of the supervisor's supervisees.
type Cover struct {
	ID           string
	SupervisorID string // the supervisor being covered
	StandInID    string
	From, To     time.Time // dates, inclusive
	Reason       string
	CreatedBy    string
	CreatedAt    time.Time
	EndedAt      *time.Time
}

// ActiveOn says whether the cover holds on a date.
func (c *Cover) ActiveOn(day time.Time) bool {
	return c.EndedAt == nil && !day.Before(c.From) && !day.After(c.To)
}

// AuditAssignment gives an auditor one supervisee's file to audit by a due
// date; it lasts until it is ended.
type AuditAssignment struct {
	ID           string
	SuperviseeID string // whose file
	AuditorID    string
	Due          time.Time // a date
	CreatedBy    string
	CreatedAt    time.Time
	EndedAt      *time.Time
}

// AccessStore keeps the people named on records, cover arrangements and
// audit assignments.
type AccessStore interface {
	// AddRecordParty names someone on a record; naming them again in the
	// same role changes nothing.
	AddRecordParty(ctx context.Context, p *RecordParty) error
	// RemoveRecordParty removes a name; ErrNotFound when there is none.
	RemoveRecordParty(ctx context.Context, recordID, role, staffID string) error
	RecordParties(ctx context.Context, recordID string) ([]*RecordParty, error)
	// PartyRecords are the records naming staffID, in any role or (role != "")
	// in that role, newest first.
	PartyRecords(ctx context.Context, staffID, role string) ([]*Record, error)
	// CreateRecordWithParties stores a new record and names its parties in
	// one transaction.
	CreateRecordWithParties(ctx context.Context, r *Record, parties []*RecordParty, ev Event) error

	CreateCover(ctx context.Context, c *Cover) error
	GetCover(ctx context.Context, id string) (*Cover, error)
	EndCover(ctx context.Context, id string, at time.Time) error // ErrConflict if ended already
	// Covers lists arrangements not ended whose To is on or after the date,
	// for supervisorID or standInID when given (either may be ""), by From.
	Covers(ctx context.Context, supervisorID, standInID string, since time.Time) ([]*Cover, error)

	CreateAuditAssignment(ctx context.Context, a *AuditAssignment) error
	GetAuditAssignment(ctx context.Context, id string) (*AuditAssignment, error)
	EndAuditAssignment(ctx context.Context, id string, at time.Time) error // ErrConflict if ended already
	// AuditAssignments lists assignments not ended, for superviseeID or
	// auditorID when given (either may be ""), by due date.
	AuditAssignments(ctx context.Context, superviseeID, auditorID string) ([]*AuditAssignment, error)
}

// FileAccess is how one actor stands towards one supervisee's file today,
// and what follows from it.
type FileAccess struct {
	Actor      *Staff
	FileID     string // the supervisee whose file it is
	Owner      *Staff // that supervisee; nil when there is no such member of staff
	Supervisor *Staff // their current supervisor; nil when none
	Standings  []Standing
	Cover      *Cover           // when a stand-in: the arrangement
	Assignment *AuditAssignment // when an auditor: the assignment
}

// Is says whether the actor has a standing.
func (a *FileAccess) Is(st Standing) bool { return slices.Contains(a.Standings, st) }

// Standing is the actor's strongest standing.
func (a *FileAccess) Standing() Standing {
	if len(a.Standings) == 0 {
		return StandingNone
	}
	return a.Standings[0]
}

// Side is the side of the relationship the actor writes for by standing:
// "supervisee", "supervisor" (the supervisor or a stand-in), or "".
func (a *FileAccess) Side() string {
	switch {
	case a.Is(StandingSupervisee):
		return "supervisee"
	case a.Is(StandingSupervisor), a.Is(StandingStandIn):
		return "supervisor"
	}
	return ""
}

// CanOpen says whether the actor may open the file page, list its records
// and download its front page.
func (a *FileAccess) CanOpen() bool {
	return a.Side() != "" || a.Is(StandingLineManager) || a.Is(StandingAuditor)
}

// ReadsConfidential says whether the actor reads the file's confidential
// records by standing (people named on a record also read that record).
func (a *FileAccess) ReadsConfidential() bool { return a.Side() != "" }

// CanHandOver says whether the actor may start a handover of this file to
// a new supervisor: the current supervisor or a stand-in while the cover
// lasts (issue 9: a stand-in has the supervisor's rights), their line
// manager, or an admin. The outgoing supervisor still signs the handover
// record, and only they write its note.
func (a *FileAccess) CanHandOver() bool {
	return a.Is(StandingSupervisor) || a.Is(StandingStandIn) || a.Is(StandingLineManager) || a.Is(StandingAdmin)
}

// CanArrange says whether the actor may arrange cover for the file's
// supervisor and assign an auditor to the file: an admin or the
// supervisor's line manager.
func (a *FileAccess) CanArrange() bool { return a.Is(StandingAdmin) || a.Is(StandingLineManager) }

// CanStartAudit says whether the actor may start the file audit.
func (a *FileAccess) CanStartAudit() bool { return a.Is(StandingAuditor) && a.Supervisor != nil }

// CanStart says whether the actor may start a record of the form in this file:
// the side that sends it for signatures (the supervisor's, unless the form is
// the supervisee's alone), so that a record cannot be started by the wrong
// party (issue 11); the other side fills their part when it is sent to them.
func (a *FileAccess) CanStart(def *forms.Definition) bool {
	if IsAudit(def) {
		return a.CanStartAudit()
	}
	if IsGroup(def) {
		// The lead starts it in their own file.
		return a.Is(StandingSupervisee) && MayLead(a.Actor)
	}
	side := a.Side()
	return side != "" && Writes(def, side) && Submits(def, side)
}

// IsAudit says whether a form is a file audit: it has an auditor signer.
// A file audit is kept in the audited supervisor's file, naming the
// supervisee whose file it audits as its subject.
func IsAudit(def *forms.Definition) bool {
	for _, sg := range def.Signers {
		if sg.Role == PartyAuditor {
			return true
		}
	}
	return false
}

// FileAccess works out the actor's standing towards a supervisee's file
// today. It never fails for want of access: callers ask it what it allows.
func (s *core) FileAccess(ctx context.Context, actor *Staff, fileID string) (*FileAccess, error) {
	a := &FileAccess{Actor: actor, FileID: fileID}
	if actor == nil {
		return a, nil
	}
	today := s.today()
	owner, sup, err := s.store.StaffAndSupervisor(ctx, fileID, today)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	a.Owner, a.Supervisor = owner, sup
	if actor.ID == fileID {
		a.Standings = append(a.Standings, StandingSupervisee)
	}
	if sup != nil && sup.ID == actor.ID {
		a.Standings = append(a.Standings, StandingSupervisor)
	}
	if sup != nil && sup.ID != actor.ID {
		covers, err := s.store.Covers(ctx, sup.ID, actor.ID, today)
		if err != nil {
			return nil, err
		}
		for _, c := range covers {
			if c.ActiveOn(today) {
				a.Cover = c
				a.Standings = append(a.Standings, StandingStandIn)
				break
			}
		}
		rel, err := s.store.CurrentRelationship(ctx, sup.ID, today)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, err
		case rel.SupervisorID == actor.ID && actor.ID != fileID:
			a.Standings = append(a.Standings, StandingLineManager)
		}
	}
	if actor.ID != fileID {
		as, err := s.store.AuditAssignments(ctx, fileID, actor.ID)
		if err != nil {
			return nil, err
		}
		if len(as) > 0 {
			a.Assignment = as[0]
			a.Standings = append(a.Standings, StandingAuditor)
		}
	}
	if len(a.Standings) == 0 {
		rels, err := s.store.Relationships(ctx, fileID)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if r.SupervisorID == actor.ID {
				a.Standings = append(a.Standings, StandingFormer)
				break
			}
		}
	}
	if actor.IsAdmin {
		a.Standings = append(a.Standings, StandingAdmin)
	}
	return a, nil
}

// RecordAccess is what one actor may do with one record.
type RecordAccess struct {
	File    *FileAccess // standing towards the file the record is in
	Record  *Record
	Form    *forms.Definition // for a group record, with a signer per attendee (group.go)
	Parties []*RecordParty
	// Through, for a group record the actor reads only as someone who
	// stands to an attendee's file, is their standing towards that file.
	Through *FileAccess
}

// NamedAs lists the roles the actor is named in on the record.
func (ra *RecordAccess) NamedAs() []string {
	var roles []string
	for _, p := range ra.Parties {
		if ra.File.Actor != nil && p.StaffID == ra.File.Actor.ID {
			roles = append(roles, p.Role)
		}
	}
	return roles
}

// named says whether anyone is named in the role.
func (ra *RecordAccess) named(role string) bool {
	for _, p := range ra.Parties {
		if p.Role == role {
			return true
		}
	}
	return false
}

// grantsRead says whether being named in a role lets one read the record.
func grantsRead(role string) bool { return role != PartySubject }

// CanRead says whether the actor may read the record (and download its
// documents). Confidential records are read only by the supervisee, the
// supervisor or a stand-in, and the people named on them.
func (ra *RecordAccess) CanRead() bool {
	if ra.Through != nil {
		return true
	}
	for _, role := range ra.NamedAs() {
		if grantsRead(role) {
			return true
		}
	}
	if !ra.File.CanOpen() {
		return false
	}
	return !ra.Form.Confidential || ra.File.ReadsConfidential()
}

// Holds says whether the actor holds one of the form's roles on this
// record: the person named for it when someone is; otherwise the
// supervisee for a role on the supervisee's side, and the supervisor or a
// stand-in for one on the supervisor's side.
func (ra *RecordAccess) Holds(role string) bool {
	if IsGroup(ra.Form) {
		// Only by being named: the lead, and each attendee as themselves.
		named := ra.NamedAs()
		switch {
		case role == PartyLead, role == PartyAttendee:
			return slices.Contains(named, role)
		case ra.File.Actor != nil && role == AttendeeRole(ra.File.Actor.ID):
			return slices.Contains(named, PartyAttendee)
		}
		return false
	}
	if ra.named(role) {
		return slices.Contains(ra.NamedAs(), role)
	}
	return Party(role) == ra.File.Side()
}

// AuthorRole is the role that writes a form's sections with no owner: its
// first signer on the supervisor's side (supervisor, observer, auditor).
func AuthorRole(def *forms.Definition) string {
	for _, sg := range def.Signers {
		if Party(sg.Role) == "supervisor" {
			return sg.Role
		}
	}
	return "supervisor"
}

// WritesSection says whether the actor writes a section with this owner.
func (ra *RecordAccess) WritesSection(owner string) bool {
	if owner == "" {
		owner = AuthorRole(ra.Form)
	}
	return ra.Holds(owner)
}

// Writes says whether the actor writes any section of the record.
func (ra *RecordAccess) Writes() bool {
	for _, sec := range ra.Form.Sections {
		if ra.WritesSection(sec.Owner) {
			return true
		}
	}
	return false
}

// Submits says whether the actor sends the record for signatures: whoever
// writes the author's sections, or the supervisee for a form that is the
// supervisee's alone.
func (ra *RecordAccess) Submits() bool {
	if Writes(ra.Form, "supervisor") {
		return ra.Holds(AuthorRole(ra.Form))
	}
	return ra.File.Side() == "supervisee"
}

// SignAs is the first signer role not yet signed that the actor holds and
// may sign now (Waits), or "".
func (ra *RecordAccess) SignAs(signed map[string]bool) string {
	for _, sg := range ra.Form.Signers {
		if Waits(ra.Form, sg, signed) {
			continue
		}
		if !signed[sg.Role] && ra.Holds(sg.Role) {
			return sg.Role
		}
	}
	return ""
}

// SignLater is the first signer role not yet signed that the actor holds
// but may not sign yet, with the signers it waits for (WaitsFor); "" and
// nil when there is none. Asked when the actor may not sign now (SignAs).
func (ra *RecordAccess) SignLater(signed map[string]bool) (string, []forms.Signer) {
	for _, sg := range ra.Form.Signers {
		if signed[sg.Role] || !ra.Holds(sg.Role) {
			continue
		}
		if waits := WaitsFor(ra.Form, sg, signed); len(waits) > 0 {
			return sg.Role, waits
		}
	}
	return "", nil
}

// Waits says whether a signer must wait for others to sign first: a file
// audit is signed by the auditor first (the supervisor acknowledges it
// once the auditor has signed it), and a signer with After waits for those
// roles (forms.Signer).
func Waits(def *forms.Definition, sg forms.Signer, signed map[string]bool) bool {
	for _, other := range def.Signers {
		if !signed[other.Role] && waitsOn(def, sg, other) {
			return true
		}
	}
	return false
}

// WaitsFor lists the signers, not yet signed, that sg waits for (Waits).
func WaitsFor(def *forms.Definition, sg forms.Signer, signed map[string]bool) []forms.Signer {
	var out []forms.Signer
	for _, other := range def.Signers {
		if !signed[other.Role] && waitsOn(def, sg, other) {
			out = append(out, other)
		}
	}
	return out
}

// waitsOn says whether sg signs only after other has.
func waitsOn(def *forms.Definition, sg, other forms.Signer) bool {
	if other.Role == sg.Role {
		return false
	}
	return (other.Role == PartyAuditor && IsAudit(def)) || slices.Contains(sg.After, other.Role)
}

// CanManageParties says whether the actor may invite or remove people
// named on the record (a second observer, a senior manager): the
// supervisor or a stand-in.
func (ra *RecordAccess) CanManageParties() bool {
	if IsGroup(ra.Form) {
		return ra.Holds(PartyLead) // the lead adds and removes attendees
	}
	return ra.File.Is(StandingSupervisor) || ra.File.Is(StandingStandIn)
}

// InvitableRoles are the roles the supervisor may name people in on a
// record of the form.
func InvitableRoles(def *forms.Definition) []string {
	switch def.ID {
	case "practice-observation":
		return []string{PartyObserver}
	case "serious-incident-support":
		return []string{PartySeniorManager}
	}
	if IsGroup(def) {
		return []string{PartyAttendee}
	}
	return nil
}

// RecordAccess works out what the actor may do with a record. It fails
// with ErrNotFound when the actor may not read it, so that its existence
// is not revealed.
func (s *core) RecordAccess(ctx context.Context, actor *Staff, r *Record) (*RecordAccess, error) {
	def, ok := s.forms.GetVersion(r.FormID, r.FormVersion)
	if !ok {
		return nil, errors.New("record " + r.ID + ": form " + r.FormID + " is not loaded")
	}
	fa, err := s.FileAccess(ctx, actor, r.StaffID)
	if err != nil {
		return nil, err
	}
	parties, err := s.store.RecordParties(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if def, parties, err = s.recordForm(ctx, r, def, parties); err != nil {
		return nil, err
	}
	ra := &RecordAccess{File: fa, Record: r, Form: def, Parties: parties}
	if !ra.CanRead() && IsGroup(def) {
		// Whoever stands to an attendee's file reads it as part of that file.
		for _, id := range attendees(parties) {
			afa, err := s.FileAccess(ctx, actor, id)
			if err != nil {
				return nil, err
			}
			if afa.CanOpen() {
				ra.Through = afa
				break
			}
		}
	}
	if !ra.CanRead() {
		return nil, Errorf(ErrNotFound, "No such record")
	}
	return ra, nil
}

// openFile is FileAccess for a route that shows the file: ErrNotFound
// unless the actor may open it.
func (s *core) openFile(ctx context.Context, actor *Staff, fileID string) (*FileAccess, error) {
	fa, err := s.FileAccess(ctx, actor, fileID)
	if err != nil {
		return nil, err
	}
	if !fa.CanOpen() {
		return nil, Errorf(ErrNotFound, "No such file")
	}
	return fa, nil
}

// Subject is the supervisee a record in another file is about (a file
// audit's), or "".
func (ra *RecordAccess) Subject() string {
	for _, p := range ra.Parties {
		if p.Role == PartySubject {
			return p.StaffID
		}
	}
	return ""
}

// BackTo is the file a page of this record leads back to: the file it is
// in, or, for someone who cannot open that file (an auditor), the file it is
// about; "" when neither.
func (ra *RecordAccess) BackTo(ctx context.Context, s fileAccessor) string {
	if ra.File.CanOpen() {
		return ra.Record.StaffID
	}
	if sub := ra.Subject(); sub != "" {
		if fa, err := s.FileAccess(ctx, ra.File.Actor, sub); err == nil && fa.CanOpen() {
			return sub
		}
	}
	return ""
}

// fileAccessor is the Service or any of its parts: what BackTo asks.
type fileAccessor interface {
	FileAccess(ctx context.Context, actor *Staff, fileID string) (*FileAccess, error)
}

// Role names the actor's standing for the access log: "supervisee",
// "supervisor", "stand_in", "line_manager", "auditor", …
func (a *FileAccess) Role() string { return string(a.Standing()) }

// Role names how the actor reads the record, for the access log: their
// standing towards the file, or the role they are named in.
func (ra *RecordAccess) Role() string {
	if ra == nil {
		return ""
	}
	if ra.File.CanOpen() && (!ra.Form.Confidential || ra.File.ReadsConfidential()) {
		return ra.File.Role()
	}
	for _, role := range ra.NamedAs() {
		if grantsRead(role) {
			return role
		}
	}
	if ra.Through != nil {
		return "attendee's " + ra.Through.Role()
	}
	return ra.File.Role()
}
