package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// dateBoxes reports which of a date input's three boxes (day, month,
// year; ids id, id-month, id-year) carry the GOV.UK error class.
func dateBoxes(t *testing.T, page, id string) [3]bool {
	t.Helper()
	var out [3]bool
	for i, suffix := range [3]string{"", "-month", "-year"} {
		re := regexp.MustCompile(`<input class="([^"]*)" id="` + regexp.QuoteMeta(id+suffix) + `"`)
		m := re.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no box %s%s on the page", id, suffix)
		}
		out[i] = strings.Contains(m[1], "govuk-input--error")
	}
	return out
}

// summaryLinks are the error summary's links, message → href.
func summaryLinks(page string) map[string]string {
	out := map[string]string{}
	i := strings.Index(page, `govuk-error-summary__list`)
	if i < 0 {
		return out
	}
	end := strings.Index(page[i:], "</ul>")
	for _, m := range regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`).FindAllStringSubmatch(page[i:i+end], -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestDateErrorSummaryLinksTheBoxInError: the GOV.UK date input's error
// patterns. The error summary links a date's error to the first box in
// error (the month when the month is wrong or missing, the year when it
// lacks 4 numbers, the day when the date as a whole is wrong), and only
// the boxes in error carry the error class: on a form's single page, on a
// task-list section's page and on a stand-alone date input (an admin's
// end date).
func TestDateErrorSummaryLinksTheBoxInError(t *testing.T) {
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, &rec)
	_, page := p.supervisor.get("/records/" + rec.ID + "/edit")
	rev := revisionRE.FindStringSubmatch(page)
	if rev == nil {
		t.Fatal("no revision on the edit page")
	}
	status, _ := p.supervisor.post("/records/"+rec.ID+"/edit", url.Values{
		"_revision": {rev[1]}, "action": {"save"},
		// a month that cannot be one
		"agreement_date.day": {"27"}, "agreement_date.month": {"13"}, "agreement_date.year": {"2026"},
		// a year of two numbers
		"previous_agreement_date.day": {"27"}, "previous_agreement_date.month": {"3"}, "previous_agreement_date.year": {"25"},
		// the month left out
		"senior_manager_approval_date.day": {"4"}, "senior_manager_approval_date.month": {""}, "senior_manager_approval_date.year": {"2026"},
		// each part fine, but no such date
		"review_date.day": {"31"}, "review_date.month": {"2"}, "review_date.year": {"2027"},
	})
	if status != http.StatusSeeOther {
		t.Fatalf("save draft: %d", status)
	}
	want := []struct {
		id, href string
		boxes    [3]bool
	}{
		{"f-agreement_date", "#f-agreement_date-month", [3]bool{false, true, false}},
		{"f-previous_agreement_date", "#f-previous_agreement_date-year", [3]bool{false, false, true}},
		{"f-senior_manager_approval_date", "#f-senior_manager_approval_date-month", [3]bool{false, true, false}},
		{"f-review_date", "#f-review_date", [3]bool{true, true, true}},
	}
	check := func(where, page string, ids map[string]bool) {
		t.Helper()
		links := summaryLinks(page)
		hrefs := map[string]bool{}
		for _, h := range links {
			hrefs[h] = true
		}
		for _, w := range want {
			if !ids[w.id] {
				continue
			}
			if !hrefs[w.href] {
				t.Errorf("%s: the error summary has no link to %s (links: %v)", where, w.href, links)
			}
			if got := dateBoxes(t, page, w.id); got != w.boxes {
				t.Errorf("%s: %s boxes marked in error %v, want %v", where, w.id, got, w.boxes)
			}
		}
	}
	all := map[string]bool{"f-agreement_date": true, "f-previous_agreement_date": true, "f-senior_manager_approval_date": true, "f-review_date": true}
	_, page = p.supervisor.get("/records/" + rec.ID + "/edit?saved=1")
	check("edit page", page, all)

	// Sent for signatures from the single page: the page is shown again
	// from what was posted, with the same links.
	rev = revisionRE.FindStringSubmatch(page)
	status, page = p.supervisor.post("/records/"+rec.ID+"/edit", url.Values{
		"_revision": {rev[1]}, "action": {"submit"},
		"agreement_date.day": {"27"}, "agreement_date.month": {"13"}, "agreement_date.year": {"2026"},
		"previous_agreement_date.day": {"27"}, "previous_agreement_date.month": {"3"}, "previous_agreement_date.year": {"25"},
		"senior_manager_approval_date.day": {"4"}, "senior_manager_approval_date.month": {""}, "senior_manager_approval_date.year": {"2026"},
		"review_date.day": {"31"}, "review_date.month": {"2"}, "review_date.year": {"2027"},
	})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("submit with wrong dates: %d", status)
	}
	check("edit page after submit", page, all)

	// The task list's first section (the dates of the agreement).
	_, page = p.supervisor.get("/records/" + rec.ID + "/tasks/1?saved=1")
	check("section page", page, map[string]bool{"f-agreement_date": true, "f-previous_agreement_date": true})

	// A stand-alone date input: an admin sets an end date without its month.
	status, page = p.admin.post("/admin/staff/"+p.superviseeID+"/details", url.Values{
		"end_date.day": {"3"}, "end_date.month": {""}, "end_date.year": {"2027"},
	})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("end date without a month: %d", status)
	}
	if links := summaryLinks(page); !containsValue(links, "#f-end_date-month") {
		t.Errorf("end date: the error summary links %v, want #f-end_date-month", links)
	}
	if got := dateBoxes(t, page, "f-end_date"); got != [3]bool{false, true, false} {
		t.Errorf("end date boxes marked in error %v, want only the month", got)
	}
	// ... and a date that does not exist: the day box, all three marked.
	status, page = p.admin.post("/admin/staff/"+p.superviseeID+"/details", url.Values{
		"end_date.day": {"31"}, "end_date.month": {"2"}, "end_date.year": {"2027"},
	})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("end date 31 2 2027: %d", status)
	}
	if links := summaryLinks(page); !containsValue(links, "#f-end_date") {
		t.Errorf("end date 31 2 2027: the error summary links %v, want #f-end_date", links)
	}
	if got := dateBoxes(t, page, "f-end_date"); got != [3]bool{true, true, true} {
		t.Errorf("end date 31 2 2027 boxes marked in error %v, want all three", got)
	}
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
