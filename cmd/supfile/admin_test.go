package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// signAgreement takes a valid agreement from start to signed over the API.
func signAgreement(t *testing.T, p *people, comment string) recordResp {
	t.Helper()
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
		map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true, "comment": comment}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
		map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("record not signed: %+v", rec)
	}
	return rec
}

func TestAdminSetsPasswordAndExportsFile(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	r1 := signAgreement(t, p, "First.")
	r2 := signAgreement(t, p, "Second.")

	// Setting a password: too short is refused beside the field; a good one works.
	var e apiErr
	p.admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": "short"}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "password") {
		t.Errorf("short password: %+v", e)
	}
	p.supervisor.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": "a new long password"}, http.StatusForbidden, nil)
	p.admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": "a new long password"}, http.StatusNoContent, nil)
	login(t, m.URL, "sian.jones@testshire.gov.uk", "a new long password")
	p.admin.call("PUT", "/api/v1/staff/nobody/password", map[string]any{"password": "a new long password"}, http.StatusNotFound, nil)

	// The same through the admin page: the error is beside the field.
	status, body := p.admin.post("/admin/staff/"+p.superviseeID+"/password", map[string][]string{"password": {"x"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Password must be at least 12 characters") || !strings.Contains(body, "govuk-error-summary") {
		t.Errorf("page with a short password: %d", status)
	}

	// Export: the admin gets a zip of the file; others do not.
	p.supervisor.call("GET", "/api/v1/staff/"+p.superviseeID+"/export.zip", nil, http.StatusForbidden, nil)
	// An export needs a reason, which the access log keeps.
	e = apiErr{}
	p.admin.call("GET", "/api/v1/staff/"+p.superviseeID+"/export.zip", nil, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "reason") {
		t.Errorf("export without a reason: %+v", e)
	}
	zipped := p.admin.call("GET", "/api/v1/staff/"+p.superviseeID+"/export.zip?reason=Subject+access+request", nil, http.StatusOK, nil)
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	all := strings.Join(names, "\n")
	for _, r := range []recordResp{r1, r2} {
		for _, n := range []string{"supervision-agreement.pdf", "supervision-agreement.docx", "record.json"} {
			if !strings.Contains(all, "/records/"+r.ID+"/v1/"+n) {
				t.Errorf("export lacks %s of %s:\n%s", n, r.ID, all)
			}
		}
	}
	if !strings.Contains(all, "/SHA256SUMS") {
		t.Errorf("export has no SHA256SUMS:\n%s", all)
	}
	status, body = p.admin.get("/admin/staff/" + p.superviseeID + "/export.zip?reason=")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter why you are exporting this file") || !strings.Contains(body, "govuk-error-summary") {
		t.Errorf("export from the admin page without a reason: %d", status)
	}
	status, _ = p.admin.get("/admin/staff/" + p.superviseeID + "/export.zip?reason=Transfer+to+another+council")
	if status != http.StatusOK {
		t.Errorf("export from the admin page: %d", status)
	}
}

// upload posts a file as a multipart form, as the verify page does.
func (c *client) upload(path, field, name string, data []byte) (int, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	resp, err := c.http.Post(c.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestVerifyChecksACopyAgainstTheFile(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	// Anyone signed in may check a document; the true copy is confirmed.
	// The record's details are for those who may read it: the supervisee,
	// not an administrator (who does not read records).
	outsider := login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	status, page := outsider.upload("/verify", "file", "agreement.pdf", pdf)
	if status != http.StatusOK || !strings.Contains(page, "True copy") || strings.Contains(page, rec.ID) || strings.Contains(page, "Ahmed Khan") ||
		!strings.Contains(page, "you do not have access to this record") {
		t.Errorf("verify of the true copy by an administrator: %d\n%s", status, page)
	}
	status, page = p.supervisee.upload("/verify", "file", "agreement.pdf", pdf)
	if status != http.StatusOK || !strings.Contains(page, "True copy") || !strings.Contains(page, rec.ID) || !strings.Contains(page, "Ahmed Khan") {
		t.Errorf("verify of the true copy by the supervisee: %d\n%s", status, page)
	}
	// One byte changed: a plain answer, not an error page.
	bad := bytes.Clone(pdf)
	bad[len(bad)/2] ^= 0x01
	status, page = outsider.upload("/verify", "file", "agreement.pdf", bad)
	if status != http.StatusOK || strings.Contains(page, "True copy") || !strings.Contains(page, "govuk-warning-text") {
		t.Errorf("verify of a changed copy: %d\n%s", status, page)
	}
	// No file: the message is beside the field.
	status, page = outsider.upload("/verify", "other", "x.pdf", pdf)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Select a PDF file to check") {
		t.Errorf("verify without a file: %d", status)
	}
	// The API says the same in JSON.
	var v struct {
		TrueCopy bool `json:"true_copy"`
		InFile   bool `json:"in_file"`
		Record   struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		} `json:"record"`
	}
	status, body := p.supervisor.upload("/api/v1/verify", "file", "agreement.pdf", pdf)
	if err := json.Unmarshal([]byte(body), &v); err != nil || status != http.StatusOK || !v.TrueCopy || !v.InFile || v.Record.ID != rec.ID || v.Record.Version != 1 {
		t.Errorf("API verify: %d %s", status, body)
	}
	newClient(t, m.URL).call("POST", "/api/v1/verify", map[string]any{}, http.StatusUnauthorized, nil)
}

// With the database gone, pages and the API answer 503 with a clear
// message, not a sign-in page or a bare 500; /readyz says why.
func TestDatabaseDownIs503(t *testing.T) {
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	if err := m.db.Close(); err != nil {
		t.Fatal(err)
	}
	status, page := p.supervisor.get("/staff/" + p.superviseeID + "/file")
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "cannot reach its database") {
		t.Errorf("page with the database down: %d\n%.500s", status, page)
	}
	var e apiErr
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": map[string]any{}}, http.StatusServiceUnavailable, &e)
	if e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "nothing was changed") {
		t.Errorf("API with the database down: %+v", e)
	}
	// /readyz names the dependency, and nothing of the driver's error.
	status, body := newClient(t, m.URL).get("/readyz")
	if status != http.StatusServiceUnavailable || body != "not ready: database\n" {
		t.Errorf("/readyz with the database down: %d %q", status, body)
	}
}
