package server

import (
	"html/template"
	"strconv"
	"strings"
)

// attachmentsPanelHTML writes the attachments panel (an attachPanel) below a
// record's form and on its page. It was the "attachments-panel" template
// (kept in testdata/attachments_panel_template.html): on the form page under
// load, the template's forty-odd actions and its two nested inputs were most
// of what html/template cost after the fields, so it is written out here
// with the same bytes, as fieldHTML is (TestAttachmentsPanelMatchesTemplate).
func attachmentsPanelHTML(a *attachPanel) template.HTML {
	var b strings.Builder
	b.Grow(3072 + 768*len(a.List))
	w := &fieldWriter{b: &b}
	w.s("\n<h2 class=\"govuk-heading-l\" id=\"attachments\">Attachments</h2>\n")
	if len(a.List) > 0 {
		w.s("\n<dl class=\"govuk-summary-list\">\n")
		for _, at := range a.List {
			w.s("\n  <div class=\"govuk-summary-list__row\">\n    <dt class=\"govuk-summary-list__key\"><a class=\"govuk-link\" href=\"/records/")
			w.urlNormalized(a.RecordID)
			w.s("/attachments/")
			w.urlNormalized(at.ID)
			w.s("\" download>")
			w.e(at.Name)
			w.s("<span class=\"govuk-visually-hidden\"> (download)</span></a></dt>\n    <dd class=\"govuk-summary-list__value\">")
			if at.Description != "" {
				w.s("<p class=\"govuk-body app-answer\">")
				w.e(at.Description)
				w.s("</p>")
			}
			w.s("<p class=\"govuk-body-s\">")
			w.e(a.FileType(at.ContentType))
			w.s(", ")
			w.e(a.FileSize(at.Size))
			w.s("<br>SHA-256 <span class=\"app-break\">")
			w.e(at.SHA256)
			w.s("</span></p></dd>\n    ")
			if a.CanChange {
				w.s("<dd class=\"govuk-summary-list__actions\">\n      <form method=\"post\" action=\"/records/")
				w.urlNormalized(a.RecordID)
				w.s("/attachments/")
				w.urlNormalized(at.ID)
				w.s("/remove\" class=\"app-inline-form\">\n        <button type=\"submit\" class=\"app-link-button govuk-link\">Remove<span class=\"govuk-visually-hidden\"> ")
				w.e(at.Name)
				w.s("</span></button>\n      </form></dd>")
			}
			w.s("\n  </div>\n")
		}
		w.s("\n</dl>\n")
	} else {
		w.s("<p class=\"govuk-body\">No files are attached to this record.</p>")
	}
	w.s("\n")
	if a.CanChange {
		w.s("\n<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n<form method=\"post\" action=\"/records/")
		w.urlNormalized(a.RecordID)
		w.s("/attachments\" enctype=\"multipart/form-data\" novalidate>\n  <p class=\"govuk-body\">Attach the tools, worksheets, letters or evidence used with this record. They are kept with it in the supervision file, and the signed record lists each one with its SHA-256 hash.")
		w.if_(a.OnEditPage, " Save your draft first: attaching a file leaves this page.")
		w.s("</p>\n  \n")
		fe := a.Errors["attachment_file"]
		w.s("  <div class=\"govuk-form-group")
		w.if_(fe != "", " govuk-form-group--error")
		w.s("\">\n    <label class=\"govuk-label govuk-label--s\" for=\"f-attachment_file\">Upload a file</label>\n    <div id=\"f-attachment_file-hint\" class=\"govuk-hint\">A PDF, Word document (DOCX), OpenDocument text (ODT), PNG or JPEG, smaller than ")
		w.e(a.MaxText)
		w.s(". Up to ")
		w.s(strconv.Itoa(a.MaxCount))
		w.s(" files for each record.")
		w.if_(a.Scanning, " Every file is checked for viruses.")
		w.s("</div>\n    ")
		if fe != "" {
			w.s("<p id=\"f-attachment_file-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> ")
			w.e(fe)
			w.s("</p>")
		}
		w.s("\n    <input class=\"govuk-file-upload")
		w.if_(fe != "", " govuk-file-upload--error")
		w.s("\" id=\"f-attachment_file\" name=\"attachment_file\" type=\"file\" accept=\".pdf,.docx,.odt,.png,.jpg,.jpeg\" aria-describedby=\"f-attachment_file-hint")
		w.if_(fe != "", " f-attachment_file-error")
		w.s("\">\n  </div>\n  ")
		w.simpleInput("attachment_name", "Name (optional)", a.Name, "What the file is, for example ‘Reflective discussion tool’. Without a name, the file's own name is used.", a.Errors, false)
		w.s("\n  ")
		w.simpleInput("attachment_description", "Description (optional)", a.Description, "How it was used with this record", a.Errors, true)
		w.s("\n  <button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">Attach file</button>\n</form>\n</div></div>\n")
	}
	w.s("\n")
	return template.HTML(b.String())
}

// simpleInput writes the "simple-input" template for a text input, or the
// "long-input" one (long) for a textarea, as the "input" function makes
// them: its id is anchor(name), its error errs[name].
func (w *fieldWriter) simpleInput(name, label, value, hint string, errs map[string]string, long bool) {
	id, errMsg := anchor(name), errs[name]
	w.s("\n<div class=\"govuk-form-group")
	w.if_(errMsg != "", " govuk-form-group--error")
	w.s("\">\n  <label class=\"govuk-label govuk-label--s\" for=\"")
	w.e(id)
	w.s("\">")
	w.e(label)
	w.s("</label>\n  ")
	if hint != "" {
		w.s("<div id=\"")
		w.e(id)
		w.s("-hint\" class=\"govuk-hint\">")
		w.e(hint)
		w.s("</div>")
	}
	w.s("\n  ")
	if errMsg != "" {
		w.s("<p id=\"")
		w.e(id)
		w.s("-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> ")
		w.e(errMsg)
		w.s("</p>")
	}
	if long {
		w.s("\n  <textarea class=\"govuk-textarea")
		w.if_(errMsg != "", " govuk-textarea--error")
		w.s("\" id=\"")
		w.e(id)
		w.s("\" name=\"")
		w.e(name)
		w.s("\" rows=\"3\"")
		w.describedBy(id, hint != "", errMsg != "")
		w.s(">")
		w.e(value)
		w.s("</textarea>\n</div>\n")
		return
	}
	w.s("\n  <input class=\"govuk-input")
	w.if_(errMsg != "", " govuk-input--error")
	w.s("\" id=\"")
	w.e(id)
	w.s("\" name=\"")
	w.e(name)
	w.s("\" type=\"text\" value=\"")
	w.e(value)
	w.s("\"")
	w.describedBy(id, hint != "", errMsg != "")
	w.s(">\n</div>\n")
}

// describedBy is the "described" template.
func (w *fieldWriter) describedBy(id string, hint, hasErr bool) {
	if !hint && !hasErr {
		return
	}
	w.s(" aria-describedby=\"")
	if hint {
		w.e(id)
		w.s("-hint")
	}
	w.if_(hint && hasErr, " ")
	if hasErr {
		w.e(id)
		w.s("-error")
	}
	w.s("\"")
}
