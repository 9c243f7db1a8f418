package main

import (
	"archive/zip"
	"bytes"
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
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Password must be at least 10 characters") || !strings.Contains(body, "govuk-error-summary") {
		t.Errorf("page with a short password: %d", status)
	}

	// Export: the admin gets a zip of the file; others do not.
	p.supervisor.call("GET", "/api/v1/staff/"+p.superviseeID+"/export.zip", nil, http.StatusForbidden, nil)
	zipped := p.admin.call("GET", "/api/v1/staff/"+p.superviseeID+"/export.zip", nil, http.StatusOK, nil)
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
	status, _ = p.admin.get("/admin/staff/" + p.superviseeID + "/export.zip")
	if status != http.StatusOK {
		t.Errorf("export from the admin page: %d", status)
	}
}
