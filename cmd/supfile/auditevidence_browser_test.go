package main

import (
	"net/http"
	"slices"
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
// discussions; the supervisee's disagreement and the supervisor's response,
// concerns for escalation, postponed sessions, direct work), read-only with
// links to the records, which open; none for questions 10 and 12; the same
// beside the answers on Check your answers; no answer is filled in; each
// page's read is in the audited file's access log. Axe-clean, no sideways
// scroll at 375 and 1280 px.
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
	// The supervisee records a disagreement with it when signing; the
	// supervisor responds (question 5).
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true,
		"disagreement": "The actions are not what we agreed"}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("supervision record not signed: %+v", rec)
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/disagreement-response", map[string]any{"response": "Agreed: the actions are corrected"}, http.StatusCreated, nil)

	// A case supervision 20 days ago with direct work and concerns for
	// escalation (questions 5 and 11), and a forward planner with a
	// session postponed for annual leave (question 9).
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	csDef, _ := cat.Get("case-supervision")
	cs := forms.Sample(csDef, p.supervisorID)
	held := today.AddDate(0, 0, -20)
	cs["supervision_date"] = held.Format(time.DateOnly)
	cs["case_reference"] = "LL-40417"
	cs["case_direction"] = "continue"
	delete(cs, "next_case_supervision_date")
	cs["next_meeting_date"] = held.AddDate(0, 0, 7).Format(time.DateOnly)
	cs["direct_work"] = "She drew her three houses"
	cs["escalation"] = "yes"
	cs["escalation_details"] = "To the service manager this week"
	var caseRec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "case-supervision", "data": cs}, http.StatusCreated, &caseRec)
	p.supervisor.call("POST", "/api/v1/records/"+caseRec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+caseRec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+caseRec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &caseRec)
	fpDef, _ := cat.Get("forward-planner")
	fp := forms.Sample(fpDef, p.supervisorID)
	fp["dates"] = []any{map[string]any{"date": today.AddDate(0, 0, -30).Format(time.DateOnly), "time": "10:00", "status": "postponed",
		"rescheduled": today.AddDate(0, 0, -23).Format(time.DateOnly), "comments": "Annual leave"}}
	var planner recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "forward-planner", "data": fp}, http.StatusCreated, &planner)
	p.supervisor.call("POST", "/api/v1/records/"+planner.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisor.call("POST", "/api/v1/records/"+planner.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &planner)
	if caseRec.Status != "signed" || planner.Status != "signed" {
		t.Fatalf("case supervision %s, forward planner %s; want both signed", caseRec.Status, planner.Status)
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
	for _, l := range got.Evidence["q5"] {
		if l.RecordID == rec.ID || strings.Contains(l.Text, "not what we agreed") || strings.Contains(l.Text, "corrected") {
			t.Errorf("the API evidence for question 5 links or quotes the confidential record: %+v", l)
		}
	}
	if q5 := got.Evidence["q5"]; len(q5) < 2 || q5[0].Text != "Disagreements recorded by the supervisee when signing: 1; the supervisor responded to 1" ||
		!strings.HasSuffix(q5[1].Text, "the supervisor responded on "+now.Format("2 January 2006")) {
		t.Errorf("API evidence for question 5: %+v", q5)
	}
	hasLine := func(sec, text, record string) {
		t.Helper()
		for _, l := range got.Evidence[sec] {
			if strings.HasPrefix(l.Text, text) && l.RecordID == record {
				return
			}
		}
		t.Errorf("API evidence for %s lacks %q (record %q): %+v", sec, text, record, got.Evidence[sec])
	}
	hasLine("q5", "Case LL-40417, discussed on "+held.Format("2 January 2006"), caseRec.ID)
	hasLine("q6", "Worker's details (registration and DBS): none signed", "")
	hasLine("q6", "Supervision records of the last 12 months you may not open, so not read here: 1", "")
	hasLine("q9", "Sessions postponed in the last 12 months: 1; rescheduled: 1; with a reason: 1", "")
	hasLine("q9", "Forward planner: signed on", planner.ID)
	hasLine("q11", "Case supervision sessions in the last 12 months: 1; with direct work noted for two cases or more: 0", "")
	hasLine("q11", "Case LL-40417 on "+held.Format("2 January 2006")+": direct work noted", caseRec.ID)
	if got.Evidence["q10"] != nil || got.Evidence["q12"] != nil {
		t.Errorf("API evidence for the questions of judgement alone: %+v %+v", got.Evidence["q10"], got.Evidence["q12"])
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
	// Questions 5, 6, 9 and 11 (sections 6, 7, 10 and 12).
	for _, c := range []struct {
		section string
		want    []string
		links   []string
	}{
		{"6", []string{"Disagreements recorded by the supervisee when signing: 1; the supervisor responded to 1", "Disagreement recorded when signing the supervision record of",
			"concerns for escalation to a senior manager: 1", "Case LL-40417, discussed on"}, []string{"/records/" + caseRec.ID}},
		{"7", []string{"Worker's details (registration and DBS): none signed", "Supervision records of the last 12 months you may not open, so not read here: 1"}, nil},
		{"10", []string{"Sessions postponed in the last 12 months: 1; rescheduled: 1; with a reason: 1",
			"Session of " + today.AddDate(0, 0, -30).Format("2 January 2006") + " postponed to " + today.AddDate(0, 0, -23).Format("2 January 2006") + "; reason given"},
			[]string{"/records/" + planner.ID}},
		{"12", []string{"Case supervision sessions in the last 12 months: 1; with direct work noted for two cases or more: 0",
			"Case supervision on " + held.Format("2 January 2006") + ": direct work noted for 1 of 1 cases"}, []string{"/records/" + caseRec.ID}},
	} {
		navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/"+c.section))
		checkWidths(t, ctx, "file audit: section "+c.section+", with evidence")
		ev = textOf(t, ctx, `aside.app-evidence`)
		for _, want := range c.want {
			if !strings.Contains(ev, want) {
				t.Errorf("section %s evidence lacks %q: %q", c.section, want, ev)
			}
		}
		for _, secret := range []string{"not what we agreed", "corrected", "Annual leave", "three houses", "service manager this week"} {
			if strings.Contains(ev, secret) {
				t.Errorf("section %s evidence quotes a record's answer %q", c.section, secret)
			}
		}
		var links []string
		do(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('aside.app-evidence a')].map(a => a.getAttribute('href'))`, &links))
		if strings.Join(links, " ") != strings.Join(c.links, " ") {
			t.Errorf("section %s evidence links %v, want %v", c.section, links, c.links)
		}
		do(t, ctx, chromedp.Evaluate(`document.querySelector('main input[type="radio"]:checked') !== null`, &answered))
		if answered {
			t.Errorf("section %s: the evidence filled in an answer", c.section)
		}
	}
	// The details (section 1) and questions 10 and 12 (sections 11 and
	// 13, the auditor's judgement alone) carry no evidence.
	for _, n := range []string{"1", "11", "13"} {
		navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/tasks/"+n))
		var none bool
		do(t, ctx, chromedp.Evaluate(`document.querySelector('aside.app-evidence') === null`, &none))
		if !none {
			t.Errorf("section %s of the audit shows evidence", n)
		}
	}

	if n := logCount(t, p.admin, p.superviseeID, "view-file") - before; n != 8 {
		t.Errorf("%d reads of the audited file logged for eight pages of evidence, want 8", n)
	}

	// Check your answers: each question's evidence beside its answers,
	// with the same links (never the confidential record), one logged
	// read for the page; nothing answered.
	before = logCount(t, p.admin, p.superviseeID, "view-file")
	navigate(t, ctx, chromedp.Navigate(m.URL+"/records/"+audit.ID+"/check"))
	checkWidths(t, ctx, "file audit: check your answers, with evidence")
	var asides []string
	do(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('aside.app-evidence')].map(a => a.closest('.govuk-grid-row').previousElementSibling.textContent.trim())`, &asides))
	wantAsides := []string{"1. Structure of the file", "2. Frequency and duration", "3. Supervision agreement", "4. Records of sessions",
		"5. Concerns raised by the supervisee", "6. Content of sessions", "7. Decisions on the case file", "8. Performance, training and development",
		"9. Attendance", "11. Direct work with children"}
	if strings.Join(asides, "|") != strings.Join(wantAsides, "|") {
		t.Errorf("check your answers shows evidence beside %q, want %q", asides, wantAsides)
	}
	var rows []string
	do(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('aside.app-evidence')].map(a => a.closest('.govuk-grid-row').querySelector('.govuk-summary-list__key').textContent.trim())`, &rows))
	if len(rows) != 10 || !strings.HasPrefix(rows[4], "Is there evidence that the supervisor has acted on the concerns") {
		t.Errorf("the evidence is not beside its question's answers: %q", rows)
	}
	ev = textOf(t, ctx, `main`)
	for _, want := range []string{"Evidence from Siân Gwŷnedd-Jones’s file", "Signed by both on", "the supervisor responded on", "Sessions postponed in the last 12 months: 1",
		"Case supervision sessions in the last 12 months: 1", "Nothing there fills in an answer"} {
		if !strings.Contains(ev, want) {
			t.Errorf("check your answers lacks %q", want)
		}
	}
	links = nil
	do(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('aside.app-evidence a')].map(a => a.getAttribute('href'))`, &links))
	for _, want := range []string{agreement.ID, caseRec.ID, planner.ID} {
		if !slices.Contains(links, "/records/"+want) {
			t.Errorf("check your answers' evidence does not link %s: %v", want, links)
		}
	}
	if slices.Contains(links, "/records/"+rec.ID) {
		t.Errorf("check your answers' evidence links the confidential supervision record")
	}
	var ids int
	do(t, ctx, chromedp.Evaluate(`new Set([...document.querySelectorAll('aside.app-evidence h3')].map(h => h.id)).size`, &ids))
	if ids != 10 {
		t.Errorf("%d distinct evidence headings on check your answers, want 10", ids)
	}
	if n := logCount(t, p.admin, p.superviseeID, "view-file") - before; n != 1 {
		t.Errorf("%d reads of the audited file logged for check your answers, want 1", n)
	}
	var a recordResp
	auditor.call("GET", "/api/v1/records/"+audit.ID, nil, http.StatusOK, &a)
	if a.Revision != audit.Revision {
		t.Errorf("showing the evidence saved the audit (revision %d to %d)", audit.Revision, a.Revision)
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

	// Submitted, the audit waits for the auditor's signature: the
	// supervisor, who signs after, is told so on its page, at a phone's
	// width and a laptop's.
	auditDef, _ := cat.Get("file-audit")
	auditor.call("GET", "/api/v1/records/"+audit.ID, nil, http.StatusOK, &audit)
	auditor.call("PUT", "/api/v1/records/"+audit.ID, map[string]any{"data": forms.Sample(auditDef, p.supervisorID), "revision": audit.Revision}, http.StatusOK, &audit)
	auditor.call("POST", "/api/v1/records/"+audit.ID+"/submit", nil, http.StatusOK, nil)
	sup := newSession(t, ctx)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+audit.ID))
	checkWidths(t, sup, "file audit awaiting the auditor, as its supervisor")
	if got := textOf(t, sup, `#sign-later`); got != "You sign this record as Supervisor once the auditor has signed. It is listed on your home page under “Needs your action” when it is your turn." {
		t.Errorf("the supervisor waiting to sign the audit is told %q", got)
	}
	var form bool
	do(t, sup, chromedp.Evaluate(`document.querySelector('form[action$="/sign"]') !== null`, &form))
	if form {
		t.Error("the supervisor is offered the signing form before the auditor has signed")
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
