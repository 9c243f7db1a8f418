package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/internal/needs"
)

// TestBrowserGroupSupervision: the lead adds three attendees on the group
// record's page; each attendee writes their own learning on the edit page
// and signs; the one signed record is then listed in all three files.
// Axe-clean, no sideways scroll at 375 and 1280 px.
func TestBrowserGroupSupervision(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	ids := []string{p.superviseeID,
		addStaff(t, p.admin, "Bea Lewis", "bea.lewis@testshire.gov.uk", "Social Worker", "social_worker"),
		addStaff(t, p.admin, "Cai Morgan", "cai.morgan@testshire.gov.uk", "Social Worker", "asye")}
	emails := []string{"sian.jones@testshire.gov.uk", "bea.lewis@testshire.gov.uk", "cai.morgan@testshire.gov.uk"}
	names := []string{"Siân Gwŷnedd-Jones", "Bea Lewis", "Cai Morgan"}

	session := time.Now().Format(time.DateOnly)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.supervisorID+"/records", map[string]any{"form": "group-supervision", "data": map[string]any{
		"session_date": session, "lead_name": "Ahmed Khan", "focus": "case", "case_reference": "LL-1234567",
		"worried": "Neglect.", "working_well": "Grandmother helps.", "needs_to_happen": "A danger statement.",
	}}, http.StatusCreated, &rec)

	lead := newSession(t, nil)
	signIn(t, lead, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	for _, id := range ids {
		navigate(t, lead, chromedp.Navigate(m.URL+"/records/"+rec.ID))
		do(t, lead, chromedp.SetValue(`form[action$="/parties"] select[name=staff_id]`, id, chromedp.ByQuery))
		click(t, lead, `form[action$="/parties"] button[type=submit]`)
	}
	people := textOf(t, lead, `#people ~ dl`)
	for _, n := range names {
		if !strings.Contains(people, n) {
			t.Errorf("the record's people lack %s: %q", n, people)
		}
	}
	checkWidths(t, lead, "group record: attendees added")

	attendees := make([]sessionOf, len(ids))
	for i := range ids {
		s := newSession(t, nil)
		attendees[i] = sessionOf{s}
		signIn(t, s, m.URL, emails[i], "a long password 1")
		navigate(t, s, chromedp.Navigate(m.URL+"/records/"+rec.ID+"/edit"))
		if i == 0 {
			checkWidths(t, s, "group record: an attendee's learning")
			// The other attendees' rows are theirs: shown, not editable.
			var locked []bool
			do(t, s, chromedp.Evaluate(`[0, 1, 2].map(n => document.querySelector("#f-learning-" + n + "-learning").readOnly)`, &locked))
			if len(locked) != 3 || locked[0] || !locked[1] || !locked[2] {
				t.Errorf("learning rows read-only for the first attendee: %v, want [false true true]", locked)
			}
		}
		do(t, s, setValue(fmt.Sprintf("#f-learning-%d-learning", i), "What "+names[i]+" learnt"))
		click(t, s, `button[name=action][value=save]:not([formaction])`)
	}
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &rec)
	for i, row := range rec.Data["learning"].([]any) {
		if cells := row.(map[string]any); cells["attendee"] != ids[i] || cells["learning"] != "What "+names[i]+" learnt" {
			t.Errorf("learning row %d: %v", i, cells)
		}
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)

	signers := append([]sessionOf{{lead}}, attendees...)
	signerNames := append([]string{"Ahmed Khan"}, names...)
	for i, h := range signers {
		navigate(t, h.c, chromedp.Navigate(m.URL+"/records/"+rec.ID))
		if i == 1 {
			checkWidths(t, h.c, "group record: an attendee signs")
		}
		do(t, h.c, chromedp.SendKeys(`#f-name`, signerNames[i], chromedp.ByQuery), chromedp.Click(`#f-confirm`, chromedp.ByQuery))
		click(t, h.c, `form[action$="/sign"] button[type=submit]`)
	}
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &rec)
	if rec.Status != "signed" || len(rec.Signatures) != 4 || len(rec.Documents) == 0 {
		t.Fatalf("after everyone signed: %s, %d signatures, %d documents", rec.Status, len(rec.Signatures), len(rec.Documents))
	}

	// In every attendee's file.
	for i, h := range attendees {
		navigate(t, h.c, chromedp.Navigate(m.URL+"/staff/"+ids[i]+"/file"))
		var html string
		do(t, h.c, chromedp.OuterHTML(`main`, &html, chromedp.ByQuery))
		if !strings.Contains(html, "/records/"+rec.ID) {
			t.Errorf("%s's file does not list the group record", names[i])
		}
		if i == 2 {
			checkWidths(t, h.c, "an attendee's file with the group record")
		}
	}
}

// sessionOf is one person's browser.
type sessionOf struct{ c context.Context }
