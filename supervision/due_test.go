package supervision_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/policy"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// dueWorld is a file under a policy preset at a fixed moment, with signed
// records put straight into the index at chosen times.
type dueWorld struct {
	db                     *storage.DB
	svc                    *supervision.Service
	admin, sup, see, other *supervision.Staff
	n                      int
}

// One renderer for every dueWorld: loading the fonts is the slow part.
var (
	dueRendererOnce sync.Once
	dueRenderer     *render.Renderer
	dueRendererErr  error
)

func newDueWorld(t *testing.T, preset, role, start string, now time.Time) *dueWorld {
	t.Helper()
	return newDueWorldForms(t, "", preset, role, start, now)
}

// newDueWorldForms is newDueWorld with a FORMS_DIR overriding built-in forms.
func newDueWorldForms(t *testing.T, formsDir, preset, role, start string, now time.Time) *dueWorld {
	t.Helper()
	ctx := context.Background()
	db, err := storage.OpenSQLite(filepath.Join(t.TempDir(), "supfile.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cat, err := forms.Load(forms.Builtin(), formsDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	dueRendererOnce.Do(func() { dueRenderer, dueRendererErr = render.New(render.Options{}) })
	r, err := dueRenderer, dueRendererErr
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	w := &dueWorld{db: db}
	w.svc = supervision.New(db, nil, cat, r, supervision.Config{PasswordCost: bcrypt.MinCost, Location: loc, Policy: p, Now: func() time.Time { return now }}, nil)
	if _, _, err := w.svc.People.EnsureAdmin(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		t.Fatal(err)
	}
	if _, w.admin, err = w.svc.People.Login(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		t.Fatal(err)
	}
	add := func(name, role, start string) *supervision.Staff {
		st, err := w.svc.People.CreateStaff(ctx, w.admin, supervision.NewStaff{Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@testshire.gov.uk",
			JobTitle: "Social Worker", Role: role, StartDate: start, Password: "a long password"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	w.sup = add("Ahmed Khan", "team_manager", "2020-01-06")
	w.other = add("Grace Okafor", "team_manager", "2020-01-06")
	w.see = add("Siân Jones", role, start)
	if _, err := w.svc.Admin.SetSupervisor(ctx, w.admin, w.see.ID, w.sup.ID, start); err != nil {
		t.Fatal(err)
	}
	return w
}

// file puts a signed record in the file, signed at the moment given (the
// observer, when given, signs as observer).
func (w *dueWorld) file(t *testing.T, form string, data map[string]any, signedAt time.Time, observer *supervision.Staff) {
	t.Helper()
	w.n++
	raw, _ := json.Marshal(data)
	r := &supervision.Record{ID: fmt.Sprintf("rec-%d", w.n), StaffID: w.see.ID, FormID: form, FormVersion: 1, Version: 1, Status: supervision.StatusSigned,
		Data: raw, AuthorID: w.sup.ID, CreatedAt: signedAt, UpdatedAt: signedAt, SignedAt: &signedAt}
	var sigs []*supervision.Signature
	if observer != nil {
		sigs = append(sigs, &supervision.Signature{Role: "observer", SignerID: observer.ID, Name: observer.Name, SignedAt: signedAt})
	}
	if err := w.db.ImportRecord(context.Background(), r, sigs, nil, nil); err != nil {
		t.Fatal(err)
	}
}

func (w *dueWorld) due(t *testing.T) *supervision.DueView {
	t.Helper()
	v, err := w.svc.Files.FileDue(context.Background(), w.sup, w.see.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func item(v *supervision.DueView, what string) *supervision.Due {
	for i := range v.Items {
		if v.Items[i].What == what {
			return &v.Items[i]
		}
	}
	return nil
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Next supervision due across the phases of time in post.
func TestDueSupervisionPhases(t *testing.T) {
	cases := []struct {
		name, preset, role, start string
		held                      []string // session dates, signed the same day
		now                       string
		by                        string
		overdue                   int
	}{
		{"York ASYE, nothing held: a week after starting", "york", "asye", "2026-01-05", nil, "2026-01-20T10:00:00Z", "2026-01-12", 8},
		{"York ASYE week 5: weekly", "york", "asye", "2026-01-05", []string{"2026-02-09"}, "2026-02-20T10:00:00Z", "2026-02-16", 4},
		{"York ASYE week 6: fortnightly", "york", "asye", "2026-01-05", []string{"2026-02-09", "2026-02-16"}, "2026-02-20T10:00:00Z", "2026-03-02", 0},
		{"York ASYE after six months: four-weekly", "york", "asye", "2026-01-05", []string{"2026-07-06"}, "2026-08-10T10:00:00Z", "2026-08-03", 7},
		{"Manchester business support: twelve-weekly", "manchester", "business_support", "2026-01-05", []string{"2026-03-02"}, "2026-04-01T10:00:00Z", "2026-05-25", 0},
		{"Nottinghamshire residential: six-weekly", "nottinghamshire", "residential", "2026-01-05", []string{"2026-03-02"}, "2026-04-20T10:00:00Z", "2026-04-13", 7},
		{"over a leap day", "sutton", "social_worker", "2026-01-05", []string{"2028-02-14"}, "2028-03-14T10:00:00Z", "2028-03-13", 1},
		// 23:30 UTC on 13 March 2028 is still the 13th in London (GMT).
		{"the day is London's", "sutton", "social_worker", "2026-01-05", []string{"2028-02-14"}, "2028-03-13T23:30:00Z", "2028-03-13", 0},
		// 23:30 UTC on 13 April 2028 is 00:30 on the 14th in London (BST).
		{"the day is London's in summer time", "sutton", "social_worker", "2026-01-05", []string{"2028-03-16"}, "2028-04-13T23:30:00Z", "2028-04-13", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newDueWorld(t, c.preset, c.role, c.start, at(c.now))
			for _, h := range c.held {
				w.file(t, "supervision-record", map[string]any{"supervision_date": h}, at(h+"T15:00:00Z"), nil)
			}
			v := w.due(t)
			d := item(v, supervision.DueSupervision)
			if d == nil || d.By.Format(time.DateOnly) != c.by || d.OverdueDays != c.overdue {
				t.Fatalf("supervision due: %+v, want by %s, %d days overdue", d, c.by, c.overdue)
			}
		})
	}
}

// Records signed after the recording deadline, in working days that skip
// bank holidays, with the day of signing taken in London.
func TestDueRecordSignedLate(t *testing.T) {
	cases := []struct {
		name, session, signed string
		late                  bool
	}{
		// York: 2 working days. 23 Dec 2026 (Wed): 24 Thu, then 25 Fri
		// Christmas, 28 Mon Boxing Day's substitute: the deadline is Tue 29.
		{"Christmas: signed on the deadline", "2026-12-23", "2026-12-29T16:00:00Z", false},
		{"Christmas: a day after", "2026-12-23", "2026-12-30T09:00:00Z", true},
		// Easter 2027: Good Friday 26 March, Easter Monday 29 March.
		{"Easter: session on Thursday, signed Wednesday", "2027-03-25", "2027-03-31T09:00:00Z", false},
		{"Easter: signed Thursday", "2027-03-25", "2027-04-01T09:00:00Z", true},
		// Clocks go forward on 29 March 2026. Session Thu 26th: deadline
		// Mon 30th. 22:30 UTC on the 30th is 23:30 in London (in time);
		// 23:30 UTC is 00:30 on the 31st (late).
		{"clock change: 23:30 London time on the deadline", "2026-03-26", "2026-03-30T22:30:00Z", false},
		{"clock change: 00:30 London time the day after", "2026-03-26", "2026-03-30T23:30:00Z", true},
		// Clocks go back on 25 October 2026. Session Thu 22nd: deadline
		// Mon 26th. 23:30 UTC on the 26th is 23:30 GMT (in time).
		{"autumn clock change", "2026-10-22", "2026-10-26T23:30:00Z", false},
		{"leap year: session 28 Feb 2028, deadline 1 March", "2028-02-28", "2028-03-01T12:00:00Z", false},
		{"leap year: signed 2 March", "2028-02-28", "2028-03-02T12:00:00Z", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			signed := at(c.signed)
			w := newDueWorld(t, "york", "social_worker", "2025-01-06", signed.AddDate(0, 0, 3))
			w.file(t, "supervision-record", map[string]any{"supervision_date": c.session}, signed, nil)
			d := item(w.due(t), supervision.DueRecordSignedLate)
			if (d != nil) != c.late {
				t.Fatalf("signed late: %+v, want %v", d, c.late)
			}
		})
	}
	// Manchester gives no deadline in days: nothing is late.
	w := newDueWorld(t, "manchester", "social_worker", "2025-01-06", at("2026-12-10T10:00:00Z"))
	w.file(t, "supervision-record", map[string]any{"supervision_date": "2026-11-02"}, at("2026-12-01T10:00:00Z"), nil)
	if d := item(w.due(t), supervision.DueRecordSignedLate); d != nil {
		t.Errorf("late under Manchester: %+v", d)
	}
}

// Observations count in the year from 1 April, and by the line manager
// when the observer was the supervisor on the day.
func TestDueObservations(t *testing.T) {
	w := newDueWorld(t, "manchester", "social_worker", "2025-01-06", at("2026-06-01T10:00:00Z"))
	w.file(t, "practice-observation", map[string]any{"observation_date": "2026-03-31"}, at("2026-03-31T12:00:00Z"), w.sup)   // last year
	w.file(t, "practice-observation", map[string]any{"observation_date": "2026-04-01"}, at("2026-04-01T12:00:00Z"), w.other) // not the line manager
	v := w.due(t)
	if v.ObsThisYear != 1 || v.ObsByLineManager != 0 {
		t.Fatalf("observations: %d this year, %d by the line manager", v.ObsThisYear, v.ObsByLineManager)
	}
	d := item(v, supervision.DueObservation)
	if d == nil || d.By.Format(time.DateOnly) != "2027-03-31" || d.Reason != "1 of 2 this year (from 1 April), 0 of 1 by the line manager" {
		t.Fatalf("observation due: %+v", d)
	}
	w.file(t, "practice-observation", map[string]any{"observation_date": "2026-05-20"}, at("2026-05-20T12:00:00Z"), w.sup)
	if d := item(w.due(t), supervision.DueObservation); d != nil {
		t.Errorf("two observations, one by the line manager, still due: %+v", d)
	}
}

// The agreement: none, in date, review due (with a leap day), and a
// self-assessment before the next session.
func TestDueAgreementAndSelfAssessment(t *testing.T) {
	w := newDueWorld(t, "manchester", "social_worker", "2025-01-06", at("2028-03-10T10:00:00Z"))
	v := w.due(t)
	if v.Agreement != supervision.AgreementNone {
		t.Fatalf("agreement: %q", v.Agreement)
	}
	w.file(t, "supervision-agreement", map[string]any{"agreement_date": "2028-02-29"}, at("2028-02-29T12:00:00Z"), nil)
	v = w.due(t)
	d := item(v, supervision.DueAgreement)
	// 29 February plus a year is 1 March.
	if v.Agreement != supervision.AgreementInDate || d == nil || d.By.Format(time.DateOnly) != "2029-03-01" {
		t.Fatalf("agreement: %q %+v", v.Agreement, d)
	}
	w.file(t, "supervision-record", map[string]any{"supervision_date": "2028-03-06"}, at("2028-03-06T12:00:00Z"), nil)
	// Manchester Appendix K: 2 days before the session due 3 April.
	if s := item(w.due(t), supervision.DueSelfAssessment); s == nil || s.By.Format(time.DateOnly) != "2028-04-01" {
		t.Fatalf("self-assessment: %+v", s)
	}
	w.file(t, "self-assessment", map[string]any{"supervision_date": "2028-04-03"}, at("2028-03-08T12:00:00Z"), nil)
	if s := item(w.due(t), supervision.DueSelfAssessment); s != nil {
		t.Errorf("self-assessment still due after one was signed: %+v", s)
	}

	late := newDueWorld(t, "york", "social_worker", "2025-01-06", at("2027-11-15T10:00:00Z"))
	late.file(t, "supervision-agreement", map[string]any{"agreement_date": "2026-11-20"}, at("2026-11-20T12:00:00Z"), nil)
	v = late.due(t)
	if d := item(v, supervision.DueAgreement); v.Agreement != supervision.AgreementReviewDue || d == nil || d.By.Format(time.DateOnly) != "2027-11-20" {
		t.Fatalf("review due: %q %+v", v.Agreement, d)
	}
}

// Case supervision: each open case is due again within the policy's cycle
// after its last discussion (a working day), sooner when the record planned
// it sooner; a closed case is due no more; on the supervisor's "what needs
// me" when due within the fortnight or overdue. Per preset.
func TestDueCaseSupervision(t *testing.T) {
	cases := []struct {
		preset string
		// C1 last discussed 2026-03-30: due then (a bank holiday moves it back).
		c1Due string
	}{
		{"manchester", "2026-05-22"},              // 8 weeks: 25 May is the spring bank holiday
		{"york", "2026-06-29"},                    // 13 weeks
		{"sutton", "2026-06-22"},                  // 12 weeks
		{"north-east-lincolnshire", "2026-04-27"}, // 4 weeks
		{"nottinghamshire", ""},                   // no cycle
	}
	for _, c := range cases {
		t.Run(c.preset, func(t *testing.T) {
			w := newDueWorld(t, c.preset, "social_worker", "2025-01-06", at("2026-05-18T10:00:00Z"))
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-02-02", "case_reference": "C1"}, at("2026-02-02T12:00:00Z"), nil)
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-03-30", "case_reference": "C1"}, at("2026-03-31T12:00:00Z"), nil)
			// C2 was planned sooner than the cycle; C3 is closed.
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-04-13", "case_reference": "C2", "next_case_supervision_date": "2026-04-27"}, at("2026-04-13T12:00:00Z"), nil)
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-01-05", "case_reference": "C3"}, at("2026-01-05T12:00:00Z"), nil)
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-02-16", "case_reference": "C3", "case_direction": "close"}, at("2026-02-16T12:00:00Z"), nil)
			v := w.due(t)
			var got []supervision.Due
			for _, d := range v.Items {
				if d.What == supervision.DueCaseSupervision {
					got = append(got, d)
				}
			}
			if c.c1Due == "" {
				if len(got) != 0 || len(v.Cases) != 0 {
					t.Fatalf("no cycle, yet case supervision is due: %+v", got)
				}
				return
			}
			if len(got) != 2 || len(v.Cases) != 2 {
				t.Fatalf("case supervision due: %+v (cases %+v), want C1 and C2", got, v.Cases)
			}
			byCase := map[string]supervision.Due{}
			for _, d := range got {
				byCase[strings.Fields(d.Reason)[1][:2]] = d
			}
			c1, c2 := byCase["C1"], byCase["C2"]
			if c1.By.Format(time.DateOnly) != c.c1Due || !strings.Contains(c1.Reason, "last discussed 2026-03-30") {
				t.Errorf("C1: %+v, want due %s", c1, c.c1Due)
			}
			if want := days(c1.By, at("2026-05-18T10:00:00Z")); c1.OverdueDays != want {
				t.Errorf("C1 overdue %d days, want %d", c1.OverdueDays, want)
			}
			// C2: planned for 27 April, sooner than any preset's cycle: overdue by 21 days.
			if c2.By.Format(time.DateOnly) != "2026-04-27" || c2.OverdueDays != 21 || !strings.Contains(c2.Reason, "planned for 2026-04-27") {
				t.Errorf("C2: %+v", c2)
			}
			// The supervisor's "Needs your action" lists those due within the fortnight or overdue.
			tasks, err := w.svc.Files.Tasks(context.Background(), w.sup)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, tk := range tasks {
				if tk.Kind == "due" && strings.HasPrefix(tk.Title, "Case supervision") {
					n++
					if tk.URL != "/staff/"+w.see.ID+"/file" {
						t.Errorf("task links to %s", tk.URL)
					}
				}
			}
			want := 1 // C2, overdue
			if !c1.By.After(at("2026-06-01T00:00:00Z")) {
				want++ // C1 within the fortnight
			}
			if n != want {
				t.Errorf("%d case supervision tasks, want %d", n, want)
			}
		})
	}
}

// A case reference is record content: what is due names the case only to
// someone who may read the case supervision record it comes from (the
// supervisor and the supervisee; the supervisor's line manager too, who
// opens the file, unless the council made the form confidential). Anyone
// else who sees what is due (an administrator; a line manager when the
// form is confidential) is told of "a case", with the same dates.
func TestDueCaseReferenceWithheld(t *testing.T) {
	raw, err := fs.ReadFile(forms.Builtin(), "case-supervision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	confidential := t.TempDir()
	yaml := strings.Replace(string(raw), "\nversion: 1\n", "\nversion: 1\nconfidential: true\n", 1)
	if yaml == string(raw) {
		t.Fatal("no version line in case-supervision.yaml")
	}
	if err := os.WriteFile(filepath.Join(confidential, "case-supervision.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		formsDir string
		lmReads  bool
	}{{"built-in form", "", true}, {"confidential form", confidential, false}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			w := newDueWorldForms(t, c.formsDir, "manchester", "social_worker", "2025-01-06", at("2026-05-18T10:00:00Z"))
			// Grace is Ahmed's line manager.
			if _, err := w.svc.Admin.SetSupervisor(ctx, w.admin, w.sup.ID, w.other.ID, "2020-01-06"); err != nil {
				t.Fatal(err)
			}
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-03-02", "case_reference": "LL-40417", "next_case_supervision_date": "2026-04-13"}, at("2026-03-02T12:00:00Z"), nil)
			w.file(t, "case-supervision", map[string]any{"supervision_date": "2026-05-11", "case_reference": "LL-555"}, at("2026-05-11T12:00:00Z"), nil)

			named := func(v *supervision.DueView) bool {
				t.Helper()
				if len(v.Cases) != 2 {
					t.Fatalf("cases: %+v", v.Cases)
				}
				refs, reasons := 0, 0
				for _, cd := range v.Cases {
					if cd.Reference != "" {
						refs++
					}
					if cd.LastDiscussed.IsZero() || cd.Due.IsZero() {
						t.Errorf("case without its dates: %+v", cd)
					}
				}
				for _, d := range v.Items {
					if d.What != supervision.DueCaseSupervision {
						continue
					}
					switch {
					case strings.HasPrefix(d.Reason, "case LL-"):
						reasons++
					case !strings.HasPrefix(d.Reason, "a case, last discussed 2026-"):
						t.Errorf("reason: %q", d.Reason)
					}
				}
				// The case planned for 13 April is overdue by 35 days, named or not.
				if d := item(v, supervision.DueCaseSupervision); d == nil || d.OverdueDays != 35 || d.By.Format(time.DateOnly) != "2026-04-13" || !strings.Contains(d.Reason, "last discussed 2026-03-02") {
					t.Errorf("most overdue case: %+v", d)
				}
				if refs != reasons || (refs != 0 && refs != 2) {
					t.Fatalf("%d references, %d reasons naming them: %+v %+v", refs, reasons, v.Cases, v.Items)
				}
				return refs == 2
			}

			// The supervisor and the supervisee read the records.
			mine, _, err := w.svc.Files.TeamDue(ctx, w.sup)
			if err != nil || len(mine) != 1 {
				t.Fatalf("supervisor's team: %v %d", err, len(mine))
			}
			if !named(mine[0]) {
				t.Errorf("the supervisor is not given the case references")
			}
			if !named(w.due(t)) {
				t.Errorf("the supervisor's FileDue lacks the case references")
			}
			if v, err := w.svc.Files.FileDue(ctx, w.see, w.see.ID); err != nil || !named(v) {
				t.Errorf("the supervisee is not given the case references (%v)", err)
			}
			// The line manager, on her supervisors' teams and in the file.
			_, team, err := w.svc.Files.TeamDue(ctx, w.other)
			if err != nil || len(team) != 1 || team[0].Supervisee.ID != w.see.ID {
				t.Fatalf("line manager's teams: %v %+v", err, team)
			}
			if got := named(team[0]); got != c.lmReads {
				t.Errorf("line manager given the references: %v, want %v", got, c.lmReads)
			}
			if v, err := w.svc.Files.FileDue(ctx, w.other, w.see.ID); err != nil || named(v) != c.lmReads {
				t.Errorf("line manager's FileDue: %v", err)
			}
			// An administrator sees what is due without opening the file.
			if v, err := w.svc.Files.FileDue(ctx, w.admin, w.see.ID); err != nil || named(v) {
				t.Errorf("an administrator is given the case references (%v)", err)
			}
		})
	}
}

func days(by, today time.Time) int {
	n := int(policy.Date(today).Sub(by).Hours() / 24)
	return max(n, 0)
}
