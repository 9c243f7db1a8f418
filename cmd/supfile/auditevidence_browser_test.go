package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
)

// TestBrowserAuditEvidence: the auditor filling in a file audit sees,
// beside each question the file bears on, the file's evidence (the
// agreement signed and its date, the sessions held against the policy's
// frequency, the records signed by both, observations and reflective
// discussions), read-only with links to the records, which open; no answer
// is filled in; each page's read is in the audited file's access log.
// Axe-clean, no sideways scroll at 375 and 1280 px.
func TestBrowserAuditEvidence(t *testing.T) {
	needs.Tools(t, "Chromium")
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	agreement := signAgreement(t, p, "")
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-record")
	var rec recordResp
	data := forms.Sample(def, p.supervisorID)
	// The sample's dates are in 2025: moved together, so the session was 60 days ago.
	was, _ := time.Parse(time.DateOnly, data["supervision_date"].(string))
	now := time.Now().In(mustLondon(t))
	shiftDates(data, int(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Sub(was).Hours()/24)-60)
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
	p.supervisee.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("supervision record not signed: %+v", rec)
	}

	auditorID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": p.superviseeID, "auditor_id": auditorID, "due": "2099-01-31"}, http.StatusCreated, nil)
	auditor := login(t, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
	var audit recordResp
	auditor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "file-audit"}, http.StatusCreated, &audit)

	// Over the API: the audit's draft carries the evidence for its auditor
	// (a logged read of the supervisee's file); the supervisor reading the
	// same draft is given none.
	type evidenceLine struct {
		Text     string `json:"text"`
		RecordID string `json:"record_id"`
	}
	var got struct {
		Evidence map[string][]evidenceLine `json:"evidence"`
	}
	apiBefore := logCount(t, p.admin, p.superviseeID, "view-file")
	auditor.call("GET", "/api/v1/records/"+audit.ID, nil, http.StatusOK, &got)
	if q3 := got.Evidence["q3"]; len(q3) == 0 || q3[0].RecordID != agreement.ID || !strings.HasPrefix(q3[0].Text, "Signed by both on") {
		t.Errorf("API evidence for question 3: %+v", q3)
	}
	for _, l := range got.Evidence["q4"] {
		if l.RecordID == rec.ID {
			t.Errorf("the API evidence links the confidential record")
		}
	}
	if len(got.Evidence["q1"]) == 0 || len(got.Evidence["q2"]) == 0 || len(got.Evidence["q8"]) == 0 || got.Evidence["details"] != nil {
		t.Errorf("API evidence sections: %+v", got.Evidence)
	}
	if logCount(t, p.admin, p.superviseeID, "view-file") != apiBefore+1 {
		t.Errorf("the API's evidence is not a logged read of the supervisee's file")
	}
	got.Evidence = nil
	p.supervisor.call("GET", "/api/v1/records/"+audit.ID, nil, http.StatusOK, &got)
	if got.Evidence != nil {
		t.Errorf("the supervisor is given the evidence of a draft they do not fill in: %+v", got.Evidence)
	}

	ctx := browser(t)
	signIn(t, ctx, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
	before := logCount(t, p.admin, p.superviseeID, "view-file")

	// Question 3, the agreement (section 4): signed by both, with its link.
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/4"))
	checkWidths(t, ctx, "file audit: the agreement, with evidence")
	ev := textOf(t, ctx, `aside.app-evidence`)
	for _, want := range []string{"Evidence from Siân Gwŷnedd-Jones’s file", "Signed by both on", "Status: in date", "Nothing here fills in an answer"} {
		if !strings.Contains(ev, want) {
			t.Errorf("agreement evidence lacks %q: %q", want, ev)
		}
	}
	var answered bool
	do(t, ctx, chromedp.Evaluate(`document.querySelector('input[name="agreement_completed"]:checked') !== null`, &answered))
	if answered {
		t.Errorf("the evidence filled in an answer")
	}
	var links []string
	do(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('aside.app-evidence a')].map(a => a.getAttribute('href'))`, &links))
	if len(links) != 1 || links[0] != "/records/"+agreement.ID {
		t.Fatalf("agreement evidence links %v, want the agreement", links)
	}

	// Question 2, frequency (section 3): the policy's and the session held.
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/3"))
	checkWidths(t, ctx, "file audit: frequency, with evidence")
	ev = textOf(t, ctx, `aside.app-evidence`)
	for _, want := range []string{"Policy: every 4 weeks (Manchester City Council)", "Sessions held in the last 12 months: 1", "Next session due"} {
		if !strings.Contains(ev, want) {
			t.Errorf("frequency evidence lacks %q: %q", want, ev)
		}
	}
	// Question 4, records of sessions (section 5): the confidential
	// supervision record is counted and dated, not linked (the auditor
	// cannot open it).
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/5"))
	checkWidths(t, ctx, "file audit: records of sessions, with evidence")
	ev = textOf(t, ctx, `aside.app-evidence`)
	if !strings.Contains(ev, "Supervision records signed by both in the last 12 months: 1") || !strings.Contains(ev, "Record of the session on") {
		t.Errorf("records evidence: %q", ev)
	}
	var confLinks int
	do(t, ctx, chromedp.Evaluate(`document.querySelectorAll('aside.app-evidence a[href="/records/`+rec.ID+`"]').length`, &confLinks))
	if confLinks != 0 {
		t.Errorf("the evidence links the confidential supervision record")
	}
	auditor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusNotFound, nil)

	// Question 8, development (section 9): observations, reflective discussions.
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/9"))
	checkWidths(t, ctx, "file audit: development, with evidence")
	ev = textOf(t, ctx, `aside.app-evidence`)
	for _, want := range []string{"Practice observations this year (from 1 April): 0 of 2", "Reflective discussions: none signed"} {
		if !strings.Contains(ev, want) {
			t.Errorf("development evidence lacks %q: %q", want, ev)
		}
	}
	// The details (section 1) carry no evidence.
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/1"))
	var none bool
	do(t, ctx, chromedp.Evaluate(`document.querySelector('aside.app-evidence') === null`, &none))
	if !none {
		t.Errorf("the audit's details show evidence")
	}

	if n := logCount(t, p.admin, p.superviseeID, "view-file") - before; n != 4 {
		t.Errorf("%d reads of the audited file logged for four pages of evidence, want 4", n)
	}
	// A link opens the record for the auditor (and that read is logged too).
	viewed := logCount(t, p.admin, p.superviseeID, "view-record")
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/4"))
	click(t, ctx, `aside.app-evidence a`)
	if h := textOf(t, ctx, `h1`); !strings.Contains(h, "Supervision agreement") {
		t.Errorf("the evidence link opened %q", h)
	}
	if logCount(t, p.admin, p.superviseeID, "view-record") != viewed+1 {
		t.Errorf("opening the agreement from the evidence is not logged")
	}
}

// shiftDates moves every date answer (tables' too) by days.
func shiftDates(v any, days int) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if str, ok := e.(string); ok {
				if d, err := time.Parse(time.DateOnly, str); err == nil {
					x[k] = d.AddDate(0, 0, days).Format(time.DateOnly)
				}
				continue
			}
			shiftDates(e, days)
		}
	case []any:
		for _, e := range x {
			shiftDates(e, days)
		}
	case []map[string]any:
		for _, e := range x {
			shiftDates(e, days)
		}
	}
}
