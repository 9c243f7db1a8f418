package render

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// gridDoc is a record with a statement, side-by-side pairs, a question
// grid and a RAG grid, signed by two people (the second signer first).
func gridDoc() printout.Document {
	return printout.Document{
		OrgName: "Testshire County Council", Title: "File audit", Reference: "Record r1, version 1",
		Declaration: "We have read and agree with this audit.",
		Sections: []printout.Section{
			{Title: "Details", Pairs: true, Statement: "Minutes will be kept by both supervisor and supervisee in a locked cabinet.",
				Fields: []printout.Field{{Label: "Name of supervisee", Value: "Jane Smith"}, {Label: "Date", Value: "3 March 2026"}},
				Grid: &printout.Grid{Columns: []string{"Question", "Yes or no", "Findings", "Actions"}, RowLabels: true, Rows: []printout.GridRow{
					{Label: "Is the file structured?", Cells: []printout.Cell{{Text: "Yes"}, {Text: "In order"}, {Text: "None"}}},
					{Label: "Is the agreement signed?", Cells: []printout.Cell{{Text: "No"}, {Text: "Unsigned"}, {Text: "Sign it"}}},
				}}, GridAt: 2},
			{Title: "Golden threads", Grid: &printout.Grid{Columns: []string{"Thread", "Rating"}, RowLabels: true, Rows: []printout.GridRow{
				{Label: "Voice of child", Cells: []printout.Cell{{Text: "Amber", RAG: "amber"}}},
				{Label: "Impact chronology", Cells: []printout.Cell{{Text: "Green", RAG: "green"}}},
			}}},
			{Title: "Left blank"},
		},
		Signatures: []printout.Signature{
			{Role: "Supervisee", Name: "Maria Okafor", TypedName: "maria okafor", SignedAt: t0, Disagreement: "I disagree with finding 2."},
			{Role: "Supervisor", Name: "Ahmed Khan", TypedName: "Ahmed Khan", SignedAt: t0, Comment: "Agreed."},
		},
	}
}

func TestPDFPrintsGridsStatementsAndSignatures(t *testing.T) {
	needs.Tools(t, "pdftotext")
	r := newTestRenderer(t)
	pdf := renderPDF(t, r, gridDoc())
	text, err := doctext.PDFLayout(pdf)
	if err != nil {
		t.Fatal(err)
	}
	// Each question and its answers on one line: a real grid.
	for _, re := range []string{
		`Question\s+Yes or no\s+Findings\s+Actions`,
		`Is the file structured\?\s+Yes\s+In order\s+None`,
		`Is the agreement signed\?\s+No\s+Unsigned\s+Sign it`,
		`Voice of child\s+Amber`,
		`Impact chronology\s+Green`,
		`Name of supervisee\s+Jane Smith`,
		`Left blank\s+Nothing recorded`,
		`Name\s+Maria Okafor\s+Name\s+Ahmed Khan`,
		`Typed name\s+maria okafor`,
		`Disagreement\s+I disagree with finding 2\.\s+Disagreement\s+None`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("PDF text does not match %s:\n%s", re, text)
		}
	}
	for _, m := range doctext.Missing(text, "locked cabinet") {
		t.Errorf("PDF lacks %q", m)
	}
	if strings.Contains(text, "Not answered") {
		t.Error(`PDF says "Not answered"`)
	}
	decl, sig := strings.Index(text, "We have read and agree"), strings.Index(text, "Maria Okafor")
	if decl < 0 || sig < 0 || decl > sig {
		t.Errorf("the declaration (at %d) is not above the signatures (at %d)", decl, sig)
	}
	if !strings.Contains(string(pdf), "/Lang (en-GB)") {
		t.Error("PDF has no /Lang")
	}
}

func TestDOCXGridsAreRealTables(t *testing.T) {
	r := newTestRenderer(t)
	docx, err := r.DOCX(context.Background(), gridDoc())
	if err != nil {
		t.Fatal(err)
	}
	xml, err := doctext.Part(docx, "word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(xml)
	if n := strings.Count(s, "<w:tblHeader/>"); n != 2 {
		t.Errorf("%d table header rows, want 2 (the grids')", n)
	}
	for _, want := range []string{`w:fill="FFDD96"`, `w:fill="C3E6CB"`, ">Amber<", "locked cabinet", "Nothing recorded"} {
		if !strings.Contains(s, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if strings.Contains(s, "Not answered") {
		t.Error(`DOCX says "Not answered"`)
	}
	decl, sig := strings.Index(s, "We have read and agree"), strings.Index(s, "Maria Okafor")
	if decl < 0 || sig < 0 || decl > sig {
		t.Errorf("the declaration (at %d) is not above the signatures (at %d)", decl, sig)
	}
}

// A letterhead logo (any PNG or JPEG; here a paletted PNG with
// transparency) and address head the first page of both documents.
func TestLetterhead(t *testing.T) {
	logo := image.NewPaletted(image.Rect(0, 0, 300, 100), color.Palette{color.Transparent, color.RGBA{0, 80, 160, 255}})
	for x := 20; x < 280; x++ {
		for y := 30; y < 70; y++ {
			logo.SetColorIndex(x, y, 1)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, logo); err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{Letterhead: Letterhead{Logo: buf.Bytes(), Address: "County Hall\nTestshire TS1 1AA"}})
	if err != nil {
		t.Fatal(err)
	}
	d := gridDoc()
	docx, err := r.DOCX(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := doctext.Part(docx, "word/header2.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"County Hall", "Testshire TS1 1AA", `r:embed="rIdLogo"`, `descr="Logo of Testshire County Council"`} {
		if !bytes.Contains(hdr, []byte(want)) {
			t.Errorf("the first page's header lacks %s", want)
		}
	}
	if doc, _ := doctext.Part(docx, "word/document.xml"); !bytes.Contains(doc, []byte(`<w:titlePg/>`)) {
		t.Error("the DOCX has no first-page header")
	}
	if _, err := New(Options{Letterhead: Letterhead{Logo: []byte("GIF89a not an image")}}); err == nil {
		t.Error("a logo that is not a PNG or JPEG was taken")
	}
	if testing.Short() {
		return
	}
	pdf := renderPDF(t, r, d)
	text, err := doctext.PDFLayout(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`County Hall\s*\n\s*Testshire TS1 1AA`).MatchString(text) || strings.Index(text, "County Hall") > strings.Index(text, "Golden threads") {
		t.Errorf("the PDF's first page does not start with the address:\n%s", text)
	}
	if strings.Count(text, "County Hall") != 1 {
		t.Error("the address is on more than the first page")
	}
	texts, err := doctext.ViaLibreOffice(map[string][]byte{"lh": docx})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(texts["lh"], "County Hall") {
		t.Errorf("LibreOffice shows no letterhead:\n%s", texts["lh"])
	}
}
