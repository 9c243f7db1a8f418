package server

import (
	"html/template"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/supervision"
	"github.com/supervisionfile/supfile/templates"
)

// TestAttachmentsPanelMatchesTemplate checks attachmentsPanelHTML against
// the "attachments-panel" template it replaced (testdata/
// attachments_panel_template.html, run with the page's own fields.html for
// its two inputs): no files and several, changeable or not, on the edit page
// or the record's, with and without virus scanning, errors beside each field,
// and names, descriptions, types and ids that need escaping in text,
// attributes and URLs.
func TestAttachmentsPanelMatchesTemplate(t *testing.T) {
	old, err := os.ReadFile("testdata/attachments_panel_template.html")
	if err != nil {
		t.Fatal(err)
	}
	fieldsSrc, err := fs.ReadFile(templates.HTML(), "fields.html")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(fieldsSrc), `define "attachments-panel"`) {
		t.Fatal("fields.html still defines the attachments-panel template")
	}
	s := &Server{svc: supervision.New(nil, nil, nil, nil, supervision.Config{}, nil)}
	tmpl := template.Must(template.New("t").Funcs(s.funcs()).Parse(string(fieldsSrc) + string(old)))

	nasty := "A & B <b>\"quoted\"</b> it's 1+1\x00 ŵ 漢 \xff %zz %2F é/?#"
	files := []*supervision.Attachment{
		{ID: "0123abcd", Name: "Reflective tool.pdf", FileName: "tool.pdf", ContentType: "application/pdf", Size: 123456,
			SHA256: strings.Repeat("ab", 32), UploadedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
		{ID: "id " + nasty, Name: "Name " + nasty, Description: "Used " + nasty + "\nline two", ContentType: "image/png", Size: 0, SHA256: nasty},
		{ID: "x", Name: "", ContentType: "application/x-" + nasty, Size: 25 << 20},
	}
	n := 0
	for _, list := range [][]*supervision.Attachment{nil, files[:1], files} {
		for _, change := range []bool{false, true} {
			for _, edit := range []bool{false, true} {
				for _, scan := range []bool{false, true} {
					for _, errs := range []map[string]string{nil, {"attachment_file": "Choose " + nasty},
						{"attachment_name": "Name " + nasty}, {"attachment_description": "Describe " + nasty},
						{"attachment_file": "a", "attachment_name": "b", "attachment_description": "c"}} {
						for _, typed := range [][2]string{{"", ""}, {"Typed " + nasty, "Said " + nasty + "\n\nmore"}} {
							a := &attachPanel{RecordID: "rec " + nasty, List: list, CanChange: change, MaxText: "20 MB" + nasty, MaxCount: 20,
								Scanning: scan, OnEditPage: edit, Errors: errs, Name: typed[0], Description: typed[1]}
							var want strings.Builder
							if err := tmpl.ExecuteTemplate(&want, "attachments-panel", a); err != nil {
								t.Fatal(err)
							}
							if got := string(attachmentsPanelHTML(a)); got != want.String() {
								t.Fatalf("panel %+v: attachmentsPanelHTML differs from the template (-template +attachmentsPanelHTML):\n%s", a, cmp.Diff(want.String(), got))
							}
							n++
						}
					}
				}
			}
		}
	}
	if n != 240 {
		t.Errorf("compared %d panels, want 240", n)
	}
}
