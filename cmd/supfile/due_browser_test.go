package main

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/internal/needs"
)

// TestBrowserDueHome: the supervisor's home lists their supervisees most
// overdue first, each with a timeline (an SVG image with a title and a
// description, and the same as text); the line manager sees their
// supervisors' teams and downloads them as CSV. Axe-clean, no sideways
// scroll at 375 and 1280 px.
func TestBrowserDueHome(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)
	// Ahmed's line manager is Lara; Tom joins Ahmed's team today (nothing
	// due yet), Siân has been his since 2025-01-06 with nothing filed
	// until a supervision record today.
	ht.admin.call("PUT", "/api/v1/staff/"+ht.supervisorID+"/supervisor", map[string]any{"supervisor_id": ht.laraID, "from": "2025-01-06"}, http.StatusOK, nil)
	tomID := addStaff(t, ht.admin, "Tom Idris", "tom.idris@testshire.gov.uk", "Social Worker", "social_worker")
	ht.admin.call("PUT", "/api/v1/staff/"+tomID+"/supervisor", map[string]any{"supervisor_id": ht.supervisorID, "from": today}, http.StatusOK, nil)

	sup := newSession(t, nil)
	signIn(t, sup, m.URL, "ahmed.khan@testshire.gov.uk", "a long password 1")
	checkWidths(t, sup, "home with timelines")
	var names []string
	do(t, sup, chromedp.Evaluate(`[...document.querySelectorAll('.app-due h3')].map(e => e.textContent.replace(': open supervision file', '').trim())`, &names))
	if strings.Join(names, ",") != "Siân Gwŷnedd-Jones,Tom Idris" {
		t.Errorf("supervisees, most overdue first: %q", names)
	}
	var svgs []string
	do(t, sup, chromedp.Evaluate(`[...document.querySelectorAll('.app-due svg[role=img]')].map(e => e.querySelector('title').textContent + ' | ' + e.querySelector('desc').textContent)`, &svgs))
	if len(svgs) != 2 || !strings.HasPrefix(svgs[0], "Supervision timeline for Siân Gwŷnedd-Jones") || !strings.Contains(svgs[0], "No supervision held in the last 12 months.") ||
		!strings.Contains(svgs[0], "Overdue without supervision: ") || !strings.Contains(svgs[0], "Agreement: none.") {
		t.Errorf("timelines: %q", svgs)
	}
	main := textOf(t, sup, `main`)
	for _, want := range []string{"under Manchester City Council's supervision policy", "days overdue", "Supervision: by", "Practice observation", "0 of 2 this year (from 1 April), 0 of 1 by the line manager"} {
		if !strings.Contains(main, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	// Fits a phone: the picture is no wider than the page.
	do(t, sup, chromedp.EmulateViewport(375, 900))
	var w float64
	do(t, sup, chromedp.Evaluate(`document.querySelector('.app-due svg').getBoundingClientRect().width`, &w))
	if w <= 0 || w > 375 {
		t.Errorf("timeline at 375 px is %.0f px wide", w)
	}
	// A session held today: Siân's row drops below... no: both are then
	// not overdue for supervision; Siân's timeline shows the session.
	fileAgreementAndRecord(t, ht, ht.supervisor, "Ahmed Khan")
	navigate(t, sup, chromedp.Navigate(m.URL+"/"))
	var desc string
	do(t, sup, chromedp.Evaluate(`document.querySelector('#tl-`+ht.superviseeID+`-d').textContent`, &desc))
	if !strings.Contains(desc, "Supervision held on ") || !strings.Contains(desc, "Agreement signed ") {
		t.Errorf("timeline after a session: %q", desc)
	}
	var dots int
	do(t, sup, chromedp.Evaluate(`document.querySelectorAll('svg[aria-labelledby^="tl-`+ht.superviseeID+`"] circle').length`, &dots))
	if dots < 1 {
		t.Errorf("no session drawn on the timeline")
	}
	checkWidths(t, sup, "home with timelines (a session held)")
	// The file page says what is due too.
	navigate(t, sup, chromedp.Navigate(m.URL+"/staff/"+ht.superviseeID+"/file"))
	if s := textOf(t, sup, `main`); !strings.Contains(s, "What is due") || !strings.Contains(s, "Supervision: by") || !strings.Contains(s, "Practice observation") {
		t.Errorf("file page lacks what is due: %.600q", s)
	}
	checkWidths(t, sup, "file page with what is due")

	// The line manager sees her supervisors' teams, and the CSV.
	lara := newSession(t, nil)
	signIn(t, lara, m.URL, "lara.price@testshire.gov.uk", "a long password 1")
	checkWidths(t, lara, "line manager's home")
	if s := textOf(t, lara, `#team`); s != "Your supervisors' teams" {
		t.Errorf("line manager's home: %q", s)
	}
	if s := textOf(t, lara, `main`); !strings.Contains(s, "Tom Idris") || !strings.Contains(s, "supervised by Ahmed Khan") {
		t.Errorf("line manager's home lacks Ahmed's team")
	}
	raw := ht.lara.call("GET", "/team/due.csv", nil, http.StatusOK, nil)
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || len(rows) < 3 || strings.Join(rows[0], ",") != "supervisor,supervisee,supervisee_id,what,reason,by,overdue_days,agreement,observations_this_year" {
		t.Fatalf("CSV: %v %q", err, rows)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[0]+"/"+r[1]+"/"+r[3]] = true
	}
	for _, want := range []string{"Ahmed Khan/Tom Idris/supervision", "Ahmed Khan/Siân Gwŷnedd-Jones/supervision", "Lara Price/Ahmed Khan/supervision", "Lara Price/Bea Nwosu/supervision-agreement"} {
		if !seen[want] {
			t.Errorf("CSV lacks %s: %q", want, rows)
		}
	}
	// Someone with no supervisees gets the header alone.
	raw = ht.supervisee.call("GET", "/team/due.csv", nil, http.StatusOK, nil)
	if n := strings.Count(string(raw), "\n"); n != 1 {
		t.Errorf("supervisee's CSV has %d lines", n)
	}
}
