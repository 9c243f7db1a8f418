package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
)

// sectionForm is the post of one section's page: the answers in data that
// belong to section i of def.
func sectionForm(def *forms.Definition, i int, data map[string]any, revision string) url.Values {
	v := url.Values{"_revision": {revision}, "action": {"continue"}}
	for _, f := range def.Sections[i].Fields {
		switch x := data[f.ID].(type) {
		case nil:
		case []any:
			for _, o := range x {
				v.Add(f.ID, fmt.Sprint(o))
			}
		default:
			v.Set(f.ID, fmt.Sprint(x))
		}
	}
	return v
}

// location is where a post redirected to.
func (c *client) postTo(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header.Get("Location"), b.String()
}

var taskStatusRE = regexp.MustCompile(`id="task-(\d+)-status">(?:<strong class="govuk-tag[^"]*">)?([^<]+)<`)

// taskStatuses reads the task list: section number → status.
func taskStatuses(t *testing.T, c *client, id string) map[string]string {
	t.Helper()
	status, page := c.get("/records/" + id + "/tasks")
	if status != http.StatusOK {
		t.Fatalf("task list: %d", status)
	}
	out := map[string]string{}
	for _, m := range taskStatusRE.FindAllStringSubmatch(page, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestTaskList: the agreement (13 sections) opens on a task list; each
// section is saved alone from its page (a bad value kept as typed, with its
// error, the other sections untouched), the statuses follow, Check your
// answers shows everything with Change links, a stale check is refused and
// the record is submitted from it. A two-party form shows the other
// party's sections as theirs, and a party cannot save the other's section.
func TestTaskList(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-agreement")
	data := validAgreement("A long answer.")

	status, loc, _ := p.supervisor.postTo("/staff/"+p.superviseeID+"/records", url.Values{"form": {"supervision-agreement"}})
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, "/tasks") {
		t.Fatalf("start: %d to %q", status, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/records/"), "/tasks")
	st := taskStatuses(t, p.supervisor, id)
	if len(st) != len(def.Sections) || st["1"] != "Not started" || st["13"] != "Not started" {
		t.Fatalf("new agreement's statuses: %v", st)
	}
	// The record page's Continue editing leads to the task list.
	if _, page := p.supervisor.get("/records/" + id); !strings.Contains(page, `href="/records/`+id+`/tasks"`) {
		t.Error("record page does not link to the task list")
	}

	rev := func() string {
		_, page := p.supervisor.get("/records/" + id + "/tasks/1")
		m := revisionRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no revision on the section page")
		}
		return m[1]
	}
	// Section 1: Save and continue goes to section 2.
	status, loc, _ = p.supervisor.postTo("/records/"+id+"/tasks/1", sectionForm(def, 0, data, rev()))
	if status != http.StatusSeeOther || loc != "/records/"+id+"/tasks/2" {
		t.Fatalf("section 1 saved: %d to %q", status, loc)
	}
	// Section 3 with a word in a number box: kept as typed, error beside it.
	bad := sectionForm(def, 2, data, rev())
	bad.Set("times_per_year", "thirteen")
	status, loc, _ = p.supervisor.postTo("/records/"+id+"/tasks/3", bad)
	if status != http.StatusSeeOther || loc != "/records/"+id+"/tasks/3?saved=1" {
		t.Fatalf("section 3 with a bad value: %d to %q", status, loc)
	}
	_, page := p.supervisor.get(loc)
	if !strings.Contains(page, `value="thirteen"`) || !strings.Contains(page, `id="f-times_per_year-error"`) {
		t.Errorf("section 3 does not show the typed value with its error")
	}
	st = taskStatuses(t, p.supervisor, id)
	if st["1"] != "Completed" || st["2"] != "Not started" || st["3"] != "In progress" {
		t.Errorf("statuses after two sections: %v", st)
	}
	// Section 1's answers survived saving section 3 alone.
	var r livingRecord
	p.supervisor.call("GET", "/api/v1/records/"+id, nil, http.StatusOK, &r)
	if r.Data["location"] != nil || r.Data["supervisor_name"] != "Ahmed Khan" || r.Data["times_per_year"] != "thirteen" {
		t.Errorf("stored after section saves: %v", r.Data)
	}

	// A stale section page is a conflict, nothing saved.
	status, _, _ = p.supervisor.postTo("/records/"+id+"/tasks/2", sectionForm(def, 1, data, "1"))
	if status != http.StatusConflict {
		t.Errorf("stale section save: %d", status)
	}
	// No such section.
	if status, _ := p.supervisor.get("/records/" + id + "/tasks/14"); status != http.StatusNotFound {
		t.Errorf("section 14: %d", status)
	}
	// The supervisee reads the agreement but fills in none of it.
	if status, _ := p.supervisee.get("/records/" + id + "/tasks/1"); status != http.StatusSeeOther {
		t.Errorf("supervisee's section page: %d", status)
	}

	// Every section, then Check your answers.
	for i := range def.Sections {
		status, loc, _ = p.supervisor.postTo(fmt.Sprintf("/records/%s/tasks/%d", id, i+1), sectionForm(def, i, data, rev()))
		want := fmt.Sprintf("/records/%s/tasks/%d", id, i+2)
		if i == len(def.Sections)-1 {
			want = "/records/" + id + "/tasks?saved=1"
		}
		if status != http.StatusSeeOther || loc != want {
			t.Fatalf("section %d: %d to %q", i+1, status, loc)
		}
	}
	for n, s := range taskStatuses(t, p.supervisor, id) {
		if s != "Completed" {
			t.Errorf("section %s: %s", n, s)
		}
	}
	status, page = p.supervisor.get("/records/" + id + "/check")
	if status != http.StatusOK || !strings.Contains(page, "Meeting room 2, Tŷ Hywel") ||
		!strings.Contains(page, `href="/records/`+id+`/tasks/4?from=check#f-location"`) {
		t.Fatalf("check your answers: %d %.300q", status, page)
	}
	checkRev := revisionRE.FindStringSubmatch(page)[1]
	if status, _, _ := p.supervisor.postTo("/records/"+id+"/check", url.Values{"_revision": {"1"}, "action": {"submit"}}); status != http.StatusConflict {
		t.Errorf("stale submit: %d", status)
	}
	status, loc, _ = p.supervisor.postTo("/records/"+id+"/check", url.Values{"_revision": {checkRev}, "action": {"submit"}})
	if status != http.StatusSeeOther || loc != "/records/"+id+"?done=submitted" {
		t.Fatalf("submit: %d to %q", status, loc)
	}
	// Submitted: the task list leads to the record.
	if status, _ := p.supervisor.get("/records/" + id + "/tasks"); status != http.StatusSeeOther {
		t.Errorf("task list of a submitted record: %d", status)
	}

	// A two-party form: the supervisor's task list shows the supervisee's
	// sections as theirs, and the supervisor cannot save them.
	rdef, _ := cat.Get("supervision-record")
	if len(rdef.Sections) <= 4 {
		t.Fatalf("supervision record has %d sections", len(rdef.Sections))
	}
	status, loc, _ = p.supervisor.postTo("/staff/"+p.superviseeID+"/records", url.Values{"form": {"supervision-record"}})
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, "/tasks") {
		t.Fatalf("start a supervision record: %d to %q", status, loc)
	}
	sid := strings.TrimSuffix(strings.TrimPrefix(loc, "/records/"), "/tasks")
	theirs := -1
	for i, sec := range rdef.Sections {
		if sec.Owner == "supervisee" {
			theirs = i
		}
	}
	st = taskStatuses(t, p.supervisor, sid)
	if got := st[fmt.Sprint(theirs+1)]; got != "For the supervisee" {
		t.Errorf("supervisee's section on the supervisor's list: %q (%v)", got, st)
	}
	if got := taskStatuses(t, p.supervisee, sid)[fmt.Sprint(theirs+1)]; got != "Not started" {
		t.Errorf("supervisee's own section on their list: %q", got)
	}
	_, page = p.supervisor.get("/records/" + sid + "/tasks")
	srev := revisionRE.FindStringSubmatch(func() string { _, pg := p.supervisor.get("/records/" + sid + "/tasks/1"); return pg }())[1]
	_ = page
	v := url.Values{"_revision": {srev}, "action": {"continue"}}
	if status, _, _ := p.supervisor.postTo(fmt.Sprintf("/records/%s/tasks/%d", sid, theirs+1), v); status != http.StatusForbidden {
		t.Errorf("supervisor saving the supervisee's section: %d", status)
	}
}
