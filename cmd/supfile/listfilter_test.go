package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPagesFindAndReturn: Manage staff's search and filters (query
// parameters, no script); Start a new record offers the agreement first;
// the record page's banner links to the signing panel; a section's Save
// draft comes back to that section; the seal is on the About page.
func TestPagesFindAndReturn(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	row := func(id string) string { return `<a class="govuk-link" href="/admin/staff/` + id + `">` }
	for _, c := range []struct {
		query      string
		see, notSe bool // the supervisee's row, the supervisor's row
	}{
		{"", true, true},
		{"?q=si%C3%A2n", true, false},
		{"?q=TEAM+MANAGER", false, true},
		{"?role=social_worker", true, false},
		{"?supervisor=" + p.supervisorID, true, false},
		{"?q=nobody", false, false},
	} {
		status, page := p.admin.get("/admin/staff" + c.query)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", c.query, status)
		}
		if strings.Contains(page, row(p.superviseeID)) != c.see || strings.Contains(page, row(p.supervisorID)) != c.notSe {
			t.Errorf("staff list %q: supervisee shown %v, supervisor shown %v", c.query, !c.see, !c.notSe)
		}
		if c.query == "?q=nobody" && !strings.Contains(page, "No one matches") {
			t.Error("an empty search does not say so")
		}
	}
	if _, page := p.admin.get("/admin/staff"); strings.Contains(page, "fingerprint is") {
		t.Error("the seal fingerprint is still on Manage staff")
	}
	if _, page := p.admin.get("/about"); !strings.Contains(page, m.svc.Records.SealFingerprint()) {
		t.Error("the About page lacks the seal fingerprint")
	}

	_, file := p.supervisor.get("/staff/" + p.superviseeID + "/file")
	first := strings.Index(file, `<option value="`)
	if first < 0 || !strings.HasPrefix(file[first:], `<option value="supervision-agreement"`) {
		t.Errorf("Start a new record does not offer the agreement first")
	}

	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	// Section 2's Save draft: back to it.
	resp, err := p.supervisor.http.PostForm(m.URL+"/records/"+rec.ID+"/edit?section=2",
		url.Values{"_revision": {fmt.Sprint(rec.Revision)}, "action": {"save"}, "location": {"Room 3"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/edit?saved=1&section=2") {
		t.Errorf("a section's Save draft: %d %q", resp.StatusCode, loc)
	}
	_, page := p.supervisor.get("/records/" + rec.ID + "/edit?saved=1&section=2")
	if !strings.Contains(page, `id="section-2"`) || !strings.Contains(page, `formaction="/records/`+rec.ID+`/edit?section=2#section-2"`) {
		t.Error("the edit page's sections have no anchors and Save draft buttons of their own")
	}
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	_, page = p.supervisee.get("/records/" + rec.ID)
	if !strings.Contains(page, `href="#sign"`) || !strings.Contains(page, `id="sign"`) {
		t.Error("the record page does not link to the signing panel")
	}
	_, page = p.supervisee.get("/records/" + rec.ID + "?done=submitted")
	if !strings.Contains(page, `href="#sign"`) {
		t.Error("with a flash, the banner does not link to the signing panel")
	}
}
