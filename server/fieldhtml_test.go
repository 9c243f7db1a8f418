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
// that need escaping, so the edit page is byte for byte what it was. Dates
// are left out: they are now the GOV.UK date input (TestDateInputHTML and
// the golden pages), which the template never was.
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
	for _, kind := range []string{"text", "number", "time", "longtext", "choice", "multichoice", "yesno", "rag", "scale", "person", "table", "unknown"} {
		for _, hint := range []string{"", "A hint " + nasty} {
			for _, errMsg := range []string{"", "Enter " + nasty} {
				for _, ro := range []bool{false, true} {
					for _, req := range []bool{false, true} {
						f := FieldVM{ID: "f-" + kind + "'x", Name: kind + "+name", Kind: kind, Label: "Label " + nasty, Hint: hint,
							Required: req, Value: "Value " + nasty, Options: opts, Inline: req, Rows: 5, Width: map[bool]string{true: "10", false: ""}[req],
							Error: errMsg, ReadOnly: ro}
						if kind == "table" {
							var row []FieldVM
							for _, ck := range []string{"text", "time", "longtext", "choice", "yesno", "rag", "person", "multichoice"} {
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

// TestDateInputHTML: a date is three boxes named for forms.JoinDateParts,
// the day box carrying the field's id (the error summary links to it); a
// date kept as typed is shown again box by box, with the missing box marked.
func TestDateInputHTML(t *testing.T) {
	got := string(fieldHTML(FieldVM{ID: "f-review_date", Name: "review_date", Kind: "date", Label: "Review date", Required: true,
		Hint: "For example, 27 3 2026", Value: "27//2026", Error: "The review date must include a month"}))
	for _, want := range []string{
		`<fieldset class="govuk-fieldset" role="group" aria-describedby="f-review_date-hint f-review_date-error">`,
		`<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Review date</legend>`,
		`id="f-review_date" name="review_date.day" value="27"`,
		`class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error" id="f-review_date-month" name="review_date.month" value=""`,
		`class="govuk-input govuk-date-input__input govuk-input--width-4" id="f-review_date-year" name="review_date.year" value="2026"`,
		`<label class="govuk-label govuk-date-input__label" for="f-review_date-month">Month</label>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("date input lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, `type="date"`) {
		t.Error("the browser's date picker is still used")
	}
}

// TestConditionalReveal: a follow-up question is put under the option that
// calls for it (GOV.UK conditional reveal), hidden until it is chosen; its
// "Answer this if…" is kept for pages without JavaScript.
func TestConditionalReveal(t *testing.T) {
	sec := forms.Section{Title: "S", Fields: []forms.Field{
		{ID: "used", Kind: forms.KindYesNo, Label: "Was it used?"},
		{ID: "other", Kind: forms.KindText, Label: "Something else"},
		{ID: "why", Kind: forms.KindLongText, Label: "Why?", ShowIf: &forms.Condition{Field: "used", Equals: "yes"}},
	}}
	def := &forms.Definition{ID: "t", Title: "T", Sections: []forms.Section{sec}}
	for _, checked := range []bool{false, true} {
		data := map[string]any{}
		if checked {
			data["used"] = "yes"
		}
		secs := buildSections(def, data, nil, nil, func(string) bool { return true })
		if n := len(secs[0].Fields); n != 2 {
			t.Fatalf("%d fields at the top, want 2 (the follow-up nested)", n)
		}
		got := string(fieldsHTML(secs[0].Fields))
		hidden := strings.Contains(got, `govuk-radios__conditional--hidden`)
		if hidden == checked {
			t.Errorf("checked %v: conditional hidden %v", checked, hidden)
		}
		for _, want := range []string{
			`id="f-used" name="used" type="radio" value="yes" ` + map[bool]string{true: "checked ", false: ""}[checked] + `data-app-reveal="f-used-reveal"`,
			`" id="f-used-reveal">`, `name="why"`, `<span class="app-no-js">Answer this if the answer to ‘Was it used?’ is ‘Yes’.</span>`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("checked %v: lacks %s:\n%s", checked, want, got)
			}
		}
		if strings.Contains(got, "govuk-radios--inline") {
			t.Error("radios with a conditional reveal are inline")
		}
		if strings.Index(got, `name="why"`) > strings.Index(got, `name="other"`) {
			t.Error("the follow-up is not under its question")
		}
	}
}
