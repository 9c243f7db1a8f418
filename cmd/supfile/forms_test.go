package main

import (
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision"
)

// TestEveryFormSignedOverAPI takes every form in the catalogue from start
// to signed over the API, as its parties would: the author starts it with
// answers to every question (every field kind, a 20,000-character answer,
// Welsh letters), the other party fills their own sections, the author's
// side submits it, and each signer signs in order. Then every answer, as
// the record page shows it, must be in the PDF's text and the DOCX's XML.
func TestEveryFormSignedOverAPI(t *testing.T) {
	needs.Tools(t, "pdftotext")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	// The file audit is done by an auditor assigned to the file, not the
	// supervisor, and kept in the supervisor's file.
	auditorID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": p.superviseeID, "auditor_id": auditorID, "due": "2099-01-31"}, http.StatusCreated, nil)
	auditor := login(t, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
	names := map[string]string{p.supervisorID: "Ahmed Khan", p.superviseeID: "Siân Gwŷnedd-Jones", auditorID: "Grace Okafor"}
	byParty := map[string]*client{"supervisor": p.supervisor, "supervisee": p.supervisee, "auditor": auditor}
	nameOf := map[string]string{"supervisor": "Ahmed Khan", "supervisee": "Siân Gwŷnedd-Jones", "auditor": "Grace Okafor"}
	docxs := map[string][]byte{}
	for _, def := range cat.List() {
		if def.Generated {
			continue // made by the service: TestHandover* sign it
		}
		t.Run(def.ID, func(t *testing.T) {
			data := forms.Sample(def, p.supervisorID)
			if id := firstLongText(def); id != "" {
				data[id] = longAnswer()
			}
			author, other := "supervisor", "supervisee"
			if !supervision.Writes(def, "supervisor") {
				author, other = "supervisee", "supervisor"
			}
			if supervision.IsAudit(def) {
				author = "auditor"
			}
			var rec recordResp
			file := p.superviseeID
			if supervision.IsGroup(def) {
				// The supervisor leads it from their own file, with the
				// supervisee attending: one row of learning, theirs.
				file = p.supervisorID
				row := data["learning"].([]any)[0].(map[string]any)
				row["attendee"] = p.superviseeID
				data["learning"] = []any{row}
			}
			byParty[author].call("POST", "/api/v1/staff/"+file+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
			if supervision.IsGroup(def) {
				p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/parties", map[string]any{"staff_id": p.superviseeID, "role": "attendee"}, http.StatusCreated, nil)
				p.supervisee.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &rec)
				p.supervisee.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
			}
			if supervision.Writes(def, other) {
				byParty[other].call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
			}
			submitter := author
			if !supervision.IsAudit(def) && !supervision.Submits(def, author) {
				submitter = other
			}
			byParty[submitter].call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
			signed := map[string]bool{}
			for _, sg := range def.Signers {
				party := supervision.Party(sg.Role)
				if sg.Role == "auditor" {
					party = "auditor"
				}
				if sg.Role == "attendee" {
					party = "supervisee"
				}
				// A signer who waits for others is told so on the record's
				// page, and whom for; the one whose turn it is is not.
				for _, later := range def.Signers[len(signed):] {
					if !supervision.Waits(def, later, signed) || later.Role == "attendee" {
						continue
					}
					lp := supervision.Party(later.Role)
					if later.Role == "auditor" {
						lp = "auditor"
					}
					if lp == party {
						continue // also signs now, in another role
					}
					page := string(byParty[lp].call("GET", "/records/"+rec.ID, nil, http.StatusOK, nil))
					if !strings.Contains(page, "You sign this record as "+html.EscapeString(roleTitle(later.Role))+" once the ") {
						t.Errorf("%s waits to sign, but the record page does not say so", later.Role)
					}
				}
				page := string(byParty[party].call("GET", "/records/"+rec.ID, nil, http.StatusOK, nil))
				if strings.Contains(page, "You sign this record as") {
					t.Errorf("%s may sign now, but the record page says they wait", sg.Role)
				}
				signed[sg.Role] = true
				byParty[party].call("POST", "/api/v1/records/"+rec.ID+"/signatures",
					map[string]any{"name": nameOf[party], "confirm": true, "comment": "Signed as " + sg.Label + "."}, http.StatusCreated, &rec)
			}
			if rec.Status != "signed" {
				t.Fatalf("after every signer: %+v", rec)
			}

			want := displayed(def, data, names)
			for _, sg := range def.Signers {
				want = append(want, "Signed as "+sg.Label+".")
			}
			reference := fmt.Sprintf("Record %s, version 1", rec.ID)
			reader := p.supervisee
			if supervision.IsAudit(def) {
				reader = p.supervisor // the audit is in the supervisor's own file
			}
			pdf := reader.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
			raw, err := doctext.PDF(pdf)
			if err != nil {
				t.Fatal(err)
			}
			furniture := []string{"Testshire County Council", def.Title, reference, "Page 1 of"}
			if def.Confidential {
				furniture = append(furniture, "CONFIDENTIAL")
			}
			for _, m := range doctext.Missing(raw, furniture...) {
				t.Errorf("PDF page header or footer lacks %q", m)
			}
			if !def.Confidential && strings.Contains(strings.ToLower(raw), "confidential\n") {
				t.Error("PDF of a form that is not confidential says it is")
			}
			body, err := doctext.PDFBody(pdf, "Testshire County Council", def.Title, "CONFIDENTIAL", reference)
			if err != nil {
				t.Fatal(err)
			}
			// The title is page furniture, checked above; PDFBody drops it.
			for _, m := range doctext.Missing(body, slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == def.Title })...) {
				t.Errorf("PDF text lacks %.80q", m)
			}

			if r := pdfsigSays(t, pdf); r.Validation != "Signature is Valid." {
				t.Errorf("pdfsig: %+v", r)
			}
			docx := p.supervisor.call("GET", "/api/v1/records/"+rec.ID+"/document.docx", nil, http.StatusOK, nil)
			text, err := doctext.DOCX(docx)
			if err != nil {
				t.Fatal(err)
			}
			if def.Confidential {
				want = append(want, "Confidential")
			}
			for _, m := range doctext.Missing(text, want...) {
				t.Errorf("DOCX lacks %.80q", m)
			}
			docxs[def.ID] = docx
		})
	}
	// Every form's DOCX opens in LibreOffice (one run for all of them), with
	// its title, the council's name and the signers in what it shows.
	texts, err := doctext.ViaLibreOffice(docxs)
	if err != nil {
		t.Fatal(err)
	}
	for _, def := range cat.List() {
		if def.Generated {
			continue
		}
		for _, m := range doctext.Missing(texts[def.ID], def.Title, "Testshire County Council", "Siân Gwŷnedd-Jones", "Page 1 of") {
			t.Errorf("%s in LibreOffice lacks %q", def.ID, m)
		}
	}
}

// firstLongText is the first free-text question that can hold 20,000
// characters, for the long answer.
func firstLongText(def *forms.Definition) string {
	for _, sec := range def.Sections {
		for _, f := range sec.Fields {
			if f.Kind == forms.KindLongText && f.ShowIf == nil && (f.MaxLength == 0 || f.MaxLength >= 20000) {
				return f.ID
			}
		}
	}
	return ""
}

// displayed is every label and answer as the record prints them: the
// sections that print, their statements, the answered questions, and each
// grid's headings, row labels and answers.
func displayed(def *forms.Definition, data map[string]any, names map[string]string) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	// A cell's paragraphs are checked one by one: pdftotext reads a row's
	// cells paragraph by paragraph across the row.
	addCell := func(cell string) {
		for _, para := range strings.Split(cell, "\n\n") {
			for _, line := range strings.Split(para, "\n") {
				add(line)
			}
		}
	}
	for _, sec := range def.Print(data, func(id string) string { return names[id] }) {
		add(sec.Title)
		addCell(sec.Statement)
		for _, f := range sec.Fields {
			add(f.Label)
			add(f.Value)
			for _, c := range f.Columns {
				add(c)
			}
			for _, row := range f.Rows {
				for _, cell := range row {
					addCell(cell)
				}
			}
		}
		if g := sec.Grid; g != nil {
			for _, c := range g.Columns {
				add(c)
			}
			for _, r := range g.Rows {
				if g.RowLabels {
					add(r.Label)
				}
				for _, c := range r.Cells {
					addCell(c.Text)
				}
			}
		}
	}
	return out
}

// In a practice observation the worker writes their own sections and the
// observer theirs: each party's save keeps the other's answers as they
// were, the page shows the other's part read-only, and only the observer
// sends it for signatures.
func TestSectionsBelongToTheirParty(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "practice-observation",
		"data": map[string]any{"discussed_in_supervision": "yes", "background": "Written by the observer"}}, http.StatusCreated, &rec)
	if rec.Data["background"] != nil || rec.Data["discussed_in_supervision"] != "yes" {
		t.Errorf("the observer wrote the worker's section: %v", rec.Data)
	}
	// The worker fills section 1, and tries to change the observer's answer.
	p.supervisee.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"revision": rec.Revision,
		"data": map[string]any{"background": "Visit to the family home", "discussed_in_supervision": "no"}}, http.StatusOK, &rec)
	if rec.Data["background"] != "Visit to the family home" || rec.Data["discussed_in_supervision"] != "yes" {
		t.Errorf("after the worker's save: %v", rec.Data)
	}
	// The observer's save keeps the worker's answer though it omits it.
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"revision": rec.Revision,
		"data": map[string]any{"discussed_in_supervision": "no"}}, http.StatusOK, &rec)
	if rec.Data["background"] != "Visit to the family home" || rec.Data["discussed_in_supervision"] != "no" {
		t.Errorf("after the observer's save: %v", rec.Data)
	}
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusForbidden, nil)

	// On the page, each sees the other's part read-only.
	page := string(p.supervisee.call("GET", "/records/"+rec.ID+"/edit", nil, http.StatusOK, nil))
	if !editable(page, "background") || editable(page, "discussed_in_supervision") || strings.Contains(page, `value="submit"`) ||
		!strings.Contains(page, "The observer fills in this part") {
		t.Error("the worker's page should edit section 1 only, show the observer's part read-only, and have no submit button")
	}
	page = string(p.supervisor.call("GET", "/records/"+rec.ID+"/edit", nil, http.StatusOK, nil))
	if editable(page, "background") || !editable(page, "discussed_in_supervision") || !strings.Contains(page, "Visit to the family home") ||
		!strings.Contains(page, "The observee fills in this part") {
		t.Error("the observer's page should show section 1 read-only and edit their own part")
	}

	// A form that is the supervisee's alone: they start it; the supervisor cannot.
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "self-assessment"}, http.StatusForbidden, nil)
	p.supervisee.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "self-assessment"}, http.StatusCreated, nil)
}

// editable says whether a page has an input for name that is neither
// read-only nor disabled.
func editable(page, name string) bool {
	for _, m := range regexp.MustCompile(`<(?:input|textarea|select)[^>]*name="`+regexp.QuoteMeta(name)+`"[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(m, " readonly") && !strings.Contains(m, " disabled") {
			return true
		}
	}
	return false
}

// A council's FORMS_DIR overrides a built-in form: a copy of the agreement
// with a changed label and an added question, at version 2, is what new
// records use, on the page, in the PDF and in the DOCX, while a record
// made with version 1 still shows version 1. A broken definition stops
// start-up naming the file and line.
func TestCouncilFormsOverride(t *testing.T) {
	needs.Tools(t, "pdftotext")
	t.Parallel()
	data := t.TempDir()
	first := startApp(t, map[string]string{"SUPFILE_DATA_DIR": data})
	p := setUpTeam(t, first.URL)
	old := signAgreement(t, p, "")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	first.httpSrv, first.db = nil, nil

	builtin, err := fs.ReadFile(forms.Builtin(), "supervision-agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	council := strings.Replace(string(builtin), "version: 1\n", "version: 2\n", 1)
	council = strings.Replace(council, "label: Where we will meet\n", "label: Where we will meet (Testshire)\n", 1)
	council = strings.Replace(council, "    fields:\n", `    fields:
      - id: team_base
        kind: text
        label: Team base (Testshire)
        required: true
`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "supervision-agreement.yaml"), []byte(council), 0o600); err != nil {
		t.Fatal(err)
	}
	m := startApp(t, map[string]string{"SUPFILE_DATA_DIR": data, "FORMS_DIR": dir})
	p = &people{admin: login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery"), superviseeID: p.superviseeID, supervisorID: p.supervisorID,
		supervisor: login(t, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1"),
		supervisee: login(t, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")}

	answers := validAgreement("We will meet every four weeks.")
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement", "data": answers}, http.StatusCreated, &rec)
	if rec.FormVersion != 2 {
		t.Errorf("new record made with version %d of the form, want 2", rec.FormVersion)
	}
	page := string(p.supervisor.call("GET", "/records/"+rec.ID+"/edit", nil, http.StatusOK, nil))
	for _, want := range []string{"Where we will meet (Testshire)", "Team base (Testshire)"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The added question is required: submitting without it is refused there.
	var e apiErr
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "team_base") {
		t.Errorf("submit without the council's question: %+v", e)
	}
	answers["team_base"] = "Tŷ Newydd, Testshire"
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": answers, "revision": rec.Revision}, http.StatusOK, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	want := []string{"Where we will meet (Testshire)", "Team base (Testshire)", "Tŷ Newydd, Testshire"}
	pdfText, err := doctext.PDF(p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(pdfText, want...) {
		t.Errorf("PDF lacks %q", m)
	}
	docxText, err := doctext.DOCX(p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.docx", nil, http.StatusOK, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(docxText, want...) {
		t.Errorf("DOCX lacks %q", m)
	}

	// The record made before keeps version 1 and its wording.
	var before recordResp
	p.supervisee.call("GET", "/api/v1/records/"+old.ID, nil, http.StatusOK, &before)
	oldPage := string(p.supervisee.call("GET", "/records/"+old.ID, nil, http.StatusOK, nil))
	if before.FormVersion != 1 || strings.Contains(oldPage, "(Testshire)") || !strings.Contains(oldPage, "Where we will meet") {
		t.Errorf("the version 1 record now shows version %d / the council's wording", before.Version)
	}

	// A broken definition: start-up stops with the file and line.
	bad := strings.Replace(council, "        kind: text\n        label: Team base", "        kind: txet\n        label: Team base", 1)
	if err := os.WriteFile(filepath.Join(dir, "supervision-agreement.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	line := 1 + strings.Count(bad[:strings.Index(bad, "kind: txet")], "\n")
	cfg, err := loadConfig(nil, envOf(t, map[string]string{"FORMS_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	err = NewMain(cfg, io.Discard).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("supervision-agreement.yaml:%d:", line)) || !strings.Contains(err.Error(), "txet") {
		t.Errorf("start with a broken definition: %v, want supervision-agreement.yaml:%d naming txet", err, line)
	}
}

// roleTitle is a signer role as the record page names it.
func roleTitle(r string) string { return strings.ToUpper(r[:1]) + r[1:] }
