package supervision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// HandoverFormID is the form of the handover record, which the service
// makes and fills in when a file changes hands (it is "generated": nobody
// starts one by hand).
const HandoverFormID = "file-handover"

// The signer roles of the handover record. They are held by the people the
// handover names, whatever their relationship to the supervisee today: the
// outgoing supervisor signs after the handover has taken effect.
const (
	RoleOutgoingSupervisor = "outgoing_supervisor"
	RoleIncomingSupervisor = "incoming_supervisor"
)

// agreementAfterChange is how long the incoming supervisor has to make a
// new supervision agreement with the supervisee: the policy profile's
// "new agreement within N weeks of a change of supervisor". The seed
// policies ask for one "at the commencement of every new supervisory
// relationship" (004 §8; 002 §2.1).
func (s *core) agreementAfterChange(effective time.Time) time.Time {
	return effective.AddDate(0, 0, 7*s.cfg.Policy.Agreement.NewAfterChangeWeeks)
}

// Limits on what a handover takes.
const (
	maxHandoverReason = 2000
	maxHandoverNote   = 10000
)

// CanSupervise says whether someone in a role category may be made a
// supervisor by a handover. Students, newly qualified social workers in
// their assessed year (ASYE), staff on probation, family support workers and
// business support staff are supervised, not supervisors (the seed policies
// name team managers, senior managers, practice supervisors and senior
// social workers, and residential managers as supervisors); social workers
// may supervise as practice supervisors or senior practitioners.
func CanSupervise(r RoleCategory) bool {
	switch r {
	case RoleSocialWorker, RoleTeamManager, RoleSeniorManager, RoleResidential:
		return true
	}
	return false
}

// Handover is one change of supervisor made with a handover record.
type Handover struct {
	ID               string
	SuperviseeID     string
	FromSupervisorID string
	ToSupervisorID   string
	Effective        time.Time // a date: the incoming supervisor's first day
	Reason           string
	RecordID         string // the handover record, signed by both supervisors
	CreatedBy        string
	CreatedAt        time.Time
	DraftsMoved      int // drafts whose author became the incoming supervisor
}

// FiledRecord is one signed record in a file with the hashes of its
// documents: what a handover lists.
type FiledRecord struct {
	RecordID    string
	FormID      string
	FormVersion int
	Version     int
	SignedAt    time.Time
	PDFSHA256   string
	DOCXSHA256  string
}

// HandoverStore keeps handovers.
type HandoverStore interface {
	// Handover records a change of supervisor in one transaction: it ends
	// the supervisee's open relationship, which must be with
	// h.FromSupervisorID (else ErrConflict), on rel.From, opens rel, makes
	// h.ToSupervisorID the author of every draft in the file whose author
	// is h.FromSupervisorID (setting h.DraftsMoved, with an event on each),
	// and stores the handover record rec with its events and the people
	// named on it, and h.
	Handover(ctx context.Context, h *Handover, rel *Relationship, rec *Record, parties []*RecordParty, evs []Event) error
	// Handovers are a supervisee's handovers, oldest first.
	Handovers(ctx context.Context, superviseeID string) ([]*Handover, error)
	// HandoverByRecord is the handover whose record this is (ErrNotFound if none).
	HandoverByRecord(ctx context.Context, recordID string) (*Handover, error)
	// HandoversToSign are the handovers whose record names staffID as
	// outgoing or incoming supervisor (record_parties) and is not yet
	// signed by everyone.
	HandoversToSign(ctx context.Context, staffID string) ([]*Handover, error)
	// FiledRecords lists a file's records signed at or before asOf (all
	// when it is zero) with their documents' hashes, newest first, in one
	// query whatever the file's size.
	FiledRecords(ctx context.Context, staffID string, asOf time.Time) ([]*FiledRecord, error)
	// LastSigned is a file's most recently signed record of a form
	// (ErrNotFound when there is none).
	LastSigned(ctx context.Context, staffID, formID string) (*Record, error)
}

// HandoverInput is what the person handing a file over enters.
type HandoverInput struct {
	ToSupervisorID string `json:"to_supervisor_id"`
	Effective      string `json:"effective"` // 2006-01-02
	Reason         string `json:"reason"`
	// Note is the outgoing supervisor's note; only they may write it here
	// (anyone else starting the handover leaves it to them, and they add it
	// as the comment with their signature).
	Note string `json:"note"`
}

// HandoverResult is a handover just made.
type HandoverResult struct {
	Handover     *Handover
	Record       *Record
	From, To     *Staff
	AgreementDue time.Time
}

// handoverAccess says what the actor may do with a supervisee's handovers,
// from their standing towards the file (access.go): read the history and
// what is due (whoever may open the file, and admins) and hand the file over
// (FileAccess.CanHandOver: the current supervisor or a stand-in, their line manager, an
// admin). open is the supervisee's open relationship, nil if none.
func (s *core) handoverAccess(ctx context.Context, actor *Staff, supervisee *Staff) (read, handover bool, open *Relationship, err error) {
	fa, err := s.FileAccess(ctx, actor, supervisee.ID)
	if err != nil {
		return false, false, nil, err
	}
	if open, err = s.openRelationship(ctx, supervisee.ID); err != nil {
		return false, false, nil, err
	}
	read = fa.CanOpen() || fa.Is(StandingAdmin)
	if !read && open != nil && open.SupervisorID == actor.ID {
		read = true // the incoming supervisor of a handover not yet in effect
	}
	return read, fa.CanHandOver(), open, nil
}

// openRelationship is the supervisee's relationship with no end date (which
// may start in the future, after a handover not yet in effect), or nil.
func (s *core) openRelationship(ctx context.Context, superviseeID string) (*Relationship, error) {
	rels, err := s.store.Relationships(ctx, superviseeID)
	if err != nil {
		return nil, err
	}
	for i := len(rels) - 1; i >= 0; i-- {
		if rels[i].To == nil {
			return rels[i], nil
		}
	}
	return nil, nil
}

func (in *HandoverInput) normalise() {
	in.ToSupervisorID = strings.TrimSpace(in.ToSupervisorID)
	in.Effective = strings.TrimSpace(in.Effective)
	in.Reason = strings.TrimSpace(strings.ReplaceAll(in.Reason, "\r\n", "\n"))
	in.Note = strings.TrimSpace(strings.ReplaceAll(in.Note, "\r\n", "\n"))
}

// checkText is the check every free text printed in a document gets.
func checkText(field, label, v string, max int, canPrint func(rune) bool) *FieldError {
	if n := utf8.RuneCountInString(v); n > max {
		return &FieldError{Field: field, Message: fmt.Sprintf("%s must be %d characters or fewer (it has %d)", label, max, n)}
	}
	if msg := printout.CheckText(v, strings.ToLower(label), printout.Lines, canPrint); msg != "" {
		return &FieldError{Field: field, Message: msg}
	}
	return nil
}

// StartHandover hands a supervisee's file to a new supervisor: in one
// transaction the current relationship ends and the new one starts on the
// effective date, drafts the outgoing supervisor wrote move to the incoming
// one, and the handover record (the file's contents with every signed
// document's date and SHA-256, the reason, the open actions from the last
// supervision record and the outgoing supervisor's note) is made and sent
// for both supervisors' signatures. No document moves: they are kept under
// the supervisee, whoever supervises them.
func (s *Admin) StartHandover(ctx context.Context, actor *Staff, superviseeID string, in HandoverInput) (*HandoverResult, error) {
	supervisee, err := s.store.GetStaff(ctx, superviseeID)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ErrNotFound, "No such member of staff")
	}
	if err != nil {
		return nil, err
	}
	read, may, open, err := s.handoverAccess(ctx, actor, supervisee)
	if err != nil {
		return nil, err
	}
	if !may {
		if read {
			return nil, Errorf(ErrForbidden, "Only the supervisor, their line manager or an administrator can hand this file over")
		}
		return nil, Errorf(ErrNotFound, "No such member of staff")
	}
	if err := s.checkFileOpen(ctx, supervisee.ID); err != nil {
		return nil, err
	}
	if open == nil {
		return nil, &ValidationError{Message: supervisee.Name + " has no supervisor to hand over from: an administrator sets their first supervisor on their staff page",
			Fields: []FieldError{{Field: "to_supervisor_id", Message: supervisee.Name + " has no supervisor yet, so there is nothing to hand over"}}}
	}
	from, err := s.store.GetStaff(ctx, open.SupervisorID)
	if err != nil {
		return nil, err
	}
	in.normalise()
	today := s.today()
	// The outgoing supervisor signs the handover record; one who has left
	// cannot ("no supervisor: handover needed"), so their own line manager
	// signs it for them, and the record says so.
	outSigner, err := s.outgoingSigner(ctx, from)
	if err != nil {
		return nil, err
	}
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }

	var effective time.Time
	switch d, perr := time.Parse(time.DateOnly, in.Effective); {
	case in.Effective == "":
		add("effective", "Enter the date the new supervisor takes over")
	case perr != nil:
		add("effective", dateError("the date the new supervisor takes over", in.Effective))
	case d.Before(open.From):
		add("effective", fmt.Sprintf("The handover cannot take effect before %s became the supervisor on %s", from.Name, open.From.Format("2 January 2006")))
	case d.After(today.AddDate(1, 0, 0)):
		add("effective", "The handover must take effect within a year from today")
	default:
		effective = d
	}

	var to *Staff
	switch {
	case in.ToSupervisorID == "":
		add("to_supervisor_id", "Select the new supervisor")
	case in.ToSupervisorID == supervisee.ID:
		add("to_supervisor_id", "A member of staff cannot supervise themselves: select someone else")
	case in.ToSupervisorID == from.ID:
		add("to_supervisor_id", fmt.Sprintf("%s is already the supervisor: select the new supervisor", from.Name))
	default:
		to, err = s.store.GetStaff(ctx, in.ToSupervisorID)
		switch {
		case errors.Is(err, ErrNotFound):
			add("to_supervisor_id", "Select the new supervisor from the list of staff")
		case err != nil:
			return nil, err
		case to.ID == actor.ID && actor.IsAdmin:
			add("to_supervisor_id", "An administrator cannot make themselves a supervisor: ask the supervisor or their line manager to hand the file over to you")
		case s.HasLeft(to):
			add("to_supervisor_id", fmt.Sprintf("%s left on %s and cannot supervise", to.Name, s.fmtDate(*to.EndDate)))
		case to.EndDate != nil && !effective.IsZero() && !to.EndDate.After(effective):
			add("to_supervisor_id", fmt.Sprintf("%s leaves on %s, before the handover takes effect", to.Name, s.fmtDate(*to.EndDate)))
		case !CanSupervise(to.Role):
			add("to_supervisor_id", fmt.Sprintf("%s cannot supervise: staff in the role ‘%s’ are supervised, not supervisors", to.Name, roleName(to.Role)))
		case !effective.IsZero() && to.StartDate.After(effective):
			add("to_supervisor_id", fmt.Sprintf("%s starts on %s, after the handover takes effect", to.Name, s.fmtDate(to.StartDate)))
		}
	}

	switch {
	case in.Reason == "":
		add("reason", "Enter the reason for the change of supervisor")
	default:
		if fe := checkText("reason", "The reason", in.Reason, maxHandoverReason, s.renderer.CanPrint); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if in.Note != "" {
		if actor.ID != outSigner.ID {
			add("note", fmt.Sprintf("Only the outgoing supervisor, %s, writes their note: they can add it when they sign the handover record", outSigner.Name))
		} else if fe := checkText("note", "The note", in.Note, maxHandoverNote, s.renderer.CanPrint); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}

	def, ok := s.forms.Get(HandoverFormID)
	if !ok {
		return nil, fmt.Errorf("form %s is not loaded", HandoverFormID)
	}
	due := s.agreementAfterChange(effective)
	now := s.now()
	data, err := s.handoverData(ctx, supervisee, from, to, effective, due, now, in)
	if err == nil && outSigner.ID != from.ID {
		data["outgoing_supervisor_name"] = fmt.Sprintf("%s (left on %s; signed for by their line manager, %s)",
			from.Name, s.fmtDate(*from.EndDate), outSigner.Name)
	}
	if err != nil {
		return nil, err
	}
	if verrs := def.Validate(data, forms.Final, s.validationContext(supervisee)); len(verrs) > 0 {
		return nil, fmt.Errorf("handover record for %s is not valid: %v", supervisee.ID, verrs)
	}
	canon, err := def.Canonical(data)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canon)
	rec := &Record{
		ID: newID(), StaffID: supervisee.ID, FormID: def.ID, FormVersion: def.Version, Version: 1,
		Status: StatusAwaitingSignatures, Revision: 1, Data: raw, AuthorID: actor.ID, CreatedAt: now, UpdatedAt: now,
		DataSHA256: hex.EncodeToString(sum[:]),
	}
	h := &Handover{
		ID: newID(), SuperviseeID: supervisee.ID, FromSupervisorID: from.ID, ToSupervisorID: to.ID,
		Effective: effective, Reason: in.Reason, RecordID: rec.ID, CreatedBy: actor.ID, CreatedAt: now,
	}
	rel := &Relationship{ID: newID(), SuperviseeID: supervisee.ID, SupervisorID: to.ID, From: effective}
	evs := []Event{
		{RecordID: rec.ID, At: now, ActorID: actor.ID, Action: "created",
			Detail: fmt.Sprintf("file handed over from %s to %s, effective %s", from.Name, to.Name, effective.Format(time.DateOnly))},
		{RecordID: rec.ID, At: now, ActorID: actor.ID, Action: "submitted for signatures", Detail: "SHA-256 " + rec.DataSHA256},
	}
	// The outgoing and incoming supervisors are named on the record, so
	// that they, and nobody else, sign it whatever their standing towards
	// the file by then (access.go: a named role is held by the person named).
	parties := []*RecordParty{
		{RecordID: rec.ID, StaffID: outSigner.ID, Role: RoleOutgoingSupervisor, AddedBy: actor.ID, AddedAt: now},
		{RecordID: rec.ID, StaffID: to.ID, Role: RoleIncomingSupervisor, AddedBy: actor.ID, AddedAt: now},
	}
	if err := s.store.Handover(ctx, h, rel, rec, parties, evs); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, Errorf(ErrConflict, "The supervisor was changed by someone else at the same time: reload the page and try again")
		}
		if errors.Is(err, ErrInvalid) {
			return nil, &ValidationError{Fields: []FieldError{{Field: "effective", Message: "The handover cannot take effect before the current supervisor started"}}}
		}
		return nil, err
	}
	role := "administrator"
	switch {
	case actor.ID == from.ID:
		role = "supervisor"
	case actor.ID == outSigner.ID:
		role = "line manager"
	case !actor.IsAdmin:
		role = "line manager"
	}
	if err := s.logActor(ctx, actor, role, ActHandover, supervisee.ID, rec.ID,
		fmt.Sprintf("from %s to %s, effective %s, %d drafts moved", from.ID, to.ID, effective.Format(time.DateOnly), h.DraftsMoved)); err != nil {
		return nil, err
	}
	s.log.Info("file handed over", "supervisee", supervisee.ID, "from", from.ID, "to", to.ID,
		"effective", effective.Format(time.DateOnly), "record", rec.ID, "drafts_moved", h.DraftsMoved, "by", actor.ID)
	return &HandoverResult{Handover: h, Record: rec, From: from, To: to, AgreementDue: due}, nil
}

func (s *core) fmtDate(t time.Time) string { return t.Format("2 January 2006") }

// fillHandoverContents lists, in a handover record's view, the signed
// records its contents_as_of and contents_count fix (each with its date and
// its PDF's and DOCX's SHA-256), for the page, the API and the documents.
// Signed records never change and leave a file only when the whole file is
// purged, so the list is the same whenever it is made.
func (s *Records) fillHandoverContents(ctx context.Context, v *RecordView) error {
	if v.Form.ID != HandoverFormID || v.Data["contents"] != nil {
		return nil
	}
	asOfText, _ := v.Data["contents_as_of"].(string)
	asOf, err := time.Parse(time.RFC3339Nano, asOfText)
	if err != nil {
		return nil // not a listing by moment: nothing to fill
	}
	filed, err := s.store.FiledRecords(ctx, v.Record.StaffID, asOf)
	if err != nil {
		return err
	}
	rows := make([]any, 0, len(filed))
	for _, f := range filed {
		title := f.FormID
		if def, ok := s.forms.GetVersion(f.FormID, f.FormVersion); ok {
			title = def.Title
		}
		row := map[string]any{"record": title, "version": f.Version, "signed": f.SignedAt.In(s.cfg.Location).Format(time.DateOnly)}
		if f.PDFSHA256 != "" {
			row["pdf_sha256"] = f.PDFSHA256
		}
		if f.DOCXSHA256 != "" {
			row["docx_sha256"] = f.DOCXSHA256
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		v.Data["contents"] = rows
	}
	return nil
}

// outgoingSigner is who signs a handover record as the outgoing supervisor:
// the supervisor, or, when they have left, their own line manager (their
// supervisor today), who signs for them. Without one the handover cannot be
// signed, so it is refused until an administrator sets the leaver's
// supervisor.
func (s *Admin) outgoingSigner(ctx context.Context, from *Staff) (*Staff, error) {
	if !s.HasLeft(from) {
		return from, nil
	}
	none := &ValidationError{Fields: []FieldError{{Field: "to_supervisor_id", Message: fmt.Sprintf(
		"%s has left and has no line manager to sign the handover for them: an administrator sets %s's supervisor first", from.Name, from.Name)}}}
	rel, err := s.store.CurrentRelationship(ctx, from.ID, s.today())
	if errors.Is(err, ErrNotFound) {
		return nil, none
	}
	if err != nil {
		return nil, err
	}
	lm, err := s.store.GetStaff(ctx, rel.SupervisorID)
	if err != nil {
		return nil, err
	}
	if s.HasLeft(lm) {
		return nil, none
	}
	return lm, nil
}

// roleName is how a role category is written in a message.
func roleName(r RoleCategory) string {
	switch r {
	case RoleStudent:
		return "Student"
	case RoleASYE:
		return "Newly qualified (ASYE)"
	case RoleProbation:
		return "In probation"
	case RoleSocialWorker:
		return "Social worker"
	case RoleFamilySupport:
		return "Family support"
	case RoleTeamManager:
		return "Team manager"
	case RoleSeniorManager:
		return "Senior manager"
	case RoleResidential:
		return "Residential"
	case RoleBusinessSupport:
		return "Business support"
	}
	return string(r)
}

// handoverData fills in the handover record. Its cost does not grow with
// the file: the contents are fixed by a moment (contents_as_of), which the
// signatures cover, and listed from the index when the record is
// shown or printed (fillHandoverContents), since signed records never
// change; the open actions come from the last signed supervision record,
// found through an index.
func (s *Admin) handoverData(ctx context.Context, supervisee, from, to *Staff, effective, due, asOf time.Time, in HandoverInput) (map[string]any, error) {
	data := map[string]any{
		"supervisee_name":          supervisee.Name,
		"outgoing_supervisor_name": from.Name,
		"incoming_supervisor_name": to.Name,
		"effective":                effective.Format(time.DateOnly),
		"reason":                   in.Reason,
		"agreement_due":            due.Format(time.DateOnly),
		"contents_as_of":           asOf.UTC().Format(time.RFC3339Nano),
	}
	if supervisee.JobTitle != "" {
		data["supervisee_job_title"] = supervisee.JobTitle
	}
	if in.Note != "" {
		data["outgoing_note"] = in.Note
	}
	r, err := s.store.LastSigned(ctx, supervisee.ID, "supervision-record")
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err == nil && r.SignedAt != nil {
		data["last_record_date"] = r.SignedAt.In(s.cfg.Location).Format(time.DateOnly)
		var rd struct {
			Actions []struct {
				Action string `json:"action"`
				Owner  string `json:"owner"`
				Due    string `json:"due"`
			} `json:"actions"`
		}
		if err := json.Unmarshal(r.Data, &rd); err != nil {
			return nil, fmt.Errorf("record %s data: %w", r.ID, err)
		}
		var actions []any
		for _, a := range rd.Actions {
			if strings.TrimSpace(a.Action) == "" {
				continue
			}
			row := map[string]any{"action": a.Action}
			if a.Owner != "" {
				row["owner"] = a.Owner
			}
			if a.Due != "" {
				row["due"] = a.Due
			}
			actions = append(actions, row)
		}
		if len(actions) > 0 {
			data["open_actions"] = actions
		}
	}
	return data, nil
}

// Due is something the file needs by a date.
type Due struct {
	What   string // "supervision-agreement", "supervision", ... (due.go)
	Reason string // "new supervisor"
	By     time.Time
	// OverdueDays is how many days past By today is (0 when not overdue).
	OverdueDays int

	caseRecord string // for a case-supervision item: the record naming the case (due.go)
}

// HistoryItem is one supervisory relationship in a file's history.
type HistoryItem struct {
	Supervisor *Staff
	From       time.Time
	To         *time.Time // nil while it lasts
	Current    bool       // the relationship in effect today
	Handover   *Handover  // the handover that started it, if any
}

// FileHandoverView is what the file page and the file JSON show about
// who has supervised the supervisee and what a handover has made due.
type FileHandoverView struct {
	Supervisee *Staff
	Current    *Staff // the supervisor today, nil if none
	// Outgoing is who has the file now for a handover: the supervisor of
	// the open relationship (which may start after today), nil if none.
	Outgoing      *Staff
	OutgoingSince time.Time
	History       []HistoryItem
	Due           []Due
	CanHandover   bool
	// Handovers whose record is waiting for signatures.
	Unsigned []*Handover
}

// FileHandover returns the file's supervisor history, what is due after a
// handover, and whether the actor may hand the file over, to the
// supervisee, the supervisor, the supervisor's line manager and admins.
func (s *Admin) FileHandover(ctx context.Context, actor *Staff, superviseeID string) (*FileHandoverView, error) {
	supervisee, err := s.store.GetStaff(ctx, superviseeID)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ErrNotFound, "No such file")
	}
	if err != nil {
		return nil, err
	}
	read, may, _, err := s.handoverAccess(ctx, actor, supervisee)
	if err != nil {
		return nil, err
	}
	if !read {
		return nil, Errorf(ErrNotFound, "No such file")
	}
	v := &FileHandoverView{Supervisee: supervisee, CanHandover: may}
	rels, err := s.store.Relationships(ctx, superviseeID)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.Handovers(ctx, superviseeID)
	if err != nil {
		return nil, err
	}
	today := s.today()
	people := map[string]*Staff{}
	for _, r := range rels {
		sup, ok := people[r.SupervisorID]
		if !ok {
			if sup, err = s.store.GetStaff(ctx, r.SupervisorID); err != nil {
				return nil, err
			}
			people[r.SupervisorID] = sup
		}
		item := HistoryItem{Supervisor: sup, From: r.From, To: r.To,
			Current: !r.From.After(today) && (r.To == nil || r.To.After(today))}
		for _, h := range hs {
			if h.ToSupervisorID == r.SupervisorID && h.Effective.Equal(r.From) {
				item.Handover = h
			}
		}
		if item.Current {
			v.Current = sup
		}
		if r.To == nil {
			v.Outgoing, v.OutgoingSince = sup, r.From
		}
		v.History = append(v.History, item)
	}
	if len(hs) > 0 {
		due, err := s.agreementDue(ctx, hs[len(hs)-1])
		if err != nil {
			return nil, err
		}
		v.Due = due
	}
	for _, h := range hs {
		r, err := s.store.GetRecord(ctx, h.RecordID)
		if err != nil {
			return nil, err
		}
		if r.Status != StatusSigned {
			v.Unsigned = append(v.Unsigned, h)
		}
	}
	return v, nil
}

// agreementDue is the new supervision agreement a handover makes due, until
// one signed on or after the effective date (and after the handover was
// made) is in the file.
func (s *core) agreementDue(ctx context.Context, h *Handover) ([]Due, error) {
	// Any agreement signed after the handover is the last one signed.
	last, err := s.store.LastSigned(ctx, h.SuperviseeID, "supervision-agreement")
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err == nil && last.SignedAt != nil && !last.SignedAt.Before(h.CreatedAt) {
		signed := last.SignedAt.In(s.cfg.Location)
		if day := time.Date(signed.Year(), signed.Month(), signed.Day(), 0, 0, 0, 0, time.UTC); !day.Before(h.Effective) {
			return nil, nil
		}
	}
	by := s.agreementAfterChange(h.Effective)
	return []Due{{What: "supervision-agreement", Reason: "new supervisor", By: by, OverdueDays: days(by, s.today())}}, nil
}

// HomeDue is one supervisee of the actor with what their file needs.
type HomeDue struct {
	Supervisee *Staff
	Due        Due
}

// HandoverHome is what the home page shows about handovers: what is due in
// the files the actor supervises (or will, from a handover's effective
// date), and the handover records waiting for the actor's signature.
type HandoverHome struct {
	Due    []HomeDue
	ToSign []HandoverToSign
}

// HandoverToSign is a handover record the actor is to sign.
type HandoverToSign struct {
	Handover   *Handover
	Supervisee *Staff
	Role       string
}

// Home returns the actor's handover tasks.
func (s *Admin) HandoverHome(ctx context.Context, actor *Staff) (*HandoverHome, error) {
	out := &HandoverHome{}
	hs, err := s.store.HandoversToSign(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, h := range hs {
		sigs, err := s.store.Signatures(ctx, h.RecordID)
		if err != nil {
			return nil, err
		}
		parties, err := s.store.RecordParties(ctx, h.RecordID)
		if err != nil {
			return nil, err
		}
		role := ""
		for _, p := range parties {
			if p.StaffID != actor.ID || (p.Role != RoleOutgoingSupervisor && p.Role != RoleIncomingSupervisor) {
				continue
			}
			signed := false
			for _, sg := range sigs {
				signed = signed || sg.Role == p.Role
			}
			if !signed {
				role = p.Role
				break
			}
		}
		if role == "" {
			continue
		}
		see, err := s.store.GetStaff(ctx, h.SuperviseeID)
		if err != nil {
			return nil, err
		}
		out.ToSign = append(out.ToSign, HandoverToSign{Handover: h, Supervisee: see, Role: role})
	}
	// The files the actor supervises today and those handed to them from a
	// later date.
	list, err := s.store.Supervisees(ctx, actor.ID, s.today())
	if err != nil {
		return nil, err
	}
	for _, see := range list {
		seen[see.ID] = true
	}
	for _, h := range hs {
		if h.ToSupervisorID == actor.ID && !seen[h.SuperviseeID] {
			see, err := s.store.GetStaff(ctx, h.SuperviseeID)
			if err != nil {
				return nil, err
			}
			seen[see.ID] = true
			list = append(list, see)
		}
	}
	for _, see := range list {
		hs, err := s.store.Handovers(ctx, see.ID)
		if err != nil {
			return nil, err
		}
		if len(hs) == 0 || hs[len(hs)-1].ToSupervisorID != actor.ID {
			continue
		}
		due, err := s.agreementDue(ctx, hs[len(hs)-1])
		if err != nil {
			return nil, err
		}
		for _, d := range due {
			out.Due = append(out.Due, HomeDue{Supervisee: see, Due: d})
		}
	}
	return out, nil
}

// HandoverCandidates are the people a file may be handed to: staff in a
// role that supervises, not leavers, not the supervisee or their current
// supervisor, by name. Names and job titles are shown to any member of
// staff already (people fields), so the list is not a disclosure.
func (s *Admin) HandoverCandidates(ctx context.Context, actor *Staff, superviseeID string) ([]*Staff, error) {
	v, err := s.FileHandover(ctx, actor, superviseeID)
	if err != nil {
		return nil, err
	}
	if !v.CanHandover {
		return nil, Errorf(ErrForbidden, "Only the supervisor, their line manager or an administrator can hand this file over")
	}
	all, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	open, err := s.openRelationship(ctx, superviseeID)
	if err != nil {
		return nil, err
	}
	var out []*Staff
	for _, st := range all {
		if st.ID == superviseeID || (open != nil && st.ID == open.SupervisorID) || !CanSupervise(st.Role) ||
			s.HasLeft(st) || (actor.IsAdmin && st.ID == actor.ID) {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}
