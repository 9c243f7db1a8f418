package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision"
)

// TestBrowserRecordLayouts: a signed record's page shows what its
// documents print: the agreement's fixed statements, the audit's question
// grid, the self-assessment's RAG grid (colour and word) and case
// supervision's and Appendix H's worried / working well / needs to
// happen, with no "Not answered"; axe-clean and no sideways scrolling at 375 and 1280 px.
func TestBrowserRecordLayouts(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	auditorID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": p.superviseeID, "auditor_id": auditorID, "due": "2099-01-31"}, http.StatusCreated, nil)
	auditor := login(t, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
	byParty := map[string]*client{"supervisor": p.supervisor, "supervisee": p.supervisee, "auditor": auditor}
	nameOf := map[string]string{"supervisor": "Ahmed Khan", "supervisee": "Siân Gwŷnedd-Jones", "auditor": "Grace Okafor"}
	sup := newSession(t, nil)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	wants := map[string][]string{
		"supervision-agreement": {"Statement of service", "stored in a locked cabinet"},
		"file-audit":            {"Note of findings", "Is the supervision file structured in accordance with Supervision Policy?"},
		"self-assessment":       {"Golden thread", "Evidence for the rating"},
		"case-supervision":      {"What are we worried about?", "Voice of the child"},
		// Appendix H's three columns, the prompts that go together on a row.
		"family-placement-supervision": {"What’s working well?", "The carers' practice", "Timescales, checks and reviews"},
	}
	for id, want := range wants {
		def, ok := cat.Get(id)
		if !ok {
			t.Fatalf("no form %s", id)
		}
		data := forms.Sample(def, p.supervisorID)
		author, other := "supervisor", "supervisee"
		if !supervision.Writes(def, "supervisor") {
			author, other = "supervisee", "supervisor"
		}
		if supervision.IsAudit(def) {
			author = "auditor"
		}
		var rec recordResp
		byParty[author].call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
		if supervision.Writes(def, other) {
			byParty[other].call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": data, "revision": rec.Revision}, http.StatusOK, &rec)
		}
		submitter := author
		if !supervision.IsAudit(def) && !supervision.Submits(def, author) {
			submitter = other
		}
		byParty[submitter].call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
		for _, sg := range def.Signers {
			party := supervision.Party(sg.Role)
			if sg.Role == "auditor" {
				party = "auditor"
			}
			byParty[party].call("POST", "/api/v1/records/"+rec.ID+"/signatures",
				map[string]any{"name": nameOf[party], "confirm": true}, http.StatusCreated, &rec)
		}
		do(t, sup, chromedp.Navigate(m.URL+"/records/"+rec.ID), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
		body := textOf(t, sup, `main`)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the record page lacks %q", id, w)
			}
		}
		if strings.Contains(body, "Not answered") {
			t.Errorf("%s: the record page says \"Not answered\"", id)
		}
		if id == "family-placement-supervision" {
			var heads string
			do(t, sup, chromedp.Evaluate(`Array.from(document.querySelectorAll('table.app-grid thead th')).map(e => e.textContent.trim()).join("|")`, &heads))
			if !strings.Contains(heads, "What are we worried about?|What’s working well?|What needs to happen?") {
				t.Errorf("family placement supervision: the record page's grid heads are %q", heads)
			}
		}
		if id == "self-assessment" {
			var tags int
			do(t, sup, chromedp.Evaluate(`document.querySelectorAll('table.app-grid .govuk-tag').length`, &tags))
			if tags != 12 {
				t.Errorf("self-assessment: %d RAG tags in its grids, want 12", tags)
			}
		}
		checkWidths(t, sup, id+" (signed record)")
	}
}
