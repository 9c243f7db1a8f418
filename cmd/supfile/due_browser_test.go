package main

import (
	"encoding/csv"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
)

// TestBrowserDueHome: the supervisor's home lists their supervisees most
// overdue first, each with a timeline (an SVG image with a title and a
// description, and the same as text), case supervision included; the line
// manager sees their supervisors' teams and downloads them as CSV.
// Axe-clean, no sideways scroll at 375 and 1280 px.
//
// The council has made case supervision confidential (FORMS_DIR), so the
// line manager, who may not read those records, sees the case drawn on the
// timeline without its reference; the supervisor sees it named.
func TestBrowserDueHome(t *testing.T) {
	needs.Tools(t, "Chromium")
	t.Parallel()
	m := startApp(t, map[string]string{"FORMS_DIR": confidentialCaseSupervision(t)})
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

	// A case discussed in case supervision 70 days ago is overdue (8 weeks,
	// Manchester): drawn on Siân's timeline, named for her supervisor.
	fileCaseSupervision(t, ht.people, "LL-40417", 70)
	navigate(t, sup, chromedp.Navigate(m.URL+"/"))
	do(t, sup, chromedp.Evaluate(`document.querySelector('#tl-`+ht.superviseeID+`-d').textContent`, &desc))
	if !strings.Contains(desc, "Case LL-40417 last discussed in case supervision on ") || !strings.Contains(desc, "days.") {
		t.Errorf("timeline with a case: %q", desc)
	}
	var diamonds int
	do(t, sup, chromedp.Evaluate(`document.querySelectorAll('svg[aria-labelledby^="tl-`+ht.superviseeID+`"] .app-timeline__cases path').length`, &diamonds))
	if diamonds != 1 {
		t.Errorf("%d case discussions drawn, want 1", diamonds)
	}
	var row string
	do(t, sup, chromedp.Evaluate(`document.querySelector('#tl-`+ht.superviseeID+`-d').closest('.app-due').textContent`, &row))
	if !strings.Contains(row, "diamonds the last discussion of each open case") || !strings.Contains(row, "Timeline as text") ||
		strings.Count(row, "Case LL-40417 last discussed in case supervision on") != 2 { // the SVG's description and the text
		t.Errorf("Siân's row lacks the case in the caption or the timeline as text: %q", row)
	}
	checkWidths(t, sup, "home with timelines (a case due)")
	do(t, sup, chromedp.EmulateViewport(375, 900))
	do(t, sup, chromedp.Evaluate(`document.querySelector('svg[aria-labelledby^="tl-`+ht.superviseeID+`"]').getBoundingClientRect().width`, &w))
	if w <= 0 || w > 375 {
		t.Errorf("timeline with a case at 375 px is %.0f px wide", w)
	}
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
	// She may not read the confidential case supervision record: the case
	// is on Siân's timeline and in what is due, never its reference.
	var html string
	do(t, lara, chromedp.OuterHTML(`html`, &html, chromedp.ByQuery))
	do(t, lara, chromedp.Evaluate(`document.querySelector('#tl-`+ht.superviseeID+`-d').textContent`, &desc))
	if strings.Contains(html, "LL-40417") || !strings.Contains(desc, "A case last discussed in case supervision on ") {
		t.Errorf("line manager's timeline names the case or lacks it: %q", desc)
	}
	if s := textOf(t, lara, `main`); !strings.Contains(s, "Case supervision: by") || !strings.Contains(s, "(a case, last discussed ") {
		t.Errorf("line manager's home lacks the case due: %.2000q", s)
	}
	do(t, lara, chromedp.Evaluate(`document.querySelectorAll('svg[aria-labelledby^="tl-`+ht.superviseeID+`"] .app-timeline__cases path').length`, &diamonds))
	if diamonds != 1 {
		t.Errorf("line manager: %d case discussions drawn, want 1", diamonds)
	}
	raw := ht.lara.call("GET", "/team/due.csv", nil, http.StatusOK, nil)
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || len(rows) < 3 || strings.Join(rows[0], ",") != "supervisor,supervisee,supervisee_id,what,reason,by,overdue_days,agreement,observations_this_year" {
		t.Fatalf("CSV: %v %q", err, rows)
	}
	if strings.Contains(string(raw), "LL-40417") || !strings.Contains(string(raw), "a case, last discussed") {
		t.Errorf("line manager's CSV names the case or lacks it: %s", raw)
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

// confidentialCaseSupervision is a FORMS_DIR holding the built-in case
// supervision form made confidential (read only by the supervisee, the
// supervisor or a stand-in, and the people named on a record).
func confidentialCaseSupervision(t *testing.T) string {
	t.Helper()
	raw, err := fs.ReadFile(forms.Builtin(), "case-supervision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(string(raw), "\nversion: 1\n", "\nversion: 1\nconfidential: true\n", 1)
	if yaml == string(raw) {
		t.Fatal("no version line in case-supervision.yaml")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "case-supervision.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fileCaseSupervision files a case supervision record of the case, held
// the given days ago, signed by the supervisee and the supervisor.
func fileCaseSupervision(t *testing.T, p *people, ref string, daysAgo int) {
	t.Helper()
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("case-supervision")
	held := time.Now().In(mustLondon(t)).AddDate(0, 0, -daysAgo)
	data := forms.Sample(def, p.supervisorID)
	data["supervision_date"] = held.Format(time.DateOnly)
	data["case_reference"] = ref
	data["case_direction"] = "continue"
	delete(data, "next_case_supervision_date")
	data["next_meeting_date"] = held.AddDate(0, 0, 7).Format(time.DateOnly)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	if rec = signRecord(t, rec.ID, p.supervisee, "Siân Gwŷnedd-Jones", p.supervisor, "Ahmed Khan"); rec.Status != "signed" {
		t.Fatalf("case supervision not signed: %+v", rec)
	}
}
