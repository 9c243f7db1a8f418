package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// TestBrowserSignInAndLeavers: in Chromium, at 375 and 1280 px and
// axe-clean, the sign-in page with the identity provider's button and a
// sign-in through it, "Your account" with a password change, the admin's
// details form setting an end date, the handover warning, and a leaver's
// read-only file with its retention date.
func TestBrowserSignInAndLeavers(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); testBrowserSignInAndLeavers(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testBrowserSignInAndLeavers(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)})
	})
}

func testBrowserSignInAndLeavers(t *testing.T, env map[string]string) {
	op := startOIDC(t)
	for k, v := range oidcEnv(op) {
		if env == nil {
			env = map[string]string{}
		}
		env[k] = v
	}
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)

	// The admin signs in with the identity provider.
	adm := browser(t)
	do(t, adm, chromedp.Navigate(m.URL+"/login"), chromedp.WaitVisible(`#oidc-sign-in`, chromedp.ByQuery))
	checkWidths(t, adm, "sign in (with OpenID Connect)")
	if got := textOf(t, adm, `#oidc-sign-in`); got != "Sign in with Testshire Entra ID" {
		t.Errorf("button = %q", got)
	}
	op.QueueUser(&mockoidc.MockUser{Subject: "admin", Email: adminEmail, EmailVerified: true})
	click(t, adm, `#oidc-sign-in`)
	if got := textOf(t, adm, `main`); !strings.Contains(got, "Signed in as Administrator") {
		t.Fatalf("after OpenID sign-in the page says %.200q", got)
	}

	// Your account: a mistake, then a change.
	click(t, adm, `a[href="/account"]`)
	checkWidths(t, adm, "your account")
	do(t, adm, chromedp.SendKeys(`#f-current_password`, "not the password", chromedp.ByQuery),
		chromedp.SendKeys(`#f-new_password`, "password1234", chromedp.ByQuery))
	click(t, adm, `form[action="/account/password"] button[type=submit]`)
	if got := textOf(t, adm, `.govuk-error-summary`); !strings.Contains(got, "Your current password is not right") || !strings.Contains(got, "too common") {
		t.Errorf("error summary = %q", got)
	}
	checkWidths(t, adm, "your account (errors)")
	do(t, adm, chromedp.SendKeys(`#f-current_password`, adminPassword, chromedp.ByQuery),
		chromedp.SendKeys(`#f-new_password`, "lantern orchard pebble", chromedp.ByQuery))
	click(t, adm, `form[action="/account/password"] button[type=submit]`)
	if got := textOf(t, adm, `.govuk-notification-banner`); !strings.Contains(got, "Your password has been changed") {
		t.Errorf("after the change: %q", got)
	}
	// The admin's other session (the API client) has ended.
	p.admin.call("GET", "/api/v1/me", nil, http.StatusUnauthorized, nil)
	p.admin = login(t, m.URL, adminEmail, "lantern orchard pebble")

	// The supervisor, signed in with a password, will watch the file.
	sup := browser(t)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")

	// The admin sets the supervisee's end date on the details form: a
	// mistake first.
	do(t, adm, chromedp.Navigate(m.URL+"/admin/staff/"+p.superviseeID), chromedp.WaitVisible(`#f-end_date`, chromedp.ByQuery))
	checkWidths(t, adm, "staff member (details form)")
	do(t, adm, setDate(`#f-end_date`, "2001-01-01"), setValue(`#f-job_title`, "Senior Social Worker"))
	click(t, adm, `form[action$="/details"] button[type=submit]`)
	if got := textOf(t, adm, `#f-end_date-error`); !strings.Contains(got, "on or after the start date") {
		t.Errorf("end date error = %q", got)
	}
	if got := valueOf(t, adm, `#f-job_title`); got != "Senior Social Worker" {
		t.Errorf("job title kept as %q after an error", got)
	}
	checkWidths(t, adm, "staff member (details errors)")
	today := londonToday()
	do(t, adm, setDate(`#f-end_date`, today.Format(time.DateOnly)))
	click(t, adm, `form[action$="/details"] button[type=submit]`)
	main := textOf(t, adm, `main`)
	for _, want := range []string{"Details saved", "Senior Social Worker", "has left", "File kept until", today.AddDate(6, 0, 0).Format("2 January 2006")} {
		if !strings.Contains(main, want) {
			t.Errorf("staff member page after the end date lacks %q", want)
		}
	}
	checkWidths(t, adm, "staff member (leaver)")

	// The leaver's file is read-only, with its retention date.
	do(t, sup, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"), chromedp.WaitVisible(`#retention-until`, chromedp.ByQuery))
	if got := textOf(t, sup, `#retention-until`); got != today.AddDate(6, 0, 0).Format("2 January 2006") {
		t.Errorf("kept until %q", got)
	}
	if got := textOf(t, sup, `#read-only`); !strings.Contains(got, "read-only") {
		t.Errorf("read-only notice %q", got)
	}
	var starts int
	do(t, sup, chromedp.Evaluate(`document.querySelectorAll('form[action$="/records"]').length`, &starts))
	if starts != 0 {
		t.Error("a leaver's file offers to start a record")
	}
	checkWidths(t, sup, "leaver's file")

	// The supervisor leaves: on the staff list their supervisee needs a handover.
	p.admin.call("PATCH", "/api/v1/staff/"+p.supervisorID, map[string]any{"end_date": today.Format(time.DateOnly)}, http.StatusOK, nil)
	do(t, adm, chromedp.Navigate(m.URL+"/admin/staff"), chromedp.WaitVisible(`.app-handover`, chromedp.ByQuery))
	if got := textOf(t, adm, `.app-handover`); got != "No supervisor: handover needed" {
		t.Errorf("handover warning = %q", got)
	}
	checkWidths(t, adm, "staff list (handover needed)")
	// …and the supervisor's browser is signed out.
	do(t, sup, chromedp.Navigate(m.URL+"/"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	if got := textOf(t, sup, `h1`); got != "Sign in" {
		t.Errorf("a leaver's browser shows %q, want the sign-in page", got)
	}
}
