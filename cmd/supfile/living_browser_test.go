package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
)

// waitText polls until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var s string
	for time.Now().Before(deadline) {
		_ = chromedp.Run(ctx, chromedp.Evaluate(`(document.querySelector(`+jsString(sel)+`) || {}).textContent || ""`, &s))
		if strings.Contains(s, want) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never said %q (last: %q)", sel, want, s)
	return s
}

// waitURL polls until the page's address contains want and it has loaded.
func waitURL(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var u string
	for time.Now().Before(deadline) {
		var ready bool
		_ = chromedp.Run(ctx, chromedp.Evaluate(`location.href`, &u), chromedp.Evaluate(`document.readyState === "complete" && !!document.querySelector("#f-times_per_year")`, &ready))
		if strings.Contains(u, want) && ready {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("never reached %q (at %s)", want, u)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestBrowserLivingRecords: the home page's "Needs your action", a draft
// saved with a word in a number box (the error beside the field, the word
// kept), the autosave (with a short interval set on the form's data
// attribute) and its stale-revision message, the warning before leaving,
// Update this record and the versions, and Withdraw to draft. Axe-clean, no
// sideways scroll at 375 and 1280 px.
func TestBrowserLivingRecords(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	v1 := signAgreement(t, p, "")

	sup := newSession(t, nil)
	var dialogs atomic.Int32
	chromedp.ListenTarget(sup, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok && e.Type == page.DialogTypeBeforeunload {
			dialogs.Add(1)
			go func() { _ = chromedp.Run(sup, page.HandleJavaScriptDialog(true)) }()
		}
	})
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	if s := textOf(t, sup, `#needs-action`); s != "Needs your action" {
		t.Errorf("home starts with %q", s)
	}
	checkWidths(t, sup, "home: needs your action")

	// Update this record: version 2, prefilled.
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+v1.ID))
	checkWidths(t, sup, "signed record with Update this record")
	click(t, sup, `form[action$="/versions"] button`)
	// The agreement (13 sections) opens on its task list, as a new draft
	// does, saying which version was started.
	var url, v2 string
	do(t, sup, chromedp.Evaluate(`location.href`, &url))
	if !strings.HasSuffix(url, "/tasks?started=version") {
		t.Errorf("Update this record opened %s, not the agreement's task list", url)
	}
	v2 = strings.TrimSuffix(strings.TrimPrefix(url, m.URL+"/records/"), "/tasks?started=version")
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Version 2 started") || !strings.Contains(s, "Check your answers") {
		t.Errorf("version 2's task list does not say it was started: %q", s)
	}
	checkWidths(t, sup, "task list of version 2 after Update this record")
	// The single page still edits any draft (and shows it prefilled).
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+v2+"/edit?opened=page"))
	if v := valueOf(t, sup, `#f-location`); v != validAgreement("")["location"] {
		t.Errorf("version 2 not prefilled: location %q", v)
	}

	// A word in a number box is saved as typed, with the error beside it.
	do(t, sup, setValue(`#f-times_per_year`, "thirteen"))
	click(t, sup, `button[name=action][value=save]`)
	if v := valueOf(t, sup, `#f-times_per_year`); v != "thirteen" {
		t.Errorf("after Save draft the number box holds %q", v)
	}
	if s := textOf(t, sup, `#f-times_per_year-error`); !strings.Contains(s, "Error:") {
		t.Errorf("no error beside the field: %q", s)
	}
	if s := textOf(t, sup, `.govuk-error-summary`); !strings.Contains(s, "saved as you typed them") {
		t.Errorf("error summary: %q", s)
	}
	checkWidths(t, sup, "draft saved with an invalid value")
	// Going Back shows what was typed (the page kept by the browser, or
	// loaded again: the draft holds it), not the page as first loaded.
	do(t, sup, chromedp.Evaluate(`history.back(); true`, nil))
	waitURL(t, sup, "opened=page")
	var back string
	do(t, sup, chromedp.Evaluate(`document.querySelector("#f-times_per_year").value`, &back))
	if back != "thirteen" {
		t.Errorf("after Back the number box holds %q", back)
	}
	// (chromedp does not follow a page restored by Back: load it afresh.)
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+v2+"/edit"))
	var r livingRecord
	p.supervisor.call("GET", "/api/v1/records/"+v2, nil, http.StatusOK, &r)
	if r.Data["times_per_year"] != "thirteen" || len(r.Errors) != 1 {
		t.Errorf("stored: %v, errors %+v", r.Data["times_per_year"], r.Errors)
	}

	// The autosave, every 300 ms for the test (the page says 30 s).
	do(t, sup, chromedp.SetAttributeValue(`form[data-autosave]`, "data-autosave-interval", "300", chromedp.ByQuery))
	do(t, sup, chromedp.SendKeys(`#f-location`, " Bring a laptop.", chromedp.ByQuery))
	waitText(t, sup, `#autosave-status`, "Draft saved automatically at")
	// An autosave may fire while the keys are still being typed (a slow
	// machine types slowly); the next one, due while the page is dirty,
	// must bring the draft up to what was typed.
	for deadline := time.Now().Add(20 * time.Second); ; {
		p.supervisor.call("GET", "/api/v1/records/"+v2, nil, http.StatusOK, &r)
		if s, _ := r.Data["location"].(string); strings.Contains(s, "Bring a laptop.") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("autosaved location: %q", r.Data["location"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Someone else saves: the next autosave stops and says why.
	p.supervisor.call("PUT", "/api/v1/records/"+v2, map[string]any{"data": r.Data, "revision": r.Revision}, http.StatusOK, nil)
	do(t, sup, chromedp.SendKeys(`#f-location`, " And a charger.", chromedp.ByQuery))
	waitText(t, sup, `#autosave-status`, "Someone else has saved this record")
	checkWidths(t, sup, "draft whose autosave met a newer save")
	// Leaving with unsaved changes warns (accepted here).
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+v2+"/edit"))
	if dialogs.Load() == 0 {
		t.Errorf("no warning before leaving with unsaved changes")
	}
	// Corrected and sent for signatures; both sign; the versions show.
	do(t, sup, setValue(`#f-times_per_year`, "13"))
	click(t, sup, `button[name=action][value=submit]`)
	p.supervisee.call("POST", "/api/v1/records/"+v2+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+v2+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, nil)
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+v2))
	if s := textOf(t, sup, `#versions + ul`); !strings.Contains(s, "Version 1: signed") || !strings.Contains(s, "Version 2 (this one): signed") {
		t.Errorf("versions: %q", s)
	}
	checkWidths(t, sup, "record with two versions")
	navigate(t, sup, chromedp.Navigate(m.URL+"/staff/"+p.superviseeID+"/file"))
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Supervision agreement, version 2") {
		t.Errorf("the file does not list version 2")
	}

	// Withdraw to draft: a supervision record the supervisee has signed.
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-record")
	var wd livingRecord
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-record", "data": forms.Sample(def, p.supervisorID)}, http.StatusCreated, &wd)
	p.supervisor.call("POST", "/api/v1/records/"+wd.ID+"/send", nil, http.StatusOK, &wd)

	// The supervisee's home lists their part to fill.
	see := newSession(t, nil)
	signIn(t, see, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
	if s := textOf(t, see, `#needs-action + ul`); !strings.Contains(s, "Fill in your part: Supervision record") {
		t.Errorf("supervisee's tasks: %q", s)
	}
	checkWidths(t, see, "supervisee's home: needs your action")
	click(t, see, `#needs-action + ul a[href="/records/`+wd.ID+`/tasks"]`) // a form of 12 sections: its task list
	checkWidths(t, see, "supervisee's part of a two-party form")

	p.supervisee.call("PUT", "/api/v1/records/"+wd.ID, map[string]any{"data": forms.Sample(def, p.supervisorID), "revision": wd.Revision}, http.StatusOK, &wd)
	p.supervisor.call("POST", "/api/v1/records/"+wd.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+wd.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+wd.ID))
	checkWidths(t, sup, "record awaiting signatures, with Withdraw to draft")
	click(t, sup, `form[action$="/withdraw"] button`)
	// The supervision record (12 sections) goes back to its task list.
	url = ""
	do(t, sup, chromedp.Evaluate(`location.href`, &url))
	if url != m.URL+"/records/"+wd.ID+"/tasks?withdrawn=1" {
		t.Errorf("Withdraw to draft opened %s, not the task list", url)
	}
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Withdrawn to draft") || !strings.Contains(s, "Check your answers") {
		t.Errorf("after withdrawal: no message on the task list: %q", s)
	}
	checkWidths(t, sup, "task list after withdrawal")
	p.supervisor.call("GET", "/api/v1/records/"+wd.ID, nil, http.StatusOK, &wd)
	if wd.Status != "draft" || len(wd.Signatures) != 0 {
		t.Errorf("withdrawn: %s with %d signatures", wd.Status, len(wd.Signatures))
	}

	// A short form (the forward planner, two sections) keeps its single
	// edit page: Update this record opens it, prefilled.
	fp, _ := cat.Get("forward-planner")
	var plan livingRecord
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "forward-planner", "data": forms.Sample(fp, p.supervisorID)}, http.StatusCreated, &plan)
	p.supervisor.call("POST", "/api/v1/records/"+plan.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisor.call("POST", "/api/v1/records/"+plan.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, nil)
	navigate(t, sup, chromedp.Navigate(m.URL+"/records/"+plan.ID))
	click(t, sup, `form[action$="/versions"] button`)
	url = ""
	do(t, sup, chromedp.Evaluate(`location.href`, &url))
	if !strings.HasSuffix(url, "/edit?started=version") {
		t.Errorf("Update this record on the forward planner opened %s, not its edit page", url)
	}
	if s := textOf(t, sup, `main`); !strings.Contains(s, "Version 2 started") {
		t.Errorf("the forward planner's version 2 does not say it was started: %q", s)
	}
	if v := valueOf(t, sup, `#f-supervisee_name`); v != plan.Data["supervisee_name"] {
		t.Errorf("forward planner version 2 not prefilled: %q, want %q", v, plan.Data["supervisee_name"])
	}
	checkWidths(t, sup, "forward planner version 2 (single edit page)")
}
