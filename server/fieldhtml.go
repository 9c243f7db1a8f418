package server

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/supervisionfile/supfile/forms"
)

// fieldHTML writes one form field of the edit page (a FieldVM) as HTML. It
// was the "field" template; under load, executing it was over half of a
// form page's cost (a reflective call for each action, escaper and eq),
// so it is written out here, producing the same bytes (the golden pages
// in testdata/golden hold them). Every value is escaped as html/template
// escapes a string in text, RCDATA and quoted attribute values.
func fieldHTML(f FieldVM) template.HTML {
	var b strings.Builder
	b.Grow(1024)
	w := &fieldWriter{b: &b}
	w.field(&f)
	return template.HTML(b.String())
}

// fieldsHTML is fieldHTML for each field in turn: one call from the
// template for a section rather than one (reflective, copying the field)
// for each field.
func fieldsHTML(fields []FieldVM) template.HTML {
	var b strings.Builder
	b.Grow(1024 * len(fields))
	w := &fieldWriter{b: &b}
	for i := range fields {
		w.field(&fields[i])
	}
	return template.HTML(b.String())
}

type fieldWriter struct{ b *strings.Builder }

func (w *fieldWriter) s(s string) { w.b.WriteString(s) }

// e writes v escaped: html/template's htmlReplacementTable, which is the
// same for text, RCDATA and quoted attribute values.
func (w *fieldWriter) e(v string) {
	last := 0
	for i := 0; i < len(v); i++ {
		k := htmlEscIndex[v[i]]
		if k == 0 {
			continue
		}
		w.b.WriteString(v[last:i])
		w.b.WriteString(htmlEscReplacement[k])
		last = i + 1
	}
	w.b.WriteString(v[last:])
}

// htmlEscIndex maps each byte e escapes to its replacement in
// htmlEscReplacement (0: the byte is written as it is). A table lookup per
// byte costs less than a switch over seven cases on the long text of a filled
// form.
var htmlEscIndex = [256]uint8{0: 1, '"': 2, '&': 3, '\'': 4, '+': 5, '<': 6, '>': 7}

var htmlEscReplacement = [...]string{1: "\uFFFD", 2: "&#34;", 3: "&amp;", 4: "&#39;", 5: "&#43;", 6: "&lt;", 7: "&gt;"}

func (w *fieldWriter) if_(cond bool, s string) {
	if cond {
		w.b.WriteString(s)
	}
}

func (w *fieldWriter) ifElse(cond bool, yes, no string) {
	if cond {
		w.b.WriteString(yes)
	} else {
		w.b.WriteString(no)
	}
}

func isKind(k string, kinds ...string) bool {
	for _, x := range kinds {
		if k == x {
			return true
		}
	}
	return false
}

// fieldError is the "field-error" template.
func (w *fieldWriter) fieldError(f *FieldVM) {
	if f.Error != "" {
		w.s(`<p id="`)
		w.e(f.ID)
		w.s(`-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> `)
		w.e(f.Error)
		w.s(`</p>`)
	}
}

// described is the "described" template.
func (w *fieldWriter) described(f *FieldVM) {
	if f.Hint == "" && f.ShowIf == "" && f.Error == "" {
		return
	}
	w.s(` aria-describedby="`)
	if f.Hint != "" || f.ShowIf != "" {
		w.e(f.ID)
		w.s(`-hint`)
	}
	w.if_((f.Hint != "" || f.ShowIf != "") && f.Error != "", " ")
	if f.Error != "" {
		w.e(f.ID)
		w.s(`-error`)
	}
	w.s(`"`)
}

func (w *fieldWriter) hint(f *FieldVM) {
	if f.Hint == "" && f.ShowIf == "" {
		return
	}
	w.s(`<div id="`)
	w.e(f.ID)
	w.s(`-hint" class="govuk-hint">`)
	w.e(f.Hint)
	if f.ShowIf != "" {
		w.if_(f.Hint != "", " ")
		// Under the option that calls for it, the question is shown only
		// when that option is chosen, so the sentence is for pages
		// without JavaScript.
		w.ifElse(f.Revealed, `<span class="app-no-js">`, `<span>`)
		w.e(f.ShowIf)
		w.s(`</span>`)
	}
	w.s(`</div>`)
}

func (w *fieldWriter) field(f *FieldVM) {
	w.s("\n\n<div class=\"govuk-form-group")
	w.if_(f.Error != "", " govuk-form-group--error")
	w.s("\">\n")
	switch {
	case f.Kind == "date":
		w.s("\n  <fieldset class=\"govuk-fieldset\" role=\"group\"")
		w.described(f)
		w.s(">\n    <legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">")
		w.e(f.Label)
		w.if_(!f.Required, " (optional)")
		w.s("</legend>\n    ")
		w.hint(f)
		w.s("\n    ")
		w.fieldError(f)
		w.dateInput(f)
		w.s("\n  </fieldset>\n")
	case isKind(f.Kind, "text", "number", "time", "longtext"):
		w.s("\n  <label class=\"govuk-label govuk-label--s\" for=\"")
		w.e(f.ID)
		w.s(`">`)
		w.e(f.Label)
		w.if_(!f.Required, " (optional)")
		w.s("</label>\n  ")
		w.hint(f)
		w.s("\n  ")
		w.fieldError(f)
		w.s("\n  ")
		if f.Kind == "longtext" {
			w.s("\n  <textarea class=\"govuk-textarea")
			w.if_(f.Error != "", " govuk-textarea--error")
			w.s(`" id="`)
			w.e(f.ID)
			w.s(`" name="`)
			w.e(f.Name)
			w.s(`" rows="`)
			w.s(strconv.Itoa(f.Rows))
			w.s(`"`)
			w.described(f)
			w.if_(f.ReadOnly, " readonly")
			w.s(">")
			w.e(f.Value)
			w.s("</textarea>\n  ")
		} else {
			w.s("\n  <input class=\"govuk-input")
			if f.Width != "" {
				w.s(" govuk-input--width-")
				w.e(f.Width)
			}
			w.if_(f.Error != "", " govuk-input--error")
			w.s(`" id="`)
			w.e(f.ID)
			w.s(`" name="`)
			w.e(f.Name)
			w.s(`" value="`)
			w.e(f.Value)
			w.s("\"\n    ")
			switch f.Kind {
			case "time":
				w.s(`type="time"`)
			case "number":
				w.s(`type="text" inputmode="decimal" spellcheck="false"`)
			default:
				w.s(`type="text"`)
			}
			w.described(f)
			w.if_(f.ReadOnly, " readonly")
			w.s(">\n  ")
		}
		w.s("\n")
	case isKind(f.Kind, "choice", "multichoice", "yesno", "rag", "scale"):
		multi := f.Kind == "multichoice"
		w.s("\n  <fieldset class=\"govuk-fieldset\"")
		w.described(f)
		w.s(">\n    <legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">")
		w.e(f.Label)
		w.if_(!f.Required, " (optional)")
		w.s("</legend>\n    ")
		w.hint(f)
		w.s("\n    ")
		w.fieldError(f)
		w.s("\n    <div class=\"")
		if multi {
			w.s("govuk-checkboxes govuk-checkboxes--small")
		} else {
			w.s("govuk-radios")
			w.if_(f.Inline, " govuk-radios--inline")
		}
		w.s(`" data-module="`)
		w.ifElse(multi, "govuk-checkboxes", "govuk-radios")
		w.s("\">\n      ")
		for i, o := range f.Options {
			id := func() {
				w.e(f.ID)
				if i != 0 {
					w.s("-")
					w.s(strconv.Itoa(i))
				}
			}
			w.s("\n      <div class=\"")
			w.ifElse(multi, "govuk-checkboxes__item", "govuk-radios__item")
			w.s("\">\n        <input class=\"")
			w.ifElse(multi, "govuk-checkboxes__input", "govuk-radios__input")
			w.s(`" id="`)
			id()
			w.s(`" name="`)
			w.e(f.Name)
			w.s(`" type="`)
			w.ifElse(multi, "checkbox", "radio")
			w.s(`" value="`)
			w.e(o.Value)
			w.s(`"`)
			w.if_(o.Checked, " checked")
			w.if_(f.ReadOnly, " disabled")
			if len(o.Reveal) > 0 {
				w.s(` data-app-reveal="`)
				id()
				w.s(`-reveal"`)
			}
			w.s(">\n        <label class=\"govuk-label ")
			w.ifElse(multi, "govuk-checkboxes__label", "govuk-radios__label")
			w.s(`" for="`)
			id()
			w.s(`">`)
			w.e(o.Label)
			w.s("</label>\n      </div>\n      ")
			if len(o.Reveal) > 0 {
				// GOV.UK Frontend hides it until the option is chosen;
				// without JavaScript it shows.
				w.s(`<div class="`)
				w.ifElse(multi, "govuk-checkboxes__conditional", "govuk-radios__conditional")
				if !o.Checked {
					w.ifElse(multi, " govuk-checkboxes__conditional--hidden", " govuk-radios__conditional--hidden")
				}
				w.s(`" id="`)
				id()
				w.s(`-reveal">`)
				for j := range o.Reveal {
					w.field(&o.Reveal[j])
				}
				w.s("</div>\n      ")
			}
		}
		w.s("\n    </div>\n  </fieldset>\n")
	case f.Kind == "person":
		w.s("\n  <label class=\"govuk-label govuk-label--s\" for=\"")
		w.e(f.ID)
		w.s(`">`)
		w.e(f.Label)
		w.if_(!f.Required, " (optional)")
		w.s("</label>\n  ")
		w.hint(f)
		w.s("\n  ")
		w.fieldError(f)
		w.s("\n  <select class=\"govuk-select")
		w.if_(f.Error != "", " govuk-select--error")
		w.s(`" id="`)
		w.e(f.ID)
		w.s(`" name="`)
		w.e(f.Name)
		w.s(`"`)
		w.described(f)
		w.if_(f.ReadOnly, " disabled")
		w.s(">\n    <option value=\"\">Select a person</option>\n    ")
		w.options(f.Options)
		w.s("\n  </select>\n")
	case f.Kind == "table":
		w.s("\n  <fieldset class=\"govuk-fieldset\"")
		w.described(f)
		w.s(">\n    <legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">")
		w.e(f.Label)
		w.if_(!f.Required, " (optional)")
		w.s("</legend>\n    ")
		w.hint(f)
		w.s("\n    ")
		w.fieldError(f)
		w.s("\n    <table class=\"govuk-table app-table-stack\" id=\"")
		w.e(f.ID)
		w.s("\">\n      <caption class=\"govuk-table__caption govuk-visually-hidden\">")
		w.e(f.Label)
		w.s("</caption>\n      <thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">\n        ")
		for _, c := range f.Table.Columns {
			w.s(`<th scope="col" class="govuk-table__header">`)
			w.e(c)
			w.s(`</th>`)
		}
		w.s("\n        ")
		w.if_(!f.ReadOnly, `<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>`)
		w.s("\n      </tr></thead>\n      <tbody class=\"govuk-table__body\">\n      ")
		for r, row := range f.Table.Rows {
			w.s("\n        <tr class=\"govuk-table__row\">\n          ")
			for i := range row {
				w.s(`<td class="govuk-table__cell">`)
				w.cell(&row[i])
				w.s(`</td>`)
			}
			w.s("\n          ")
			if !f.ReadOnly && rowLocked(row) {
				// Someone else's row (a group record's learning): nothing
				// to remove.
				w.s(`<td class="govuk-table__cell"></td>`)
			} else if !f.ReadOnly {
				w.s(`<td class="govuk-table__cell"><button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" name="action" value="remove-row:`)
				w.e(f.Name)
				w.s(":")
				w.s(strconv.Itoa(r))
				w.s(`"`)
				w.formAction(f)
				w.s(` formnovalidate>Remove<span class="govuk-visually-hidden"> row `)
				w.s(strconv.Itoa(r + 1))
				w.s(`</span></button></td>`)
			}
			w.s("\n        </tr>\n      ")
		}
		w.s("\n      </tbody>\n    </table>\n    ")
		if !f.ReadOnly && f.Table.Full {
			// At the form's max_rows: say so rather than offer a row that
			// would be refused.
			w.s(`<p class="govuk-body">`)
			w.e(f.Label)
			w.s(` can have `)
			w.s(strconv.Itoa(f.Table.MaxRows))
			w.s(` rows at most.</p>`)
		} else if !f.ReadOnly {
			w.s(`<button type="submit" class="govuk-button govuk-button--secondary" name="action" value="add-row:`)
			w.e(f.Name)
			w.s(`"`)
			w.formAction(f)
			w.s(` formnovalidate>Add another row<span class="govuk-visually-hidden"> to `)
			w.e(f.Label)
			w.s(`</span></button>`)
		}
		w.s("\n  </fieldset>\n")
	}
	w.s("\n</div>\n")
}

// formAction makes a table's button post to the page's address with the
// table's id as the fragment (TableVM.Action).
func (w *fieldWriter) formAction(f *FieldVM) {
	if f.Table.Action == "" {
		return
	}
	w.s(` formaction="`)
	w.e(f.Table.Action)
	w.s("#")
	w.e(f.ID)
	w.s(`"`)
}

func (w *fieldWriter) options(opts []OptionVM) {
	for _, o := range opts {
		w.s(`<option value="`)
		w.e(o.Value)
		w.s(`"`)
		w.if_(o.Checked, " selected")
		w.s(">")
		w.e(o.Label)
		w.s("</option>")
	}
}

// cell is one input of a table row (the "cell" template it replaces).
func (w *fieldWriter) cell(f *FieldVM) {
	w.s("\n<div class=\"")
	w.if_(f.Error != "", "govuk-form-group--error")
	w.s("\">\n  <label class=\"govuk-visually-hidden\" for=\"")
	w.e(f.ID)
	w.s(`">`)
	w.e(f.Label)
	w.s("</label>\n  ")
	w.fieldError(f)
	w.s("\n  ")
	aria := func() {
		if f.Error != "" {
			w.s(` aria-describedby="`)
			w.e(f.ID)
			w.s(`-error"`)
		}
	}
	switch {
	case f.Kind == "date":
		// The label above is for the day box; the three boxes are named
		// by their own labels.
		w.dateInput(f)
		w.s("\n  ")
	case isKind(f.Kind, "choice", "yesno", "rag", "person"):
		w.s("\n  <select class=\"govuk-select app-table-input")
		w.if_(f.Error != "", " govuk-select--error")
		w.s(`" id="`)
		w.e(f.ID)
		w.s(`" name="`)
		w.e(f.Name)
		w.s(`"`)
		aria()
		w.if_(f.ReadOnly, " disabled")
		w.s(">\n    <option value=\"\"></option>\n    ")
		w.options(f.Options)
		w.s("\n  </select>\n  ")
	case f.Kind == "longtext":
		w.s("\n  <textarea class=\"govuk-textarea app-table-input")
		w.if_(f.Error != "", " govuk-textarea--error")
		w.s(`" id="`)
		w.e(f.ID)
		w.s(`" name="`)
		w.e(f.Name)
		w.s(`" rows="2"`)
		aria()
		w.if_(f.ReadOnly, " readonly")
		w.s(">")
		w.e(f.Value)
		w.s("</textarea>\n  ")
	default:
		w.s("\n  <input class=\"govuk-input app-table-input")
		w.if_(f.Error != "", " govuk-input--error")
		w.s(`" id="`)
		w.e(f.ID)
		w.s(`" name="`)
		w.e(f.Name)
		w.s(`" value="`)
		w.e(f.Value)
		w.s(`" type="`)
		switch f.Kind {
		case "time":
			w.s("time")
		default:
			w.s("text")
		}
		w.s(`"`)
		aria()
		w.if_(f.ReadOnly, " readonly")
		w.s(">\n  ")
	}
	w.s("\n</div>\n")
}

// dateInput is the GOV.UK date input: day, month and year boxes named
// "<name>.day", "<name>.month" and "<name>.year" (forms.JoinDateParts reads
// them). The day box has the field's id, so the error summary's link and
// the label lead to it. A date kept as typed is shown again box by box,
// and the boxes that are wrong are marked (all three when the problem is
// the date as a whole, such as one before today).
func (w *fieldWriter) dateInput(f *FieldVM) {
	parts := [3]string{}
	parts[0], parts[1], parts[2] = forms.SplitDate(f.Value)
	var bad [3]bool
	if f.Error != "" {
		if _, bad = forms.DateProblem(f.Value); bad == [3]bool{} {
			bad = [3]bool{true, true, true}
		}
	}
	w.s("\n    <div class=\"govuk-date-input\">")
	for i, part := range [3]string{"day", "month", "year"} {
		w.s("\n      <div class=\"govuk-date-input__item\"><div class=\"govuk-form-group\">\n        <label class=\"govuk-label govuk-date-input__label\" for=\"")
		w.e(f.ID)
		if i > 0 {
			w.s("-" + part)
		}
		w.s(`">`)
		w.s([3]string{"Day", "Month", "Year"}[i])
		w.s("</label>\n        <input class=\"govuk-input govuk-date-input__input ")
		w.ifElse(i == 2, "govuk-input--width-4", "govuk-input--width-2")
		w.if_(bad[i], " govuk-input--error")
		w.s(`" id="`)
		w.e(f.ID)
		if i > 0 {
			w.s("-" + part)
		}
		w.s(`" name="`)
		w.e(f.Name)
		w.s("." + part)
		w.s(`" value="`)
		w.e(parts[i])
		w.s(`" type="text" inputmode="numeric" data-date-part="` + part + `"`)
		w.if_(f.ReadOnly, " readonly")
		w.s(">\n      </div></div>")
	}
	w.s("\n    </div>")
}

// rowLocked says whether every cell of a table's row is read-only.
func rowLocked(row []FieldVM) bool {
	for i := range row {
		if !row[i].ReadOnly {
			return false
		}
	}
	return len(row) > 0
}

// sectionsHTML writes the edit page's sections (record_edit's loop over
// them, which was the rest of the page's template cost under load): each
// section's heading, intro, statement, then its fields (fieldsHTML), or
// for another party's section its answers read-only, and with several
// sections its own Save draft button. The same bytes as the template it
// replaced (testdata/sections_template.html, TestSectionsHTMLMatchesTemplate).
func sectionsHTML(p *recordEditPage) template.HTML {
	var b strings.Builder
	b.Grow(4096 * len(p.Sections))
	w := &fieldWriter{b: &b}
	for i := range p.Sections {
		sec := &p.Sections[i]
		n := strconv.Itoa(i)
		w.s("\n  <div class=\"app-section\" id=\"section-")
		w.s(n)
		w.s("\">\n    <h2 class=\"govuk-heading-l\">")
		w.e(sec.Title)
		w.s("</h2>\n    ")
		if sec.Intro != "" {
			w.s("<p class=\"govuk-body\">")
			w.e(sec.Intro)
			w.s("</p>")
		}
		w.statement(sec.Statement)
		w.s("\n    ")
		if sec.ReadOnly {
			w.s("\n    <p class=\"govuk-inset-text\">The ")
			w.e(strings.ToLower(sec.Owner))
			w.s(" fills in this part. You can read it here, but not change it.</p>\n    <dl class=\"govuk-summary-list\">")
			for f := range sec.Fields {
				w.answer(&sec.Fields[f])
			}
			w.s("</dl>\n    ")
		} else {
			w.s("\n    ")
			for f := range sec.Fields {
				w.field(&sec.Fields[f])
			}
			w.s("\n    ")
			if len(p.Sections) > 1 {
				w.s("\n    \n    <div class=\"govuk-button-group\">\n      <button type=\"submit\" class=\"govuk-button govuk-button--secondary\" name=\"action\" value=\"save\" formaction=\"/records/")
				w.urlNormalized(p.View.Record.ID)
				w.s("/edit?section=")
				w.s(n)
				w.s("#section-")
				w.s(n)
				w.s("\" data-module=\"govuk-button\">Save draft<span class=\"govuk-visually-hidden\"> (")
				w.e(sec.Title)
				w.s(")</span></button>\n      ")
				w.if_(p.SavedSection == i, "<p class=\"govuk-body\" role=\"status\">Draft saved</p>")
				w.s("\n    </div>\n    ")
			}
			w.s("\n    ")
		}
		w.s("\n  </div>\n  ")
	}
	return template.HTML(b.String())
}

// statement is the "statement" template: the form's fixed text, its
// paragraphs and line breaks.
func (w *fieldWriter) statement(s string) {
	if s == "" {
		return
	}
	w.s("<div class=\"govuk-inset-text app-statement\">")
	for _, para := range paras(s) {
		w.s("<p class=\"govuk-body\">")
		for i, l := range para {
			w.if_(i > 0, "<br>")
			w.e(l)
		}
		w.s("</p>")
	}
	w.s("</div>")
}

// answer is the "answer" template (with "answer-value"): another party's
// answer, read-only.
func (w *fieldWriter) answer(f *FieldVM) {
	w.s("\n<div class=\"govuk-summary-list__row\" id=\"")
	w.e(f.ID)
	w.s("\">\n  <dt class=\"govuk-summary-list__key\">")
	w.e(f.Label)
	w.s("</dt>\n  <dd class=\"govuk-summary-list__value\">\n    ")
	if f.Error != "" {
		w.s("<p class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> ")
		w.e(f.Error)
		w.s("</p>")
	}
	w.s("\n    ")
	a := &f.Answer
	switch {
	case a.IsTable && len(a.Rows) > 0:
		w.s("\n  <table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-visually-hidden\">")
		w.e(a.Label)
		w.s("</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">")
		for _, c := range a.Columns {
			w.s("<th scope=\"col\" class=\"govuk-table__header\">")
			w.e(c)
			w.s("</th>")
		}
		w.s("</tr></thead>\n  <tbody class=\"govuk-table__body\">")
		for _, row := range a.Rows {
			w.s("<tr class=\"govuk-table__row\">")
			for _, cell := range row {
				w.s("<td class=\"govuk-table__cell app-answer\">")
				w.e(cell)
				w.s("</td>")
			}
			w.s("</tr>")
		}
		w.s("</tbody></table>\n")
	case a.IsTable:
		w.s("\n  <span class=\"govuk-hint\">Not answered</span>\n")
	case a.Value != "":
		w.s("<div class=\"app-answer\">")
		w.e(a.Value)
		w.s("</div>")
	default:
		w.s("<span class=\"govuk-hint\">Not answered</span>")
	}
	w.s("\n  </dd>\n</div>\n")
}

// urlNormalized writes a part of a URL's path as html/template does
// (urlNormalizer, then attrEscaper): bytes that may not appear in a URL
// percent-encoded, escapes already there kept, then HTML-escaped.
func (w *fieldWriter) urlNormalized(s string) {
	var u strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0,
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			u.WriteByte(c)
		default:
			fmt.Fprintf(&u, "%%%02x", c)
		}
	}
	w.e(u.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
