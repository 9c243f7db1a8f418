package supervision

import (
	"context"
	"regexp"
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
