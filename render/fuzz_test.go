package render

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// The render fuzz targets check the promise the input checks make:
// whatever answers, names and comments the service accepts (form
// validation with CanPrint, printout.CheckText) print, in the PDF and the
// DOCX, without an error or a panic. `go test` runs the seeds in
// testdata/fuzz; bench/RESULTS.md records the -fuzz runs.

type fuzzDoc struct {
	defs []*forms.Definition
	r    *Renderer
}

func newFuzzDoc(f *testing.F) *fuzzDoc {
	f.Helper()
	c, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		f.Fatal(err)
	}
	r, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	addRenderSeeds(f)
	return &fuzzDoc{defs: c.List(), r: r}
}

func addRenderSeeds(f *testing.F) {
	f.Add([]byte(`{"supervisee_name":"Siân Gwŷnedd","location":"Tŷ Newydd","supervisee_aims":"Ελληνικά και кириллица\n\nsecond paragraph"}`), uint8(0), "Siân Jones", "Diolch yn fawr ŵ ŷ")
	f.Add([]byte(`{"actions":[{"action":"`+string(bytes.Repeat([]byte("x"), 300))+`"},{"action":"Call","due":"2026-03-27"}]}`), uint8(1), "Ahmed Khan", "")
	f.Add([]byte(`{"notes":"\t\ttabs\r\nand CRs"}`), uint8(2), "O'Brien-Łukasz", "long\n\n\nlines")
}

// document builds what the service prints for a record with these answers,
// or reports that the service would refuse them.
func (fd *fuzzDoc) document(body []byte, which uint8, name, comment string) (printout.Document, bool) {
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&data) != nil {
		return printout.Document{}, false
	}
	def := fd.defs[int(which)%len(fd.defs)]
	ctx := forms.Context{Today: time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC), Printable: CanPrint}
	if len(def.Validate(data, forms.Draft, ctx)) > 0 ||
		printout.CheckText(name, "name", printout.OneLine, CanPrint) != "" ||
		printout.CheckText(comment, "comment", printout.Lines, CanPrint) != "" {
		return printout.Document{}, false
	}
	d := printout.Document{OrgName: "Testshire County Council", Title: def.Title, Subtitle: name + " (Social Worker)",
		Reference: "Record fuzz, version 1", Confidential: def.Confidential, Declaration: def.Declaration}
	for _, ds := range def.Display(data, func(id string) string { return name }) {
		sec := printout.Section{Title: ds.Title, Intro: ds.Intro}
		for _, f := range ds.Fields {
			rf := printout.Field{Label: f.Label, Value: f.Value}
			if f.IsTable {
				rf.Table = &printout.Table{Columns: f.Columns, Rows: f.Rows}
			}
			sec.Fields = append(sec.Fields, rf)
		}
		d.Sections = append(d.Sections, sec)
	}
	d.Signatures = []printout.Signature{{Role: "Supervisee", Name: name, JobTitle: name, SignedAt: t0, Comment: comment, Disagreement: comment}}
	d.Audit = []printout.Event{{At: t0, Actor: name, Action: "signed", Detail: "Supervisee"}}
	return d, true
}

func FuzzPDF(f *testing.F) {
	fd := newFuzzDoc(f)
	f.Fuzz(func(t *testing.T, body []byte, which uint8, name, comment string) {
		d, ok := fd.document(body, which, name, comment)
		if !ok {
			return
		}
		if _, err := fd.r.PDF(context.Background(), d); err != nil {
			t.Fatalf("accepted input does not print: %v", err)
		}
	})
}

func FuzzDOCX(f *testing.F) {
	fd := newFuzzDoc(f)
	f.Fuzz(func(t *testing.T, body []byte, which uint8, name, comment string) {
		d, ok := fd.document(body, which, name, comment)
		if !ok {
			return
		}
		if _, err := fd.r.DOCX(context.Background(), d); err != nil {
			t.Fatalf("accepted input does not make a DOCX: %v", err)
		}
	})
}
