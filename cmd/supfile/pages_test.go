package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// post sends a browser-style form post and returns the status and body.
func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var revisionRE = regexp.MustCompile(`name="_revision" value="(\d+)"`)

func TestStaleDraftGetsConflictPage(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, &rec)

	// Two browsers open the same draft.
	_, page1 := p.supervisor.get("/records/" + rec.ID + "/edit")
	second := login(t, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	_, page2 := second.get("/records/" + rec.ID + "/edit")
	rev1, rev2 := revisionRE.FindStringSubmatch(page1), revisionRE.FindStringSubmatch(page2)
	if rev1 == nil || rev2 == nil || rev1[1] != rev2[1] {
		t.Fatalf("revisions on the two pages: %v %v", rev1, rev2)
	}
	status, _ := p.supervisor.post("/records/"+rec.ID+"/edit", url.Values{"_revision": {rev1[1]}, "action": {"save"}, "location": {"First browser's room"}})
	if status != http.StatusSeeOther {
		t.Fatalf("first save: %d", status)
	}
	status, body := second.post("/records/"+rec.ID+"/edit", url.Values{"_revision": {rev2[1]}, "action": {"save"}, "location": {"Second browser's words, kept"}})
	if status != http.StatusConflict {
		t.Fatalf("stale save: %d", status)
	}
	for _, want := range []string{"changed by someone else", "Second browser&#39;s words, kept", "Open the latest version"} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	var got recordResp
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &got)
	if got.Data["location"] != "First browser's room" {
		t.Errorf("stale save overwrote the draft: %v", got.Data["location"])
	}
}

func TestPagesRefuseOthersAndBadInput(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, &rec)
	addStaff(t, p.admin, "Olwen Price", "olwen@testshire.gov.uk", "Social Worker", "social_worker")
	outsider := login(t, m.URL, "olwen@testshire.gov.uk", "a long password 1")
	if status, body := outsider.get("/records/" + rec.ID); status != http.StatusNotFound || strings.Contains(body, "supervisee_aims") {
		t.Errorf("someone else's record: %d", status)
	}
	if status, _ := outsider.get("/staff/" + p.superviseeID + "/file"); status != http.StatusNotFound {
		t.Errorf("someone else's file: %d", status)
	}
	// Not signed in: sent to sign in, and back afterwards.
	anon := newClient(t, m.URL)
	resp, err := anon.http.Get(m.URL + "/records/" + rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
		t.Errorf("anonymous: %d %q", resp.StatusCode, loc)
	}
	// A body over the limit is refused with 413, not read into memory.
	status, _ := p.supervisor.post("/records/"+rec.ID+"/edit", url.Values{"_revision": {"1"}, "location": {strings.Repeat("x", 9<<20)}})
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: %d", status)
	}
	// A draft keeps a wrong type as typed, and lists it as an error (issue
	// 11); a body that is not an object gets a 4xx with a clear message.
	var e apiErr
	var saved struct {
		Revision int
		Errors   []struct{ Field, Message string }
	}
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, `{"data": {"times_per_year": "often"}, "revision": 1}`, http.StatusOK, &saved)
	if len(saved.Errors) == 0 || saved.Errors[0].Field != "times_per_year" {
		t.Errorf("wrong type: %+v", saved)
	}
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, `{"data": [1,2]}`, http.StatusUnprocessableEntity, &e)
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, `{not json`, http.StatusBadRequest, &e)
	p.supervisor.call("PUT", "/api/v1/records/"+rec.ID, fmt.Sprintf(`{"data": {"review_date": "2027-02-30"}, "revision": %d}`, saved.Revision), http.StatusOK, &saved)
	if len(saved.Errors) == 0 || saved.Errors[0].Field != "review_date" {
		t.Errorf("impossible date: %+v", saved)
	}
	// A bad staff entry names each field at fault.
	p.admin.call("POST", "/api/v1/staff", map[string]any{"name": "", "email": "nope", "role": "wizard", "start_date": "yesterday", "password": "short"}, http.StatusUnprocessableEntity, &e)
	for _, f := range []string{"name", "email", "job_title", "role", "start_date", "password"} {
		if !hasFieldErr(e, f) {
			t.Errorf("staff validation lacks %s: %+v", f, e)
		}
	}
	// Only admins add staff.
	p.supervisor.call("POST", "/api/v1/staff", map[string]any{"name": "X"}, http.StatusForbidden, nil)
	// Wrong password: 401 and a clear message.
	c := newClient(t, m.URL)
	c.call("POST", "/api/v1/login", map[string]any{"email": "ahmed.khan@testshire.gov.uk", "password": "wrong password"}, http.StatusUnauthorized, &e)
	if !strings.Contains(e.Error.Message, "not right") {
		t.Errorf("login message: %q", e.Error.Message)
	}
}
