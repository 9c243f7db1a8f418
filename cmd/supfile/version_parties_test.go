package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// TestNewVersionKeepsParties: the senior manager named on a signed
// serious-incident plan is named on its version 2 (started over the API and
// from the page), reads it, and is in its list of people; the signers are
// not pinned, on SQLite and on PostgreSQL.
func TestNewVersionKeepsParties(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testNewVersionKeepsParties(t, nil) })
	t.Run("postgres", func(t *testing.T) { testNewVersionKeepsParties(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)}) })
}

func testNewVersionKeepsParties(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	smID := addStaff(t, p.admin, "Sara Malik", "sara.malik@testshire.gov.uk", "Head of Service", "senior_manager")
	sm := login(t, m.URL, "sara.malik@testshire.gov.uk", "a long password 1")
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("serious-incident-support")

	var v1 livingRecord
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": def.ID, "data": forms.Sample(def, p.supervisorID)}, http.StatusCreated, &v1)
	p.supervisor.call("POST", "/api/v1/records/"+v1.ID+"/parties", map[string]any{"staff_id": smID, "role": "senior_manager"}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+v1.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+v1.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+v1.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &v1)
	if v1.Status != "signed" {
		t.Fatalf("version 1 not signed: %+v", v1.recordResp)
	}

	type party struct {
		StaffID string `json:"staff_id"`
		Role    string `json:"role"`
	}
	named := func(id string) []party {
		var out []party
		p.supervisor.call("GET", "/api/v1/records/"+id+"/parties", nil, http.StatusOK, &out)
		return out
	}

	// Over the API.
	var v2 livingRecord
	p.supervisor.call("POST", "/api/v1/records/"+v1.ID+"/versions", nil, http.StatusCreated, &v2)
	if got := named(v2.ID); len(got) != 1 || got[0].StaffID != smID || got[0].Role != "senior_manager" {
		t.Errorf("people named on version 2 = %+v, want the senior manager from version 1", got)
	}
	if got := named(v1.ID); len(got) != 1 || got[0].StaffID != smID {
		t.Errorf("version 1's people changed: %+v", got)
	}
	var read livingRecord
	sm.call("GET", "/api/v1/records/"+v2.ID, nil, http.StatusOK, &read)
	if read.ID != v2.ID {
		t.Errorf("the senior manager reads %+v", read.recordResp)
	}
	// The version is written and signed by today's supervisor and worker as before.
	p.supervisor.call("POST", "/api/v1/records/"+v2.ID+"/submit", nil, http.StatusOK, nil)
	sm.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Sara Malik", "confirm": true}, http.StatusForbidden, nil)
	p.supervisee.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &v2)
	if v2.Status != "signed" {
		t.Fatalf("version 2 not signed: %+v", v2.recordResp)
	}
	sm.call("GET", "/api/v1/records/"+v2.ID, nil, http.StatusOK, nil)

	// From the page ("Update this record"): version 3 names them too.
	resp, err := p.supervisor.http.PostForm(m.URL+"/records/"+v2.ID+"/versions", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/records/") {
		t.Fatalf("update from the page: %d %q", resp.StatusCode, loc)
	}
	v3, _, _ := strings.Cut(strings.TrimPrefix(loc, "/records/"), "/") // …/edit or …/tasks, as the form is laid out
	if got := named(v3); len(got) != 1 || got[0].StaffID != smID || got[0].Role != "senior_manager" {
		t.Errorf("people named on version 3 = %+v", got)
	}
	sm.call("GET", "/api/v1/records/"+v3, nil, http.StatusOK, nil)
}
