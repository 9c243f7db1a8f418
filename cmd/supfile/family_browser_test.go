package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
)

// TestBrowserFamilyPlacement takes Appendix H (family placement supervision)
// end to end in the browser: the supervisor starts it from the supervisee's
// file, meets its task list, fills it on one page (a wrong date first, kept
// with its error), submits; both sign on the record page; the signed PDF
// carries the prompts' answers and both scales. Axe-clean, no sideways scroll
// at 375 and 1280 px.
func TestBrowserFamilyPlacement(t *testing.T) {
	needs.Tools(t, "Chromium", "pdftotext")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)

	sup := newSession(t, nil)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	navigate(t, sup, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"))
	do(t, sup, setValue(`#f-form`, "family-placement-supervision"))
	click(t, sup, `form[action$="/records"] button[type=submit]`)
	if got := textOf(t, sup, `h1`); !strings.Contains(got, "Family placement supervision") {
		t.Fatalf("page heading %q", got)
	}
	checkAxe(t, sup, "family placement (task list)")
	checkWidths(t, sup, "family placement (task list)")
	onOnePage(t, sup)
	if got := valueOf(t, sup, `[name=supervisee_name]`); got != "Siân Gwŷnedd-Jones" {
		t.Errorf("supervisee name prefilled as %q", got)
	}

	texts := map[string]string{
		"carer_reference":     "FC-20931",
		"carer_practice":      "The carers keep a daily log; bedtime routines slipped in August.",
		"child_voice_worries": "She says she is here “until Mum is better” and worries about her brother.",
		"secure_base":         "Consistent bedtime now; she goes to the carers when upset.",
		"strengths":           "Carers attended trauma-informed training; school reports better attendance.",
		"needs_to_happen":     "Respite plan agreed before the next review; life story work to start.",
		"actions.0.action":    "Book respite carers for two weekends.",
		"actions.0.owner":     "Supervising social worker",
	}
	for name, v := range texts {
		do(t, sup, setValue(fmt.Sprintf(`[name=%q]`, name), v))
	}
	for _, radio := range []string{
		`input[name=carer_supervision_in_time][value=yes]`,
		`input[name=checks_in_time][value=yes]`,
		`input[name=escalation][value=no]`,
		`input[name=settled_scale][value="7"]`,
		`input[name=care_giving_scale][value="8"]`,
	} {
		do(t, sup, chromedp.Click(radio, chromedp.ByQuery))
	}
	// A date that does not exist comes back with its error, as typed.
	do(t, sup, setDate("#f-actions-0-due", "2027-02-01"), setValue("#f-actions-0-due", "31"), setValue("#f-actions-0-due-month", "2"))
	click(t, sup, `button[value=submit]`)
	if s := textOf(t, sup, `.govuk-error-summary`); !strings.Contains(s, "There is a problem") {
		t.Fatalf("31 February accepted: %q", s)
	}
	if got := valueOf(t, sup, "#f-actions-0-due"); got != "31" {
		t.Errorf("the day typed was lost: %q", got)
	}
	if got := valueOf(t, sup, `[name=carer_practice]`); got != texts["carer_practice"] {
		t.Errorf("text typed was lost: %q", got)
	}
	checkAxe(t, sup, "family placement (errors)")
	checkWidths(t, sup, "family placement (errors)")
	due := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	do(t, sup, setDate("#f-actions-0-due", due))
	click(t, sup, `button[value=submit]`)
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Awaiting signatures") {
		t.Fatalf("after submit the page says: %.300q", s)
	}
	var url string
	do(t, sup, chromedp.Location(&url))
	rid := strings.TrimPrefix(strings.SplitN(url, "?", 2)[0], m.URL+"/records/")
	checkAxe(t, sup, "family placement (awaiting signatures)")

	// Both sign on the record page, the supervisee first as the form lists.
	see := newSession(t, nil)
	signIn(t, see, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
	sign := func(c context.Context, name string) {
		t.Helper()
		navigate(t, c, chromedp.Navigate(m.URL+"/records/"+rid))
		do(t, c, chromedp.SendKeys(`#f-name`, name, chromedp.ByQuery), chromedp.Click(`#f-confirm`, chromedp.ByQuery))
		click(t, c, `form[action$="/sign"] button[type=submit]`)
	}
	sign(see, "Siân Gwŷnedd-Jones")
	checkWidths(t, see, "family placement (signed by the supervisee)")
	sign(sup, "Ahmed Khan")
	checkAxe(t, sup, "family placement (signed)")

	var rec recordResp
	p.supervisor.call("GET", "/api/v1/records/"+rid, nil, http.StatusOK, &rec)
	if rec.Form != "family-placement-supervision" || rec.Status != "signed" || len(rec.Signatures) != 2 || len(rec.Documents) == 0 {
		t.Fatalf("after both signed: %s %s, %d signatures, %d documents", rec.Form, rec.Status, len(rec.Signatures), len(rec.Documents))
	}
	if rec.Data["settled_scale"] != float64(7) && rec.Data["settled_scale"] != "7" {
		t.Errorf("settled scale stored as %v", rec.Data["settled_scale"])
	}
	needs.Tools(t, "pdftotext")
	pdf := p.supervisor.call("GET", "/api/v1/records/"+rid+"/document.pdf", nil, http.StatusOK, nil)
	text, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Family placement supervision", "FC-20931", "Book respite carers", "Siân Gwŷnedd-Jones", "Ahmed Khan"}
	for _, v := range texts {
		if len(v) < 40 {
			continue
		}
		want = append(want, v[:30])
	}
	for _, m := range doctext.Missing(text, want...) {
		t.Errorf("the signed PDF lacks %q", m)
	}
	if strings.Contains(text, "Not answered") {
		t.Error(`the signed PDF prints "Not answered"`)
	}
}
