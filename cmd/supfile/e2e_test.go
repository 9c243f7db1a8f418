package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
)

// people is a small team: an admin adds a supervisor and a supervisee.
type people struct {
	admin, supervisor, supervisee *client
	supervisorID, superviseeID    string
}

func addStaff(t *testing.T, admin *client, name, email, title, role string) string {
	t.Helper()
	var st struct{ ID string }
	admin.call("POST", "/api/v1/staff", map[string]any{
		"name": name, "email": email, "job_title": title, "role": role,
		"start_date": "2024-09-02", "password": "a long password 1",
	}, http.StatusCreated, &st)
	if st.ID == "" {
		t.Fatal("no id for new staff")
	}
	return st.ID
}

func setUpTeam(t *testing.T, base string) *people {
	t.Helper()
	p := &people{admin: login(t, base, "admin@testshire.gov.uk", "correct horse battery")}
	p.supervisorID = addStaff(t, p.admin, "Ahmed Khan", "ahmed.khan@testshire.gov.uk", "Team Manager", "team_manager")
	p.superviseeID = addStaff(t, p.admin, "Siân Gwŷnedd-Jones", "sian.jones@testshire.gov.uk", "Social Worker", "social_worker")
	p.admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/supervisor",
		map[string]any{"supervisor_id": p.supervisorID, "from": "2025-01-06"}, http.StatusOK, nil)
	p.supervisor = login(t, base, "ahmed.khan@testshire.gov.uk", "a long password 1")
	p.supervisee = login(t, base, "SIAN.JONES@testshire.gov.uk", "a long password 1")
	return p
}

type recordResp struct {
	ID             string         `json:"id"`
	Form           string         `json:"form"`
	Version        int            `json:"version"`
	FormVersion    int            `json:"form_version"`
	Status         string         `json:"status"`
	Revision       int            `json:"revision"`
	Data           map[string]any `json:"data"`
	PendingSigners []string       `json:"pending_signers"`
	Signatures     []struct {
		Role, Name string
	} `json:"signatures"`
	Documents []struct {
		Kind, Name, SHA256 string
	} `json:"documents"`
}

// longAnswer is 20,000 characters in paragraphs, with Welsh letters, so
// nothing may be lost on the way into the documents.
func longAnswer() string {
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < 20000; i++ {
		fmt.Fprintf(&b, "Paragraph %d: we agreed to meet every four weeks in the small meeting room at Tŷ Newydd, and to review what is working well. ", i)
		if i%5 == 4 {
			b.WriteString("\n\n")
		}
	}
	s := []rune(b.String())
	return strings.TrimSpace(string(s[:20000]))
}

func TestAgreementEndToEnd(t *testing.T) {
	needs.Tools(t, "pdftotext", "LibreOffice")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)

	// The catalogue and the schema are served.
	var list []struct{ ID, Title string }
	p.supervisor.call("GET", "/api/v1/forms", nil, http.StatusOK, &list)
	if !hasForm(list, "supervision-agreement") {
		t.Fatalf("forms list %v lacks supervision-agreement", list)
	}
	schema := p.supervisor.call("GET", "/api/v1/forms/supervision-agreement/schema", nil, http.StatusOK, nil)
	if !bytes.Contains(schema, []byte("https://json-schema.org/draft/2020-12/schema")) {
		t.Fatalf("schema is not 2020-12: %.200s", schema)
	}

	data := validAgreement(longAnswer())
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement", "data": map[string]any{}}, http.StatusCreated, &rec)
	if rec.Status != "draft" || rec.Revision != 1 || rec.Version != 1 {
		t.Fatalf("new record: %+v", rec)
	}

	// A stale save is refused and changes nothing.
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
	var e apiErr
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": map[string]any{}, "revision": rec.Revision - 1}, http.StatusConflict, &e)
	if e.Error.Code != "conflict" {
		t.Fatalf("stale save: %+v", e)
	}

	// Someone who is not a party gets 404, not the record.
	other := addStaff(t, p.admin, "Olwen Price", "olwen@testshire.gov.uk", "Social Worker", "social_worker")
	_ = other
	outsider := login(t, m.URL, "olwen@testshire.gov.uk", "a long password 1")
	outsider.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusNotFound, nil)
	outsider.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusNotFound, nil)
	// The supervisee cannot edit the draft.
	p.supervisee.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusForbidden, nil)
	// No documents before signing.
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusNotFound, nil)

	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	if rec.Status != "awaiting_signatures" {
		t.Fatalf("after submit: %s", rec.Status)
	}
	// A submitted record cannot be edited.
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusConflict, nil)

	// Signing needs the signer's own name and the confirmation.
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Someone Else", "confirm": false}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "name") || !hasFieldErr(e, "confirm") {
		t.Fatalf("bad signature: %+v", e)
	}
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{
		"name": "Siân Gwŷnedd-Jones", "confirm": true, "comment": "Diolch — agreed.",
		"disagreement": "I would prefer sessions on Tuesdays.", "drawing_png_base64": tinyPNG,
	}, http.StatusCreated, &rec)
	if rec.Status != "awaiting_signatures" || len(rec.PendingSigners) != 1 || rec.PendingSigners[0] != "supervisor" {
		t.Fatalf("after supervisee signs: %+v", rec)
	}
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusForbidden, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "ahmed  khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("after both sign: %+v", rec)
	}

	// Both parties download both documents.
	for _, c := range []*client{p.supervisor, p.supervisee} {
		pdf := c.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
		docx := c.call("GET", "/api/v1/records/"+rec.ID+"/document.docx", nil, http.StatusOK, nil)
		checkPDF(t, pdf, data, fmt.Sprintf("Record %s, version 1", rec.ID))
		checkDOCX(t, docx, data)
	}
	outsider.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusNotFound, nil)

	// The file's front page is generated from what the file holds.
	front := p.supervisee.call("GET", "/api/v1/staff/"+p.superviseeID+"/file/front-page.pdf", nil, http.StatusOK, nil)
	frontText, err := doctext.PDF(front)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(frontText, "Supervision file: front page", "2. Supervision agreement", "Siân Gwŷnedd-Jones, Ahmed Khan", "Worker's details") {
		t.Errorf("front page lacks %q", m)
	}
	outsider.call("GET", "/api/v1/staff/"+p.superviseeID+"/file/front-page.pdf", nil, http.StatusNotFound, nil)
	// A signed record cannot be edited.
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusConflict, nil)

	// The file lists it with its signers and document hashes, and the
	// documents are in the file's folder with record.json.
	var file struct {
		Records []recordResp `json:"records"`
	}
	p.supervisee.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusOK, &file)
	if len(file.Records) != 1 || file.Records[0].Status != "signed" || len(file.Records[0].Signatures) != 2 || len(file.Records[0].Documents) != 3 {
		t.Fatalf("file: %+v", file)
	}
	dir := filepath.Join(m.Config.DataDir, "documents", "files", p.superviseeID, "records", rec.ID, "v1")
	for _, name := range []string{"record.json", "supervision-agreement.pdf", "supervision-agreement.docx"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("file folder: %v", err)
		}
	}
	rj, err := os.ReadFile(filepath.Join(dir, "record.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sian.jones@testshire.gov.uk", "ahmed.khan@testshire.gov.uk", "data_sha256", file.Records[0].Documents[0].SHA256} {
		if !bytes.Contains(rj, []byte(want)) {
			t.Errorf("record.json lacks %q", want)
		}
	}
}

func hasForm(list []struct{ ID, Title string }, id string) bool {
	for _, f := range list {
		if f.ID == id {
			return true
		}
	}
	return false
}

func hasFieldErr(e apiErr, field string) bool {
	for _, f := range e.Error.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// tinyPNG is a 1×1 PNG, standing in for a drawn signature.
const tinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

func answersOf(data map[string]any) []string {
	var out []string
	for _, v := range data {
		if s, ok := v.(string); ok && len(s) > 3 && !looksLikeDate(s) {
			out = append(out, s)
		}
	}
	return out
}

func looksLikeDate(s string) bool { return len(s) == 10 && s[4] == '-' && s[7] == '-' }

func checkPDF(t *testing.T, pdf []byte, data map[string]any, reference string) {
	t.Helper()
	needs.Tools(t, "pdftotext")
	raw, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Testshire County Council", "Page 1 of", reference} {
		if !strings.Contains(raw, want) {
			t.Errorf("PDF page furniture lacks %q", want)
		}
	}
	body, err := doctext.PDFBody(pdf, "Testshire County Council", "Supervision agreement", reference)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(body, append(answersOf(data), "Siân Gwŷnedd-Jones", "Ahmed Khan", "SHA-256", "I would prefer sessions on Tuesdays.")...) {
		// An answer printed beside its question (a pairs section) wraps
		// in its column, and pdftotext reads the two columns line by line
		// together: its words are all there, in order, with the label's
		// between them.
		if !doctext.WordsInOrder(body, m) {
			t.Errorf("PDF text lacks %.80q", m)
		}
	}
}

func checkDOCX(t *testing.T, docx []byte, data map[string]any) {
	t.Helper()
	text, err := doctext.DOCX(docx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range doctext.Missing(text, append(answersOf(data), "Siân Gwŷnedd-Jones", "I would prefer sessions on Tuesdays.")...) {
		t.Errorf("DOCX lacks %.80q", m)
	}
}
