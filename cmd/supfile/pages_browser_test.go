package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/supervision"
)

// TestBrowserEveryPage visits every page and every form (empty, and with
// its errors showing) at a phone's width (375 px) and a desktop's (1280
// px): axe-core must find nothing, and no page may scroll sideways
// (checkWidths). One table, one app and one browser per person, so it is
// the cheap way to check every page after a change to the templates or
// the CSS.
func TestBrowserEveryPage(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	// A file with something in it: a signed agreement, and one awaiting
	// the supervisee's signature (the record page's banner and signing
	// panel). An auditor is assigned to the file for the file audit.
	signed := signAgreement(t, p, "Diolch.")
	var awaiting recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &awaiting)
	p.supervisor.call("POST", "/api/v1/records/"+awaiting.ID+"/submit", nil, http.StatusOK, &awaiting)
	auditorID := addStaff(t, p.admin, "Grace Okafor", "grace.okafor@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": p.superviseeID, "auditor_id": auditorID, "due": "2099-01-31"}, http.StatusCreated, nil)
	auditor := login(t, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")

	sessions := map[string]context.Context{}
	session := func(who string) context.Context {
		if ctx, ok := sessions[who]; ok {
			return ctx
		}
		ctx := browserFor(t, 20*time.Minute)
		switch who {
		case "admin":
			signIn(t, ctx, m.URL, "admin@testshire.gov.uk", "correct horse battery")
		case "sup":
			signIn(t, ctx, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
		case "see":
			signIn(t, ctx, m.URL, "sian.jones@testshire.gov.uk", "a long password 1")
		case "aud":
			signIn(t, ctx, m.URL, "grace.okafor@testshire.gov.uk", "a long password 1")
		}
		sessions[who] = ctx
		return ctx
	}
	file := "/staff/" + p.superviseeID + "/file"

	type visit struct {
		who, name, path string
		// submit, when set, is pressed after the page is checked, and the
		// page it leads to (with its errors) is checked too.
		submit string
		// fill runs before submit.
		fill chromedp.Action
	}
	visits := []visit{
		{who: "anon", name: "sign in", path: "/login", submit: `form[action="/login"] button[type=submit]`},
		{who: "anon", name: "about (signed out)", path: "/about"},
		{who: "admin", name: "home (admin)", path: "/"},
		{who: "admin", name: "manage staff", path: "/admin/staff", submit: `form[method=post][action="/admin/staff"] button[type=submit]`,
			fill: setDate(`#f-start_date`, "")},
		{who: "admin", name: "manage staff (searched, none)", path: "/admin/staff?q=nobody&role=student"},
		{who: "admin", name: "manage staff (filtered by supervisor)", path: "/admin/staff?supervisor=" + p.supervisorID},
		{who: "admin", name: "staff member", path: "/admin/staff/" + p.superviseeID, submit: `form[action$="/details"] button[type=submit]`,
			fill: chromedp.Tasks{setValue(`#f-end_date`, "31"), setValue(`#f-end_date-month`, "2"), setValue(`#f-end_date-year`, "2026")}},
		{who: "admin", name: "access log", path: "/admin/access-log"},
		{who: "admin", name: "file access log", path: "/staff/" + p.superviseeID + "/access-log"},
		{who: "admin", name: "about", path: "/about"},
		{who: "admin", name: "account", path: "/account"},
		{who: "admin", name: "verify", path: "/verify"},
		{who: "sup", name: "home (supervisor)", path: "/"},
		{who: "sup", name: "home (supervisor, searched)", path: "/?q=Si%C3%A2n"},
		{who: "sup", name: "file (supervisor)", path: file},
		{who: "sup", name: "record (signed)", path: "/records/" + signed.ID},
		{who: "sup", name: "record (awaiting the supervisee)", path: "/records/" + awaiting.ID},
		{who: "sup", name: "handover", path: "/staff/" + p.superviseeID + "/handover", submit: `form[action$="/handover"] button[type=submit]`},
		{who: "sup", name: "cover", path: "/manage/cover"},
		{who: "sup", name: "audits", path: "/manage/audits"},
		{who: "see", name: "home (supervisee)", path: "/"},
		{who: "see", name: "file (supervisee)", path: file},
		{who: "see", name: "record (to sign)", path: "/records/" + awaiting.ID, submit: `form[action$="/sign"] button[type=submit]`},
	}
	// Every form, as its author meets it: new, then sent with nothing in it.
	filePage := map[*client]string{}
	for _, d := range cat.List() {
		if d.Generated {
			continue // nobody starts it: TestBrowserHandover shows it
		}
		who, c, fileID := "sup", p.supervisor, p.superviseeID
		if supervision.IsAudit(d) {
			who, c = "aud", auditor
		} else if supervision.IsGroup(d) {
			fileID = p.supervisorID // the lead starts it in their own file
		} else {
			if _, ok := filePage[c]; !ok {
				_, filePage[c] = c.get(file)
			}
			if !strings.Contains(filePage[c], fmt.Sprintf(`<option value="%s"`, d.ID)) {
				who, c = "see", p.supervisee
			}
		}
		var rec recordResp
		c.call("POST", "/api/v1/staff/"+fileID+"/records", map[string]any{"form": d.ID}, http.StatusCreated, &rec)
		visits = append(visits, visit{who: who, name: d.ID, path: "/records/" + rec.ID + "/edit", submit: "form-errors"})
	}

	for _, v := range visits {
		ctx := session(v.who)
		if v.who == "anon" {
			ctx = session("anon")
		}
		do(t, ctx, chromedp.Navigate(m.URL+v.path), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
		checkWidths(t, ctx, v.name)
		if v.submit == "" {
			continue
		}
		if v.fill != nil {
			do(t, ctx, v.fill)
		}
		sel := v.submit
		if sel == "form-errors" {
			// Clear what was prefilled, so that required questions go
			// unanswered, and type a date that is not real, so that a
			// form with no submit button for its author shows an error too.
			do(t, ctx, chromedp.Evaluate(`document.querySelectorAll("input[type=text], input:not([type]), textarea").forEach(e => e.value = "");
				const d = document.querySelector("input[data-date-part=day]");
				if (d) { d.value = "31"; d.parentElement.parentElement.parentElement.querySelector("[data-date-part=month]").value = "2";
					d.parentElement.parentElement.parentElement.querySelector("[data-date-part=year]").value = "2026"; }
				true`, nil))
			var canSubmit bool
			do(t, ctx, chromedp.Evaluate(`!!document.querySelector("button[value=submit]")`, &canSubmit))
			sel = `button[value=save]`
			if canSubmit {
				sel = `button[value=submit]`
			}
		}
		click(t, ctx, sel)
		var summary bool
		do(t, ctx, chromedp.Evaluate(`!!document.querySelector(".govuk-error-summary")`, &summary))
		if !summary {
			t.Errorf("%s: no error summary after pressing %s", v.name, sel)
		}
		checkWidths(t, ctx, v.name+" (errors)")
	}
}
