package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/pngtest"

	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// longAnswer is a 20,000-character answer of numbered words in paragraphs,
// so that a missing line, page or paragraph shows up as a missing number.
func longAnswer() string {
	var b strings.Builder
	for i := 1; b.Len() < 20000; i++ {
		fmt.Fprintf(&b, "w%05d ", i)
		if i%90 == 0 {
			b.WriteString("\n\n")
		} else if i%30 == 0 {
			b.WriteString("\n")
		}
	}
	return b.String()[:20000]
}

// withLong returns the agreement with a 20,000-character answer and a Welsh
// and an escaped answer added.
func withLong(t testing.TB) (printout.Document, []string) {
	d := agreement(t)
	long := longAnswer()
	d.Sections = append(d.Sections, printout.Section{Title: "13. Anything else", Fields: []printout.Field{
		{Label: "A very long answer", Value: long},
		{Label: "Characters that need escaping", Value: `Fish & chips <cod> "quoted" 'single'`},
	}})
	wants := []string{long, `Fish & chips <cod> "quoted" 'single'`}
	for _, s := range d.Sections {
		wants = append(wants, s.Title)
		for _, f := range s.Fields {
			wants = append(wants, f.Label)
			if f.Value != "" && f.Value != long {
				wants = append(wants, f.Value)
			}
			if f.Table != nil {
				wants = append(wants, f.Table.Columns...)
				for _, r := range f.Table.Rows {
					wants = append(wants, r...)
				}
			}
		}
	}
	for _, s := range d.Signatures {
		wants = append(wants, s.Role, s.Name, s.JobTitle, s.Comment)
	}
	for _, e := range d.Audit {
		wants = append(wants, e.Actor, e.Action, e.Detail)
	}
	wants = append(wants, d.DataSHA256, "Signatures", "Audit trail", "3 March 2026 at 14:05", d.Declaration)
	return d, wants
}

func TestPDFHasEveryAnswer(t *testing.T) {
	needs.Tools(t, "pdftotext")
	r := newTestRenderer(t)
	d, wants := withLong(t)
	pdf := renderPDF(t, r, d)
	raw, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{d.OrgName, "Confidential", "Page 1 of", d.Reference} {
		if !strings.Contains(raw, want) {
			t.Errorf("PDF page furniture lacks %q", want)
		}
	}
	body, err := doctext.PDFBody(pdf, d.OrgName, "CONFIDENTIAL", d.Title, d.Reference)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(body, wants...) {
		t.Errorf("PDF text lacks %.80q", m)
	}
	if n := strings.Count(raw, "\f"); n < 8 {
		t.Errorf("PDF has %d pages; a 20,000-character answer needs more", n)
	}
}

// A character outside the subset font (Cyrillic, Greek) must still print:
// the whole document falls back to the full font.
func TestPDFFallsBackToFullFont(t *testing.T) {
	needs.Tools(t, "pdftotext")
	r := newTestRenderer(t)
	d := agreement(t)
	d.Sections[0].Fields[0].Value = "Олена Коваленко speaks Українська; αβγ"
	body, err := doctext.PDFBody(renderPDF(t, r, d), d.OrgName, "CONFIDENTIAL", d.Title, d.Reference)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(body, "Олена Коваленко speaks Українська; αβγ", "ŵ ŷ ẁ ỳ ẃ ý") {
		t.Errorf("PDF text lacks %q", m)
	}
}

func TestPDFRefusesWhatItCannotPrint(t *testing.T) {
	r := newTestRenderer(t)
	d := agreement(t)
	d.Sections[6].Fields[0].Value = "Feeling good 😀 today"
	_, err := r.PDF(context.Background(), d)
	var ue *UnprintableError
	if !errors.As(err, &ue) {
		t.Fatalf("PDF with an emoji: err = %v, want *UnprintableError", err)
	}
	if ue.Rune != '😀' || !strings.Contains(ue.Where, "Wellbeing") {
		t.Errorf("error names %q in %q", ue.Rune, ue.Where)
	}
	if CanPrint('😀') || !CanPrint('ŵ') || !CanPrint('Ж') {
		t.Error("CanPrint disagrees with the font")
	}
}

func TestPDFWithoutOptionalParts(t *testing.T) {
	needs.Tools(t, "pdftotext")
	r := newTestRenderer(t)
	d := printout.Document{OrgName: "Council", Title: "Empty", Sections: []printout.Section{{Title: "Only"}}}
	body, err := doctext.PDFBody(renderPDF(t, r, d), d.OrgName, "CONFIDENTIAL", d.Title, d.Reference)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(body, "Only", "Nothing recorded", "No one has signed this record.", "No events recorded.") {
		t.Errorf("PDF lacks %q", m)
	}
	if strings.Contains(body, "Not answered") {
		t.Error(`PDF says "Not answered"`)
	}
}

func renderDOCX(t testing.TB, r *Renderer, d printout.Document) []byte {
	t.Helper()
	b, err := r.DOCX(context.Background(), d)
	if err != nil {
		t.Fatalf("DOCX: %v", err)
	}
	return b
}

func TestDOCXHasEveryAnswer(t *testing.T) {
	r := newTestRenderer(t)
	d, wants := withLong(t)
	docx := renderDOCX(t, r, d)
	text, err := doctext.DOCX(docx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(text, wants...) {
		t.Errorf("DOCX text lacks %.80q", m)
	}
	doc, _ := doctext.Part(docx, "word/document.xml")
	for _, style := range []string{"Title", "Heading1", "Heading2"} {
		if !bytes.Contains(doc, []byte(`<w:pStyle w:val="`+style+`"/>`)) {
			t.Errorf("document uses no %s paragraphs", style)
		}
	}
	hdr, err := doctext.Part(docx, "word/header1.xml")
	if err != nil {
		t.Fatal(err)
	}
	if h := doctext.WText(string(hdr)); !strings.Contains(h, d.OrgName) || !strings.Contains(h, "Confidential") {
		t.Errorf("header text %q lacks the council or Confidential", h)
	}
	ftr, _ := doctext.Part(docx, "word/footer1.xml")
	if !bytes.Contains(ftr, []byte(`w:instr=" PAGE "`)) || !bytes.Contains(ftr, []byte(`w:instr=" NUMPAGES "`)) {
		t.Error("footer has no page number fields")
	}
	img, err := doctext.Part(docx, "word/media/image1.png")
	if err != nil || !bytes.Equal(img, d.Signatures[0].DrawingPNG) {
		t.Errorf("drawn signature not embedded: %v", err)
	}
}

// Every part must be well-formed XML, whatever the answers contain.
func TestDOCXIsWellFormed(t *testing.T) {
	r := newTestRenderer(t)
	d, _ := withLong(t)
	d.Sections[0].Fields[0].Value = "tab\there, bell\x07, bad UTF-8 \xff, emoji 😀, ]]> & <w:t>"
	docx := renderDOCX(t, r, d)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
		"word/settings.xml", "word/header1.xml", "word/footer1.xml", "word/_rels/document.xml.rels", "docProps/core.xml", "docProps/app.xml"} {
		b, err := doctext.Part(docx, name)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed: %v", name, err)
			}
		}
	}
	text, _ := doctext.DOCX(docx)
	if m := doctext.Missing(text, "emoji 😀, ]]> & <w:t>"); m != nil {
		t.Errorf("DOCX lost %q", m)
	}
}

func TestDOCXIsReproducible(t *testing.T) {
	r := newTestRenderer(t)
	a := renderDOCX(t, r, agreement(t))
	b := renderDOCX(t, r, agreement(t))
	if !bytes.Equal(a, b) {
		t.Error("the same record rendered twice gives different DOCX bytes")
	}
}

// LibreOffice must open the DOCX: converting it to PDF and reading the text
// back shows the answers, the Welsh letters and the page numbers survive.
func TestDOCXOpensInLibreOffice(t *testing.T) {
	needs.Tools(t, "LibreOffice")
	r := newTestRenderer(t)
	d, _ := withLong(t)
	texts, err := doctext.ViaLibreOffice(map[string][]byte{"agreement": renderDOCX(t, r, d)})
	if err != nil {
		t.Fatal(err)
	}
	text := texts["agreement"]
	for _, m := range doctext.Missing(text, "Supervision agreement", "Hoffwn i gael goruchwyliaeth yn Gymraeg", "ŵ ŷ ẁ ỳ", "w00001", "Page 1 of", d.OrgName, "SHA-256") {
		t.Errorf("LibreOffice's rendering lacks %q", m)
	}
}

func BenchmarkPDF(b *testing.B)  { benchRender(b, (*Renderer).PDF) }
func BenchmarkDOCX(b *testing.B) { benchRender(b, (*Renderer).DOCX) }

// benchRender renders the test agreement with fn and reports the size of
// what it makes.
func benchRender(b *testing.B, fn func(*Renderer, context.Context, printout.Document) ([]byte, error)) {
	r := newTestRenderer(b)
	d := agreement(b)
	ctx := context.Background()
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := fn(r, ctx, d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/doc")
}

// A drawn signature is transparent but for the ink: flattened for the PDF,
// the background must come out white and the ink dark.
func TestSignatureFlattensOntoWhite(t *testing.T) {
	needs.Tools(t, "pdftotext")
	src := image.NewNRGBA(image.Rect(0, 0, 4, 1))
	src.SetNRGBA(1, 0, color.NRGBA{R: 10, G: 20, B: 80, A: 255})
	src.SetNRGBA(2, 0, color.NRGBA{R: 10, G: 20, B: 80, A: 128})
	g := flatten(src)
	if g.Pix[0] != 255 || g.Pix[3] != 255 {
		t.Errorf("transparent pixels = %d, %d, want white", g.Pix[0], g.Pix[3])
	}
	if g.Pix[1] > 40 || g.Pix[2] <= g.Pix[1] || g.Pix[2] == 255 {
		t.Errorf("ink pixels = %d (opaque), %d (half), want dark and lighter", g.Pix[1], g.Pix[2])
	}
	r := newTestRenderer(t)
	d := agreement(t)
	d.Signatures[1].DrawingPNG = []byte("not a PNG")
	body, err := doctext.PDFBody(renderPDF(t, r, d))
	if err != nil {
		t.Fatal(err)
	}
	if m := doctext.Missing(body, "The drawn signature could not be read."); m != nil {
		t.Error("an unreadable drawing is not reported in the PDF")
	}
}

// gofpdf reads an 8-bit grey PNG as it is, trusting its chunks; with an
// empty tRNS chunk it panicked. Only a grey PNG of nothing but image chunks
// goes to it as it is: one with other chunks is decoded first (and a broken
// one is reported in words), one with a pHYs chunk still prints.
func TestGreyDrawingsWithOtherChunks(t *testing.T) {
	needs.Tools(t, "pdftotext")
	r := newTestRenderer(t)
	for _, c := range []struct {
		name     string
		png      []byte
		readable bool
	}{
		{"empty tRNS", pngtest.Grey(pngtest.EmptyTRNS), false},
		{"pHYs", pngtest.Grey(pngtest.PHYs), true},
		{"empty pHYs", pngtest.Grey(pngtest.EmptyPHYs), true},
		{"plain", pngtest.Grey(), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := agreement(t)
			d.Signatures[1].DrawingPNG = c.png
			pdf, err := r.PDF(t.Context(), d)
			if err != nil {
				t.Fatal(err)
			}
			body, err := doctext.PDFBody(pdf)
			if err != nil {
				t.Fatal(err)
			}
			if said := doctext.Missing(body, "The drawn signature could not be read.") == nil; said == c.readable {
				t.Errorf("says the drawing could not be read: %v, want %v", said, !c.readable)
			}
			if _, err := r.DOCX(t.Context(), d); err != nil {
				t.Errorf("DOCX: %v", err)
			}
		})
	}
}

// Documents are rendered at the same time from the same fonts; with -race
// this catches a renderer that writes into what they share.
func TestConcurrentRenders(t *testing.T) {
	r := newTestRenderer(t)
	d := agreement(t)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				_, errs[i] = r.PDF(t.Context(), d)
			} else {
				_, errs[i] = r.DOCX(t.Context(), d)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
