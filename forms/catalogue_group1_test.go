package forms

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests for five built-in forms: the forward planner, the reflective
// supervision discussion, the practice observation, the file audit and the
// serious-incident support plan. For each: it loads with the catalogue the
// service uses, forms.Sample's answers pass Final validation, its required
// questions are asked, and every rule in its YAML has a case that breaks it
// (an error at the exact input, with its message) and one that meets it, so
// taking a rule out of the YAML fails a test.

// builtinCatalogue is the built-in catalogue, loaded once as the service
// loads it: each load compiles every form's JSON Schema.
var builtinCatalogue = sync.OnceValues(func() (*Catalogue, error) { return Load(Builtin(), "") })

// builtinForm is a built-in form, shared by the catalogue tests.
func builtinForm(t *testing.T, id string) *Definition {
	t.Helper()
	c, err := builtinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Get(id)
	if !ok {
		t.Fatalf("no %s in the built-in catalogue", id)
	}
	return d
}

// ruleContext is the context of the rule tests: today is 27 March 2026.
func ruleContext() Context {
	return Context{Today: date(2026, 3, 27), SuperviseeRole: "social_worker", MinTimesPerYear: 13}
}

// g1Row returns row n of a table in data, for a case to change.
func g1Row(t *testing.T, data map[string]any, table string, n int) map[string]any {
	t.Helper()
	rows, _ := data[table].([]any)
	if n >= len(rows) {
		t.Fatalf("%s has no row %d", table, n)
	}
	return rows[n].(map[string]any)
}

// g1RuleKey names a rule of a definition, so the cases can say which rule
// they break or meet.
func g1RuleKey(r Rule) string {
	k := r.Type + ":"
	if r.Table != "" {
		k += r.Table + "."
	}
	k += r.Field
	if r.When != nil {
		k += "?" + r.When.Field
	}
	return k
}

// g1Case is one change to a form's valid answers and the errors it gives.
// rule names the rule of the definition it breaks (want not nil) or meets
// (want nil); "" for a check that is not a rule (a required cell).
type g1Case struct {
	name string
	rule string
	edit func(t *testing.T, d map[string]any)
	want []FieldError
}

// g1RunCases runs the cases against fresh valid answers, then checks that
// every rule of the definition has a case that breaks it and one that meets
// it, and that no case names a rule the definition lacks.
func g1RunCases(t *testing.T, d *Definition, valid func() map[string]any, cases []g1Case) {
	t.Helper()
	if errs := d.Validate(valid(), Final, ruleContext()); errs != nil {
		t.Fatalf("the valid %s answers are not valid: %v", d.ID, errs)
	}
	broken, met := map[string]bool{}, map[string]bool{}
	for _, tc := range cases {
		if tc.rule != "" {
			if tc.want != nil {
				broken[tc.rule] = true
			} else {
				met[tc.rule] = true
			}
		}
		t.Run(tc.name, func(t *testing.T) {
			data := valid()
			if tc.edit != nil {
				tc.edit(t, data)
			}
			got := d.Validate(data, Final, ruleContext())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
	defined := map[string]bool{}
	for _, r := range d.Rules {
		k := g1RuleKey(r)
		defined[k] = true
		if !broken[k] {
			t.Errorf("rule %s has no case that breaks it", k)
		}
		if !met[k] {
			t.Errorf("rule %s has no case that meets it", k)
		}
	}
	for k := range broken {
		if !defined[k] {
			t.Errorf("a case breaks rule %s, which %s does not have", k, d.ID)
		}
	}
	for k := range met {
		if !defined[k] {
			t.Errorf("a case meets rule %s, which %s does not have", k, d.ID)
		}
	}
}

// g1Required checks which questions Final mode asks for when nothing is
// answered, in page order.
func g1Required(t *testing.T, d *Definition, want []string) {
	t.Helper()
	var got []string
	for _, e := range d.Validate(map[string]any{}, Final, ruleContext()) {
		got = append(got, e.Field)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("required answers of %s (-want +got):\n%s", d.ID, diff)
	}
	if errs := d.Validate(map[string]any{}, Draft, ruleContext()); errs != nil {
		t.Errorf("an empty draft of %s: %v", d.ID, errs)
	}
}

var group1Forms = []string{"forward-planner", "reflective-discussion", "practice-observation", "file-audit", "serious-incident-support"}

func TestGroup1CatalogueLoads(t *testing.T) {
	c, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	type header struct {
		Title, Source string
		Confidential  bool
		Signers       []Signer
		Owners        map[string]string // section id → owner, sections with an owner only
	}
	want := map[string]header{
		"forward-planner": {
			Title: "Supervision dates and forward planner", Source: "002 Appendix C; 002 §2.1; 003",
			Signers: []Signer{{Role: "supervisor", Label: "Supervisor"}}, Owners: map[string]string{},
		},
		"reflective-discussion": {
			Title: "Reflective supervision discussion", Source: "000 Appendix 2 (headings of 000 Appendix 1); 001 Reflective Supervision Template",
			Signers: []Signer{{Role: "supervisee", Label: "Supervisee"}, {Role: "supervisor", Label: "Supervisor"}},
			Owners:  map[string]string{"learning": "supervisee"},
		},
		"practice-observation": {
			Title: "Practice observation", Source: "002 Appendix I; 002 §3.1, §3.6; 001",
			Signers: []Signer{{Role: "observee", Label: "Observee"}, {Role: "observer", Label: "Observer"}},
			Owners:  map[string]string{"before": "observee", "worker_reflection": "observee"},
		},
		"file-audit": {
			Title: "Supervision file audit", Source: "002 Appendix J; 000 Appendix 4; 004 §12",
			Signers: []Signer{{Role: "auditor", Label: "Auditor"}, {Role: "supervisor", Label: "Supervisor"}}, Owners: map[string]string{},
		},
		"serious-incident-support": {
			Title: "Serious-incident support plan", Source: "003 Appendix 1; 003 Serious incidents", Confidential: true,
			Signers: []Signer{{Role: "worker", Label: "Worker"}, {Role: "supervisor", Label: "Practice supervisor"}},
			Owners:  map[string]string{"worker_views": "worker"},
		},
	}
	for _, id := range group1Forms {
		t.Run(id, func(t *testing.T) {
			d, ok := c.Get(id)
			if !ok {
				t.Fatalf("List() lacks %s", id)
			}
			if d.Version != 1 || d.File != "forms/catalogue/"+id+".yaml" || d.Declaration == "" || d.Description == "" {
				t.Errorf("version %d, file %q, declaration %q, description %q", d.Version, d.File, d.Declaration, d.Description)
			}
			got := header{Title: d.Title, Source: d.Source, Confidential: d.Confidential, Signers: d.Signers, Owners: map[string]string{}}
			for _, s := range d.Sections {
				if s.Owner != "" {
					got.Owners[s.ID] = s.Owner
				}
			}
			if diff := cmp.Diff(want[id], got); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSeriousIncidentSupportIsConfidential: only the worker, their
// supervisor and those the policy names see it; the other forms are not
// confidential.
func TestSeriousIncidentSupportIsConfidential(t *testing.T) {
	if d := builtinForm(t, "serious-incident-support"); !d.Confidential {
		t.Error("serious-incident-support is not confidential")
	}
	for _, id := range group1Forms[:4] {
		if d := builtinForm(t, id); d.Confidential {
			t.Errorf("%s is confidential", id)
		}
	}
}

// TestGroup1Prefill: names and job titles come from the file, as the forms
// ask for them.
func TestGroup1Prefill(t *testing.T) {
	want := map[string]map[string]string{
		"forward-planner": {"supervisee_name": "supervisee.name", "supervisee_job_title": "supervisee.job_title",
			"supervisor_name": "supervisor.name", "supervisor_job_title": "supervisor.job_title", "dates": "planner.year_ahead"},
		"reflective-discussion": {"supervisee_name": "supervisee.name", "supervisor_name": "supervisor.name", "discussion_date": "today"},
		"practice-observation": {"observee_name": "supervisee.name", "observee_role": "supervisee.job_title",
			"observer_name": "supervisor.name", "observer_role": "supervisor.job_title"},
		"file-audit": {"supervisee_name": "supervisee.name", "supervisor_name": "supervisor.name", "auditor_name": "author.name", "audit_completed": "today"},
		"serious-incident-support": {"worker_name": "supervisee.name", "worker_job_title": "supervisee.job_title",
			"supervisor_name": "supervisor.name", "supervisor_job_title": "supervisor.job_title", "plan_date": "today"},
	}
	for _, id := range group1Forms {
		got := map[string]string{}
		for _, f := range builtinForm(t, id).fields() {
			if f.Prefill != "" {
				got[f.ID] = f.Prefill
			}
		}
		if diff := cmp.Diff(want[id], got); diff != "" {
			t.Errorf("%s prefill (-want +got):\n%s", id, diff)
		}
	}
}

// TestGroup1SampleIsValid: forms.Sample's answers, used for the golden
// documents, pass Final validation, rules included.
func TestGroup1SampleIsValid(t *testing.T) {
	for _, id := range group1Forms {
		t.Run(id, func(t *testing.T) {
			d := builtinForm(t, id)
			data := Sample(d, "staff-1")
			if errs := d.Validate(data, Final, Context{Today: date(2026, 12, 31), MinTimesPerYear: 13}); errs != nil {
				t.Errorf("Sample answers are not valid: %v", errs)
			}
		})
	}
}

// --- Supervision dates and forward planner ---

func validPlanner() map[string]any {
	return map[string]any{
		"supervisee_name":      "Siân Gwŷnedd-Jones",
		"supervisee_job_title": "Social Worker",
		"supervisor_name":      "Ahmed Khan",
		"supervisor_job_title": "Team Manager",
		"dates": []any{
			map[string]any{"date": "2026-01-09", "time": "10:00", "status": "completed"},
			map[string]any{"date": "2026-02-06", "time": "10:00", "status": "postponed", "rescheduled": "2026-02-11", "comments": "Supervisor on sick leave."},
			map[string]any{"date": "2026-03-06", "time": "14:30", "status": "completed"},
			map[string]any{"date": "2026-04-03", "time": "10:00"},
			map[string]any{"date": "2026-05-01", "time": "10:00"},
		},
	}
}

func TestForwardPlannerRules(t *testing.T) {
	d := builtinForm(t, "forward-planner")
	const (
		reason      = "required_if:dates.comments?status"
		rescheduled = "required_if:dates.rescheduled?status"
		later       = "date_after:dates.rescheduled"
		completed   = "not_future:dates.date?status"
	)
	set := func(row int, changes map[string]any) func(*testing.T, map[string]any) {
		return func(t *testing.T, data map[string]any) {
			r := g1Row(t, data, "dates", row)
			for k, v := range changes {
				if v == nil {
					delete(r, k)
				} else {
					r[k] = v
				}
			}
		}
	}
	g1RunCases(t, d, validPlanner, []g1Case{
		{"postponed without reasons", reason, set(1, map[string]any{"comments": nil}),
			[]FieldError{{"dates.1.comments", "Give the reasons the session in row 2 was postponed"}}},
		{"postponed with blank reasons", reason, set(1, map[string]any{"comments": ""}),
			[]FieldError{{"dates.1.comments", "Give the reasons the session in row 2 was postponed"}}},
		{"postponed with reasons", reason, set(1, map[string]any{"comments": "Court hearing."}), nil},
		{"completed needs no reasons", reason, set(0, map[string]any{"comments": nil}), nil},

		{"postponed without a new date", rescheduled, set(1, map[string]any{"rescheduled": nil}),
			[]FieldError{{"dates.1.rescheduled", "Enter the date the session in row 2 is rescheduled for"}}},
		{"postponed with a new date", rescheduled, set(1, map[string]any{"rescheduled": "2026-02-09"}), nil},
		{"a future session postponed", rescheduled, set(4, map[string]any{"status": "postponed", "rescheduled": "2026-05-05", "comments": "Training day."}), nil},

		{"rescheduled for the same day", later, set(1, map[string]any{"rescheduled": "2026-02-06"}),
			[]FieldError{{"dates.1.rescheduled", "The date rescheduled for in row 2 must be later than the original date"}}},
		{"rescheduled for an earlier day", later, set(1, map[string]any{"rescheduled": "2026-02-02"}),
			[]FieldError{{"dates.1.rescheduled", "The date rescheduled for in row 2 must be later than the original date"}}},
		{"rescheduled for the next day", later, set(1, map[string]any{"rescheduled": "2026-02-07"}), nil},

		{"completed in the future", completed, set(3, map[string]any{"status": "completed"}),
			[]FieldError{{"dates.3.date", "The session in row 4 cannot be completed on a date in the future"}}},
		{"completed today", completed, set(3, map[string]any{"date": "2026-03-27", "status": "completed"}), nil},
		{"a future session not yet held", completed, set(3, map[string]any{"date": "2026-12-04"}), nil},

		{"a row without a date", "", set(4, map[string]any{"date": nil}),
			[]FieldError{{"dates.4.date", "Enter the date in row 5 of the supervision dates"}}},
	})
}

func TestForwardPlannerRequired(t *testing.T) {
	g1Required(t, builtinForm(t, "forward-planner"),
		[]string{"supervisee_name", "supervisee_job_title", "supervisor_name", "supervisor_job_title", "dates"})
}

// --- Reflective supervision discussion ---

func validReflective() map[string]any {
	return map[string]any{
		"supervisee_name":         "Siân Gwŷnedd-Jones",
		"supervisor_name":         "Ahmed Khan",
		"discussion_date":         "2026-03-20",
		"case_reference":          "LL-104522",
		"description":             "A second referral about neglect within six months.",
		"evaluation":              "The family engaged well; school attendance has not improved.",
		"analysis":                "Mother's low mood makes the mornings hard.",
		"knowledge_used":          []any{"research", "practice_wisdom"},
		"worker_view":             "Progress is real but slow.",
		"child_view":              "Wants to stay at home and see friends after school.",
		"conclusion":              "Continue the plan with more support in the mornings.",
		"actions":                 []any{map[string]any{"action": "Refer mother to the talking therapies service", "owner": "Siân", "due": "2026-04-10"}},
		"learning_outcomes":       "The impact of parental mental health on routines.",
		"decision_framework_used": "no",
	}
}

func TestReflectiveDiscussionRules(t *testing.T) {
	d := builtinForm(t, "reflective-discussion")
	const due = "date_after:actions.due"
	set := func(changes map[string]any) func(*testing.T, map[string]any) {
		return func(t *testing.T, data map[string]any) {
			r := g1Row(t, data, "actions", 0)
			for k, v := range changes {
				if v == nil {
					delete(r, k)
				} else {
					r[k] = v
				}
			}
		}
	}
	g1RunCases(t, d, validReflective, []g1Case{
		{"due on the day of the discussion", due, set(map[string]any{"due": "2026-03-20"}),
			[]FieldError{{"actions.0.due", "The date action 1 is due must be after the date of the discussion"}}},
		{"due before the discussion", due, set(map[string]any{"due": "2026-03-01"}),
			[]FieldError{{"actions.0.due", "The date action 1 is due must be after the date of the discussion"}}},
		{"due the day after", due, set(map[string]any{"due": "2026-03-21"}), nil},
		{"every row checked", due, func(t *testing.T, data map[string]any) {
			data["actions"] = append(data["actions"].([]any), map[string]any{"action": "Review at the next session", "owner": "Ahmed", "due": "2026-03-19"})
		}, []FieldError{{"actions.1.due", "The date action 2 is due must be after the date of the discussion"}}},

		// Every action row has an owner and a due date.
		{"an action without an owner", "", set(map[string]any{"owner": nil}),
			[]FieldError{{"actions.0.owner", "Enter who will do it in row 1 of the action plan"}}},
		{"an action without a due date", "", set(map[string]any{"due": nil}),
			[]FieldError{{"actions.0.due", "Enter the date it is due in row 1 of the action plan"}}},
		{"a due date without an action", "", set(map[string]any{"action": nil}),
			[]FieldError{{"actions.0.action", "Enter the action in row 1 of the action plan"}}},
		{"a case named, not referenced, is too long", "", func(t *testing.T, data map[string]any) {
			data["case_reference"] = "Jane Smith, 14 Acacia Avenue, born 3 May 2015, and her brother John"
		}, []FieldError{{"case_reference", "The case reference must be 50 characters or fewer"}}},
		{"the decision framework used", "", func(t *testing.T, data map[string]any) { data["decision_framework_used"] = "yes" },
			[]FieldError{{"decision", "Enter the decision to be made"}, {"final_decision", "Enter the final decision"}}},
	})
}

func TestReflectiveDiscussionRequired(t *testing.T) {
	g1Required(t, builtinForm(t, "reflective-discussion"), []string{
		"supervisee_name", "supervisor_name", "discussion_date", "case_reference",
		"description", "evaluation", "analysis", "knowledge_used", "worker_view", "child_view",
		"conclusion", "actions", "learning_outcomes",
	})
}

// --- Practice observation ---

func validObservation() map[string]any {
	return map[string]any{
		"observee_name":            "Siân Gwŷnedd-Jones",
		"observee_role":            "Social Worker",
		"observer_name":            "Ahmed Khan",
		"observer_role":            "Team Manager",
		"observer_is_line_manager": "yes",
		"observation_date":         "2026-03-10",
		"setting":                  "The family's home",
		"activity":                 "home_visit",
		"background":               "Third visit since the child protection plan began.",
		"preparation":              "Read the last core group minutes.",
		"purpose":                  "To review the safety plan.",
		"role_responsibility":      "Lead social worker.",
		"outcomes_sought":          "Mother and grandmother agree who does the school run.",
		"worries":                  "Mornings when mother is unwell.",
		"working_well":             "Grandmother visits daily.",
		"went_well":                "Used the three houses with the child.",
		"outcomes_achieved":        "Yes, the safety plan was updated.",
		"learning":                 "To check understanding before closing the visit.",
		"actions":                  []any{map[string]any{"action": "Send the updated safety plan", "owner": "Siân", "due": "2026-03-13"}},
		"discussed_in_supervision": "yes",
		"worker_clear":             "yes",
		"family_clear":             "no",
		"strengths_model":          "yes",
		"strengths_examples":       "Started with what was working well.",
		"theory_used":              "no",
		"diversity":                "yes",
		"reflection_comments":      "An honest reflection.",
	}
}

func TestPracticeObservationRules(t *testing.T) {
	d := builtinForm(t, "practice-observation")
	const (
		examples = "required_if:strengths_examples?strengths_model"
		due      = "date_after:actions.due"
	)
	dueOn := func(day string) func(*testing.T, map[string]any) {
		return func(t *testing.T, data map[string]any) { g1Row(t, data, "actions", 0)["due"] = day }
	}
	g1RunCases(t, d, validObservation, []g1Case{
		{"strength-based model used, no examples", examples, func(t *testing.T, data map[string]any) { delete(data, "strengths_examples") },
			[]FieldError{{"strengths_examples", "Give examples of the worker's use of the strength-based model"}}},
		{"strength-based model used, with examples", examples, nil, nil},
		{"strength-based model not used", examples, func(t *testing.T, data map[string]any) {
			data["strengths_model"] = "no"
			delete(data, "strengths_examples")
		}, nil},

		{"action due on the day of the observation", due, dueOn("2026-03-10"),
			[]FieldError{{"actions.0.due", "The date action 1 is due must be after the date of the observation"}}},
		{"action due before the observation", due, dueOn("2026-03-01"),
			[]FieldError{{"actions.0.due", "The date action 1 is due must be after the date of the observation"}}},
		{"action due after the observation", due, dueOn("2026-03-11"), nil},

		{"an action without an owner", "", func(t *testing.T, data map[string]any) { delete(g1Row(t, data, "actions", 0), "owner") },
			[]FieldError{{"actions.0.owner", "Enter who will do it in row 1 of the actions"}}},
		{"an action without a due date", "", func(t *testing.T, data map[string]any) { delete(g1Row(t, data, "actions", 0), "due") },
			[]FieldError{{"actions.0.due", "Enter the date it is due in row 1 of the actions"}}},
		{"a due date without an action", "", func(t *testing.T, data map[string]any) { delete(g1Row(t, data, "actions", 0), "action") },
			[]FieldError{{"actions.0.action", "Enter the action in row 1 of the actions"}}},
		{"no actions", "", func(t *testing.T, data map[string]any) { delete(data, "actions") }, nil},
		{"another activity", "", func(t *testing.T, data map[string]any) { data["activity"] = "other" },
			[]FieldError{{"activity_other", "Enter the activity observed"}}},
	})
}

func TestPracticeObservationRequired(t *testing.T) {
	g1Required(t, builtinForm(t, "practice-observation"), []string{
		"observee_name", "observee_role", "observer_name", "observer_role", "observer_is_line_manager",
		"observation_date", "setting", "activity",
		"background", "preparation", "purpose", "role_responsibility", "outcomes_sought",
		"worries", "working_well",
		"went_well", "outcomes_achieved", "learning",
		"discussed_in_supervision", "worker_clear", "family_clear", "strengths_model", "theory_used", "diversity",
		"reflection_comments",
	})
}

// --- Supervision file audit ---

// auditQuestions are the twelve questions of 002 Appendix J, in order, with
// the answer that shows a shortfall.
var auditQuestions = []struct{ id, shortfall string }{
	{"file_structured", "no"},
	{"frequency_met", "no"},
	{"agreement_completed", "no"},
	{"record_appropriate", "no"},
	{"concerns_acted_on", "no"},
	{"content_covered", "no"},
	{"decisions_recorded", "no"},
	{"development_acted_on", "no"},
	{"attendance_managed", "no"},
	{"permanence_planning", "no"},
	{"direct_work_evidenced", "no"},
	{"supervisor_observation_needed", "yes"},
}

func validAudit() map[string]any {
	data := map[string]any{
		"supervisee_name": "Siân Gwŷnedd-Jones",
		"supervisor_name": "Ahmed Khan",
		"auditor_name":    "Priya Shah",
		"actions":         []any{map[string]any{"action": "Review the supervision agreement", "by_whom": "Ahmed Khan", "timescale": "2026-04-30"}},
		"actions_due":     "2026-04-30",
		"audit_completed": "2026-03-20",
		"next_audit":      "2026-09-20",
	}
	for _, q := range auditQuestions {
		data[q.id] = "yes"
	}
	data["supervisor_observation_needed"] = "no"
	// A shortfall, noted.
	data["agreement_completed"] = "no"
	data["agreement_completed_findings"] = "The agreement is more than 12 months old."
	data["agreement_completed_actions"] = "Ahmed Khan to review the agreement with Siân by 30 April."
	return data
}

func TestFileAuditQuestions(t *testing.T) {
	d := builtinForm(t, "file-audit")
	var got []string
	for _, f := range d.fields() {
		if f.Kind == KindYesNo {
			got = append(got, f.ID)
		}
	}
	var want []string
	for _, q := range auditQuestions {
		want = append(want, q.id)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit questions (-want +got):\n%s", diff)
	}
	if f, _ := d.Field("file_structured"); f.Label != "Is the supervision file structured in accordance with Supervision Policy?" {
		t.Errorf("question 1: %q", f.Label)
	}
	if f, _ := d.Field("supervisor_observation_needed"); f.Label != "From the file audit is there a necessity to arrange an observation of the supervisor's supervision skills?" {
		t.Errorf("question 12: %q", f.Label)
	}
}

func TestFileAuditRules(t *testing.T) {
	d := builtinForm(t, "file-audit")
	var cases []g1Case
	for i, q := range auditQuestions {
		n := i + 1
		ok := "yes"
		if q.shortfall == "yes" {
			ok = "no"
		}
		findings, actions := q.id+"_findings", q.id+"_actions"
		answer := func(a string, notes ...string) func(*testing.T, map[string]any) {
			return func(t *testing.T, data map[string]any) {
				data[q.id] = a
				delete(data, findings)
				delete(data, actions)
				for _, k := range notes {
					data[k] = "Noted, by whom and by when."
				}
			}
		}
		findingsMsg := fmt.Sprintf("Note the findings for question %d: the answer shows a shortfall", n)
		actionsMsg := fmt.Sprintf("Note the actions for question %d, stating by whom and the timescale: the answer shows a shortfall", n)
		cases = append(cases,
			g1Case{fmt.Sprintf("question %d: %s without findings", n, q.shortfall), "required_if:" + findings + "?" + q.id,
				answer(q.shortfall, actions), []FieldError{{findings, findingsMsg}}},
			g1Case{fmt.Sprintf("question %d: %s without actions", n, q.shortfall), "required_if:" + actions + "?" + q.id,
				answer(q.shortfall, findings), []FieldError{{actions, actionsMsg}}},
			g1Case{fmt.Sprintf("question %d: %s without either", n, q.shortfall), "required_if:" + findings + "?" + q.id,
				answer(q.shortfall), []FieldError{{findings, findingsMsg}, {actions, actionsMsg}}},
			g1Case{fmt.Sprintf("question %d: %s with findings and actions", n, q.shortfall), "required_if:" + findings + "?" + q.id,
				answer(q.shortfall, findings, actions), nil},
			g1Case{fmt.Sprintf("question %d: %s with actions and findings", n, q.shortfall), "required_if:" + actions + "?" + q.id,
				answer(q.shortfall, actions, findings), nil},
			g1Case{fmt.Sprintf("question %d: %s needs no notes", n, ok), "", answer(ok), nil},
		)
	}
	const (
		completed = "not_future:audit_completed"
		next      = "date_after:next_audit"
	)
	setDate := func(field, day string) func(*testing.T, map[string]any) {
		return func(t *testing.T, data map[string]any) { data[field] = day }
	}
	cases = append(cases,
		g1Case{"audit completed tomorrow", completed, setDate("audit_completed", "2026-03-28"),
			[]FieldError{{"audit_completed", "The date the audit was completed cannot be in the future"}}},
		g1Case{"audit completed today", completed, setDate("audit_completed", "2026-03-27"), nil},
		g1Case{"next audit on the day of completion", next, setDate("next_audit", "2026-03-20"),
			[]FieldError{{"next_audit", "The date of the next audit must be after the date the audit was completed"}}},
		g1Case{"next audit before completion", next, setDate("next_audit", "2025-09-20"),
			[]FieldError{{"next_audit", "The date of the next audit must be after the date the audit was completed"}}},
		g1Case{"next audit the day after", next, setDate("next_audit", "2026-03-21"), nil},
		g1Case{"actions due before the audit", "date_after:actions_due", setDate("actions_due", "2026-03-19"),
			[]FieldError{{"actions_due", "The date actions must be completed by cannot be before the date the audit was completed"}}},
		g1Case{"actions due on the day of the audit", "date_after:actions_due", setDate("actions_due", "2026-03-20"), nil},
		g1Case{"an action's timescale before the audit", "date_after:actions.timescale",
			func(t *testing.T, data map[string]any) { g1Row(t, data, "actions", 0)["timescale"] = "2026-03-01" },
			[]FieldError{{"actions.0.timescale", "The timescale in row 1 of the summary of actions cannot be before the date the audit was completed"}}},
		g1Case{"an action's timescale on the day of the audit", "date_after:actions.timescale",
			func(t *testing.T, data map[string]any) { g1Row(t, data, "actions", 0)["timescale"] = "2026-03-20" }, nil},
		g1Case{"an action without a timescale", "", func(t *testing.T, data map[string]any) { delete(g1Row(t, data, "actions", 0), "timescale") },
			[]FieldError{{"actions.0.timescale", "Enter the timescale for completion in row 1 of the summary of actions"}}},
		g1Case{"an action without anyone to do it", "", func(t *testing.T, data map[string]any) { delete(g1Row(t, data, "actions", 0), "by_whom") },
			[]FieldError{{"actions.0.by_whom", "Enter who will do it in row 1 of the summary of actions"}}},
		g1Case{"a timescale without an action", "", func(t *testing.T, data map[string]any) { delete(g1Row(t, data, "actions", 0), "action") },
			[]FieldError{{"actions.0.action", "Enter the action in row 1 of the summary of actions"}}},
	)
	g1RunCases(t, d, validAudit, cases)
}

func TestFileAuditRequired(t *testing.T) {
	want := []string{"supervisee_name", "supervisor_name", "auditor_name"}
	for _, q := range auditQuestions {
		want = append(want, q.id)
	}
	want = append(want, "audit_completed", "next_audit")
	g1Required(t, builtinForm(t, "file-audit"), want)
}

// --- Serious-incident support plan ---

func validIncidentSupport() map[string]any {
	return map[string]any{
		"worker_name":               "Siân Gwŷnedd-Jones",
		"worker_job_title":          "Social Worker",
		"supervisor_name":           "Ahmed Khan",
		"supervisor_job_title":      "Team Manager",
		"plan_date":                 "2026-03-05",
		"incident_date":             "2026-03-02",
		"incident_kind":             "unexpected_death",
		"incident_summary":          "A child on the worker's caseload died unexpectedly at home.",
		"child_reference":           "LL-2231",
		"told_date":                 "2026-03-02",
		"told_in_person":            "yes",
		"met_same_day":              "yes",
		"rest_of_day":               "leave",
		"leave_recorded":            "yes",
		"rest_of_day_support":       "A colleague drove her home; I phoned at 6pm.",
		"support_agreed":            []any{"counselling", "occupational_health"},
		"support_details":           "Six counselling sessions through the employee assistance programme.",
		"reviews":                   []any{map[string]any{"review_date": "2026-03-19", "still_appropriate": "yes"}},
		"investigation_updates":     []any{map[string]any{"update_date": "2026-03-10", "update": "A rapid review meeting is set for 16 March."}},
		"senior_manager_informed":   "2026-03-02",
		"service_director_informed": "2026-03-03",
		"off_sick":                  "no",
	}
}

func TestSeriousIncidentSupportRules(t *testing.T) {
	d := builtinForm(t, "serious-incident-support")
	const (
		future     = "not_future:incident_date"
		told       = "date_after:told_date"
		notPerson  = "required_if:told_notes?told_in_person"
		notSameDay = "required_if:told_notes?met_same_day"
		review     = "date_after:reviews.review_date"
		reviewNote = "required_if:reviews.notes?still_appropriate"
		update     = "date_after:investigation_updates.update_date"
		senior     = "date_after:senior_manager_informed"
		director   = "date_after:service_director_informed"
	)
	set := func(changes map[string]any) func(*testing.T, map[string]any) {
		return func(t *testing.T, data map[string]any) {
			for k, v := range changes {
				if v == nil {
					delete(data, k)
				} else {
					data[k] = v
				}
			}
		}
	}
	cell := func(table, col string, v any) func(*testing.T, map[string]any) {
		return func(t *testing.T, data map[string]any) {
			r := g1Row(t, data, table, 0)
			if v == nil {
				delete(r, col)
			} else {
				r[col] = v
			}
		}
	}
	const notes = "By phone: she was on leave abroad; I met her on her return."
	g1RunCases(t, d, validIncidentSupport, []g1Case{
		{"incident tomorrow", future, set(map[string]any{"incident_date": "2026-03-28", "told_date": "2026-03-28", "plan_date": "2026-03-28",
			"reviews":                 []any{map[string]any{"review_date": "2026-04-10", "still_appropriate": "yes"}},
			"senior_manager_informed": "2026-03-28", "service_director_informed": "2026-03-28",
			"investigation_updates": []any{map[string]any{"update_date": "2026-03-28", "update": "None yet."}}}),
			[]FieldError{{"incident_date", "The date of the incident cannot be in the future"}}},
		{"incident today", future, set(map[string]any{"incident_date": "2026-03-27", "told_date": "2026-03-27", "plan_date": "2026-03-27",
			"reviews":                 []any{map[string]any{"review_date": "2026-04-10", "still_appropriate": "yes"}},
			"senior_manager_informed": "2026-03-27", "service_director_informed": "2026-03-27",
			"investigation_updates": []any{map[string]any{"update_date": "2026-03-27", "update": "None yet."}}}), nil},

		{"plan before the incident", "date_after:plan_date", set(map[string]any{"plan_date": "2026-03-01"}),
			[]FieldError{{"plan_date", "The date of this plan cannot be before the date of the incident"}}},
		{"plan on the day of the incident", "date_after:plan_date", set(map[string]any{"plan_date": "2026-03-02"}), nil},

		{"told before the incident", told, set(map[string]any{"told_date": "2026-03-01"}),
			[]FieldError{{"told_date", "The date the worker was told cannot be before the date of the incident"}}},
		{"told the day after", told, set(map[string]any{"told_date": "2026-03-03"}), nil},
		{"told the same day", told, nil, nil},

		{"not told in person, no explanation", notPerson, set(map[string]any{"told_in_person": "no"}),
			[]FieldError{{"told_notes", "Say how the worker was told, and why it was not in person"}}},
		{"not told in person, explained", notPerson, set(map[string]any{"told_in_person": "no", "told_notes": notes}), nil},
		{"told in person", notPerson, set(map[string]any{"told_in_person": "yes"}), nil},

		{"not met that day, no explanation", notSameDay, set(map[string]any{"met_same_day": "no"}),
			[]FieldError{{"told_notes", "Say why you could not meet the worker on the day you were notified"}}},
		{"not met that day, explained", notSameDay, set(map[string]any{"met_same_day": "no", "told_notes": notes}), nil},
		{"met that day", notSameDay, set(map[string]any{"met_same_day": "yes"}), nil},

		{"review on the day of the plan", review, cell("reviews", "review_date", "2026-03-05"),
			[]FieldError{{"reviews.0.review_date", "The date of review 1 must be after the date of this plan"}}},
		{"review before the plan", review, cell("reviews", "review_date", "2026-03-04"),
			[]FieldError{{"reviews.0.review_date", "The date of review 1 must be after the date of this plan"}}},
		{"review after the plan", review, cell("reviews", "review_date", "2026-03-06"), nil},

		{"support no longer appropriate, no notes", reviewNote, cell("reviews", "still_appropriate", "no"),
			[]FieldError{{"reviews.0.notes", "Say in review 1 how the support will change"}}},
		{"support no longer appropriate, with notes", reviewNote, set(map[string]any{"reviews": []any{
			map[string]any{"review_date": "2026-03-19", "still_appropriate": "no", "notes": "Counselling ends; peer support instead."}}}), nil},
		{"support still appropriate", reviewNote, cell("reviews", "still_appropriate", "yes"), nil},

		{"update before the incident", update, cell("investigation_updates", "update_date", "2026-02-27"),
			[]FieldError{{"investigation_updates.0.update_date", "The date of update 1 cannot be before the date of the incident"}}},
		{"update on the day of the incident", update, cell("investigation_updates", "update_date", "2026-03-02"), nil},

		{"senior manager informed before the incident", senior, set(map[string]any{"senior_manager_informed": "2026-02-02"}),
			[]FieldError{{"senior_manager_informed", "The date the senior manager was informed cannot be before the date of the incident"}}},
		{"senior manager informed the same day", senior, set(map[string]any{"senior_manager_informed": "2026-03-02"}), nil},
		{"service director informed before the incident", director, set(map[string]any{"service_director_informed": "2026-03-01"}),
			[]FieldError{{"service_director_informed", "The date the service director was informed cannot be before the date of the incident"}}},
		{"service director informed the next day", director, set(map[string]any{"service_director_informed": "2026-03-03"}), nil},

		{"a review without a date", "", cell("reviews", "review_date", nil),
			[]FieldError{{"reviews.0.review_date", "Enter the date of the review in row 1 of the reviews of the support"}}},
		{"a review without an answer", "", cell("reviews", "still_appropriate", nil),
			[]FieldError{{"reviews.0.still_appropriate", "Select yes or no for whether the support is still appropriate in row 1 of the reviews of the support"}}},
		{"an update without a date", "", cell("investigation_updates", "update_date", nil),
			[]FieldError{{"investigation_updates.0.update_date", "Enter the date of the update in row 1 of the updates given to the worker"}}},
		{"an update without the update", "", cell("investigation_updates", "update", nil),
			[]FieldError{{"investigation_updates.0.update", "Enter the update given in row 1 of the updates given to the worker"}}},
		{"other support", "", set(map[string]any{"support_agreed": []any{"peer_support", "other"}}),
			[]FieldError{{"support_other", "Enter the other support"}}},
		{"off sick", "", set(map[string]any{"off_sick": "yes"}),
			[]FieldError{{"contact_arrangements", "Enter how regular contact is kept"}}},
		{"supported at work: no leave to record", "", set(map[string]any{"rest_of_day": "supported_at_work", "leave_recorded": nil}), nil},
		{"leave not said to be recorded", "", set(map[string]any{"leave_recorded": nil}),
			[]FieldError{{"leave_recorded", "Select yes or no for whether the rest of the day was recorded as compassionate leave"}}},
	})
}

func TestSeriousIncidentSupportRequired(t *testing.T) {
	g1Required(t, builtinForm(t, "serious-incident-support"), []string{
		"worker_name", "worker_job_title", "supervisor_name", "supervisor_job_title", "plan_date",
		"incident_date", "incident_kind", "incident_summary", "child_reference",
		"told_date", "told_in_person", "met_same_day",
		"rest_of_day", "rest_of_day_support",
		"support_agreed", "support_details",
		"senior_manager_informed", "service_director_informed",
	})
}
