package server

import (
	"html/template"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/forms"
)

// TestFieldHTMLMatchesTemplate checks fieldHTML against the "field"
// template it replaced (kept in testdata/field_template.html), on every
// kind of field with and without a hint, an error, read-only, and values
// that need escaping, so the edit page is byte for byte what it was.
func TestFieldHTMLMatchesTemplate(t *testing.T) {
	raw, err := os.ReadFile("testdata/field_template.html")
	if err != nil {
		t.Fatal(err)
	}
	helpers := `{{define "field-error"}}{{with .Error}}<p id="{{$.ID}}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {{.}}</p>{{end}}{{end}}
{{define "described"}}{{if or .Hint .Error}} aria-describedby="{{if .Hint}}{{.ID}}-hint{{end}}{{if and .Hint .Error}} {{end}}{{if .Error}}{{.ID}}-error{{end}}"{{end}}{{end}}`
	tmpl := template.Must(template.New("t").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(string(raw) + helpers))

	nasty := "A & B <b>\"quoted\"</b> it's 1+1\x00 ŵ 漢 \xff"
	opts := []OptionVM{{Value: "a", Label: "Alpha"}, {Value: "b&c", Label: "B <and> C", Checked: true}, {Value: "d", Label: "D'"}}
	var fields []FieldVM
	for _, kind := range []string{"text", "number", "date", "time", "longtext", "choice", "multichoice", "yesno", "rag", "scale", "person", "table", "unknown"} {
		for _, hint := range []string{"", "A hint " + nasty} {
			for _, errMsg := range []string{"", "Enter " + nasty} {
				for _, ro := range []bool{false, true} {
					for _, req := range []bool{false, true} {
						f := FieldVM{ID: "f-" + kind + "'x", Name: kind + "+name", Kind: kind, Label: "Label " + nasty, Hint: hint,
							Required: req, Value: "Value " + nasty, Options: opts, Inline: req, Rows: 5, Width: map[bool]string{true: "10", false: ""}[req],
							Error: errMsg, ReadOnly: ro}
						if kind == "table" {
							var row []FieldVM
							for _, ck := range []string{"text", "date", "time", "longtext", "choice", "yesno", "rag", "person", "multichoice"} {
								row = append(row, FieldVM{ID: "c-" + ck, Name: "t[0]." + ck, Kind: ck, Label: "Cell " + nasty, Value: nasty, Options: opts, Error: errMsg, ReadOnly: ro})
							}
							f.Table = &TableVM{Columns: []string{"One", "Two & <three>"}, Rows: [][]FieldVM{row, row}}
						}
						fields = append(fields, f)
					}
				}
			}
		}
	}
	for _, f := range fields {
		var want strings.Builder
		if err := tmpl.ExecuteTemplate(&want, "field", f); err != nil {
			t.Fatal(err)
		}
		if got := string(fieldHTML(f)); got != want.String() {
			t.Fatalf("field %+v: fieldHTML differs from the template (-template +fieldHTML):\n%s", f, cmp.Diff(want.String(), got))
		}
	}
}

// TestHasPersonField: the edit page reads staff names only for a form with
// a person field, alone or as a table column.
func TestHasPersonField(t *testing.T) {
	def := func(fields ...forms.Field) *forms.Definition {
		return &forms.Definition{Sections: []forms.Section{{Fields: []forms.Field{{Kind: forms.KindText}}}, {Fields: fields}}}
	}
	for _, tt := range []struct {
		def  *forms.Definition
		want bool
	}{
		{def(), false},
		{def(forms.Field{Kind: forms.KindText}), false},
		{def(forms.Field{Kind: forms.KindPerson}), true},
		{def(forms.Field{Kind: forms.KindTable, Columns: []forms.Field{{Kind: forms.KindText}, {Kind: forms.KindPerson}}}), true},
		{def(forms.Field{Kind: forms.KindTable, Columns: []forms.Field{{Kind: forms.KindText}}}), false},
	} {
		if got := hasPersonField(tt.def); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.def.Sections[1].Fields, got, tt.want)
		}
	}
}
