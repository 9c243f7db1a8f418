package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// checkWidths (accesslog_browser_test.go) runs axe at 375 and 1280 pixels
// and fails on a page that scrolls sideways.

// TestBrowserAccess: the pages of issue 9's roles in Chromium: the line
// manager arranges cover and assigns an auditor, the supervisor invites a
// second observer, and the observer, the auditor and the stand-in see what
// they may; every page axe-clean at 1280 and 375 pixels.
func TestBrowserAccess(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); testBrowserAccess(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testBrowserAccess(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)})
	})
}

func testBrowserAccess(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	lmID := addStaff(t, p.admin, "Lin Manager", "lin.manager@testshire.gov.uk", "Service Manager", "senior_manager")
	coverID := addStaff(t, p.admin, "Cal Cover", "cal.cover@testshire.gov.uk", "Team Manager", "team_manager")
	audID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Team Manager", "team_manager")
	obsID := addStaff(t, p.admin, "Olu Bello", "olu.bello@testshire.gov.uk", "Social Worker", "social_worker")
	p.admin.call("PUT", "/api/v1/staff/"+p.supervisorID+"/supervisor", map[string]any{"supervisor_id": lmID, "from": "2025-01-06"}, http.StatusOK, nil)
	var po recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "practice-observation"}, http.StatusCreated, &po)
	var root context.Context

	// The line manager arranges cover for the supervisor.
	lm := newSession(t, root)
	signIn(t, lm, m.URL, "lin.manager@testshire.gov.uk", "a long password 1")
	click(t, lm, `a[href="/manage/cover"]`)
	checkWidths(t, lm, "cover (none)")
	click(t, lm, `form[action="/manage/cover"] button[type=submit]`)
	if s := textOf(t, lm, `.govuk-error-summary`); !strings.Contains(s, "Select the supervisor who is absent") {
		t.Errorf("empty cover form: %q", s)
	}
	checkWidths(t, lm, "cover (errors)")
	today := time.Now()
	do(t, lm,
		setValue(`#f-supervisor_id`, p.supervisorID), setValue(`#f-stand_in_id`, coverID),
		setDate(`#f-from`, today.Format(time.DateOnly)), setDate(`#f-to`, today.AddDate(0, 0, 14).Format(time.DateOnly)),
		setValue(`#f-reason`, "Annual leave"))
	click(t, lm, `form[action="/manage/cover"] button[type=submit]`)
	if s := textOf(t, lm, `main`); !strings.Contains(s, "Cover arranged") || !strings.Contains(s, "Cal Cover") {
		t.Errorf("after arranging cover: %.300q", s)
	}
	checkWidths(t, lm, "cover (arranged)")

	// … and assigns an auditor to the supervisee's file.
	do(t, lm, chromedp.Navigate(m.URL+"/manage/audits"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	checkWidths(t, lm, "audits (none)")
	do(t, lm, setValue(`#f-supervisee_id`, p.superviseeID), setValue(`#f-auditor_id`, p.supervisorID), setDate(`#f-due`, "2099-01-31"))
	click(t, lm, `form[action="/manage/audits"] button[type=submit]`)
	if s := textOf(t, lm, `#f-auditor_id-error`); !strings.Contains(s, "cannot audit a file they supervise") {
		t.Errorf("the supervisor as auditor: %q", s)
	}
	checkWidths(t, lm, "audits (errors)")
	do(t, lm, setValue(`#f-auditor_id`, audID))
	click(t, lm, `form[action="/manage/audits"] button[type=submit]`)
	if s := textOf(t, lm, `main`); !strings.Contains(s, "Auditor assigned") || !strings.Contains(s, "Grace Okafor") {
		t.Errorf("after assigning: %.300q", s)
	}
	checkWidths(t, lm, "audits (assigned)")
	// The line manager reads the file, without its confidential records.
	do(t, lm, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	if s := textOf(t, lm, `main`); !strings.Contains(s, "the supervisor's line manager") {
		t.Errorf("line manager's file page: %.300q", s)
	}
	checkWidths(t, lm, "file (line manager)")

	// The supervisor invites a second observer to the practice observation.
	sup := newSession(t, root)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	do(t, sup, chromedp.Navigate(m.URL+"/records/"+po.ID), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	checkWidths(t, sup, "practice observation (invite)")
	click(t, sup, `form[action$="/parties"] button[type=submit]`)
	if s := textOf(t, sup, `#f-staff_id-error`); !strings.Contains(s, "Select the member of staff to invite") {
		t.Errorf("inviting nobody: %q", s)
	}
	checkWidths(t, sup, "practice observation (invite errors)")
	do(t, sup, setValue(`#f-staff_id`, obsID))
	click(t, sup, `form[action$="/parties"] button[type=submit]`)
	if s := textOf(t, sup, `#people`); s == "" {
		t.Error("no list of people named on the record")
	}
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Second observer") || !strings.Contains(s, "Olu Bello") {
		t.Errorf("after inviting: %.400q", s)
	}
	checkWidths(t, sup, "practice observation (invited)")

	// The observer finds it from home and fills in the observer's part only.
	obs := newSession(t, root)
	signIn(t, obs, m.URL, "olu.bello@testshire.gov.uk", "a long password 1")
	checkWidths(t, obs, "home (observer)")
	click(t, obs, `a[href="/records/`+po.ID+`"]`)
	checkWidths(t, obs, "practice observation (observer)")
	do(t, obs, chromedp.Navigate(m.URL+"/records/"+po.ID+"/edit"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	var observeeEditable bool
	do(t, obs, chromedp.Evaluate(`!!document.querySelector('[name=background]')`, &observeeEditable))
	if observeeEditable {
		t.Error("the observer can edit the observee's section")
	}
	checkWidths(t, obs, "practice observation edit (observer)")
	if status, _ := newClientAs(t, m.URL, "olu.bello@testshire.gov.uk").get("/staff/" + p.superviseeID + "/file"); status != http.StatusNotFound {
		t.Errorf("the observer opens the file: %d", status)
	}

	// The auditor opens the file from home and starts the file audit.
	aud := newSession(t, root)
	signIn(t, aud, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
	checkWidths(t, aud, "home (auditor)")
	click(t, aud, `a[href="/staff/`+p.superviseeID+`/file"]`)
	if s := textOf(t, aud, `main`); !strings.Contains(s, "the file's auditor") || !strings.Contains(s, "due by 31 January 2099") {
		t.Errorf("auditor's file page: %.300q", s)
	}
	checkWidths(t, aud, "file (auditor)")
	do(t, aud, setValue(`#f-form`, "file-audit"))
	click(t, aud, `form[action$="/records"] button[type=submit]`)
	if s := textOf(t, aud, `h1`); !strings.Contains(s, "Supervision file audit") {
		t.Errorf("auditor started %q", s)
	}
	checkWidths(t, aud, "file audit edit (auditor)")
	do(t, aud, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	if s := textOf(t, aud, `main`); !strings.Contains(s, "in Ahmed Khan's file") {
		t.Errorf("no link to the audit from the supervisee's file: %.400q", s)
	}

	// The stand-in finds the covered file from home.
	cv := newSession(t, root)
	signIn(t, cv, m.URL, "cal.cover@testshire.gov.uk", "a long password 1")
	checkWidths(t, cv, "home (stand-in)")
	click(t, cv, `a[href="/staff/`+p.superviseeID+`/file"]`)
	if s := textOf(t, cv, `main`); !strings.Contains(s, "standing in for the supervisor") {
		t.Errorf("stand-in's file page: %.300q", s)
	}
	checkWidths(t, cv, "file (stand-in)")
}

// newClientAs is an API client signed in with the test password.
func newClientAs(t *testing.T, base, email string) *client {
	return login(t, base, email, "a long password 1")
}
