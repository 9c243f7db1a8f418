package supervision

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// The document store is the file: every signed record version has a
// record.json beside its documents, naming the people in it. Reindex
// rebuilds the database's index of signed records from those objects, so a
// lost or damaged database can be recovered from the bucket alone.

// ReindexReport says what Reindex did.
type ReindexReport struct {
	Found        int      // record.json objects in the store
	Indexed      int      // records added to the index
	Adopted      int      // records awaiting documents that were finalised from objects already written
	AlreadyThere int      // records the index already had
	StaffCreated []string // people named in the file who were missing from the database
	Problems     []string // objects that could not be indexed, and why
}

// Reindex reads every record.json in the store and adds to the database each
// signed record it does not have, with its signatures, audit trail and
// documents. People it names who are not in the database are added as staff
// without a password (an administrator sets one); a supervisee with no
// supervisor on record gets the one named in their latest record. A record
// that is in the database awaiting its documents, whose objects were written
// before a failure, is finalised with them. Reindex changes nothing that is
// already indexed and can be run again.
func (s *Admin) Reindex(ctx context.Context) (*ReindexReport, error) {
	lister, ok := s.blobs.(BlobLister)
	if !ok {
		return nil, errors.New("reindex: this document store cannot list its objects")
	}
	keys, err := lister.List(ctx, "files/")
	if err != nil {
		return nil, fmt.Errorf("reindex: %w", err)
	}
	rep := &ReindexReport{}
	latestSupervisor := map[string]*person{} // supervisee id → supervisor in their newest record
	latestAt := map[string]time.Time{}
	for _, key := range keys {
		if !strings.HasSuffix(key, "/record.json") {
			continue
		}
		rep.Found++
		rj, raw, err := s.readRecordJSON(ctx, key)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", key, err))
			continue
		}
		if err := s.indexOne(ctx, key, rj, raw, rep); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", key, err))
			continue
		}
		if rj.Supervisor != nil && rj.Record.SignedAt.After(latestAt[rj.Supervisee.ID]) {
			latestSupervisor[rj.Supervisee.ID], latestAt[rj.Supervisee.ID] = rj.Supervisor, rj.Record.SignedAt
		}
	}
	for superviseeID, sup := range latestSupervisor {
		rels, err := s.store.Relationships(ctx, superviseeID)
		if err != nil || len(rels) > 0 {
			continue
		}
		if _, err := s.store.GetStaff(ctx, sup.ID); err != nil {
			continue // an already indexed record whose supervisor has since gone
		}
		rel := &Relationship{ID: newID(), SuperviseeID: superviseeID, SupervisorID: sup.ID, From: dateOf(latestAt[superviseeID])}
		if err := s.store.SetSupervisor(ctx, rel); err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("supervisor of %s: %v", superviseeID, err))
		}
	}
	return rep, nil
}

func (s *Admin) readRecordJSON(ctx context.Context, key string) (*RecordJSON, []byte, error) {
	raw, err := s.readObject(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	var rj RecordJSON
	if err := json.Unmarshal(raw, &rj); err != nil {
		return nil, nil, fmt.Errorf("not a record.json: %v", err)
	}
	switch {
	case rj.Record.ID == "" || rj.Supervisee == nil || rj.Supervisee.ID == "":
		return nil, nil, errors.New("record.json names no record or supervisee")
	case key != RecordPrefix(rj.Supervisee.ID, cmp.Or(rj.Record.Series, rj.Record.ID), rj.Record.Version)+"record.json":
		return nil, nil, fmt.Errorf("record.json describes record %s version %d of %s, which belongs elsewhere",
			rj.Record.ID, rj.Record.Version, rj.Supervisee.ID)
	case rj.Record.SignedAt.IsZero():
		return nil, nil, errors.New("record.json has no signing time")
	}
	return &rj, raw, nil
}

func (s *Admin) readObject(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (s *Admin) indexOne(ctx context.Context, key string, rj *RecordJSON, raw []byte, rep *ReindexReport) error {
	prefix := strings.TrimSuffix(key, "record.json")
	// The documents must be there and be what record.json says they are.
	var docs []*Document
	for _, d := range rj.Documents {
		k := prefix + d.Name
		b, err := s.readObject(ctx, k)
		if err != nil {
			return fmt.Errorf("document %s: %w", d.Name, err)
		}
		if got := sha(b); got != d.SHA256 {
			return fmt.Errorf("document %s has SHA-256 %s, but record.json says %s", d.Name, got, d.SHA256)
		}
		kind := d.Name[strings.LastIndexByte(d.Name, '.')+1:]
		docs = append(docs, &Document{RecordID: rj.Record.ID, Version: rj.Record.Version, Kind: kind, Key: k, SHA256: d.SHA256, Size: int64(len(b))})
	}
	docs = append(docs, &Document{RecordID: rj.Record.ID, Version: rj.Record.Version, Kind: "json", Key: key, SHA256: sha(raw), Size: int64(len(raw))})
	// So must the attachments.
	var atts []*Attachment
	for _, a := range rj.Attachments {
		if a.ID == "" || a.File == "" || CheckAttachmentFile(a.File) != nil {
			return fmt.Errorf("attachment %q is not named properly", a.Name)
		}
		k := prefix + a.File
		b, err := s.readObject(ctx, k)
		if err != nil {
			return fmt.Errorf("attachment %s: %w", a.File, err)
		}
		if got := sha(b); got != a.SHA256 {
			return fmt.Errorf("attachment %s has SHA-256 %s, but record.json says %s", a.File, got, a.SHA256)
		}
		at := &Attachment{ID: a.ID, RecordID: rj.Record.ID, Name: a.Name, Description: a.Description,
			FileName: a.File[strings.LastIndexByte(a.File, '/')+1:], ContentType: a.ContentType, Size: int64(len(b)), SHA256: a.SHA256,
			Key: k, UploadedAt: a.UploadedAt}
		if _, after, ok := strings.Cut(at.FileName, "-"); ok && after != "" {
			at.FileName = after
		}
		if a.UploadedBy != nil {
			at.UploadedBy = a.UploadedBy.ID
		}
		atts = append(atts, at)
	}

	existing, err := s.store.GetRecord(ctx, rj.Record.ID)
	switch {
	case err == nil && existing.Status == StatusSigned:
		// Attachments a crash kept from being indexed with their record.
		if err := s.store.ImportAttachments(ctx, atts); err != nil {
			return err
		}
		rep.AlreadyThere++
		return nil
	case err == nil && existing.Status == StatusAwaitingSignatures:
		// Signed, but the documents' row was never written: adopt them.
		at := rj.Record.SignedAt
		existing.Status, existing.SignedAt, existing.UpdatedAt = StatusSigned, &at, at
		ev := Event{RecordID: existing.ID, At: s.now(), ActorID: "system", Action: "finalised", Detail: "documents adopted from the file by reindex"}
		if err := s.store.Finalize(ctx, existing, docs, ev); err != nil {
			return err
		}
		if err := s.store.ImportAttachments(ctx, atts); err != nil {
			return err
		}
		rep.Adopted++
		return nil
	case err == nil:
		return fmt.Errorf("the database holds record %s as a %s, but the file holds it signed", existing.ID, existing.Status)
	case !errors.Is(err, ErrNotFound):
		return err
	}

	people := []*person{rj.Supervisee, rj.Supervisor}
	for _, sg := range rj.Signatures {
		people = append(people, sg.Signer)
	}
	for _, p := range rj.Parties {
		people = append(people, p.Person)
	}
	known := map[string]bool{}
	for _, p := range people {
		if p == nil || p.ID == "" || known[p.ID] {
			continue
		}
		known[p.ID] = true
		if err := s.ensurePerson(ctx, p, rj.Record.CreatedAt, rep); err != nil {
			return err
		}
	}

	signedAt := rj.Record.SignedAt
	r := &Record{
		ID: rj.Record.ID, StaffID: rj.Supervisee.ID, FormID: rj.Record.Form, FormVersion: rj.Record.FormVersion,
		Version: rj.Record.Version, Status: StatusSigned, Revision: 1, Data: rj.Data,
		CreatedAt: rj.Record.CreatedAt, UpdatedAt: signedAt, SignedAt: &signedAt, DataSHA256: rj.DataSHA256,
	}
	var evs []*Event
	for _, e := range rj.Events {
		actor := ""
		if e.Actor != nil {
			actor = e.Actor.ID
		}
		if r.AuthorID == "" && e.Action == "created" && known[actor] {
			r.AuthorID = actor
		}
		evs = append(evs, &Event{RecordID: r.ID, At: e.At, ActorID: actor, Action: e.Action, Detail: e.Detail})
	}
	if r.AuthorID == "" {
		r.AuthorID = r.StaffID
		if rj.Supervisor != nil {
			r.AuthorID = rj.Supervisor.ID
		}
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = signedAt
	}
	var sigs []*Signature
	for _, sg := range rj.Signatures {
		if sg.Signer == nil {
			return fmt.Errorf("the %s signature names no signer", sg.Role)
		}
		// The drawn signature is in the documents, not in record.json.
		sigs = append(sigs, &Signature{RecordID: r.ID, SignerID: sg.Signer.ID, Role: sg.Role, Name: sg.TypedName,
			SignedAt: sg.SignedAt, IP: sg.IP, UserAgent: sg.UserAgent, Comment: sg.Comment, Disagreement: sg.Disagreement,
			DataSHA256: sg.DataSHA256})
	}
	if err := s.store.ImportRecord(ctx, r, sigs, evs, docs); err != nil {
		if errors.Is(err, ErrConflict) {
			rep.AlreadyThere++ // indexed by another run meanwhile
			return nil
		}
		return err
	}
	// Importing again changes nothing, so a rerun after a crash here is safe.
	if err := s.store.ImportAttachments(ctx, atts); err != nil {
		return err
	}
	if rj.Record.Series != "" && rj.Record.Series != r.ID {
		// A later version: filed under its first version again.
		if err := s.store.SetSeries(ctx, r.ID, rj.Record.Series); err != nil {
			return err
		}
	}
	for _, p := range rj.Parties {
		if p.Person == nil || p.Person.ID == "" || p.Role == "" {
			continue
		}
		// Naming again changes nothing, so a rerun after a crash here is safe.
		if err := s.store.AddRecordParty(ctx, &RecordParty{RecordID: r.ID, StaffID: p.Person.ID, Role: p.Role, AddedBy: "reindex", AddedAt: p.AddedAt}); err != nil {
			return err
		}
	}
	rep.Indexed++
	return nil
}

// ensurePerson adds someone named in the file who is missing from the
// database, without a password: an administrator sets one before they can
// sign in.
func (s *Admin) ensurePerson(ctx context.Context, p *person, since time.Time, rep *ReindexReport) error {
	if _, err := s.store.GetStaff(ctx, p.ID); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	role := RoleCategory(p.Role)
	if !validRole(p.Role) {
		role = RoleSocialWorker
	}
	st := &Staff{ID: p.ID, Name: p.Name, Email: p.Email, JobTitle: p.JobTitle, Role: role, StartDate: dateOf(since), CreatedAt: s.now()}
	if st.Email == "" {
		st.Email = p.ID + "@restored.invalid"
	}
	err := s.store.CreateStaff(ctx, st)
	if errors.Is(err, ErrConflict) {
		// The email now belongs to another account: keep the person, under
		// an address that cannot be mistaken for a real one.
		st.Email = p.ID + "@restored.invalid"
		err = s.store.CreateStaff(ctx, st)
	}
	if err != nil {
		return fmt.Errorf("restore %s (%s): %w", p.Name, p.ID, err)
	}
	rep.StaffCreated = append(rep.StaffCreated, p.Name+" ("+p.ID+")")
	return nil
}

func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
