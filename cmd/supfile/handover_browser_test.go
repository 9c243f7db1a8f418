package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/internal/needs"
)

// TestBrowserHandover: the supervisor hands the file over from the file
// page in Chromium, meets the errors beside the fields first, signs the
// handover record as the outgoing supervisor (though the file is no longer
// theirs); the incoming supervisor finds it on their home page and signs
// it. Every page is axe-clean and does not scroll sideways at 375 or 1280 px.
func TestBrowserHandover(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	fileAgreementAndRecord(t, ht, ht.supervisor, "Ahmed Khan")
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)

	sup := newSession(t, nil)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	navigate(t, sup, chromedp.Navigate(m.URL+"/staff/"+ht.superviseeID+"/file"))
	click(t, sup, `a[href="/staff/`+ht.superviseeID+`/handover"]`)
	checkWidths(t, sup, "handover page")
	if s := textOf(t, sup, `h1`); !strings.Contains(s, "Hand over the supervision file") {
		t.Fatalf("handover page heading: %q", s)
	}
	// Errors first: no new supervisor, no date (a date input takes no
	// date that does not exist; the API test covers that), no reason.
	do(t, sup, setDate(`#f-effective`, ""))
	click(t, sup, `form[action$="/handover"] button[type=submit]`)
	checkWidths(t, sup, "handover page (errors)")
	summary := textOf(t, sup, `.govuk-error-summary`)
	for _, want := range []string{"Select the new supervisor", "Enter the date", "Enter the reason"} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary lacks %q: %q", want, summary)
		}
	}
	do(t, sup,
		chromedp.SetValue(`#f-to_supervisor_id`, ht.beaID, chromedp.ByQuery),
		setDate(`#f-effective`, today),
		chromedp.SendKeys(`#f-reason`, "Siân moves to the east locality team.", chromedp.ByQuery),
		chromedp.SendKeys(`#f-note`, "Keep Thursday mornings free for her Signs of Safety panel.", chromedp.ByQuery))
	click(t, sup, `form[action$="/handover"] button[type=submit]`)
	if s := textOf(t, sup, `.govuk-notification-banner`); !strings.Contains(s, "File handed over") {
		t.Fatalf("after handing over: %q", s)
	}
	checkWidths(t, sup, "handover record (outgoing supervisor to sign)")
	var recordURL string
	do(t, sup, chromedp.Location(&recordURL))
	recordURL = strings.TrimSuffix(recordURL, "?done=handover")
	main := textOf(t, sup, `main`)
	for _, want := range []string{"Supervision file handover", "Siân moves to the east locality team.", "Keep Thursday mornings free",
		"Book the Signs of Safety refresher course", "Supervision agreement"} {
		if !strings.Contains(main, want) {
			t.Errorf("handover record page lacks %q", want)
		}
	}
	do(t, sup, chromedp.SendKeys(`#f-name`, "Ahmed Khan", chromedp.ByQuery), chromedp.Click(`#f-confirm`, chromedp.ByQuery))
	click(t, sup, `form[action$="/sign"] button[type=submit]`)
	if s := textOf(t, sup, `.govuk-notification-banner`); !strings.Contains(s, "You have signed") {
		t.Fatalf("outgoing supervisor signing: %q", s)
	}

	bea := newSession(t, nil)
	signIn(t, bea, m.URL, "bea.nwosu@testshire.gov.uk", "a long password 1")
	if s := textOf(t, bea, `main`); !strings.Contains(s, "Handovers to sign") || !strings.Contains(s, "a new supervision agreement is due by") {
		t.Errorf("Bea's home: %.400q", s)
	}
	checkWidths(t, bea, "home (handover to sign, agreement due)")
	click(t, bea, `a[href="`+strings.TrimPrefix(recordURL, m.URL)+`"]`)
	do(t, bea, chromedp.SendKeys(`#f-name`, "Bea Nwosu", chromedp.ByQuery), chromedp.Click(`#f-confirm`, chromedp.ByQuery))
	click(t, bea, `form[action$="/sign"] button[type=submit]`)
	if s := textOf(t, bea, `.govuk-notification-banner`); !strings.Contains(s, "Everyone has now signed") {
		t.Fatalf("incoming supervisor signing: %q", s)
	}
	checkWidths(t, bea, "handover record (signed)")
	navigate(t, bea, chromedp.Navigate(m.URL+"/staff/"+ht.superviseeID+"/file"))
	if s := textOf(t, bea, `main`); !strings.Contains(s, "Supervisors over time") || !strings.Contains(s, "A new supervision agreement is due by") {
		t.Errorf("file page after the handover: %.400q", s)
	}
	checkWidths(t, bea, "file (after a handover)")
}
