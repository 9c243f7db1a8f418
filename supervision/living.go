package supervision

// Records that keep living (issue 11): new versions of signed records,
// withdrawing a submitted record, deleting a draft, handing a two-party
// draft to the other side, and the supervisor's response to a recorded
// disagreement.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// DisagreementResponse is the supervisor's answer to a disagreement that
// a signer recorded with their signature. The signed record is not
// changed: the response is kept beside it.
type DisagreementResponse struct {
	RecordID    string
	ResponderID string
	At          time.Time
	Response    string
}

// LivingStore keeps versions, withdrawals, deleted drafts, hand-overs of
// drafts and responses to disagreements.
type LivingStore interface {
	// CreateVersion stores a new version of a signed record (r.SeriesID
	// names the first version, r.Version its number) with the people named
	// on it (carried over from the version before) and its first event, in
	// one transaction; ErrConflict if the series has that version already.
	CreateVersion(ctx context.Context, r *Record, parties []*RecordParty, ev Event) error
	// Series lists the versions of the series whose first version is root,
	// oldest first.
	Series(ctx context.Context, root string) ([]*Record, error)
	// SetSeries files an imported record under its first version (reindex).
	SetSeries(ctx context.Context, id, root string) error
	// WithdrawRecord moves a record awaiting signatures back to draft and
	// clears its signatures, if fewer than signers have signed; otherwise,
	// or if it is not awaiting signatures, ErrConflict. r.Revision is bumped.
	WithdrawRecord(ctx context.Context, r *Record, signers int, ev Event) error
	// DeleteDraft deletes a draft with its events and named parties;
	// ErrConflict if it is no longer a draft.
	DeleteDraft(ctx context.Context, id string) error
	// SetWaitingOn records that a draft waits on a party, with an event.
	SetWaitingOn(ctx context.Context, id, party string, ev Event) error
	// AddDisagreementResponse stores the response (once) and an event;
	// ErrConflict if the record has one.
	AddDisagreementResponse(ctx context.Context, d *DisagreementResponse, ev Event) error
	// DisagreementResponse is a record's response; ErrNotFound when none.
	DisagreementResponse(ctx context.Context, recordID string) (*DisagreementResponse, error)
	// OpenDisagreements are the signed records with a disagreement recorded
	// and no response yet, oldest first.
	OpenDisagreements(ctx context.Context) ([]*Record, error)
}

// Versioned says whether a signed record of the form can be updated by a
// new version: the plans that keep changing (forward planner, serious
// incident support plan) and the supervision agreement.
func Versioned(def *forms.Definition) bool {
	switch def.ID {
	case "forward-planner", "serious-incident-support", "supervision-agreement":
		return true
	}
	return false
}

// Series returns the record's first version id: its own when SeriesID is empty.
func (r *Record) Series() string {
	if r.SeriesID != "" {
		return r.SeriesID
	}
	return r.ID
}

// VersionEntry is one version of a record, for the record and file pages.
type VersionEntry struct {
	Record    *Record
	Documents []*Document
}

// versions lists every version of the record's series, oldest first, with
// their documents. It does not log: the caller has read the record.
func (s *Records) versions(ctx context.Context, r *Record, docs []*Document) ([]*VersionEntry, error) {
	if r.Version == 1 && r.Status == StatusDraft && r.SeriesID == "" {
		// A first version still in draft is alone in its series: a later
		// version is started only from a signed one. No read for it:
		// every save and edit page of a new record.
		return []*VersionEntry{{Record: r, Documents: docs}}, nil
	}
	recs, err := s.store.Series(ctx, r.Series())
	if err != nil {
		return nil, err
	}
	var out []*VersionEntry
	for _, x := range recs {
		e := &VersionEntry{Record: x}
		if x.ID == r.ID {
			e.Record, e.Documents = r, docs // read already
		} else if e.Documents, err = s.store.Documents(ctx, x.ID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// NewVersion starts the next version of a signed forward planner, serious
// incident support plan or supervision agreement, as a draft prefilled with
// the latest signed version's answers. The versions before it are not
// changed. Whoever may start the form in the file may update it.
func (s *Records) NewVersion(ctx context.Context, actor *Staff, id string) (*Record, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkFileOpen(ctx, v.Record.StaffID); err != nil {
		return nil, err
	}
	if !Versioned(v.Form) {
		return nil, Errorf(ErrConflict, "A ‘%s’ cannot be updated: start a new one", v.Form.Title)
	}
	def, ok := s.forms.Get(v.Form.ID)
	if !ok || !v.Access.File.CanStart(def) {
		return nil, Errorf(ErrForbidden, "You cannot update this ‘%s’", v.Form.Title)
	}
	series, err := s.store.Series(ctx, v.Record.Series())
	if err != nil {
		return nil, err
	}
	var latestSigned *Record
	for _, r := range series {
		if r.Status != StatusSigned {
			return nil, Errorf(ErrConflict, "Version %d of this record is already being written: open it from the file", r.Version)
		}
		latestSigned = r
	}
	if latestSigned == nil {
		return nil, Errorf(ErrConflict, "Only a signed record can be updated")
	}
	var data map[string]any
	if err := json.Unmarshal(latestSigned.Data, &data); err != nil {
		return nil, fmt.Errorf("record %s data: %w", latestSigned.ID, err)
	}
	data = keepKnown(def, data)
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	now := s.now()
	last := series[len(series)-1]
	r := &Record{
		ID: newID(), StaffID: v.Record.StaffID, FormID: def.ID, FormVersion: def.Version, Version: last.Version + 1,
		Status: StatusDraft, Revision: 1, Data: raw, AuthorID: actor.ID, CreatedAt: now, UpdatedAt: now,
		SeriesID: v.Record.Series(),
	}
	ev := Event{RecordID: r.ID, At: now, ActorID: actor.ID, Action: "created",
		Detail: fmt.Sprintf("version %d, prefilled from version %d", r.Version, latestSigned.Version)}
	named, err := s.store.RecordParties(ctx, latestSigned.ID)
	if err != nil {
		return nil, err
	}
	parties := carriedParties(def, named, r.ID, actor.ID, now)
	if len(parties) > 0 {
		var roles []string
		for _, p := range parties {
			roles = append(roles, strings.ReplaceAll(p.Role, "_", " "))
		}
		ev.Detail += "; named again from version " + fmt.Sprint(latestSigned.Version) + ": " + strings.Join(roles, ", ")
	}
	if err := s.store.CreateVersion(ctx, r, parties, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, Errorf(ErrConflict, "Someone else has just started version %d of this record: open it from the file", r.Version)
		}
		return nil, err
	}
	return r, nil
}

// carriedParties are the people named on the version before (a senior
// manager on a serious-incident plan, attendees, an invited observer) named
// again on the new version, so it reads and is signed by the same people.
// A party in one of the form's fixed signer roles is not carried: those
// sign by their standing towards the file when the new version is signed
// (the supervisor then, not the one who signed version 1).
func carriedParties(def *forms.Definition, named []*RecordParty, recordID, actorID string, now time.Time) []*RecordParty {
	invitable := InvitableRoles(def)
	var out []*RecordParty
	for _, p := range named {
		if !slices.Contains(invitable, p.Role) && slices.ContainsFunc(def.Signers, func(sg forms.Signer) bool { return sg.Role == p.Role }) {
			continue
		}
		out = append(out, &RecordParty{RecordID: recordID, StaffID: p.StaffID, Role: p.Role, AddedBy: actorID, AddedAt: now})
	}
	return out
}

// keepKnown drops answers to questions the form no longer asks.
func keepKnown(def *forms.Definition, data map[string]any) map[string]any {
	out := map[string]any{}
	for k, val := range data {
		if _, ok := def.Field(k); ok {
			out[k] = val
		}
	}
	return out
}

// Withdraw takes a record awaiting signatures back to draft, for its
// author, before the last signature: the signatures already given are
// cleared (each signer signs again what is submitted next), and the
// withdrawal is in the record's trail and the access log.
func (s *Records) Withdraw(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkFileOpen(ctx, v.Record.StaffID); err != nil {
		return nil, err
	}
	r := v.Record
	switch {
	case v.Form.Generated:
		return v, Errorf(ErrForbidden, "A ‘%s’ is made by the service and cannot be withdrawn", v.Form.Title)
	case r.AuthorID != actor.ID || !v.Access.Submits():
		return v, Errorf(ErrForbidden, "Only the person who started this record can withdraw it")
	case r.Status == StatusDraft:
		return v, Errorf(ErrConflict, "This record is a draft already")
	case r.Status == StatusSigned || v.DocumentsPending:
		return v, Errorf(ErrConflict, "Everyone has signed this record: it can no longer be withdrawn. Update it with a new version instead")
	}
	var cleared []string
	for _, sg := range v.Signatures {
		cleared = append(cleared, sg.Role)
	}
	detail := "back to draft"
	if len(cleared) > 0 {
		detail += "; signatures cleared: " + strings.Join(cleared, ", ")
	}
	w := *r
	w.Status, w.DataSHA256, w.UpdatedAt = StatusDraft, "", s.now()
	ev := Event{RecordID: r.ID, At: w.UpdatedAt, ActorID: actor.ID, Action: "withdrawn", Detail: detail}
	if err := s.store.WithdrawRecord(ctx, &w, len(v.Form.Signers), ev); err != nil {
		if errors.Is(err, ErrConflict) {
			return v, Errorf(ErrConflict, "This record was signed or changed while you were withdrawing it: it was not withdrawn")
		}
		return nil, err
	}
	if err := s.logActor(ctx, actor, v.Access.Role(), ActWithdraw, r.StaffID, r.ID, detail); err != nil {
		return nil, err
	}
	v.Record = &w
	v.Signatures = nil
	v.addEvent(&ev)
	v.refresh()
	v.Problems = s.draftProblems(v)
	return v, nil
}

// DeleteDraft deletes a draft its author no longer wants. The deletion is
// in the access log (the draft's own trail goes with it).
func (s *Records) DeleteDraft(ctx context.Context, actor *Staff, id string) (fileID string, err error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return "", err
	}
	r := v.Record
	switch {
	case v.Form.Generated:
		return "", Errorf(ErrForbidden, "A ‘%s’ is made by the service and cannot be deleted", v.Form.Title)
	case r.AuthorID != actor.ID || !v.Access.Writes():
		return "", Errorf(ErrForbidden, "Only the person who started this draft can delete it")
	case r.Status != StatusDraft:
		return "", Errorf(ErrConflict, "Only a draft can be deleted: this record has been submitted for signatures")
	}
	if err := s.checkFileOpen(ctx, r.StaffID); err != nil {
		return "", err
	}
	if err := s.store.DeleteDraft(ctx, r.ID); err != nil {
		if errors.Is(err, ErrConflict) {
			return "", Errorf(ErrConflict, "This record was submitted while you were deleting it: it was not deleted")
		}
		return "", err
	}
	for _, a := range v.Attachments {
		s.dropBlob(ctx, a.Key)
	}
	detail := fmt.Sprintf("deleted draft of %s, version %d", v.Form.Title, r.Version)
	if err := s.logActor(ctx, actor, v.Access.Role(), ActDeleteDraft, r.StaffID, r.ID, detail); err != nil {
		return "", err
	}
	return v.Access.BackTo(ctx, s), nil
}

// OtherSide is the party a two-party draft can be sent to by the actor:
// "supervisee" or "supervisor", or "" when the form is one side's alone or
// the actor writes for neither side.
func (v *RecordView) OtherSide() string {
	if v.Record.Status != StatusDraft || !v.CanEdit || v.Form.Generated || IsAudit(v.Form) {
		return ""
	}
	side := v.ActorParty
	if side == "" {
		return ""
	}
	other := map[string]string{"supervisee": "supervisor", "supervisor": "supervisee"}[side]
	if !Writes(v.Form, other) || !Writes(v.Form, side) {
		return ""
	}
	return other
}

// SendToOther hands a two-party draft to the other side once the actor has
// done their part: it waits on them, and their home lists it.
func (s *Records) SendToOther(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkFileOpen(ctx, v.Record.StaffID); err != nil {
		return nil, err
	}
	if v.Record.Status != StatusDraft {
		return v, Errorf(ErrConflict, "This record has been submitted for signatures already")
	}
	other := v.OtherSide()
	if other == "" {
		return v, Errorf(ErrForbidden, "This record has no other party to send it to")
	}
	name := other
	if other == "supervisee" {
		name = v.Supervisee.Name
	} else if v.Supervisor != nil {
		name = v.Supervisor.Name
	}
	ev := Event{RecordID: v.Record.ID, At: s.now(), ActorID: actor.ID, Action: "sent to " + other, Detail: "for " + name + " to fill in their part"}
	if ev.Notices, err = s.partNotices(ctx, v, actor, other, ev.At); err != nil {
		return nil, err
	}
	if err := s.store.SetWaitingOn(ctx, v.Record.ID, other, ev); err != nil {
		return nil, err
	}
	v.Record.WaitingOn = other
	v.addEvent(&ev)
	s.dispatch(ctx, ev.Notices)
	return v, nil
}

// Disagreements are the disagreements recorded with a record's signatures.
func (v *RecordView) Disagreements() []*Signature {
	var out []*Signature
	for _, sg := range v.Signatures {
		if strings.TrimSpace(sg.Disagreement) != "" {
			out = append(out, sg)
		}
	}
	return out
}

// CanRespond says whether the actor may record the supervisor's response to
// the record's disagreement now: the supervisor or a stand-in, on a signed
// record with a disagreement and no response yet.
func (v *RecordView) CanRespond() bool {
	return v.Access != nil && v.Record.Status == StatusSigned && v.Response == nil && len(v.Disagreements()) > 0 &&
		(v.Access.File.Is(StandingSupervisor) || v.Access.File.Is(StandingStandIn))
}

const maxResponseText = 5000

// RespondToDisagreement records the supervisor's response to a disagreement
// recorded on a signed record; from then it no longer waits on anyone's home.
func (s *Records) RespondToDisagreement(ctx context.Context, actor *Staff, id, text string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !v.Access.File.Is(StandingSupervisor) && !v.Access.File.Is(StandingStandIn) {
		return v, Errorf(ErrForbidden, "Only the supervisor can respond to a disagreement")
	}
	if len(v.Disagreements()) == 0 || v.Record.Status != StatusSigned {
		return v, Errorf(ErrConflict, "No disagreement is recorded on this record")
	}
	if v.Response != nil {
		return v, Errorf(ErrConflict, "A response to this disagreement has been recorded already")
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	switch {
	case text == "":
		return v, &ValidationError{Fields: []FieldError{{Field: "response", Message: "Enter your response to the disagreement"}}}
	case utf8.RuneCountInString(text) > maxResponseText:
		return v, &ValidationError{Fields: []FieldError{{Field: "response", Message: fmt.Sprintf("Response must be %d characters or fewer", maxResponseText)}}}
	}
	if msg := printout.CheckText(text, "response", printout.Lines, s.renderer.CanPrint); msg != "" {
		return v, &ValidationError{Fields: []FieldError{{Field: "response", Message: msg}}}
	}
	d := &DisagreementResponse{RecordID: v.Record.ID, ResponderID: actor.ID, At: s.now(), Response: text}
	ev := Event{RecordID: v.Record.ID, At: d.At, ActorID: actor.ID, Action: "responded to disagreement"}
	if err := s.store.AddDisagreementResponse(ctx, d, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			return v, Errorf(ErrConflict, "A response to this disagreement has been recorded already")
		}
		return nil, err
	}
	v.Response = d
	v.addEvent(&ev)
	return v, nil
}

// OpenDisagreement is a disagreement waiting for the supervisor's response,
// as a file page shows it.
type OpenDisagreement struct {
	Record    *Record
	FormTitle string
	Signers   []string // who recorded a disagreement
	// Readable: the actor may open the record itself (a line manager does
	// not read confidential records).
	Readable bool
}

// FileDisagreements are the disagreements in a supervisee's file waiting for
// the supervisor's response, for the file page (whose read is logged by File).
func (s *Files) FileDisagreements(ctx context.Context, actor *Staff, fileID string) ([]*OpenDisagreement, error) {
	fa, err := s.openFile(ctx, actor, fileID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.OpenDisagreements(ctx)
	if err != nil {
		return nil, err
	}
	var out []*OpenDisagreement
	for _, r := range all {
		if r.StaffID != fileID {
			continue
		}
		d, err := s.openDisagreement(ctx, r, fa)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (s *Files) openDisagreement(ctx context.Context, r *Record, fa *FileAccess) (*OpenDisagreement, error) {
	def, ok := s.forms.GetVersion(r.FormID, r.FormVersion)
	if !ok {
		return nil, fmt.Errorf("record %s: form %s version %d is not loaded", r.ID, r.FormID, r.FormVersion)
	}
	sigs, err := s.store.Signatures(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	d := &OpenDisagreement{Record: r, FormTitle: def.Title, Readable: !def.Confidential || fa.ReadsConfidential()}
	for _, sg := range sigs {
		if strings.TrimSpace(sg.Disagreement) != "" {
			d.Signers = append(d.Signers, sg.Name)
		}
	}
	return d, nil
}

// draftProblems are what stops a draft being submitted as it is typed:
// values that are not valid as a draft (a word in a number box, an
// impossible date). They are kept as typed and shown beside the fields.
func (s *Records) draftProblems(v *RecordView) []FieldError {
	if v.Record.Status != StatusDraft || v.Supervisee == nil {
		return nil
	}
	return v.Form.Validate(v.Data, forms.Draft, s.validationContext(v.Supervisee))
}

// savableDraft says whether answers with these problems can be kept as a
// draft: every problem is beside a question of the form, and no text holds
// what the documents cannot print (a control character, a bidi override),
// which is refused as it is typed.
func savableDraft(def *forms.Definition, data map[string]any, problems []FieldError, canPrint func(rune) bool) bool {
	for _, p := range problems {
		top, _, _ := strings.Cut(p.Field, ".")
		f, ok := def.Field(top)
		if !ok || top == "" {
			return false
		}
		// A table longer than its max_rows is refused, not kept: its
		// size is the problem (10,000 rows made a 26 MB PDF).
		if rows, isRows := data[top].([]any); isRows && f.Kind == forms.KindTable && f.MaxRows > 0 && len(rows) > f.MaxRows {
			return false
		}
	}
	ok := true
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case string:
			if printout.CheckText(t, "answer", printout.Lines, canPrint) != "" {
				ok = false
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(data)
	return ok
}

// Task is one thing waiting for someone: a record to sign, their part of a
// two-party form, a draft they started, a disagreement to answer, or
// something due.
type Task struct {
	Kind       string // "sign", "fill", "draft", "disagreement", "due"
	Title      string // what to do, as a sentence
	RecordID   string // "" for a due item not tied to a record
	FormTitle  string
	Supervisee *Staff // whose file it is in
	URL        string // the page to do it on
	Since      time.Time
	By         *time.Time // for due items
}

// TaskSource adds tasks of its own to everyone's list (what is due this
// fortnight comes from the policy's due list).
type TaskSource func(ctx context.Context, actor *Staff) ([]*Task, error)

// AddTaskSource registers a source of tasks for Tasks.
func (s *Files) AddTaskSource(src TaskSource) { s.taskSources = append(s.taskSources, src) }

// Task kinds in the order a home lists them.
var taskOrder = []string{"sign", "fill", "disagreement", "due", "draft"}

// Tasks is what needs the actor's action, most pressing first: records
// waiting for their signature, their parts of two-party forms, disagreements
// to answer, what is due, and drafts they started. It reads no record's
// answers, only what records there are.
func (s *Files) Tasks(ctx context.Context, actor *Staff) ([]*Task, error) {
	files := []string{actor.ID}
	sup, err := s.store.Supervisees(ctx, actor.ID, s.today())
	if err != nil {
		return nil, err
	}
	for _, st := range sup {
		files = append(files, st.ID)
	}
	covering, err := s.admin.Covering(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, st := range covering {
		if !slices.Contains(files, st.ID) {
			files = append(files, st.ID)
		}
	}
	var recs []*Record
	seen := map[string]bool{}
	for _, f := range files {
		list, err := s.store.ListRecords(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			if r.Status != StatusSigned && !seen[r.ID] {
				seen[r.ID] = true
				recs = append(recs, r)
			}
		}
	}
	named, err := s.store.PartyRecords(ctx, actor.ID, "")
	if err != nil {
		return nil, err
	}
	for _, r := range named {
		if r.Status != StatusSigned && !seen[r.ID] {
			seen[r.ID] = true
			recs = append(recs, r)
		}
	}
	var tasks []*Task
	staff := map[string]*Staff{}
	person := func(id string) (*Staff, error) {
		if st, ok := staff[id]; ok {
			return st, nil
		}
		st, err := s.store.GetStaff(ctx, id)
		if err != nil {
			return nil, err
		}
		staff[id] = st
		return st, nil
	}
	for _, r := range recs {
		acc, err := s.RecordAccess(ctx, actor, r)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		see, err := person(r.StaffID)
		if err != nil {
			return nil, err
		}
		t := &Task{RecordID: r.ID, FormTitle: acc.Form.Title, Supervisee: see, Since: r.UpdatedAt, URL: "/records/" + r.ID}
		switch r.Status {
		case StatusAwaitingSignatures:
			sigs, err := s.store.Signatures(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			signed := map[string]bool{}
			for _, sg := range sigs {
				signed[sg.Role] = true
			}
			if len(signed) >= len(acc.Form.Signers) {
				continue // documents pending: nothing for anyone to do
			}
			role := acc.SignAs(signed)
			if role == "" {
				continue
			}
			t.Kind, t.Title = "sign", "Sign as "+strings.ReplaceAll(role, "_", " ")
		case StatusDraft:
			writes := acc.Writes()
			side := acc.File.Side()
			switch {
			case !writes:
				continue
			case r.AuthorID == actor.ID && (r.WaitingOn == "" || r.WaitingOn != side || !Writes(acc.Form, otherOf(side))):
				t.Kind, t.Title, t.URL = "draft", "Finish your draft", EditURL(acc.Form, r.ID)
				if r.WaitingOn != "" && r.WaitingOn != side {
					t.Title = "Your draft, sent to the " + r.WaitingOn
				}
			case r.WaitingOn != "" && r.WaitingOn == side:
				t.Kind, t.Title, t.URL = "fill", "Fill in your part", EditURL(acc.Form, r.ID)
			default:
				continue
			}
		}
		tasks = append(tasks, t)
	}
	open, err := s.store.OpenDisagreements(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range open {
		fa, err := s.FileAccess(ctx, actor, r.StaffID)
		if err != nil {
			return nil, err
		}
		if !fa.Is(StandingSupervisor) && !fa.Is(StandingLineManager) && !fa.Is(StandingStandIn) {
			continue
		}
		d, err := s.openDisagreement(ctx, r, fa)
		if err != nil {
			return nil, err
		}
		see, err := person(r.StaffID)
		if err != nil {
			return nil, err
		}
		t := &Task{Kind: "disagreement", RecordID: r.ID, FormTitle: d.FormTitle, Supervisee: see, URL: "/records/" + r.ID, Since: r.UpdatedAt}
		if r.SignedAt != nil {
			t.Since = *r.SignedAt
		}
		if fa.Is(StandingLineManager) && !fa.Is(StandingSupervisor) && !fa.Is(StandingStandIn) {
			t.Title = "A disagreement waits for the supervisor's response"
			if !d.Readable {
				t.URL = "/staff/" + r.StaffID + "/file"
			}
		} else {
			t.Title = "Respond to the disagreement"
		}
		tasks = append(tasks, t)
	}
	due, err := s.dueTasks(ctx, actor)
	if err != nil {
		return nil, err
	}
	tasks = append(tasks, due...)
	for _, src := range s.taskSources {
		more, err := src(ctx, actor)
		if err != nil {
			return nil, err
		}
		for _, t := range more {
			if t.Kind == "" {
				t.Kind = "due"
			}
		}
		tasks = append(tasks, more...)
	}
	rank := func(k string) int { return slices.Index(taskOrder, k) }
	slices.SortStableFunc(tasks, func(a, b *Task) int {
		if d := rank(a.Kind) - rank(b.Kind); d != 0 {
			return d
		}
		return a.Since.Compare(b.Since)
	})
	return tasks, nil
}

func otherOf(side string) string {
	if side == "supervisee" {
		return "supervisor"
	}
	return "supervisee"
}

// CanUpdate says whether the actor may start the next version of this
// signed record now: it is the latest version, none is being written, the
// form keeps living and the actor may start it in this file.
func (v *RecordView) CanUpdate() bool {
	if v.Access == nil || v.Record.Status != StatusSigned || !Versioned(v.Form) || !v.Access.File.CanStart(v.Form) {
		return false
	}
	if n := len(v.Versions); n > 0 && v.Versions[n-1].Record.ID != v.Record.ID {
		return false
	}
	return true
}

// LaterVersion is the version after this one, if there is one.
func (v *RecordView) LaterVersion() *Record {
	for i, e := range v.Versions {
		if e.Record.ID == v.Record.ID && i+1 < len(v.Versions) {
			return v.Versions[len(v.Versions)-1].Record
		}
	}
	return nil
}

// CanWithdraw says whether the actor may take the record back to draft: its
// author, while it waits for signatures and someone has still to sign.
func (v *RecordView) CanWithdraw() bool {
	return v.Access != nil && v.Record.Status == StatusAwaitingSignatures && !v.DocumentsPending && !v.Form.Generated &&
		v.Record.AuthorID == v.Access.File.Actor.ID && v.Access.Submits()
}

// CanDelete says whether the actor may delete the draft: its author.
func (v *RecordView) CanDelete() bool {
	return v.Access != nil && v.Record.Status == StatusDraft && v.CanEdit && !v.Form.Generated &&
		v.Record.AuthorID == v.Access.File.Actor.ID
}

// dueLabels name what is due in a task.
var dueLabels = map[string]string{
	DueSupervision:     "Supervision",
	DueAgreement:       "Supervision agreement",
	DueObservation:     "Practice observation",
	DueFileAudit:       "File audit",
	DueCaseSupervision: "Case supervision",
	DueSelfAssessment:  "Self-assessment",
	DueRecord:          "Supervision record",
}

// dueFortnight is how far ahead "things due this fortnight" look.
const dueFortnight = 14

// dueTasks are what the policy profile makes due within the fortnight (or
// overdue) in the files the actor supervises, and the self-assessment due
// in their own file (due.go).
func (s *Files) dueTasks(ctx context.Context, actor *Staff) ([]*Task, error) {
	today := s.today()
	horizon := today.AddDate(0, 0, dueFortnight)
	var out []*Task
	add := func(v *DueView, only string) {
		for _, d := range v.Items {
			label, ok := dueLabels[d.What]
			if !ok || (only != "" && d.What != only) || d.By.After(horizon) {
				continue
			}
			by := d.By
			t := &Task{Kind: "due", Title: label + " due", Supervisee: v.Supervisee, URL: "/staff/" + v.Supervisee.ID + "/file", Since: by, By: &by}
			if d.OverdueDays > 0 {
				t.Title = fmt.Sprintf("%s overdue by %d days", label, d.OverdueDays)
			}
			if d.Reason != "" {
				t.Title += " (" + d.Reason + ")"
			}
			out = append(out, t)
		}
	}
	direct, err := s.store.Supervisees(ctx, actor.ID, today)
	if err != nil {
		return nil, err
	}
	for _, see := range direct {
		v, err := s.dueFor(ctx, see)
		if err != nil {
			return nil, err
		}
		add(v, "")
	}
	if s.HasLeft(actor) {
		return out, nil
	}
	own, err := s.dueFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	add(own, DueSelfAssessment)
	return out, nil
}
