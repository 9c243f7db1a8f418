package server

import (
	"html/template"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
	"github.com/supervisionfile/supfile/templates"
)

// TestSectionsHTMLMatchesTemplate checks sectionsHTML against record_edit's
// loop over the sections it replaced (testdata/sections_template.html, run
// with the page's own fields.html for the statement and the read-only
// answers): one section and several, editable and another party's, with
// and without intro, statement, errors, tables and the section just saved,
// and values (a record id too) that need escaping.
func TestSectionsHTMLMatchesTemplate(t *testing.T) {
	old, err := os.ReadFile("testdata/sections_template.html")
	if err != nil {
		t.Fatal(err)
	}
	fieldsSrc, err := fs.ReadFile(templates.HTML(), "fields.html")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{svc: supervision.New(nil, nil, nil, nil, supervision.Config{}, nil)}
	tmpl := template.Must(template.New("t").Funcs(s.funcs()).Parse(string(fieldsSrc) + string(old)))

	nasty := "A & B <b>\"quoted\"</b> it's 1+1\x00 ŵ 漢 \xff"
	opts := []OptionVM{{Value: "a", Label: "Alpha", Checked: true}, {Value: "b", Label: "B <and> C"}}
	editable := []FieldVM{
		{ID: "f-text", Name: "text", Kind: "text", Label: "Text " + nasty, Value: nasty, Hint: "Hint " + nasty},
		{ID: "f-choice", Name: "choice", Kind: "choice", Label: "Choice", Options: opts, Error: "Select " + nasty},
		{ID: "f-long", Name: "long", Kind: "longtext", Label: "Long", Value: "line\nline", Rows: 5},
	}
	answers := []FieldVM{
		{ID: "a-text", Label: "Answer " + nasty, Answer: forms.DisplayField{Label: "Answer", Value: "Said " + nasty}},
		{ID: "a-empty", Label: "Empty", Answer: forms.DisplayField{Label: "Empty"}, Error: "Enter " + nasty},
		{ID: "a-table", Label: "Table", Answer: forms.DisplayField{Label: "Table " + nasty, IsTable: true,
			Columns: []string{"One", "Two & <three>"}, Rows: [][]string{{"a", nasty}, {"", "c"}}}},
		{ID: "a-none", Label: "No rows", Answer: forms.DisplayField{Label: "No rows", IsTable: true, Columns: []string{"One"}}},
	}
	sections := []SectionVM{
		{Title: "Parties " + nasty, Fields: editable},
		{Title: "Aims", Intro: "Intro " + nasty, Statement: "First line " + nasty + "\nsecond line\r\n\n\nNew paragraph\n  \nLast", Fields: editable[:1]},
		{Title: "Theirs", Owner: "Supervisee " + nasty, ReadOnly: true, Fields: answers, Statement: "Policy text"},
		{Title: "Empty", Fields: nil},
		{Title: "Theirs, empty", Owner: "Supervisor", ReadOnly: true},
	}
	for _, id := range []string{"b9a520fb33f34dcbfeebb6383e2e7f08", "a b/c?d#e&f+g'h(i)\"<j>%41%4%zz%", "ŵ漢\xff\x00"} {
		for _, n := range []int{1, 2, len(sections)} {
			for _, saved := range []int{-1, 0, 1, n - 1} {
				p := &recordEditPage{View: &supervision.RecordView{Record: &supervision.Record{ID: id}}, Sections: sections[:n], SavedSection: saved}
				var want strings.Builder
				if err := tmpl.ExecuteTemplate(&want, "sections", p); err != nil {
					t.Fatal(err)
				}
				if got := string(sectionsHTML(p)); got != want.String() {
					t.Fatalf("record %q, %d sections, saved %d: sectionsHTML differs from the template (-template +sectionsHTML):\n%s", id, n, saved, cmp.Diff(want.String(), got))
				}
			}
		}
	}
}
