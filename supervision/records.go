package supervision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// RecordView is a record with everything a page or API response shows.
type RecordView struct {
	Record     *Record
	Form       *forms.Definition
	Data       map[string]any
	Supervisee *Staff
	Supervisor *Staff // current supervisor; nil when none
	Signatures []*Signature
	// Events is the record's audit trail, read only by History: a draft
	// saved every few seconds collects hundreds of events, and no command
	// and no page but the record's own needs them.
	Events     []*Event
	eventsRead bool
	Documents  []*Document
	// Attachments are the files kept with the record (attachments.go).
	Attachments []*Attachment
	// ActorParty is "supervisee" or "supervisor": the actor's side by
	// standing, or "" (a line manager, an auditor, someone named on it).
	ActorParty string
	// Access is what the actor may do with the record (access.go).
	Access *RecordAccess
	// CanEdit: the record is a draft and the actor writes part of it.
	CanEdit bool
	// CanSubmit: the actor may also send the draft for signatures.
	CanSubmit bool
	// SignAs is the signer role the actor may sign as now, or "".
	SignAs string
	// SignLater is the signer role the actor signs as once those in
	// WaitsFor have signed (Waits), or "".
	SignLater string
	WaitsFor  []forms.Signer
	// Pending signer labels not yet signed.
	Pending []forms.Signer
	// DocumentsPending: every signer has signed but the documents are not
	// written yet (a storage fault); a retry completes it.
	DocumentsPending bool
	// DocumentsFailed, while the documents are pending, says that making
	// them crashed, why, and when it will be tried again.
	DocumentsFailed *DocumentsFailure
	// Problems, on a draft, are the answers kept as typed that are not
	// valid yet (living.go): shown beside the fields, and they stop a submit.
	Problems []FieldError
	// Versions lists every version of the record's series, oldest first.
	Versions []*VersionEntry
	// Response is the supervisor's response to a recorded disagreement.
	Response *DisagreementResponse
}

// SignedRoles is the set of roles that have signed.
func (v *RecordView) SignedRoles() map[string]bool {
	m := map[string]bool{}
	for _, s := range v.Signatures {
		m[s.Role] = true
	}
	return m
}

// FileView is a supervisee's file.
type FileView struct {
	Staff      *Staff
	Supervisor *Staff
	ActorParty string
	Access     *FileAccess
	Records    []*FileEntry
	Forms      []*forms.Definition // forms the actor can start here
}

// FileEntry is one record in a file listing.
type FileEntry struct {
	Record     *Record
	Form       *forms.Definition
	Signatures []*Signature
	Documents  []*Document
}

// File returns a supervisee's file: every record, newest first. The read is
// logged.
func (s *Files) File(ctx context.Context, actor *Staff, staffID string) (*FileView, error) {
	fv, err := s.file(ctx, actor, staffID)
	if err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, fv.Access.Role(), ActViewFile, staffID, "", ""); err != nil {
		return nil, err
	}
	return fv, nil
}

// file is File without the log entry, for methods that log what they do
// with it.
func (s *Files) file(ctx context.Context, actor *Staff, staffID string) (*FileView, error) {
	fa, err := s.openFile(ctx, actor, staffID)
	if err != nil {
		return nil, err
	}
	party, sup := fa.Side(), fa.Supervisor
	st, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.ListRecords(ctx, staffID)
	if err != nil {
		return nil, err
	}
	fv := &FileView{Staff: st, Supervisor: sup, ActorParty: party, Access: fa}
	// Group records the supervisee attended are listed in their file too:
	// the same record and documents, kept in the lead's file.
	attended, err := s.attendedRecords(ctx, staffID)
	if err != nil {
		return nil, err
	}
	if len(attended) > 0 {
		recs = append(append([]*Record{}, recs...), attended...)
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].CreatedAt.After(recs[j].CreatedAt) })
	}
	for _, r := range recs {
		def, ok := s.forms.GetVersion(r.FormID, r.FormVersion)
		if !ok {
			return nil, fmt.Errorf("record %s: form %s version %d is not loaded", r.ID, r.FormID, r.FormVersion)
		}
		if def.Confidential && !fa.ReadsConfidential() {
			continue
		}
		e := &FileEntry{Record: r, Form: def}
		if e.Signatures, err = s.store.Signatures(ctx, r.ID); err != nil {
			return nil, err
		}
		if e.Documents, err = s.store.Documents(ctx, r.ID); err != nil {
			return nil, err
		}
		fv.Records = append(fv.Records, e)
	}
	for _, def := range s.forms.List() {
		if fa.CanStart(def) {
			fv.Forms = append(fv.Forms, def)
		}
	}
	slices.SortStableFunc(fv.Forms, func(a, b *forms.Definition) int { return checklistRank(a.ID) - checklistRank(b.ID) })
	return fv, nil
}

func (s *core) validationContext(supervisee *Staff) forms.Context {
	return forms.Context{
		Today:           s.today(),
		SuperviseeRole:  string(supervisee.Role),
		MinTimesPerYear: s.cfg.Policy.MinTimesPerYear(string(supervisee.Role), supervisee.StartDate, s.today()),
		Printable:       s.renderer.CanPrint,
	}
}

// PrefillValues are the values a new form is prefilled from.
func (s *Records) prefillValues(ctx context.Context, supervisee, supervisor *Staff) (map[string]string, error) {
	v := map[string]string{
		"supervisee.name":      supervisee.Name,
		"supervisee.job_title": supervisee.JobTitle,
		"supervisee.role":      string(supervisee.Role),
		"today":                s.today().Format("2006-01-02"),
	}
	if supervisor != nil {
		v["supervisor.name"] = supervisor.Name
		v["supervisor.job_title"] = supervisor.JobTitle
	}
	recs, err := s.store.ListRecords(ctx, supervisee.ID)
	if err != nil {
		return nil, err
	}
	weeks := s.cfg.Policy.EveryWeeks(string(supervisee.Role), supervisee.StartDate, s.today())
	for _, r := range recs {
		if r.FormID == "supervision-agreement" && r.Status == StatusSigned && r.SignedAt != nil {
			v["last_agreement.date"] = r.SignedAt.In(s.cfg.Location).Format("2006-01-02")
			var agreed struct {
				EveryWeeks float64 `json:"every_weeks"`
			}
			if json.Unmarshal(r.Data, &agreed) == nil && agreed.EveryWeeks >= 1 && agreed.EveryWeeks <= 52 {
				weeks = int(agreed.EveryWeeks)
			}
			break
		}
	}
	v["planner.year_ahead"] = strings.Join(yearAhead(s.today(), weeks), ",")
	return v, nil
}

// yearAhead is the supervision dates of the next 52 weeks, every so many
// weeks from today, each moved off a weekend to the Monday (002 §2.1: "planned
// so that both parties are aware of the dates for the year ahead").
func yearAhead(today time.Time, weeks int) []string {
	if weeks < 1 {
		return nil
	}
	var out []string
	for d := today.AddDate(0, 0, 7*weeks); d.Before(today.AddDate(0, 0, 7*52+1)); d = d.AddDate(0, 0, 7*weeks) {
		day := d
		switch day.Weekday() {
		case time.Saturday:
			day = day.AddDate(0, 0, 2)
		case time.Sunday:
			day = day.AddDate(0, 0, 1)
		}
		out = append(out, day.Format("2006-01-02"))
	}
	return out
}

// StartRecord begins a draft of a form in a supervisee's file. Data, when
// given, is saved as the first draft; otherwise the form is prefilled.
func (s *Records) StartRecord(ctx context.Context, actor *Staff, staffID, formID string, data map[string]any) (*Record, error) {
	fa, err := s.openFile(ctx, actor, staffID)
	if err != nil {
		return nil, err
	}
	if err := s.checkFileOpen(ctx, staffID); err != nil { // a leaver's file is read-only
		return nil, err
	}
	party, sup := fa.Side(), fa.Supervisor
	def, ok := s.forms.Get(formID)
	if !ok {
		return nil, &ValidationError{Fields: []FieldError{{Field: "form", Message: "Select a form from the list"}}}
	}
	if !fa.CanStart(def) {
		if IsAudit(def) {
			return nil, Errorf(ErrForbidden, "Only the auditor assigned to this file can start its ‘%s’", def.Title)
		}
		return nil, Errorf(ErrForbidden, "You cannot start a record of ‘%s’ in this file", def.Title)
	}
	if IsAudit(def) || IsGroup(def) {
		party = "supervisor" // the auditor, or the lead, writes the author's part
	}
	supervisee, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return nil, err
	}
	pv, err := s.prefillValues(ctx, supervisee, sup)
	if err != nil {
		return nil, err
	}
	pv["author.name"] = actor.Name
	if data == nil {
		data = def.Prefill(pv)
	} else {
		// Only the starter's own sections: the other party's start prefilled.
		data = KeepOthers(def, party, data, def.Prefill(pv))
		if IsGroup(def) {
			delete(data, learningTable) // each attendee writes their own, once added
		}
		// Kept as typed, as a saved draft is (living.go).
		if errs := def.Validate(data, forms.Draft, s.validationContext(supervisee)); len(errs) > 0 && !savableDraft(def, data, errs, s.renderer.CanPrint) {
			return nil, &ValidationError{Fields: errs}
		}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Record{
		ID: newID(), StaffID: staffID, FormID: def.ID, FormVersion: def.Version, Version: 1,
		Status: StatusDraft, Revision: 1, Data: raw, AuthorID: actor.ID, CreatedAt: now, UpdatedAt: now,
	}
	ev := Event{RecordID: r.ID, At: now, ActorID: actor.ID, Action: "created"}
	if IsAudit(def) {
		// Kept in the audited supervisor's file, naming the auditor, the
		// supervisor who acknowledges it and the supervisee it is about.
		r.StaffID = sup.ID
		ev.Detail = "file audit of " + supervisee.Name
		parties := []*RecordParty{
			{RecordID: r.ID, StaffID: actor.ID, Role: PartyAuditor, AddedBy: actor.ID, AddedAt: now},
			{RecordID: r.ID, StaffID: sup.ID, Role: "supervisor", AddedBy: actor.ID, AddedAt: now},
			{RecordID: r.ID, StaffID: staffID, Role: PartySubject, AddedBy: actor.ID, AddedAt: now},
		}
		if err := s.store.CreateRecordWithParties(ctx, r, parties, ev); err != nil {
			return nil, err
		}
		return r, nil
	}
	if IsGroup(def) {
		// Kept in the lead's file, naming the lead; they add the attendees.
		ev.Detail = "group supervision led by " + actor.Name
		parties := []*RecordParty{{RecordID: r.ID, StaffID: actor.ID, Role: PartyLead, AddedBy: actor.ID, AddedAt: now}}
		if err := s.store.CreateRecordWithParties(ctx, r, parties, ev); err != nil {
			return nil, err
		}
		return r, nil
	}
	if err := s.store.CreateRecord(ctx, r, ev); err != nil {
		return nil, err
	}
	return r, nil
}

// Record returns a record to a party of it. It only reads (and writes the
// read to the access log): a record whose documents are pending is shown as
// such, and the finish job (see FinishDocuments) is what completes it.
func (s *Records) Record(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, v.Access.Role(), ActViewRecord, v.Record.StaffID, v.Record.ID, ""); err != nil {
		return nil, err
	}
	return v, nil
}

// load is the one read of a record for a command or a page: the record, who
// the actor is to it, and everything its page shows.
func (s *Records) load(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	return s.loadView(ctx, actor, id, true)
}

// loadView is load; without problems the view's Problems are left out (a
// save works out its own, for the answers it saves).
func (s *Records) loadView(ctx context.Context, actor *Staff, id string, problems bool) (*RecordView, error) {
	// Its dozen reads as one (on SQLite, one read transaction); ended
	// here, before the command writes and the page reads anything else.
	ctx, done := s.store.ReadTogether(ctx)
	defer done()
	r, err := s.store.GetRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	acc, err := s.RecordAccess(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	v, err := s.viewAs(ctx, r, acc.File.Owner, acc.File.Supervisor, acc.Form, acc.Parties, problems)
	if err != nil {
		return nil, err
	}
	v.Access = acc
	v.ActorParty = acc.File.Side()
	v.refresh()
	return v, nil
}

// History reads the record's audit trail into v (Events), for the page
// that shows it and the documents; the other reads and the commands leave
// it out. It does not log: the caller has read the record.
func (s *Records) History(ctx context.Context, v *RecordView) error {
	if v.eventsRead {
		return nil
	}
	evs, err := s.store.Events(ctx, v.Record.ID)
	if err != nil {
		return err
	}
	v.Events, v.eventsRead = evs, true
	return nil
}

// addEvent adds an event a command has just written to v's audit trail, if
// v has one (History), so that it stays what a fresh read would show.
func (v *RecordView) addEvent(ev *Event) {
	if v.eventsRead {
		v.Events = append(v.Events, ev)
	}
}

// WaitsForText names the signers the actor waits for, as a sentence
// continues: "the auditor has", "the observer and the supervisee have".
func (v *RecordView) WaitsForText() string {
	var labels []string
	for _, sg := range v.WaitsFor {
		l := sg.Label
		if r, size := utf8.DecodeRuneInString(l); size > 0 {
			l = string(unicode.ToLower(r)) + l[size:]
		}
		labels = append(labels, "the "+l)
	}
	switch len(labels) {
	case 0:
		return "the others have"
	case 1:
		return labels[0] + " has"
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1] + " have"
}

// refresh works out what follows from the view's record and signatures:
// who has still to sign, what the actor may do now (as access.go decides),
// and whether the documents are pending. Commands call it after changing
// the view in memory, so that what they return is what a fresh read would
// show.
func (v *RecordView) refresh() {
	r := v.Record
	signed := v.SignedRoles()
	v.Pending = nil
	for _, sg := range v.Form.Signers {
		if !signed[sg.Role] {
			v.Pending = append(v.Pending, sg)
		}
	}
	v.DocumentsPending = r.Status == StatusAwaitingSignatures && len(v.Pending) == 0
	v.CanEdit, v.CanSubmit, v.SignAs, v.SignLater, v.WaitsFor = false, false, "", "", nil
	if v.Access == nil {
		return // no actor: the finish job
	}
	v.CanEdit = r.Status == StatusDraft && v.Access.Writes()
	v.CanSubmit = v.CanEdit && v.Access.Submits()
	if r.Status == StatusAwaitingSignatures && !v.DocumentsPending {
		v.SignAs = v.Access.SignAs(signed)
		if v.SignAs == "" {
			v.SignLater, v.WaitsFor = v.Access.SignLater(signed)
		}
	}
}

func (s *Records) view(ctx context.Context, r *Record, sup *Staff) (*RecordView, error) {
	return s.viewOf(ctx, r, sup, true)
}

func (s *Records) viewOf(ctx context.Context, r *Record, sup *Staff, problems bool) (*RecordView, error) {
	def, ok := s.forms.GetVersion(r.FormID, r.FormVersion)
	if !ok {
		return nil, fmt.Errorf("record %s: form %s version %d is not loaded", r.ID, r.FormID, r.FormVersion)
	}
	def, parties, err := s.recordForm(ctx, r, def, nil)
	if err != nil {
		return nil, err
	}
	return s.viewAs(ctx, r, nil, sup, def, parties, problems)
}

// viewAs is view with the record's definition (and, for a group record,
// its parties) already worked out, and the supervisee (owner) when read
// already (nil: read here).
func (s *Records) viewAs(ctx context.Context, r *Record, owner, sup *Staff, def *forms.Definition, parties []*RecordParty, problems bool) (*RecordView, error) {
	v := &RecordView{Record: r, Form: def, Supervisor: sup}
	if err := json.Unmarshal(r.Data, &v.Data); err != nil {
		return nil, fmt.Errorf("record %s data: %w", r.ID, err)
	}
	if v.Data == nil {
		v.Data = map[string]any{}
	}
	// stored: v.Data is the stored answers as they are, so their
	// problems can come from the memo.
	stored := true
	if IsGroup(def) && r.Status == StatusDraft {
		syncLearning(v.Data, parties)
		stored = false
	}
	if def.ID == HandoverFormID {
		stored = false // its contents may be filled in below
	}
	if err := s.fillHandoverContents(ctx, v); err != nil {
		return nil, err
	}
	var err error
	if owner != nil && owner.ID == r.StaffID {
		v.Supervisee = owner
	} else if v.Supervisee, err = s.store.GetStaff(ctx, r.StaffID); err != nil {
		return nil, err
	}
	// A draft has neither signatures nor documents: the store takes a
	// signature only while the record awaits them, and a withdrawal back
	// to draft (allowed only before the last signature) clears them. No
	// reads for them on every edit page and save.
	if r.Status != StatusDraft {
		if v.Signatures, err = s.store.Signatures(ctx, r.ID); err != nil {
			return nil, err
		}
		if v.Documents, err = s.store.Documents(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	if v.Attachments, err = s.store.Attachments(ctx, r.ID); err != nil {
		return nil, err
	}
	if v.Versions, err = s.versions(ctx, r, v.Documents); err != nil {
		return nil, err
	}
	if len(v.Signatures) > 0 && r.Status == StatusSigned {
		switch v.Response, err = s.store.DisagreementResponse(ctx, r.ID); {
		case errors.Is(err, ErrNotFound):
			v.Response = nil
		case err != nil:
			return nil, err
		}
	}
	v.refresh()
	switch {
	case problems && stored:
		v.Problems = s.storedDraftProblems(v)
	case problems:
		v.Problems = s.draftProblems(v)
	}
	if err := s.documentsFailure(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// SaveDraft saves a draft's answers if revision is still the latest, and
// returns the record as it now is.
// Answers that are not valid yet (bad dates, numbers, rules) are saved as
// typed and listed in the view's Problems; only an answer to no question or
// text that cannot be printed stops the save. With such an error or a stale
// revision the view is returned too, its Data the answers as entered (with
// the other party's part as stored), so that the page can show them again.
func (s *Records) SaveDraft(ctx context.Context, actor *Staff, id string, data map[string]any, revision int) (*RecordView, error) {
	return s.saveDraft(ctx, actor, id, func(*forms.Definition) map[string]any { return data }, revision, false)
}

// DraftPost is a draft's edit page as posted.
type DraftPost struct {
	Values   url.Values // decoded with the record's form
	Revision int
	// Submit sends the draft for signatures once it is saved.
	Submit bool
	// Section, counting from 1, saves that section's answers alone (its own
	// page on the task list); the rest stay as stored. 0 saves the whole.
	Section int
}

// SaveDraftPost saves a draft from its edit page and, when asked, submits
// it, loading the record once. What it returns is as for SaveDraft; when the
// save succeeds but the submit is refused, the view is the saved draft.
func (s *Records) SaveDraftPost(ctx context.Context, actor *Staff, id string, p DraftPost) (*RecordView, error) {
	return s.saveDraftSection(ctx, actor, id, func(def *forms.Definition) map[string]any { return def.DecodeForm(p.Values) }, p.Revision, p.Submit, p.Section)
}

func (s *Records) saveDraft(ctx context.Context, actor *Staff, id string, decode func(*forms.Definition) map[string]any, revision int, submit bool) (*RecordView, error) {
	return s.saveDraftSection(ctx, actor, id, decode, revision, submit, 0)
}

func (s *Records) saveDraftSection(ctx context.Context, actor *Staff, id string, decode func(*forms.Definition) map[string]any, revision int, submit bool, section int) (*RecordView, error) {
	v, err := s.loadView(ctx, actor, id, false)
	if err != nil {
		return nil, err
	}
	// A refused save answers the view as read, with the stored answers'
	// problems; a save works out the problems of what it saves.
	read := *v
	storedProblems := func() []FieldError { return s.draftProblems(&read) }
	detail := ""
	if section != 0 {
		// One section's page (the task list): its answers alone are saved.
		if section < 1 || section > len(v.Form.Sections) {
			return nil, Errorf(ErrNotFound, "This form has no section %d", section)
		}
		whole := decode
		def, i := v.Form, section-1
		if v.Record.Status == StatusDraft && !v.Access.WritesSection(def.Sections[i].Owner) {
			v.Problems = storedProblems()
			return v, Errorf(ErrForbidden, "The %s fills in this part of the record", strings.ToLower(ownerOf(def, def.Sections[i].Owner)))
		}
		stored := v.Data
		decode = func(def *forms.Definition) map[string]any { return onlySection(def, i, whole(def), stored) }
		detail = sectionEventDetail(def, i)
	}
	if err := s.fileOpen(v.Supervisee); err != nil { // a leaver's file is read-only
		return nil, err
	}
	r := v.Record
	if r.Status != StatusDraft {
		return v, Errorf(ErrConflict, "This record has been submitted for signatures and can no longer be changed")
	}
	if !v.CanEdit {
		v.Problems = storedProblems()
		return v, Errorf(ErrForbidden, "You have no part of this record to fill in")
	}
	data := v.Access.KeepOthers(decode(v.Form), v.Data)
	stored := v.Data
	v.Data = data
	if revision != r.Revision {
		v.Problems = storedProblems()
		return v, Errorf(ErrConflict, "Someone else saved this record after you opened it")
	}
	// Every answer is kept as typed, valid or not (a word in a number box):
	// the problems are shown beside the fields and stop a submit, not the
	// save. Only what cannot be kept safely is refused: an answer to a
	// question the form does not ask, or text the documents cannot print.
	problems := v.Form.Validate(data, forms.Draft, s.validationContext(v.Supervisee))
	if len(problems) > 0 && !savableDraft(v.Form, data, problems, s.renderer.CanPrint) {
		v.Problems = storedProblems()
		return v, &ValidationError{Fields: problems}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	saved := *r
	saved.Data = raw
	saved.UpdatedAt = s.now()
	ev := Event{RecordID: r.ID, At: saved.UpdatedAt, ActorID: actor.ID, Action: "saved draft", Detail: detail}
	if err := s.store.SaveDraft(ctx, &saved, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			v.Problems = storedProblems()
			return v, Errorf(ErrConflict, "Someone else saved this record after you opened it")
		}
		v.Data = stored
		return nil, err
	}
	v.Record = &saved
	v.addEvent(&ev)
	v.Problems = problems
	if submit {
		return s.submit(ctx, actor, v)
	}
	return v, nil
}

// Submit checks a draft is complete and sends it for signatures. It returns
// the record as it now is; with a validation error, as it was.
func (s *Records) Submit(ctx context.Context, actor *Staff, id string) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, actor, v)
}

func (s *Records) submit(ctx context.Context, actor *Staff, v *RecordView) (*RecordView, error) {
	if err := s.fileOpen(v.Supervisee); err != nil { // a leaver's file is read-only
		return v, err
	}
	r := v.Record
	if r.Status != StatusDraft {
		return v, Errorf(ErrConflict, "This record has already been submitted for signatures")
	}
	if !v.CanSubmit {
		if IsGroup(v.Form) {
			return v, Errorf(ErrForbidden, "Only the lead can submit this record for signatures")
		}
		return v, Errorf(ErrForbidden, "Only the %s can submit this record for signatures", map[bool]string{true: "supervisor", false: "supervisee"}[Writes(v.Form, "supervisor")])
	}
	if IsGroup(v.Form) && len(attendees(v.Access.Parties)) == 0 {
		return v, &ValidationError{Message: "The record is not complete", Fields: []FieldError{{Field: "attendees", Message: "Add at least one attendee who works here before sending the record for signatures"}}}
	}
	if errs := v.Form.Validate(v.Data, forms.Final, s.validationContext(v.Supervisee)); len(errs) > 0 {
		return v, &ValidationError{Message: "The record is not complete", Fields: errs}
	}
	canon, err := v.Form.Canonical(v.Data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canon)
	sub := *r
	sub.DataSHA256 = hex.EncodeToString(sum[:])
	sub.Status = StatusAwaitingSignatures
	sub.UpdatedAt = s.now()
	ev := Event{RecordID: r.ID, At: sub.UpdatedAt, ActorID: actor.ID, Action: "submitted for signatures", Detail: "SHA-256 " + sub.DataSHA256}
	if ev.Notices, err = s.signerNotices(ctx, &RecordView{Record: &sub, Form: v.Form}, actor, ev.At, nil); err != nil {
		return nil, err
	}
	if err := s.store.SetStatus(ctx, &sub, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			return v, Errorf(ErrConflict, "Someone else changed this record after you opened it")
		}
		return nil, err
	}
	v.Record = &sub
	v.addEvent(&ev)
	v.refresh()
	s.dispatch(ctx, ev.Notices)
	return v, nil
}

// SignInput is what a signer enters.
type SignInput struct {
	Name         string `json:"name"`
	Confirm      bool   `json:"confirm"`
	Comment      string `json:"comment"`
	Disagreement string `json:"disagreement"`
	DrawingPNG   []byte `json:"-"`
	IP           string `json:"-"`
	UserAgent    string `json:"-"`
}

const maxSignatureText = 5000

func normaliseName(n string) string { return strings.ToLower(strings.Join(strings.Fields(n), " ")) }

func (in *SignInput) validate(actor *Staff, canPrint func(rune) bool) []FieldError {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		add("name", "Enter your full name to sign")
	case printout.CheckText(in.Name, "your name", printout.OneLine, canPrint) != "":
		add("name", printout.CheckText(in.Name, "your name", printout.OneLine, canPrint))
	case normaliseName(in.Name) != normaliseName(actor.Name):
		add("name", fmt.Sprintf("Enter your full name as it appears on your account: %s", actor.Name))
	}
	if !in.Confirm {
		add("confirm", "Confirm that you have read the record and agree to sign it")
	}
	for _, f := range []struct{ name, label, val string }{
		{"comment", "Comment", in.Comment}, {"disagreement", "Disagreement", in.Disagreement},
	} {
		if n := utf8.RuneCountInString(f.val); n > maxSignatureText {
			add(f.name, fmt.Sprintf("%s must be %d characters or fewer (it has %d)", f.label, maxSignatureText, n))
		} else if msg := printout.CheckText(f.val, strings.ToLower(f.label), printout.Lines, canPrint); msg != "" {
			add(f.name, msg)
		}
	}
	if len(in.DrawingPNG) > 0 {
		if len(in.DrawingPNG) > maxDrawingBytes {
			add("drawing", "The drawn signature is too large; clear it and draw it again")
		} else if plain, err := normaliseDrawing(in.DrawingPNG); err != nil {
			add("drawing", "The drawn signature could not be read; clear it and draw it again")
		} else {
			in.DrawingPNG = plain
		}
	}
	return errs
}

// Sign records the actor's signature and returns the record as it now is.
// After the last signer the record is final: its documents are rendered and
// written to the file here, once. If they cannot be written (the document
// store is down, say), the signature is kept, the view says the documents
// are pending, and a finish job on the queue (Jobs, FinishDocuments)
// finishes them, with back-off, on whichever instance takes it. With
// a validation error the view is returned too, as it was.
func (s *Records) Sign(ctx context.Context, actor *Staff, id string, in SignInput) (*RecordView, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.fileOpen(v.Supervisee); err != nil { // a leaver's file is read-only
		return nil, err
	}
	if v.Record.Status != StatusAwaitingSignatures {
		if v.Record.Status == StatusSigned {
			return v, Errorf(ErrConflict, "This record has already been signed by everyone")
		}
		return v, Errorf(ErrConflict, "This record has not been submitted for signatures yet")
	}
	if v.SignAs == "" {
		return v, Errorf(ErrForbidden, "You have already signed this record, or are not one of its signers")
	}
	if errs := in.validate(actor, s.renderer.CanPrint); len(errs) > 0 {
		return v, &ValidationError{Fields: errs}
	}
	sig := &Signature{
		RecordID: id, SignerID: actor.ID, Role: v.SignAs, Name: in.Name, SignedAt: s.now(),
		IP: in.IP, UserAgent: truncate(in.UserAgent, 500), Comment: in.Comment, Disagreement: in.Disagreement,
		DrawingPNG: in.DrawingPNG, DataSHA256: v.Record.DataSHA256,
	}
	detail := "as " + v.SignAs
	if in.Disagreement != "" {
		detail += ", recording disagreement"
	}
	ev := Event{RecordID: id, At: sig.SignedAt, ActorID: actor.ID, Action: "signed", Detail: detail}
	// The emails this signature owes, stored with it: about a disagreement,
	// and to the signers it lets sign now. Those are decided inside the
	// signature's transaction, from the signatures committed by then
	// (signerOwed), not from v, read before: of two people signing at the
	// same moment, whichever commits last tells a signer who waited for
	// both.
	if in.Disagreement != "" {
		if ev.Notices, err = s.disagreementNotices(ctx, v, actor, sig.Role); err != nil {
			return nil, err
		}
	}
	owed, err := s.signerOwed(ctx, v, actor, sig.Role, ev.At)
	if err != nil {
		return nil, err
	}
	var told []Notice
	if err := s.store.AddSignatureOwing(ctx, sig, ev, func(signed map[string]bool) []Notice {
		told = owed(signed)
		return told
	}); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, Errorf(ErrConflict, "This record has already been signed as %s", v.SignAs)
		}
		return nil, err
	}
	ev.Notices = append(ev.Notices, told...)
	if err := s.logActor(ctx, actor, v.Access.Role(), ActSign, v.Record.StaffID, id, detail); err != nil {
		return nil, err
	}
	// Another party may have signed since the record was read: the
	// signatures, not this request, decide whether the record is complete.
	sigs, err := s.store.Signatures(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(sigs) == len(v.Signatures)+1 || !v.eventsRead {
		v.addEvent(&ev)
	} else if v.Events, err = s.store.Events(ctx, id); err != nil {
		return nil, err
	}
	v.Signatures = sigs
	v.refresh()
	s.dispatch(ctx, ev.Notices)
	if !v.DocumentsPending {
		return v, nil
	}
	if err := s.finalize(ctx, v, actor); err != nil {
		if !errors.As(err, new(*crashError)) {
			s.log.Warn("signed, documents pending", "record", id, "err", err)
		}
		s.finishLater(ctx, v)
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
