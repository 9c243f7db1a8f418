package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/pgtest"
)

// SUPFILE_POLICY names a preset or a file; a bad file stops start-up naming
// the file and the line; the profile's retention applies unless
// SUPFILE_RETENTION_YEARS says otherwise.
func TestConfigPolicy(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "council.yaml")
	os.WriteFile(bad, []byte("council: Testshire\nfrequencies:\n  default:\n    - every_weeks: 4\n  wizards:\n    - every_weeks: 2\n"), 0o644)
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("council: Testshire\nfrequencies:\n  default:\n    - every_weeks: 3\nagreement:\n  new_after_change_of_supervisor_weeks: 2\nretention_years_after_leaving: 8\n"), 0o644)
	load := func(env map[string]string) (*Config, error) {
		env["SUPFILE_DATA_DIR"] = dir
		return loadConfig(nil, func(k string) string { return env[k] })
	}
	for _, tt := range []struct {
		policy, want string
	}{
		{bad, "SUPFILE_POLICY: " + bad + ":5: frequencies: \"wizards\" is not a role category"},
		{"leeds", "SUPFILE_POLICY: no policy preset \"leeds\""},
		{filepath.Join(dir, "none.yaml"), "SUPFILE_POLICY: policy file:"},
	} {
		if _, err := load(map[string]string{"SUPFILE_POLICY": tt.policy}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.policy, err, tt.want)
		}
	}
	for _, tt := range []struct {
		env       map[string]string
		council   string
		retention int
	}{
		{map[string]string{}, "Manchester City Council", 6},
		{map[string]string{"SUPFILE_POLICY": "sutton"}, "London Borough of Sutton", 6},
		{map[string]string{"SUPFILE_POLICY": good}, "Testshire", 8},
		{map[string]string{"SUPFILE_POLICY": good, "SUPFILE_RETENTION_YEARS": "7"}, "Testshire", 7},
	} {
		cfg, err := load(tt.env)
		if err != nil || cfg.Policy.Council != tt.council || cfg.RetentionYears != tt.retention {
			t.Errorf("%v: %v, %v", tt.env, cfg, err)
		}
	}
}

func dueOf(f fileResp, what string) []dueEntry {
	var out []dueEntry
	for _, d := range f.Due {
		if d.What == what {
			out = append(out, d)
		}
	}
	return out
}

// The file's "due" under York's policy: before anything is filed, and
// after a signed agreement and supervision record, on SQLite and on
// PostgreSQL.
func TestFileDue(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { testFileDue(t, map[string]string{"SUPFILE_POLICY": "york"}) })
	t.Run("postgres", func(t *testing.T) {
		testFileDue(t, map[string]string{"SUPFILE_POLICY": "york", "DATABASE_URL": pgtest.Schema(t)})
	})
}

func testFileDue(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	ht := setUpHandoverTeam(t, m.URL)
	london := mustLondon(t)
	now := time.Now().In(london)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	since := func(d string) int {
		t0, _ := time.Parse(time.DateOnly, d)
		return int(today.Sub(t0).Hours()/24 + 0.5)
	}

	var f fileResp
	ht.supervisee.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	// Supervised by Ahmed from 2025-01-06, four-weekly: due 2025-02-03.
	if s := dueOf(f, "supervision"); len(s) != 1 || s[0].By != "2025-02-03" || s[0].OverdueDays != since("2025-02-03") ||
		!strings.Contains(s[0].Reason, "every 4 weeks (City of York Council); none held since 2025-01-06") {
		t.Errorf("supervision due: %+v", s)
	}
	if a := dueOf(f, "supervision-agreement"); len(a) != 1 || a[0].Reason != "none in the file" || a[0].By != "2025-02-03" {
		t.Errorf("agreement due: %+v", a)
	}
	// York: one observation a year, by the supervising manager.
	if o := dueOf(f, "practice-observation"); len(o) != 1 || o[0].Reason != "0 of 1 this year (from 1 April), 0 of 1 by the line manager" {
		t.Errorf("observation due: %+v", o)
	}
	// York sets no file audits and no self-assessment.
	if len(dueOf(f, "file-audit")) != 0 || len(dueOf(f, "self-assessment")) != 0 {
		t.Errorf("due under York: %+v", f.Due)
	}
	// Most overdue first.
	for i := 1; i < len(f.Due); i++ {
		if f.Due[i].OverdueDays > f.Due[i-1].OverdueDays {
			t.Errorf("not most overdue first: %+v", f.Due)
		}
	}
	// The handover page quotes the policy's weeks for a new agreement.
	if _, page := ht.supervisor.get("/staff/" + ht.superviseeID + "/handover"); !strings.Contains(page, "a new supervision agreement is due within 4 weeks") {
		t.Errorf("handover page does not give the policy's weeks")
	}
	// Someone who may not open the file gets nothing.
	ht.ola.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusNotFound, nil)

	fileAgreementAndRecord(t, ht, ht.supervisor, "Ahmed Khan")
	ht.supervisor.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	next := today.AddDate(0, 0, 28).Format(time.DateOnly)
	if s := dueOf(f, "supervision"); len(s) != 1 || s[0].By != next || s[0].OverdueDays != 0 ||
		!strings.Contains(s[0].Reason, "last held "+today.Format(time.DateOnly)) {
		t.Errorf("supervision due after a session: %+v", s)
	}
	if a := dueOf(f, "supervision-agreement"); len(a) != 1 || a[0].Reason != "review of the agreement of 2026-11-20" || a[0].OverdueDays != 0 {
		t.Errorf("agreement due after signing: %+v", a)
	}
	// Signed today: within York's two working days.
	if l := dueOf(f, "record-signed-late"); len(l) != 0 {
		t.Errorf("signed late: %+v", l)
	}
}
