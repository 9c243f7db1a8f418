package supervision_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// signed makes a fully signed agreement.
func (w *world) signed(tb testing.TB, comment string) *supervision.Record {
	tb.Helper()
	ctx := context.Background()
	r := w.submitted(tb)
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true, Comment: comment}); err != nil {
		tb.Fatal(err)
	}
	v, err := w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true})
	if err != nil {
		tb.Fatal(err)
	}
	if v.Record.Status != supervision.StatusSigned {
		tb.Fatalf("record is %s after both signed", v.Record.Status)
	}
	return v.Record
}

// listing is what a file shows of each record: enough to tell that a
// rebuilt index is the same.
type listed struct {
	ID, Form, Status string
	Version          int
	SignedAt         time.Time
	DataSHA256       string
	Signers          []string
	Documents        []string // kind and SHA-256
}

func fileListing(t *testing.T, svc *supervision.Service, actor *supervision.Staff, staffID string) []listed {
	t.Helper()
	fv, err := svc.Files.File(context.Background(), actor, staffID)
	if err != nil {
		t.Fatalf("File: %v", err)
	}
	var out []listed
	for _, e := range fv.Records {
		l := listed{ID: e.Record.ID, Form: e.Record.FormID, Status: string(e.Record.Status), Version: e.Record.Version,
			DataSHA256: e.Record.DataSHA256}
		if e.Record.SignedAt != nil {
			l.SignedAt = e.Record.SignedAt.UTC()
		}
		for _, s := range e.Signatures {
			l.Signers = append(l.Signers, s.Role+":"+s.SignerID+":"+s.Name+":"+s.Comment)
		}
		for _, d := range e.Documents {
			l.Documents = append(l.Documents, d.Kind+":"+d.SHA256)
		}
		slices.Sort(l.Documents)
		out = append(out, l)
	}
	return out
}

// serviceOn is a new service with an empty database over the same
// documents, as after the database is lost.
func serviceOn(t *testing.T, blobs supervision.Blobs) (*supervision.Service, *storage.DB) {
	t.Helper()
	db, err := storage.OpenSQLite(filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return supervision.New(db, blobs, cat, r, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council", Location: time.UTC}, nil), db
}

func TestReindexRebuildsTheFile(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, c := range []string{"First — diolch.", "Second.", "Third."} {
		w.signed(t, c)
	}
	w.submitted(t) // a draft awaiting signatures is not in the file's documents
	before := fileListing(t, w.svc, w.supervisor, w.supervisee.ID)

	svc, db := serviceOn(t, w.blobs)
	rep, err := svc.Admin.Reindex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Found != 3 || rep.Indexed != 3 || len(rep.Problems) != 0 {
		t.Fatalf("reindex report: %+v", rep)
	}
	if len(rep.StaffCreated) != 2 {
		t.Errorf("staff restored: %q, want the supervisee and the supervisor", rep.StaffCreated)
	}
	after := fileListing(t, svc, w.supervisor, w.supervisee.ID)
	var signedBefore []listed
	for _, l := range before {
		if l.Status == "signed" {
			signedBefore = append(signedBefore, l)
		}
	}
	if diff := cmp.Diff(signedBefore, after); diff != "" {
		t.Errorf("file after reindex (-before +after):\n%s", diff)
	}
	// The people come back as they were, without a password.
	st, err := db.GetStaff(ctx, w.supervisee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != w.supervisee.Name || st.Email != w.supervisee.Email || st.JobTitle != w.supervisee.JobTitle || st.Role != w.supervisee.Role || st.PasswordHash != "" {
		t.Errorf("restored supervisee = %+v", st)
	}
	// Documents still download, and again reindexing changes nothing.
	if _, err := svc.Records.OpenDocument(ctx, w.supervisee, after[0].ID, "pdf"); err != nil {
		t.Errorf("download after reindex: %v", err)
	}
	rep, err = svc.Admin.Reindex(ctx)
	if err != nil || rep.Indexed != 0 || rep.AlreadyThere != 3 {
		t.Errorf("second reindex: %+v, %v", rep, err)
	}
}

func TestReindexRefusesAChangedDocument(t *testing.T) {
	w := newWorld(t)
	r := w.signed(t, "")
	pdf := filepath.Join(w.dir, "documents", filepath.FromSlash(supervision.RecordPrefix(w.supervisee.ID, r.ID, 1)), "supervision-agreement.pdf")
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(pdf, b, 0o640); err != nil {
		t.Fatal(err)
	}
	svc, _ := serviceOn(t, w.blobs)
	rep, err := svc.Admin.Reindex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indexed != 0 || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "SHA-256") {
		t.Errorf("reindex of a changed document: %+v", rep)
	}
	// And an export of the original file refuses to carry it.
	if err := w.svc.Files.Export(context.Background(), w.admin, w.supervisee.ID, "test", io.Discard); err == nil || !strings.Contains(err.Error(), "changed since it was signed") {
		t.Errorf("export of a changed document: %v", err)
	}
}

func TestExportIsCheckableWithSha256sum(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r1 := w.signed(t, "one")
	r2 := w.signed(t, "two")
	if err := w.svc.Files.Export(ctx, w.supervisor, w.supervisee.ID, "test", io.Discard); err == nil {
		t.Error("a supervisor could export a file")
	}
	var buf bytes.Buffer
	if err := w.svc.Files.Export(ctx, w.admin, w.supervisee.ID, "subject access request", &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	root := supervision.ExportName(w.supervisee.ID) + "/"
	for _, r := range []*supervision.Record{r1, r2} {
		for _, n := range []string{"supervision-agreement.pdf", "supervision-agreement.docx", "record.json"} {
			want := root + "records/" + r.ID + "/v1/" + n
			if !slices.Contains(names, want) {
				t.Errorf("export lacks %s; has %q", want, names)
			}
		}
	}
	needs.Tools(t, "sha256sum")
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = filepath.Join(dir, supervision.ExportName(w.supervisee.ID))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), ": OK"); n != 7 {
		t.Errorf("sha256sum checked %d files, want 7 (staff.json and three per record):\n%s", n, out)
	}
}

func TestFrontPageListsTheFile(t *testing.T) {
	needs.Tools(t, "pdftotext")
	w := newWorld(t)
	ctx := context.Background()
	w.signed(t, "")
	w.signed(t, "")
	w.submitted(t) // not yet in the file
	d, err := w.svc.Files.FrontPage(ctx, w.supervisee, w.supervisee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Listing || len(d.Sections) != 7 {
		t.Fatalf("front page: listing %v, %d sections", d.Listing, len(d.Sections))
	}
	agreements := d.Sections[2]
	if agreements.Title != "2. Supervision agreement" || agreements.Fields[0].Table == nil || len(agreements.Fields[0].Table.Rows) != 2 {
		t.Fatalf("agreement section = %+v", agreements)
	}
	row := agreements.Fields[0].Table.Rows[0]
	if row[0] != "Supervision agreement" || !strings.Contains(row[2], w.supervisee.Name) || !strings.Contains(row[2], w.supervisor.Name) {
		t.Errorf("agreement row = %q", row)
	}
	if d.Sections[0].Fields[0].Value != "Nothing has been added to this section yet." {
		t.Errorf("empty section = %+v", d.Sections[0])
	}
	pdf, err := w.svc.Files.FrontPagePDF(ctx, w.supervisor, w.supervisee.ID)
	if err != nil {
		t.Fatal(err)
	}
	text, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(text, "Supervision file: front page", "4. Practice observation", "Date added to file", w.supervisee.Name) {
		t.Errorf("front page PDF lacks %q", m)
	}
	if strings.Contains(text, "Audit trail") || strings.Contains(text, "No one has signed") {
		t.Error("the front page has signature or audit pages")
	}
	// Someone who is not a party to the file gets nothing.
	other, err := w.svc.People.CreateStaff(ctx, w.admin, supervision.NewStaff{Name: "Other Person", Email: "other@testshire.gov.uk",
		JobTitle: "Social Worker", Role: "social_worker", StartDate: "2024-01-08", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Files.FrontPagePDF(ctx, other, w.supervisee.ID); !errors.Is(err, supervision.ErrNotFound) {
		t.Errorf("outsider's front page: %v, want ErrNotFound", err)
	}
}

// With nobody asking for the record, finishing the pending records completes
// it once the store is back; while the store is down it stays pending.
func TestPendingDocumentsAreRetriedInTheBackground(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.submitted(t)
	w.submitted(t) // awaiting signatures: not pending, must be left alone
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	w.blobs.setDown(true)
	if _, err := w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	done, pending, err := w.svc.Records.FinalizePending(ctx)
	if err != nil || done != 0 || pending != 1 {
		t.Fatalf("while the store is down: done %d pending %d err %v", done, pending, err)
	}
	w.blobs.setDown(false)
	// The periodic sweep lists only the pending record, not the one still
	// awaiting signatures.
	if ids, err := w.svc.Records.PendingDocuments(ctx); err != nil || len(ids) != 1 || ids[0] != r.ID {
		t.Fatalf("pending documents: %v %v, want [%s]", ids, err, r.ID)
	}
	if done, pending, err := w.svc.Records.FinalizePending(ctx); err != nil || done != 1 || pending != 0 {
		t.Fatalf("once the store is back: done %d pending %d err %v", done, pending, err)
	}
	if ids, err := w.svc.Records.PendingDocuments(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("pending documents after: %v %v", ids, err)
	}
	evs, err := w.svc.Records.Record(ctx, w.supervisee, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Records.History(ctx, evs); err != nil || len(evs.Events) == 0 {
		t.Fatalf("history: %v, %d events", err, len(evs.Events))
	}
	last := evs.Events[len(evs.Events)-1]
	if last.Action != "finalised" || last.ActorID != "system" {
		t.Errorf("last event = %+v, want finalised by the system", last)
	}
}
