package supervision

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenView is a signed record of a form filled with forms.Sample, by
// fixed people at fixed times, so that its documents are the same on every
// run.
func goldenView(def *forms.Definition) (*RecordView, []*Event, func(string) *Staff) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	see := &Staff{ID: "staff-supervisee", Name: "Siân Gwŷnedd-Jones", JobTitle: "Social Worker", Role: RoleSocialWorker}
	sup := &Staff{ID: "staff-supervisor", Name: "Ahmed Khan", JobTitle: "Team Manager", Role: RoleTeamManager}
	data := forms.Sample(def, sup.ID)
	raw, _ := json.Marshal(data)
	signedAt := at.Add(48 * time.Hour)
	r := &Record{ID: "rec-golden", StaffID: see.ID, FormID: def.ID, FormVersion: def.Version, Version: 1, Status: StatusSigned,
		Data: raw, AuthorID: sup.ID, CreatedAt: at, UpdatedAt: signedAt, SignedAt: &signedAt, DataSHA256: "0123456789abcdef"}
	v := &RecordView{Record: r, Form: def, Data: data, Supervisee: see, Supervisor: sup}
	for i, sg := range def.Signers {
		who := sup
		if Party(sg.Role) == "supervisee" {
			who = see
		}
		v.Signatures = append(v.Signatures, &Signature{RecordID: r.ID, SignerID: who.ID, Role: sg.Role, Name: who.Name,
			SignedAt: at.Add(time.Duration(24*(i+1)) * time.Hour), Comment: "Agreed."})
	}
	events := []*Event{
		{RecordID: r.ID, At: at, ActorID: sup.ID, Action: "created"},
		{RecordID: r.ID, At: at.Add(time.Hour), ActorID: sup.ID, Action: "submitted for signatures"},
		{RecordID: r.ID, At: signedAt, ActorID: sup.ID, Action: "finalised"},
	}
	people := map[string]*Staff{see.ID: see, sup.ID: sup}
	return v, events, func(id string) *Staff { return people[id] }
}

// TestGoldenDOCX keeps each built-in form's DOCX document XML in
// testdata/golden/<form>.document.xml: a change to a definition or to the
// DOCX writer shows up as a diff to review. Run with -update to accept it.
func TestGoldenDOCX(t *testing.T) {
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	s := New(nil, nil, cat, r, Config{OrgName: "Testshire County Council", Location: loc}, nil)
	for _, def := range cat.List() {
		t.Run(def.ID, func(t *testing.T) {
			v, events, lookup := goldenView(def)
			docx, err := r.DOCX(context.Background(), s.Records.document(v, events, lookup))
			if err != nil {
				t.Fatal(err)
			}
			xml, err := doctext.Part(docx, "word/document.xml")
			if err != nil {
				t.Fatal(err)
			}
			// One element per line, so that a diff is readable.
			xml = bytes.ReplaceAll(xml, []byte("<w:p>"), []byte("\n<w:p>"))
			golden := filepath.Join("testdata", "golden", def.ID+".document.xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o750); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, xml, 0o640); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./supervision -run TestGoldenDOCX -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(xml)); diff != "" {
				t.Errorf("%s changed (-golden +now); if this is intended, run with -update:\n%s", golden, diff)
			}
		})
	}
}

// BenchmarkRenderForms renders every built-in form, filled with
// forms.Sample and signed by its signers, as PDF and as DOCX.
func BenchmarkRenderForms(b *testing.B) {
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		b.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s := New(nil, nil, cat, r, Config{OrgName: "Testshire County Council", Location: time.UTC}, nil)
	ctx := context.Background()
	for _, def := range cat.List() {
		v, events, lookup := goldenView(def)
		d := s.Records.document(v, events, lookup)
		b.Run(def.ID+"/pdf", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.PDF(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(def.ID+"/docx", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.DOCX(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
