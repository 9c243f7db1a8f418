package supervision

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// RecordPrefix is where a record version's objects live in the file.
func RecordPrefix(staffID, recordID string, version int) string {
	return fmt.Sprintf("files/%s/records/%s/v%d/", staffID, recordID, version)
}

// person is how record.json names someone, so that the file alone says who
// signed even if the database is lost.
type person struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	JobTitle string `json:"job_title"`
	Role     string `json:"role,omitempty"`
}

func personOf(s *Staff) *person {
	if s == nil {
		return nil
	}
	return &person{ID: s.ID, Name: s.Name, Email: s.Email, JobTitle: s.JobTitle, Role: string(s.Role)}
}

// RecordJSON is the canonical description of a signed record version, kept
// beside its documents.
type RecordJSON struct {
	Record struct {
		ID string `json:"id"`
		// Series is the first version's id, on a later version of a
		// record (whose objects are kept under it).
		Series      string    `json:"series,omitempty"`
		Form        string    `json:"form"`
		FormVersion int       `json:"form_version"`
		FormTitle   string    `json:"form_title"`
		Version     int       `json:"version"`
		CreatedAt   time.Time `json:"created_at"`
		SignedAt    time.Time `json:"signed_at"`
	} `json:"record"`
	Organisation string          `json:"organisation"`
	Supervisee   *person         `json:"supervisee"`
	Supervisor   *person         `json:"supervisor,omitempty"`
	Data         json.RawMessage `json:"data"`
	DataSHA256   string          `json:"data_sha256"`
	Signatures   []jsonSignature `json:"signatures"`
	// Parties are the people named on the record (access.go): an invited
	// observer, a senior manager, a file audit's auditor and subject.
	Parties   []jsonParty    `json:"parties,omitempty"`
	Events    []jsonEvent    `json:"events"`
	Documents []jsonDocument `json:"documents"`
	// Attachments are the files kept with the record, under
	// attachments/ beside the documents (attachments.go).
	Attachments []jsonAttachment `json:"attachments,omitempty"`
}

type jsonAttachment struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	File        string    `json:"file"` // attachments/<id>-<file name>, beside record.json
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	UploadedBy  *person   `json:"uploaded_by,omitempty"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

type jsonSignature struct {
	Signer        *person   `json:"signer"`
	Role          string    `json:"role"`
	TypedName     string    `json:"typed_name"`
	SignedAt      time.Time `json:"signed_at"`
	IP            string    `json:"ip,omitempty"`
	UserAgent     string    `json:"user_agent,omitempty"`
	Comment       string    `json:"comment,omitempty"`
	Disagreement  string    `json:"disagreement,omitempty"`
	DrawingSHA256 string    `json:"drawing_sha256,omitempty"`
	DataSHA256    string    `json:"data_sha256"`
}

type jsonParty struct {
	Person  *person   `json:"person"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"added_at"`
}

type jsonEvent struct {
	At     time.Time `json:"at"`
	Actor  *person   `json:"actor,omitempty"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

type jsonDocument struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// finalize renders and stores the documents of a record every party has
// signed, then marks it signed, and brings v up to date. Objects are written
// before the row, so a crash leaves at most an orphan object, never a row
// that points at nothing. It is called by Sign after the last signature and
// by the finish job (FinishDocuments), and by nothing else.
func (s *Records) finalize(ctx context.Context, v *RecordView, actor *Staff) error {
	signedAt := s.now()
	finalEvent := Event{RecordID: v.Record.ID, At: signedAt, ActorID: actor.ID, Action: "finalised", Detail: "documents written to the file"}
	docs, err := s.writeDocuments(ctx, v, finalEvent)
	if crash := (*crashError)(nil); errors.As(err, &crash) {
		s.noteFailure(ctx, v, crash)
	}
	if err != nil {
		return err
	}
	r := *v.Record
	r.Status = StatusSigned
	r.SignedAt = &signedAt
	r.UpdatedAt = signedAt
	finalEvent.Notices = s.signedNotices(v)
	if err := s.store.Finalize(ctx, &r, docs, finalEvent); err != nil {
		if !errors.Is(err, ErrConflict) {
			return err
		}
		// Another request finalised it first: show what it stored.
		stored, err := s.store.GetRecord(ctx, r.ID)
		if err != nil {
			return err
		}
		fresh, err := s.view(ctx, stored, v.Supervisor)
		if err != nil {
			return err
		}
		party, acc := v.ActorParty, v.Access
		*v = *fresh
		v.ActorParty, v.Access = party, acc
		v.refresh()
		return nil
	}
	if v.DocumentsFailed != nil {
		if err := s.store.ClearDocumentsFailure(ctx, r.ID); err != nil {
			s.log.Warn("could not clear the documents failure", "record", r.ID, "err", err)
		}
		v.DocumentsFailed = nil
	}
	v.Record = &r
	// In the order the store lists them.
	slices.SortFunc(docs, func(a, b *Document) int {
		return cmp.Or(a.Version-b.Version, strings.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key))
	})
	v.Documents = docs
	v.addEvent(&finalEvent)
	v.refresh()
	s.dispatch(ctx, finalEvent.Notices)
	return nil
}

// writeDocuments renders the PDF and DOCX of a fully signed record, hashes
// them and writes them with record.json into the file. It changes no row.
func (s *Records) writeDocuments(ctx context.Context, v *RecordView, finalEvent Event) ([]*Document, error) {
	r := v.Record
	signedAt := finalEvent.At
	people := map[string]*Staff{}
	lookup := func(id string) *Staff {
		if st, ok := people[id]; ok {
			return st
		}
		st, err := s.store.GetStaff(ctx, id)
		if err != nil {
			st = nil
		}
		people[id] = st
		return st
	}
	// The documents carry the whole audit trail, read here if the view
	// has none (History).
	events := v.Events
	if !v.eventsRead {
		var err error
		if events, err = s.store.Events(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	events = append(append([]*Event{}, events...), &finalEvent)
	doc := s.document(v, events, lookup)

	var pdf, docx []byte
	g, gctx := errgroup.WithContext(ctx)
	// A crash in the renderer or the sealer is recovered here (guard), in
	// the goroutine it happens in, and reported as a *crashError.
	g.Go(func() error {
		return guard("making the PDF", func() (err error) { pdf, err = s.renderer.PDF(gctx, doc); return })
	})
	g.Go(func() error {
		return guard("making the Word document", func() (err error) { docx, err = s.renderer.DOCX(gctx, doc); return })
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("render record %s: %w", r.ID, err)
	}
	if s.cfg.Seal != nil {
		var sealed []byte
		err := guard("sealing the PDF", func() (err error) {
			sealed, err = s.cfg.Seal.Seal(pdf, SealInfo{Name: s.cfg.OrgName, Reason: sealReason(r.ID, r.Version),
				Location: s.cfg.OrgName, SignedAt: signedAt})
			return
		})
		if err != nil {
			return nil, fmt.Errorf("seal record %s: %w", r.ID, err)
		}
		pdf = sealed
	}

	// A later version is kept beside the first: files/<staff>/records/<first>/v<n>/.
	prefix := RecordPrefix(r.StaffID, r.Series(), r.Version)
	// put writes one object and returns its row; an object already there
	// was left by an earlier attempt that wrote objects but not the row:
	// adopt it, since it is what the file holds.
	put := func(name, kind, ctype string, data []byte) (*Document, error) {
		key := prefix + name
		sum := sha(data)
		err := s.blobs.Put(ctx, key, data, ctype)
		if errors.Is(err, ErrConflict) {
			rc, gerr := s.blobs.Get(ctx, key)
			if gerr != nil {
				return nil, gerr
			}
			existing, rerr := io.ReadAll(rc)
			rc.Close()
			if rerr != nil {
				return nil, rerr
			}
			data, sum, err = existing, sha(existing), nil
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", key, err)
		}
		return &Document{RecordID: r.ID, Version: r.Version, Kind: kind, Key: key, SHA256: sum, Size: int64(len(data))}, nil
	}
	// The PDF and the DOCX go in together (each a round trip to S3);
	// record.json, which names their hashes, after them.
	docs := make([]*Document, 2)
	g = &errgroup.Group{}
	g.Go(func() (err error) { docs[0], err = put(r.FormID+".pdf", "pdf", "application/pdf", pdf); return })
	g.Go(func() (err error) {
		docs[1], err = put(r.FormID+".docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx)
		return
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	rj := s.recordJSON(v, events, signedAt, docs, lookup)
	parties, err := s.store.RecordParties(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range parties {
		rj.Parties = append(rj.Parties, jsonParty{Person: personOf(lookup(p.StaffID)), Role: p.Role, AddedAt: p.AddedAt})
	}
	raw, err := json.MarshalIndent(rj, "", "  ")
	if err != nil {
		return nil, err
	}
	d, err := put("record.json", "json", "application/json", raw)
	if err != nil {
		return nil, err
	}
	docs = append(docs, d)
	return docs, nil
}

func (s *Records) recordJSON(v *RecordView, events []*Event, signedAt time.Time, docs []*Document, lookup func(string) *Staff) *RecordJSON {
	r := v.Record
	rj := &RecordJSON{Organisation: s.cfg.OrgName, Supervisee: personOf(v.Supervisee), Supervisor: personOf(v.Supervisor),
		Data: json.RawMessage(r.Data), DataSHA256: r.DataSHA256}
	rj.Record.ID, rj.Record.Form, rj.Record.FormVersion, rj.Record.FormTitle = r.ID, r.FormID, r.FormVersion, v.Form.Title
	rj.Record.Version, rj.Record.CreatedAt, rj.Record.SignedAt = r.Version, r.CreatedAt, signedAt
	rj.Record.Series = r.SeriesID
	for _, sg := range v.Signatures {
		js := jsonSignature{Signer: personOf(lookup(sg.SignerID)), Role: sg.Role, TypedName: sg.Name, SignedAt: sg.SignedAt,
			IP: sg.IP, UserAgent: sg.UserAgent, Comment: sg.Comment, Disagreement: sg.Disagreement, DataSHA256: sg.DataSHA256}
		if len(sg.DrawingPNG) > 0 {
			js.DrawingSHA256 = sha(sg.DrawingPNG)
		}
		rj.Signatures = append(rj.Signatures, js)
	}
	for _, e := range events {
		rj.Events = append(rj.Events, jsonEvent{At: e.At, Actor: personOf(lookup(e.ActorID)), Action: e.Action, Detail: e.Detail})
	}
	for _, d := range docs {
		rj.Documents = append(rj.Documents, jsonDocument{Name: d.Key[strings.LastIndex(d.Key, "/")+1:], SHA256: d.SHA256, Size: d.Size})
	}
	prefix := RecordPrefix(r.StaffID, r.Series(), r.Version)
	for _, a := range v.Attachments {
		rj.Attachments = append(rj.Attachments, jsonAttachment{ID: a.ID, Name: a.Name, Description: a.Description,
			File: strings.TrimPrefix(a.Key, prefix), ContentType: a.ContentType, SHA256: a.SHA256, Size: a.Size,
			UploadedBy: personOf(lookup(a.UploadedBy)), UploadedAt: a.UploadedAt})
	}
	return rj
}

// document builds what render prints from a record.
func (s *Records) document(v *RecordView, events []*Event, lookup func(string) *Staff) printout.Document {
	r := v.Record
	// Names and job titles come from the staff list, not the signed data;
	// one kept from before they were checked at input prints with "?" for
	// what the fonts lack, rather than hold the record's documents up.
	pr := func(t string) string { return printout.Printable(t, s.renderer.CanPrint) }
	name := func(id string) string {
		if st := lookup(id); st != nil {
			return pr(st.Name)
		}
		return id
	}
	d := printout.Document{
		OrgName:      s.cfg.OrgName,
		Title:        v.Form.Title,
		Reference:    fmt.Sprintf("Record %s, version %d", r.ID, r.Version),
		Confidential: v.Form.Confidential,
		Declaration:  v.Form.Declaration,
		DataSHA256:   r.DataSHA256,
	}
	d.Subtitle = fmt.Sprintf("%s (%s)", pr(v.Supervisee.Name), pr(v.Supervisee.JobTitle))
	if v.Supervisor != nil {
		d.Subtitle += fmt.Sprintf(", supervised by %s (%s)", pr(v.Supervisor.Name), pr(v.Supervisor.JobTitle))
	}
	for _, ps := range v.Form.Print(v.Data, name) {
		sec := printout.Section{Title: ps.Title, Intro: ps.Intro, Statement: ps.Statement, Pairs: ps.Layout != ""}
		for _, f := range ps.Fields {
			rf := printout.Field{Label: f.Label, Value: f.Value}
			if f.IsTable {
				rf.Table = &printout.Table{Columns: f.Columns, Rows: f.Rows}
			}
			sec.Fields = append(sec.Fields, rf)
		}
		if g := ps.Grid; g != nil {
			pg := &printout.Grid{Columns: g.Columns, RowLabels: g.RowLabels}
			for _, r := range g.Rows {
				pr := printout.GridRow{Label: r.Label}
				for _, c := range r.Cells {
					pr.Cells = append(pr.Cells, printout.Cell{Text: c.Text, RAG: c.RAG})
				}
				pg.Rows = append(pg.Rows, pr)
			}
			sec.Grid, sec.GridAt = pg, ps.GridAt
		}
		d.Sections = append(d.Sections, sec)
	}
	if len(v.Attachments) > 0 {
		d.Attachments = attachmentsOf(v.Attachments, pr)
		d.Sections = append(d.Sections, printout.AttachmentsSection(d.Attachments))
	}
	// Signatures print in the form's order of signers, whatever the order
	// they signed in; each under the name on the signer's staff record,
	// with the name they typed beside it.
	labels := map[string]string{}
	order := map[string]int{}
	for i, sg := range v.Form.Signers {
		labels[sg.Role] = sg.Label
		order[sg.Role] = i
	}
	sigs := slices.Clone(v.Signatures)
	slices.SortStableFunc(sigs, func(a, b *Signature) int {
		oa, ok := order[a.Role]
		if !ok {
			oa = len(order)
		}
		ob, ok := order[b.Role]
		if !ok {
			ob = len(order)
		}
		return oa - ob
	})
	for _, sg := range sigs {
		rs := printout.Signature{Role: labels[sg.Role], Name: sg.Name, TypedName: sg.Name, SignedAt: sg.SignedAt.In(s.cfg.Location),
			Comment: sg.Comment, Disagreement: sg.Disagreement, DrawingPNG: sg.DrawingPNG}
		if st := lookup(sg.SignerID); st != nil {
			rs.Name = pr(st.Name)
			rs.JobTitle = pr(st.JobTitle)
		}
		d.Signatures = append(d.Signatures, rs)
	}
	for _, e := range events {
		d.Audit = append(d.Audit, printout.Event{At: e.At.In(s.cfg.Location), Actor: name(e.ActorID), Action: e.Action, Detail: e.Detail})
	}
	return d
}

// DocumentFile is a downloadable document.
type DocumentFile struct {
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Body        io.ReadCloser // nil when URL is set
	// URL, when the service presigns downloads, is where to fetch it from,
	// for a short while; the caller redirects there.
	URL string
}

// OpenDocument opens a signed record's PDF or DOCX for a party of it.
func (s *Records) OpenDocument(ctx context.Context, actor *Staff, id, kind string) (*DocumentFile, error) {
	v, err := s.load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if v.Record.Status != StatusSigned {
		return nil, Errorf(ErrNotFound, "This record has no documents until everyone has signed it")
	}
	for _, d := range v.Documents {
		if d.Kind != kind {
			continue
		}
		if err := s.logActor(ctx, actor, v.Access.Role(), "download-"+AccessAction(kind), v.Record.StaffID, v.Record.ID, d.Key); err != nil {
			return nil, err
		}
		ctype := map[string]string{"pdf": "application/pdf",
			"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "json": "application/json"}[kind]
		name := fmt.Sprintf("%s-%s-v%d.%s", v.Form.ID, slug(v.Supervisee.Name), d.Version, kind)
		f := &DocumentFile{Name: name, ContentType: ctype, Size: d.Size, SHA256: d.SHA256}
		if p, ok := s.blobs.(Presigner); ok && s.cfg.PresignTTL > 0 {
			u, err := p.PresignedGet(ctx, d.Key, s.cfg.PresignTTL, name)
			if err != nil {
				return nil, err
			}
			f.URL = u.String()
			return f, nil
		}
		body, err := s.blobs.Get(ctx, d.Key)
		if err != nil {
			return nil, err
		}
		f.Body = body
		return f, nil
	}
	return nil, Errorf(ErrNotFound, "No such document")
}

// slug makes a name safe for a download's file name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
