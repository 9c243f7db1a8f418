package supervision_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision"
)

// fieldMessage is the message a validation error gives a field, or "".
func fieldMessage(err error, field string) string {
	var ve *supervision.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	for _, f := range ve.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// unprintable is text the signed documents must not hold, and what the
// message says of it.
var unprintable = []struct{ name, text, want string }{
	{"CJK", "Li 漢字", "Remove 漢 from"},
	{"emoji", "Siân 😀", "Remove 😀 from"},
	{"control character", "Siân\u0007", "Remove the control character U+0007 from"},
	{"bidi override", "Siân \u202eenoJ", "Remove the text direction character U+202E from"},
	{"bidi isolate", "Siân \u2066Jones\u2069", "Remove the text direction character U+2066 from"},
}

// A name or job title the documents cannot print is refused when a member
// of staff is added or changed, naming the character; Welsh, Greek and
// Cyrillic letters are accepted.
func TestStaffDetailsMustPrint(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, u := range unprintable {
		for _, field := range []string{"name", "job_title"} {
			n := supervision.NewStaff{Name: "Ann Other", Email: "ann@testshire.gov.uk", JobTitle: "Social Worker",
				Role: "social_worker", StartDate: "2024-01-08", Password: "a long password"}
			label := "Full name"
			if field == "name" {
				n.Name = u.text
			} else {
				n.JobTitle, label = u.text, "Job title"
			}
			_, err := w.svc.People.CreateStaff(ctx, w.admin, n)
			if msg := fieldMessage(err, field); !strings.HasPrefix(msg, u.want+" "+label) {
				t.Errorf("add with %s in %s: %v %q", u.name, field, err, msg)
			}
			p := supervision.StaffPatch{}
			if field == "name" {
				p.Name = &u.text
			} else {
				p.JobTitle = &u.text
			}
			_, err = w.svc.People.EditStaff(ctx, w.admin, w.supervisee.ID, p)
			if msg := fieldMessage(err, field); !strings.HasPrefix(msg, u.want+" "+label) {
				t.Errorf("edit with %s in %s: %v %q", u.name, field, err, msg)
			}
		}
	}
	nl := "Siân\nJones"
	if _, err := w.svc.People.EditStaff(ctx, w.admin, w.supervisee.ID, supervision.StaffPatch{Name: &nl}); fieldMessage(err, "name") != "Full name must be on one line" {
		t.Errorf("a name on two lines: %v", err)
	}
	for _, name := range []string{"Siân Gwŷnedd-Ŵyn", "Ελένη Παπαδοπούλου", "Ольга Петрова"} {
		title := "Gweithiwr cymdeithasol — Κοινωνική λειτουργός — Социальный работник"
		if _, err := w.svc.People.EditStaff(ctx, w.admin, w.supervisee.ID, supervision.StaffPatch{Name: &name, JobTitle: &title}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Comments, disagreements and the typed name on a signature are checked
// by the same rule.
func TestSignatureTextMustPrint(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.submitted(t)
	for _, u := range unprintable {
		for _, field := range []string{"comment", "disagreement", "name"} {
			in := supervision.SignInput{Name: w.supervisee.Name, Confirm: true}
			switch field {
			case "comment":
				in.Comment = u.text
			case "disagreement":
				in.Disagreement = u.text
			case "name":
				in.Name = u.text
			}
			_, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, in)
			if msg := fieldMessage(err, field); !strings.HasPrefix(msg, u.want) {
				t.Errorf("%s in %s: %v %q", u.name, field, err, msg)
			}
		}
	}
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true,
		Comment: "Diolch — ŵ ŷ.\nΕυχαριστώ. Спасибо.\tOK"}); err != nil {
		t.Fatalf("Welsh, Greek and Cyrillic comment: %v", err)
	}
}

// A name kept from before names were checked (an old database, a reindexed
// file) does not hold up a record's documents or the front page: the
// characters the fonts lack print as "?". Reindexing such a file works.
func TestLegacyUnprintableNameStillPrints(t *testing.T) {
	needs.Tools(t, "pdftotext")
	w := newWorld(t)
	ctx := context.Background()
	st, err := w.store.GetStaff(ctx, w.supervisee.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.Name, st.JobTitle = "Siân 漢 😀\u202e Jones\u0007", "Social Worker 🙂"
	if err := w.store.UpdateStaff(ctx, st); err != nil {
		t.Fatal(err)
	}
	rec := w.signed(t, "")
	pdf, err := w.svc.Records.OpenDocument(ctx, w.supervisor, rec.ID, "pdf")
	if err != nil {
		t.Fatalf("documents of a record naming an unprintable name: %v", err)
	}
	pdf.Body.Close()
	front, err := w.svc.Files.FrontPagePDF(ctx, w.supervisor, w.supervisee.ID)
	if err != nil {
		t.Fatalf("front page: %v", err)
	}
	text, err := doctext.PDF(front)
	if err != nil {
		t.Fatal(err)
	}
	if len(doctext.Missing(text, "Siân ? ? Jones?")) > 0 {
		t.Errorf("front page text lacks the name with ? for what cannot print:\n%s", text)
	}

	svc, _ := serviceOn(t, w.blobs)
	rep, err := svc.Admin.Reindex(ctx)
	if err != nil || rep.Indexed != 1 || len(rep.Problems) != 0 {
		t.Fatalf("reindex: %+v %v", rep, err)
	}
	if _, err := svc.Files.FrontPagePDF(ctx, w.supervisor, w.supervisee.ID); err != nil {
		t.Errorf("front page after reindex: %v", err)
	}
}
