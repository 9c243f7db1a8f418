package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/policy"
)

// TestCaseSupervisionDue: a signed case supervision makes the case due
// again within Manchester's 8-week cycle (a working day): in the file's
// "due", on the supervisor's "Needs your action" (the API and the home
// page), and never naming the case to someone who may not open the file;
// on SQLite and on PostgreSQL.
func TestCaseSupervisionDue(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testCaseSupervisionDue(t, nil) })
	t.Run("postgres", func(t *testing.T) { testCaseSupervisionDue(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)}) })
}

func testCaseSupervisionDue(t *testing.T, env map[string]string) {
	m := startApp(t, env) // Manchester, the default
	p := setUpTeam(t, m.URL)
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("case-supervision")
	now := time.Now().In(mustLondon(t))
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	held := today.AddDate(0, 0, -70)
	data := forms.Sample(def, p.supervisorID)
	data["supervision_date"] = held.Format(time.DateOnly)
	data["case_reference"] = "LL-40417"
	data["case_direction"] = "continue"
	delete(data, "next_case_supervision_date")
	data["next_meeting_date"] = held.AddDate(0, 0, 7).Format(time.DateOnly)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("not signed: %+v", rec)
	}

	prof, _ := policy.Preset("manchester")
	by := prof.CaseDue(held)
	overdue := int(today.Sub(by).Hours()/24 + 0.5)
	var f fileResp
	p.supervisor.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusOK, &f)
	c := dueOf(f, "case-supervision")
	if len(c) != 1 || c[0].By != by.Format(time.DateOnly) || c[0].OverdueDays != overdue ||
		!strings.Contains(c[0].Reason, "case LL-40417, last discussed "+held.Format(time.DateOnly)) || !strings.Contains(c[0].Reason, "every 8 weeks") {
		t.Fatalf("case supervision due: %+v, want by %s, %d days overdue", c, by.Format(time.DateOnly), overdue)
	}

	found := false
	for _, tk := range tasksOf(t, p.supervisor) {
		if tk.Kind == "due" && strings.HasPrefix(tk.Title, "Case supervision overdue by") && strings.Contains(tk.Title, "LL-40417") {
			found = true
		}
	}
	if !found {
		t.Errorf("the supervisor's tasks lack the case: %+v", tasksOf(t, p.supervisor))
	}
	if _, home := p.supervisor.get("/"); !strings.Contains(home, "Case supervision overdue by") {
		t.Errorf("the supervisor's home does not list the case supervision due")
	}
	// The supervisee's own list holds no supervisor's due items.
	for _, tk := range tasksOf(t, p.supervisee) {
		if strings.Contains(tk.Title, "Case supervision") {
			t.Errorf("the supervisee is given %q", tk.Title)
		}
	}
}
