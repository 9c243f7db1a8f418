package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/pgtest"
)

// staffOutJSON is a member of staff as the admin API shows them.
type staffOutJSON struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Email          string  `json:"email"`
	JobTitle       string  `json:"job_title"`
	Role           string  `json:"role"`
	EndDate        *string `json:"end_date"`
	RetentionUntil *string `json:"retention_until"`
	HandoverNeeded bool    `json:"handover_needed"`
}

type fileOutJSON struct {
	ReadOnly       bool    `json:"read_only"`
	RetentionUntil *string `json:"retention_until"`
	Records        []struct {
		ID string `json:"id"`
	} `json:"records"`
}

func londonToday() time.Time {
	loc, _ := time.LoadLocation("Europe/London")
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestLeavers(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { testLeavers(t, nil) })
	t.Run("postgres", func(t *testing.T) { testLeavers(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)}) })
}

func testLeavers(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	signed := signAgreement(t, p, "Before leaving.")
	var draft recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, &draft)
	olwenID := addStaff(t, p.admin, "Olwen Price", "olwen@testshire.gov.uk", "Social Worker", "social_worker")
	var me struct{ ID string }
	p.admin.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	var f fileOutJSON
	p.supervisor.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusOK, &f)
	if f.ReadOnly || f.RetentionUntil != nil {
		t.Errorf("file of someone employed: read_only %v, retention_until %v", f.ReadOnly, f.RetentionUntil)
	}

	// Only admins, validated like adding someone.
	patch := "/api/v1/staff/" + p.superviseeID
	p.supervisor.call("PATCH", patch, map[string]any{"job_title": "Senior Social Worker"}, http.StatusForbidden, nil)
	var e apiErr
	p.admin.call("PATCH", patch, map[string]any{"email": "not an email", "name": " ", "role": "wizard", "end_date": "2025-13-01"}, http.StatusUnprocessableEntity, &e)
	for _, fld := range []string{"email", "name", "role", "end_date"} {
		if !hasFieldErr(e, fld) {
			t.Errorf("bad patch: no error for %s in %+v", fld, e)
		}
	}
	p.admin.call("PATCH", patch, map[string]any{"end_date": "2020-01-01"}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "end_date") || !strings.Contains(e.Error.Fields[0].Message, "start date") {
		t.Errorf("end before start: %+v", e)
	}
	p.admin.call("PATCH", patch, map[string]any{"email": "ahmed.khan@testshire.gov.uk"}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "email") {
		t.Errorf("duplicate email: %+v", e)
	}
	p.admin.call("PATCH", patch, map[string]any{"is_admin": true}, http.StatusBadRequest, nil)
	p.admin.call("PATCH", "/api/v1/staff/nobody", map[string]any{"job_title": "X"}, http.StatusNotFound, nil)
	p.admin.call("PATCH", "/api/v1/staff/"+me.ID, map[string]any{"end_date": londonToday().Format(time.DateOnly)}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "end_date") {
		t.Errorf("own end date: %+v", e)
	}

	// A partial change changes only what is sent.
	var st staffOutJSON
	p.admin.call("PATCH", patch, map[string]any{"job_title": "Senior Social Worker", "email": "Sian.Gwynedd@testshire.gov.uk"}, http.StatusOK, &st)
	if st.JobTitle != "Senior Social Worker" || st.Email != "sian.gwynedd@testshire.gov.uk" || st.Name != "Siân Gwŷnedd-Jones" || st.Role != "social_worker" || st.EndDate != nil {
		t.Errorf("after a partial patch: %+v", st)
	}
	login(t, m.URL, "sian.gwynedd@testshire.gov.uk", "a long password 1")

	// A future end date: nothing changes yet, but the retention date shows.
	tomorrow := londonToday().AddDate(0, 0, 1)
	p.admin.call("PATCH", "/api/v1/staff/"+olwenID, map[string]any{"end_date": tomorrow.Format(time.DateOnly)}, http.StatusOK, &st)
	if want := tomorrow.AddDate(6, 0, 0).Format(time.DateOnly); st.RetentionUntil == nil || *st.RetentionUntil != want {
		t.Errorf("retention_until = %v, want %s", st.RetentionUntil, want)
	}
	login(t, m.URL, "olwen@testshire.gov.uk", "a long password 1")

	// The supervisee leaves today: their sessions end, they cannot sign in,
	// and their file is read-only.
	other := login(t, m.URL, "sian.gwynedd@testshire.gov.uk", "a long password 1")
	today := londonToday()
	p.admin.call("PATCH", patch, map[string]any{"end_date": today.Format(time.DateOnly)}, http.StatusOK, &st)
	p.supervisee.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	other.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	newClient(t, m.URL).call("POST", "/api/v1/login", map[string]any{"email": "sian.gwynedd@testshire.gov.uk", "password": "a long password 1"}, http.StatusUnauthorized, &e)
	if !strings.Contains(e.Error.Message, "no longer active") {
		t.Errorf("leaver's sign-in: %+v", e)
	}
	p.supervisor.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusOK, &f)
	if want := today.AddDate(6, 0, 0).Format(time.DateOnly); !f.ReadOnly || f.RetentionUntil == nil || *f.RetentionUntil != want {
		t.Errorf("leaver's file: read_only %v, retention_until %v, want %s", f.ReadOnly, f.RetentionUntil, want)
	}
	p.supervisor.call("GET", "/api/v1/records/"+signed.ID+"/document.pdf", nil, http.StatusOK, nil)
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusForbidden, &e)
	if !strings.Contains(e.Error.Message, "read-only") {
		t.Errorf("new record in a leaver's file: %+v", e)
	}
	p.supervisor.call("PUT", "/api/v1/records/"+draft.ID, map[string]any{"data": validAgreement("x"), "revision": draft.Revision}, http.StatusForbidden, nil)
	p.supervisor.call("POST", "/api/v1/records/"+draft.ID+"/submit", nil, http.StatusForbidden, nil)
	if status, _ := p.supervisor.post("/staff/"+p.superviseeID+"/records", url.Values{"form": {"supervision-agreement"}}); status != http.StatusForbidden {
		t.Errorf("starting a record from the page in a leaver's file: %d", status)
	}
	if _, body := p.supervisor.get("/staff/" + p.superviseeID + "/file"); !strings.Contains(body, "this file is read-only") || strings.Contains(body, "Start a new record") ||
		!strings.Contains(body, today.AddDate(6, 0, 0).Format("2 January 2006")) {
		t.Errorf("leaver's file page lacks read-only or retention")
	}

	// The supervisor leaves too: their supervisee needs a handover.
	p.admin.call("PATCH", "/api/v1/staff/"+p.supervisorID, map[string]any{"end_date": today.Format(time.DateOnly)}, http.StatusOK, nil)
	p.supervisor.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	var list []staffOutJSON
	p.admin.call("GET", "/api/v1/staff", nil, http.StatusOK, &list)
	for _, s := range list {
		if want := s.ID == p.superviseeID; s.HandoverNeeded != want {
			t.Errorf("%s: handover_needed %v, want %v", s.Name, s.HandoverNeeded, want)
		}
	}
	for _, path := range []string{"/admin/staff", "/admin/staff/" + p.superviseeID} {
		if status, body := p.admin.get(path); status != http.StatusOK || !strings.Contains(body, "No supervisor: handover needed") {
			t.Errorf("%s: %d, no handover warning", path, status)
		}
	}

	// The end date is in the access log.
	if n := logTotal(t, p.admin, p.superviseeID, "end-date"); n != 1 {
		t.Errorf("end-date entries for the supervisee: %d, want 1", n)
	}

	// Clearing the end date lets them back in; the admin's page edits too.
	status, body := p.admin.post("/admin/staff/"+p.superviseeID+"/details", url.Values{"name": {"Siân Gwŷnedd-Jones"}, "email": {"sian.gwynedd@testshire.gov.uk"},
		"job_title": {"Senior Social Worker"}, "role": {"social_worker"}, "end_date": {"1999-01-01"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, "on or after the start date") {
		t.Errorf("bad end date on the page: %d", status)
	}
	status, _ = p.admin.post("/admin/staff/"+p.superviseeID+"/details", url.Values{"name": {"Siân Gwŷnedd-Jones"}, "email": {"sian.gwynedd@testshire.gov.uk"},
		"job_title": {"Senior Social Worker"}, "role": {"social_worker"}, "end_date": {""}})
	if status != http.StatusSeeOther {
		t.Errorf("clearing the end date on the page: %d", status)
	}
	login(t, m.URL, "sian.gwynedd@testshire.gov.uk", "a long password 1")
	p.admin.call("GET", "/api/v1/staff", nil, http.StatusOK, &list)
	for _, s := range list {
		if s.ID == p.superviseeID && (s.EndDate != nil || s.RetentionUntil != nil) {
			t.Errorf("after clearing: %+v", s)
		}
	}
}
