package supervision

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/render"
)

// catalogueDocs renders every built-in form, filled with forms.Sample and
// signed, as PDF and DOCX.
func catalogueDocs(t *testing.T) (pdfs, docxs map[string][]byte) {
	t.Helper()
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(nil, nil, cat, r, Config{OrgName: "Testshire County Council", Location: time.UTC}, nil)
	pdfs, docxs = map[string][]byte{}, map[string][]byte{}
	for _, def := range cat.List() {
		v, events, lookup := goldenView(def)
		d := s.Records.document(v, events, lookup)
		if pdfs[def.ID], err = r.PDF(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		if docxs[def.ID], err = r.DOCX(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	return pdfs, docxs
}

// gridLines are lines each grid form must print with the question and its
// answers on one line (pdftotext -layout), as the paper forms do.
var gridLines = map[string][]string{
	"file-audit": {
		`Question\s+Yes or no\s+Note of findings\s+Actions: by whom and`,
		`Is the supervision file\s+Yes\s+Answer \d+ to "Note of\s+Answer \d+ to "Actions`,
		`Frequency of supervision provided\s+(Red|Amber|Green)`,
	},
	"self-assessment": {
		`Golden thread\s+Rating\s+Evidence for the rating\s+What you will do to`,
		`\s(Red|Amber|Green)\s+Answer \d+ to "Management`,
	},
	"supervision-record": {
		`What are we worried( about\?)?\s+What’s working( well\?)?\s+What needs to`,
	},
	"case-supervision": {
		`What are we worried( about\?)?\s+What’s working( well\?)?\s+What needs to`,
		`Voice of the\s+Answer \d+ to "Voice of( the)?\s+Answer \d+ to "Voice of( the)?\s+Answer \d+ to "Do we`,
	},
	"supervision-agreement": {
		`Name of supervisee\s+Name of supervisee — ateb 1`,
	},
	// Appendix H's three columns, with the prompts that belong together
	// on one row.
	"family-placement-supervision": {
		`What are we worried( about\?)?\s+What’s working well\?\s+What needs to( happen\?)?`,
		`The carers'\s+Answer \d+ to "Foster( carers')?\s+How are \(will\) the carers\s+Answer \d+ to "What`,
		`Name of supervisor\s+Name of supervisor — ateb`,
	},
	// The group's Signs of Safety mapping, three columns side by side.
	"group-supervision": {
		`What are we worried( about\?)?\s+What’s working well\?\s+What needs to happen\?`,
		`Answer \d+ to "What are we( worried)?\s+Answer \d+ to "What's( working)?\s+Answer \d+ to "What needs to`,
		`Date of group supervision\s+\d+ \w+ \d{4}`,
	},
}

// TestCatalogueDocuments reads every built-in form's PDF as a person
// would: the grids print as grids, nothing says "Not answered", the
// declaration comes just before the signatures, and the agreement, the
// worker's details and the audit keep to their paper lengths.
func TestCatalogueDocuments(t *testing.T) {
	needs.Tools(t, "pdftotext", "pdfinfo")
	pdfs, _ := catalogueDocs(t)
	maxPages := map[string]int{"supervision-agreement": 4, "workers-details": 1, "file-audit": 4}
	for id, pdf := range pdfs {
		text, err := doctext.PDFLayout(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "Not answered") {
			t.Errorf("%s: the PDF says \"Not answered\"", id)
		}
		for _, re := range gridLines[id] {
			if !regexp.MustCompile(re).MatchString(text) {
				t.Errorf("%s: no line matches %s in\n%s", id, re, text)
			}
		}
		if n, ok := maxPages[id]; ok {
			pages, err := doctext.PDFPages(pdf)
			if err != nil {
				t.Fatal(err)
			}
			if pages > n {
				t.Errorf("%s: %d pages, want at most %d", id, pages, n)
			}
		}
		sig := strings.Index(text, "Signatures\n")
		first := strings.Index(text[max(sig, 0):], "Name ")
		if sig < 0 || first < 0 {
			t.Errorf("%s: no signatures", id)
			continue
		}
		between := text[sig : sig+first]
		if id == "supervision-agreement" && !strings.Contains(between, "We have read, understood and agree") {
			t.Errorf("%s: the declaration is not directly above the signatures:\n%s", id, between)
		}
	}
	agreement, err := doctext.PDFLayout(pdfs["supervision-agreement"])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(doctext.Squash(agreement), "Statement of service", "Statement of responsibility",
		"Minutes will be kept by both supervisor and supervisee", "stored in a locked cabinet") {
		t.Errorf("the agreement's PDF lacks Appendix D's %q", m)
	}
}

// TestCatalogueDOCXInLibreOffice opens every built-in form's DOCX in
// LibreOffice: each opens, and its PDF prints the same grids.
func TestCatalogueDOCXInLibreOffice(t *testing.T) {
	needs.Tools(t, "LibreOffice", "pdftotext")
	_, docxs := catalogueDocs(t)
	texts, err := doctext.ViaLibreOfficeLayout(docxs)
	if err != nil {
		t.Fatal(err)
	}
	for id := range docxs {
		text := texts[id]
		if strings.Contains(text, "Not answered") {
			t.Errorf("%s: the DOCX says \"Not answered\"", id)
		}
		for _, re := range gridLines[id] {
			if !regexp.MustCompile(re).MatchString(text) {
				t.Errorf("%s: LibreOffice's PDF has no line matching %s in\n%s", id, re, text)
			}
		}
	}
}

// TestLayoutFormsPrintEveryAnswer: Appendix H (family placement
// supervision) and group supervision print in their layouts (pairs, the
// three-column grids) with every answer given, in the PDF (read with
// pdftotext -layout) and in the DOCX, and nothing printed as "Not
// answered".
func TestLayoutFormsPrintEveryAnswer(t *testing.T) {
	needs.Tools(t, "pdftotext")
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	pdfs, docxs := catalogueDocs(t)
	for _, id := range []string{"family-placement-supervision", "group-supervision"} {
		def, ok := cat.Get(id)
		if !ok {
			t.Fatalf("no form %s", id)
		}
		if def.Sections[0].Layout.Type != forms.LayoutPairs {
			t.Errorf("%s: its first section is not laid out in pairs", id)
		}
		grids := 0
		for _, sec := range def.Sections {
			if sec.Layout.Type == forms.LayoutGrid {
				grids++
			}
		}
		if grids == 0 {
			t.Errorf("%s: no grid", id)
		}
		v, _, lookup := goldenView(def)
		name := func(id string) string {
			if s := lookup(id); s != nil {
				return s.Name
			}
			return id
		}
		var answers []string
		for _, sec := range def.Display(v.Data, name) {
			for _, f := range sec.Fields {
				if f.IsTable {
					for _, row := range f.Rows {
						answers = append(answers, row...)
					}
					continue
				}
				answers = append(answers, f.Value)
			}
		}
		text, err := doctext.PDFLayout(pdfs[id])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "Not answered") {
			t.Errorf("%s: the PDF says \"Not answered\"", id)
		}
		docx, err := doctext.DOCX(docxs[id])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(docx, "Not answered") {
			t.Errorf("%s: the DOCX says \"Not answered\"", id)
		}
		n := 0
		for _, a := range answers {
			if strings.TrimSpace(a) == "" {
				continue
			}
			n++
			if !doctext.WordsInOrder(text, a) {
				t.Errorf("%s: the PDF lacks the answer %.80q", id, a)
			}
		}
		for _, m := range doctext.Missing(docx, answers...) {
			t.Errorf("%s: the DOCX lacks the answer %.80q", id, m)
		}
		if n < 10 {
			t.Errorf("%s: only %d answers to look for", id, n)
		}
	}
}

// TestAgreementWithLetterhead: the council's letterhead (a logo and an
// address, SUPFILE_LETTERHEAD_LOGO and _ADDRESS) heads the first page of
// the catalogue agreement and no other, in the PDF (in the running
// header's place) and in the DOCX (as LibreOffice prints it), and the
// agreement still keeps to its 4 pages.
func TestAgreementWithLetterhead(t *testing.T) {
	needs.Tools(t, "pdftotext", "pdfinfo", "pdfimages", "LibreOffice")
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-agreement")
	// A wide logo, as councils' are: 600 × 150 pixels.
	logo := image.NewRGBA(image.Rect(0, 0, 600, 150))
	for x := 0; x < 600; x++ {
		for y := 0; y < 150; y++ {
			logo.Set(x, y, color.RGBA{uint8(x / 3), 60, 140, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, logo); err != nil {
		t.Fatal(err)
	}
	const address = "County Hall\nMartin Street\nTestshire TS1 1AA"
	var docs = map[string][]byte{}
	var pdfs = map[string][]byte{}
	for name, lh := range map[string]render.Letterhead{"plain": {}, "letterhead": {Logo: buf.Bytes(), Address: address}} {
		r, err := render.New(render.Options{Letterhead: lh})
		if err != nil {
			t.Fatal(err)
		}
		s := New(nil, nil, cat, r, Config{OrgName: "Testshire County Council", Location: time.UTC}, nil)
		v, events, lookup := goldenView(def)
		d := s.Records.document(v, events, lookup)
		if pdfs[name], err = r.PDF(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		if docs[name], err = r.DOCX(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	plain, err := doctext.PDFPages(pdfs["plain"])
	if err != nil {
		t.Fatal(err)
	}
	pages, err := doctext.PDFPages(pdfs["letterhead"])
	if err != nil {
		t.Fatal(err)
	}
	if pages > 4 {
		t.Errorf("the agreement with a letterhead prints on %d pages (%d without), want at most 4", pages, plain)
	}
	t.Logf("the agreement: %d pages without a letterhead, %d with", plain, pages)
	text, err := doctext.PDF(pdfs["letterhead"])
	if err != nil {
		t.Fatal(err)
	}
	byPage := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	for i, page := range byPage {
		for _, line := range strings.Split(address, "\n") {
			if got := strings.Contains(page, line); got != (i == 0) {
				t.Errorf("PDF page %d: address line %q printed: %v", i+1, line, got)
			}
		}
		// The letterhead takes the running header's place on the first
		// page; every other page has the header (the council's name).
		if got := strings.Contains(page, "Testshire County Council"); got != (i > 0) {
			t.Errorf("PDF page %d: the running header printed: %v", i+1, got)
		}
	}
	if len(byPage) != pages {
		t.Errorf("pdftotext read %d pages of %d", len(byPage), pages)
	}
	// The logo is one picture on page 1 (the letterhead's), drawn once.
	out, err := exec.Command("pdfimages", "-list", "-f", "1", "-l", strconv.Itoa(pages), pdfFile(t, pdfs["letterhead"])).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfimages: %v\n%s", err, out)
	}
	var onPage []string
	for _, l := range strings.Split(string(out), "\n")[2:] {
		if f := strings.Fields(l); len(f) > 4 && f[2] == "image" {
			onPage = append(onPage, f[0]+":"+f[2]+":"+f[3])
		}
	}
	if len(onPage) != 1 || !strings.HasPrefix(onPage[0], "1:image:600") {
		t.Errorf("pictures in the PDF (page:type:width): %v, want only the logo on page 1", onPage)
	}

	// The DOCX: the letterhead is the first page's header only.
	first, err := doctext.Part(docs["letterhead"], "word/header2.xml")
	if err != nil {
		t.Fatal(err)
	}
	every, err := doctext.Part(docs["letterhead"], "word/header1.xml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(first, []byte("Martin Street")) || !bytes.Contains(first, []byte(`r:embed="rIdLogo"`)) || bytes.Contains(every, []byte("Martin Street")) || bytes.Contains(every, []byte("rIdLogo")) {
		t.Errorf("the DOCX's letterhead is not on the first page's header alone")
	}
	texts, err := doctext.ViaLibreOffice(map[string][]byte{"letterhead": docs["letterhead"]})
	if err != nil {
		t.Fatal(err)
	}
	loPages := strings.Split(texts["letterhead"], "\f")
	for i, page := range loPages {
		if got := strings.Contains(page, "Martin Street"); got != (i == 0) {
			t.Errorf("LibreOffice page %d of %d: the address printed: %v", i+1, len(loPages), got)
		}
	}
}

// pdfFile writes a PDF to a temporary file for a tool that reads files.
func pdfFile(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}
