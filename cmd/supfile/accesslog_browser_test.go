package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// checkWidths runs axe on the current page at a phone's width (375 px) and
// a desktop's (1280 px), and fails if the page scrolls sideways at either.
func checkWidths(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, w := range []int64{375, 1280} {
		do(t, ctx, chromedp.EmulateViewport(w, 900))
		var fits bool
		do(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth <= window.innerWidth`, &fits))
		if !fits {
			var sw, iw int
			do(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth`, &sw), chromedp.Evaluate(`window.innerWidth`, &iw))
			t.Errorf("%s at %d px scrolls sideways: %d px wide in a %d px window", page, w, sw, iw)
		}
		checkAxe(t, ctx, page)
	}
}

func TestBrowserAccessLog(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); testBrowserAccessLog(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testBrowserAccessLog(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)})
	})
}

func testBrowserAccessLog(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	bad := newClient(t, m.URL)
	bad.call("POST", "/api/v1/login", map[string]any{"email": "=cmd|' /C calc'!A0@example.org", "password": "guess guess guess"}, http.StatusUnauthorized, nil)

	// The administrator: the whole log, a filter, a mistake in the filter.
	adm := browser(t)
	signIn(t, adm, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	click(t, adm, `a[href="/admin/access-log"]`)
	if got := textOf(t, adm, `h1`); got != "Access log" {
		t.Fatalf("heading %q", got)
	}
	checkWidths(t, adm, "access log")
	body := textOf(t, adm, `main`)
	for _, want := range []string{"Downloaded a PDF", "Ahmed Khan", "Failed to sign in", "=cmd|' /c calc'!a0@example.org", "Signed a record", "127.0.0.1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the access log page lacks %q", want)
		}
	}
	do(t, adm, chromedp.SetValue(`#f-action`, "download-pdf", chromedp.ByQuery), chromedp.SetValue(`#f-file`, p.superviseeID, chromedp.ByQuery))
	click(t, adm, `form[action="/admin/access-log"] button[type=submit]`)
	if got := textOf(t, adm, `#results`); got != "1 entry" {
		t.Errorf("filtered to PDF downloads of the file: %q", got)
	}
	var csvHref string
	do(t, adm, chromedp.AttributeValue(`a[href^="/admin/access-log.csv"]`, "href", &csvHref, nil, chromedp.ByQuery))
	if !strings.Contains(csvHref, "action=download-pdf") || !strings.Contains(csvHref, "file="+p.superviseeID) {
		t.Errorf("the CSV link does not keep the filter: %s", csvHref)
	}
	checkWidths(t, adm, "access log (filtered)")
	// A date input will not take an impossible date; a typed address will.
	navigate(t, adm, chromedp.Navigate(m.URL+"/admin/access-log?action=download-pdf&from=2026-02-30"))
	if got := textOf(t, adm, `#f-from-error`); !strings.Contains(got, "From date must be a real date") {
		t.Errorf("error beside the from date: %q", got)
	}
	if got := valueOf(t, adm, `#f-action`); got != "download-pdf" {
		t.Errorf("the action filter was not kept after an error: %q", got)
	}
	checkWidths(t, adm, "access log (errors)")

	// The supervisee: from their file to who has read it.
	sup := browser(t)
	signIn(t, sup, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
	do(t, sup, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	click(t, sup, `a[href="/staff/`+p.superviseeID+`/access-log"]`)
	if got := textOf(t, sup, `h1`); got != "Who has read your file" {
		t.Fatalf("heading %q", got)
	}
	checkWidths(t, sup, "who has read your file")
	body = textOf(t, sup, `main`)
	for _, want := range []string{"Ahmed Khan", "Supervisor", "Downloaded a PDF: Supervision agreement", "Viewed a record: Supervision agreement"} {
		if !strings.Contains(body, want) {
			t.Errorf("who has read the file lacks %q:\n%s", want, body)
		}
	}
	for _, not := range []string{"Siân Gwŷnedd-Jones\tSupervisee", "127.0.0.1", "Signed a record"} {
		if strings.Contains(body, not) {
			t.Errorf("who has read the file shows %q:\n%s", not, body)
		}
	}
}
