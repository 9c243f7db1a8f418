package main

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDateErrorLinks: in the browser, following the error
// summary's link for a date whose month is wrong puts the cursor in the
// month box, for a year of two numbers in the year box, and for a date
// that does not exist in the day box; on the single edit page and on a
// task-list section's page. Axe-clean, no sideways scroll at 375 and
// 1280 px.
func TestBrowserDateErrorLinks(t *testing.T) {
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, &rec)

	sup := newSession(t, nil)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+rec.ID+"/edit"))
	do(t, sup,
		setValue(`#f-agreement_date`, "27"), setValue(`#f-agreement_date-month`, "13"), setValue(`#f-agreement_date-year`, "2026"),
		setValue(`#f-previous_agreement_date`, "27"), setValue(`#f-previous_agreement_date-month`, "3"), setValue(`#f-previous_agreement_date-year`, "25"),
		setValue(`#f-review_date`, "31"), setValue(`#f-review_date-month`, "2"), setValue(`#f-review_date-year`, "2027"))
	click(t, sup, `button[name=action][value=save]`)
	checkWidths(t, sup, "edit page with dates wrong in the month, the year and as a whole")

	follow := func(where, href, wantFocus string) {
		t.Helper()
		do(t, sup, chromedp.EmulateViewport(1280, 900))
		sel := `.govuk-error-summary a[href="` + href + `"]`
		var n int
		do(t, sup, chromedp.Evaluate(`document.querySelectorAll(`+jsString(sel)+`).length`, &n))
		if n != 1 {
			t.Errorf("%s: %d error summary links to %s", where, n, href)
			return
		}
		do(t, sup, chromedp.Click(sel, chromedp.ByQuery))
		var focused string
		do(t, sup, chromedp.Evaluate(`document.activeElement ? document.activeElement.id : ""`, &focused))
		if focused != wantFocus {
			t.Errorf("%s: following %s focused %q, want %q", where, href, focused, wantFocus)
		}
	}
	follow("edit page", "#f-agreement_date-month", "f-agreement_date-month")
	follow("edit page", "#f-previous_agreement_date-year", "f-previous_agreement_date-year")
	follow("edit page", "#f-review_date", "f-review_date")

	// The task list's first section, with the same answers.
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+rec.ID+"/tasks/1?saved=1"))
	checkWidths(t, sup, "section page with dates wrong in the month and the year")
	follow("section page", "#f-agreement_date-month", "f-agreement_date-month")
	follow("section page", "#f-previous_agreement_date-year", "f-previous_agreement_date-year")
}
