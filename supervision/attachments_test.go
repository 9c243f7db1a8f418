package supervision_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision"
)

// fakeScanner finds a "virus" in any file containing the word VIRUS.
type fakeScanner struct{ down bool }

func (f *fakeScanner) Scan(_ context.Context, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil || f.down {
		return "", errors.Join(err, errors.New("scanner down"))
	}
	if bytes.Contains(b, []byte("VIRUS")) {
		return "Test-Virus", nil
	}
	return "", nil
}

const tinyPDF = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

func attachFieldMessage(err error, field string) string {
	var ve *supervision.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestAttachmentsLife: either party attaches while the record is a draft
// or awaiting signatures; wrong types, viruses, empty and oversized files
// are refused beside the field; once someone has signed nothing changes;
// the signed PDF and DOCX name each attachment with its size and hash,
// record.json lists them, the export holds them with matching hashes and
// reindex restores them.
func TestAttachmentsLife(t *testing.T) {
	needs.Tools(t, "pdftotext")
	scanner := &fakeScanner{}
	w := newWorldWith(t, nil, nil, func(c *supervision.Config) {
		c.Attachments = supervision.AttachmentConfig{MaxBytes: 1 << 20, MaxCount: 3, Scanner: scanner}
	})
	ctx := context.Background()
	r, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", agreement())
	if err != nil {
		t.Fatal(err)
	}
	// The supervisee attaches a worksheet; the name comes from the file when none is given.
	a1, err := w.svc.Records.AddAttachment(ctx, w.supervisee, r.ID, supervision.NewAttachment{
		Description: "The reflective tool we used", FileName: `C:\Users\sian\Reflective tool (v2).PDF`, Data: []byte(tinyPDF)})
	if err != nil {
		t.Fatal(err)
	}
	if a1.Name != "Reflective tool (v2).PDF" || a1.FileName != "Reflective-tool-v2.pdf" || a1.ContentType != "application/pdf" || a1.SHA256 != hexSHA([]byte(tinyPDF)) {
		t.Errorf("attachment = %+v", a1)
	}
	if want := supervision.RecordPrefix(w.supervisee.ID, r.ID, 1) + "attachments/" + a1.ID + "-Reflective-tool-v2.pdf"; a1.Key != want {
		t.Errorf("key = %s, want %s", a1.Key, want)
	}
	for name, tc := range map[string]struct {
		in           supervision.NewAttachment
		field, wants string
	}{
		"exe as PDF": {supervision.NewAttachment{Name: "Letter", FileName: "letter.pdf", Data: append([]byte("MZ"), make([]byte, 64)...)}, "file", "is a program"},
		"virus":      {supervision.NewAttachment{Name: "Letter", FileName: "letter.pdf", Data: []byte(tinyPDF + "VIRUS")}, "file", "contains a virus (Test-Virus)"},
		"empty":      {supervision.NewAttachment{Name: "Letter", FileName: "letter.pdf"}, "file", "is empty"},
		"no file":    {supervision.NewAttachment{Name: "Letter"}, "file", "Select a file"},
		"too large":  {supervision.NewAttachment{Name: "Letter", FileName: "a.pdf", Data: []byte(tinyPDF), TooLarge: true}, "file", "smaller than 1 MB"},
		"bidi name":  {supervision.NewAttachment{Name: "Letter\u202e", FileName: "a.pdf", Data: []byte(tinyPDF)}, "name", "text direction"},
		"long desc":  {supervision.NewAttachment{Name: "Letter", Description: strings.Repeat("x", 1001), FileName: "a.pdf", Data: []byte(tinyPDF)}, "description", "1000 characters"},
	} {
		_, err := w.svc.Records.AddAttachment(ctx, w.supervisor, r.ID, tc.in)
		if msg := attachFieldMessage(err, tc.field); !strings.Contains(msg, tc.wants) {
			t.Errorf("%s: err = %v; want %q beside %s", name, err, tc.wants, tc.field)
		}
	}
	scanner.down = true
	if _, err := w.svc.Records.AddAttachment(ctx, w.supervisor, r.ID, supervision.NewAttachment{Name: "x", FileName: "a.pdf", Data: []byte(tinyPDF)}); !strings.Contains(attachFieldMessage(err, "file"), "could not be checked for viruses") {
		t.Errorf("scanner down: %v", err)
	}
	scanner.down = false
	// Only the parties who fill it in: the administrator cannot even see it.
	if _, err := w.svc.Records.AddAttachment(ctx, w.admin, r.ID, supervision.NewAttachment{Name: "x", FileName: "a.pdf", Data: []byte(tinyPDF)}); !errors.Is(err, supervision.ErrNotFound) {
		t.Errorf("admin attaching: %v, want not found", err)
	}
	png := []byte("\x89PNG\r\n\x1a\n" + "rest of a picture")
	a2, err := w.svc.Records.AddAttachment(ctx, w.supervisor, r.ID, supervision.NewAttachment{Name: "Genogram", FileName: "genogram.png", Data: png})
	if err != nil {
		t.Fatal(err)
	}
	a3, err := w.svc.Records.AddAttachment(ctx, w.supervisor, r.ID, supervision.NewAttachment{Name: "Spare", FileName: "spare.png", Data: png})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.AddAttachment(ctx, w.supervisor, r.ID, supervision.NewAttachment{Name: "Fourth", FileName: "4.png", Data: png}); !strings.Contains(attachFieldMessage(err, "file"), "at most 3 attachments") {
		t.Errorf("fourth attachment: %v", err)
	}
	if _, err := w.svc.Records.DeleteAttachment(ctx, w.supervisee, r.ID, a3.ID); err != nil {
		t.Fatal(err)
	}
	// Awaiting signatures, before anyone signs: still possible.
	if _, err := w.svc.Records.Submit(ctx, w.supervisor, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.AddAttachment(ctx, w.supervisor, r.ID, supervision.NewAttachment{Name: "Late", FileName: "late.png", Data: png}); !errors.Is(err, supervision.ErrConflict) {
		t.Errorf("attaching after a signature: %v, want a conflict", err)
	}
	v, err := w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true})
	if err != nil || v.Record.Status != supervision.StatusSigned {
		t.Fatalf("sign: %v", err)
	}
	if _, err := w.svc.Records.DeleteAttachment(ctx, w.supervisor, r.ID, a1.ID); !errors.Is(err, supervision.ErrConflict) {
		t.Errorf("removing from a signed record: %v, want a conflict", err)
	}

	// The signed documents name them, with size and hash.
	for _, kind := range []string{"pdf", "docx"} {
		f, err := w.svc.Records.OpenDocument(ctx, w.supervisee, r.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f.Body)
		f.Body.Close()
		var text string
		if kind == "pdf" {
			text, err = doctext.PDF(b)
		} else {
			text, err = doctext.DOCX(b)
		}
		if err != nil {
			t.Fatal(err)
		}
		if missing := doctext.Missing(text, "Attachments", "Reflective tool (v2).PDF", "The reflective tool we used", a1.SHA256, "Genogram", a2.SHA256, "PNG image"); len(missing) > 0 {
			t.Errorf("%s does not show %q", kind, missing)
		}
	}
	// record.json lists them.
	rc, err := w.blobs.Get(ctx, supervision.RecordPrefix(w.supervisee.ID, r.ID, 1)+"record.json")
	if err != nil {
		t.Fatal(err)
	}
	var rj supervision.RecordJSON
	if err := json.NewDecoder(rc).Decode(&rj); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if len(rj.Attachments) != 2 || rj.Attachments[0].SHA256 != a1.SHA256 || rj.Attachments[1].File != "attachments/"+a2.ID+"-genogram.png" {
		t.Errorf("record.json attachments = %+v", rj.Attachments)
	}
	// A download is logged, and gives the file as it was.
	f, err := w.svc.Records.OpenAttachment(ctx, w.supervisee, r.ID, a2.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f.Body)
	f.Body.Close()
	if !bytes.Equal(got, png) || f.ContentType != "image/png" || f.Name != "genogram.png" {
		t.Errorf("download: %q %s %s", got, f.ContentType, f.Name)
	}
	// The export holds them, with matching hashes.
	var zipped bytes.Buffer
	if err := w.svc.Files.Export(ctx, w.admin, w.supervisee.ID, "Subject access request", &zipped); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, zf := range zr.File {
		if strings.Contains(zf.Name, "/attachments/") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			found[zf.Name[strings.LastIndexByte(zf.Name, '/')+1:]] = hexSHA(b)
		}
	}
	if found[a1.ID+"-Reflective-tool-v2.pdf"] != a1.SHA256 || found[a2.ID+"-genogram.png"] != a2.SHA256 || len(found) != 2 {
		t.Errorf("export's attachments: %v", found)
	}
	// Reindex into an empty database restores them.
	svc, _ := serviceOn(t, w.blobs)
	if rep, err := svc.Admin.Reindex(ctx); err != nil || rep.Indexed != 1 || len(rep.Problems) > 0 {
		t.Fatalf("reindex: %+v, %v", rep, err)
	}
	v, err = svc.Records.Attachments(ctx, w.supervisee, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Attachments) != 2 || v.Attachments[0].SHA256 != a1.SHA256 || v.Attachments[1].Key != a2.Key || v.Attachments[1].FileName != "genogram.png" || v.Attachments[0].Name != a1.Name {
		t.Errorf("after reindex: %+v %+v", v.Attachments[0], v.Attachments)
	}
}
