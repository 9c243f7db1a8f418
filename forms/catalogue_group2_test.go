package forms

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tests of the worker's details, supervision record, case supervision
// and self-assessment definitions. Each rule of each definition has a case
// that breaks it, so a test fails if the rule is taken out of the YAML, and
// a case that meets it.

// ruleCase is one case of a rule table: changes to a valid record, and the
// errors they should give in Final mode.
type ruleCase struct {
	name    string
	changes map[string]any
	want    []FieldError
}

// checkRules runs cases against valid data in Final mode.
func checkRules(t *testing.T, d *Definition, valid map[string]any, ctx Context, tests []ruleCase) {
	t.Helper()
	if errs := d.Validate(valid, Final, ctx); errs != nil {
		t.Fatalf("the complete %s is not valid: %v", d.ID, errs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Validate(with(valid, tt.changes), Final, ctx)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroup2Definitions(t *testing.T) {
	both := []Signer{{Role: "supervisee", Label: "Supervisee"}, {Role: "supervisor", Label: "Supervisor"}}
	tests := []struct {
		id           string
		title        string
		source       string
		confidential bool
		signers      []Signer
		// owners of the sections, in order
		owners []string
		rules  int
	}{
		{"workers-details", "Worker's details", "002 Appendix B; 000", true,
			[]Signer{{Role: "supervisee", Label: "Supervisee"}},
			[]string{"supervisee", "supervisee"}, 3},
		{"supervision-record", "Supervision record", "002 Appendix E, F; 004 Appendix 1, 2; 000; 001", true, both,
			[]string{"", "", "", "", "", "", "", "", "", "", "", "supervisee"}, 7},
		{"case-supervision", "Case supervision (Signs of Safety)", "002 Appendix G, H, §3.5; 000 Appendix 1; 001", false, both,
			[]string{"", "supervisee", "", "", "", ""}, 8},
		{"self-assessment", "Self-assessment against the six golden threads", "002 Appendix K", false,
			[]Signer{{Role: "supervisee", Label: "Supervisee"}},
			[]string{"supervisee", "supervisee", "supervisee", "supervisee"}, 26},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			d := builtinForm(t, tt.id)
			if d.Version != 1 || d.Title != tt.title || d.Source != tt.source || d.File != "forms/catalogue/"+tt.id+".yaml" {
				t.Errorf("header: %d %q %q %q", d.Version, d.Title, d.Source, d.File)
			}
			if d.Confidential != tt.confidential {
				t.Errorf("Confidential = %v, want %v", d.Confidential, tt.confidential)
			}
			if d.Description == "" || d.Declaration == "" {
				t.Errorf("no description or declaration")
			}
			if diff := cmp.Diff(tt.signers, d.Signers); diff != "" {
				t.Errorf("signers (-want +got):\n%s", diff)
			}
			var owners []string
			for _, s := range d.Sections {
				owners = append(owners, s.Owner)
			}
			if diff := cmp.Diff(tt.owners, owners); diff != "" {
				t.Errorf("section owners (-want +got):\n%s", diff)
			}
			// A rule added to the YAML needs a case below.
			if len(d.Rules) != tt.rules {
				t.Errorf("%d rules, the tests cover %d", len(d.Rules), tt.rules)
			}
		})
	}
}

// TestGroup2Sample: every field answered by Sample validates as a record
// about to be signed, and an empty draft is allowed.
func TestGroup2Sample(t *testing.T) {
	// Sample's dates all fall in 2026.
	ctx := Context{Today: date(2026, 12, 31), SuperviseeRole: "social_worker", MinTimesPerYear: 13}
	for _, id := range []string{"workers-details", "supervision-record", "case-supervision", "self-assessment"} {
		t.Run(id, func(t *testing.T) {
			d := builtinForm(t, id)
			if errs := d.Validate(Sample(d, "staff-1"), Final, ctx); errs != nil {
				t.Errorf("Sample: %v", errs)
			}
			if errs := d.Validate(map[string]any{}, Draft, ctx); errs != nil {
				t.Errorf("an empty draft: %v", errs)
			}
		})
	}
}

func TestPersonalSupervisionIsConfidential(t *testing.T) {
	d := builtinForm(t, "supervision-record")
	if !d.Confidential {
		t.Error("the supervision record is not confidential")
	}
	var personal *Section
	for i := range d.Sections {
		if d.Sections[i].ID == "personal" {
			personal = &d.Sections[i]
		}
	}
	if personal == nil {
		t.Fatal("no personal section")
	}
	if !strings.HasPrefix(personal.Intro, "This part of the record is confidential.") {
		t.Errorf("personal intro: %q", personal.Intro)
	}
	if d := builtinForm(t, "workers-details"); !d.Confidential {
		t.Error("the worker's details are not confidential")
	}
}

// --- Worker's details ---

func validWorkersDetails() map[string]any {
	return map[string]any{
		"worker_name":         "Siân Gwŷnedd-Jones",
		"dbs_number":          "001234567890",
		"dbs_date":            "2024-01-08",
		"registered":          "yes",
		"registration_body":   "social_work_england",
		"registration_number": "SW123456",
		"emergency_contacts": []any{
			map[string]any{"name": "Rhys Jones", "relationship": "Partner", "phone": "07700 900123"},
			map[string]any{"name": "Mair Jones", "relationship": "Mother", "phone": "029 2018 0123"},
		},
	}
}

func TestWorkersDetailsRequired(t *testing.T) {
	d := builtinForm(t, "workers-details")
	want := []FieldError{
		{"worker_name", "Enter the name of the worker"},
		{"dbs_number", "Enter DBS number"},
		{"dbs_date", "Enter the date of the DBS check"},
		{"registered", "Select yes or no for whether you are registered with a professional regulator"},
		{"emergency_contacts", "Add at least one row to emergency contacts"},
	}
	if diff := cmp.Diff(want, d.Validate(map[string]any{}, Final, ruleContext())); diff != "" {
		t.Errorf("an empty record (-want +got):\n%s", diff)
	}
}

func TestWorkersDetailsRules(t *testing.T) {
	d := builtinForm(t, "workers-details")
	checkRules(t, d, validWorkersDetails(), ruleContext(), []ruleCase{
		{"DBS check in the future", map[string]any{"dbs_date": "2026-03-28"},
			[]FieldError{{"dbs_date", "The date of the DBS check must be today or in the past"}}},
		{"DBS check today", map[string]any{"dbs_date": "2026-03-27"}, nil},

		{"registered without a regulator", map[string]any{"registration_body": nil},
			[]FieldError{{"registration_body", "Select the regulator you are registered with"}}},
		{"registered without a number", map[string]any{"registration_number": nil},
			[]FieldError{{"registration_number", "Enter your registration number"}}},
		{"registered with the HCPC", map[string]any{"registration_body": "hcpc", "registration_number": "SW12345"}, nil},
		{"not registered needs neither", map[string]any{"registered": "no", "registration_body": nil, "registration_number": nil}, nil},
		{"not registered ignores a stale number", map[string]any{"registered": "no", "registration_body": nil}, nil},

		{"a contact without a phone number", map[string]any{"emergency_contacts": []any{
			map[string]any{"name": "Rhys Jones", "relationship": "Partner"}}},
			[]FieldError{{"emergency_contacts.0.phone", "Enter phone number in row 1 of emergency contacts"}}},
		{"a contact without a name or relationship", map[string]any{"emergency_contacts": []any{
			map[string]any{"name": "Rhys Jones", "relationship": "Partner", "phone": "07700 900123"},
			map[string]any{"phone": "07700 900456"}}},
			[]FieldError{
				{"emergency_contacts.1.name", "Enter name in row 2 of emergency contacts"},
				{"emergency_contacts.1.relationship", "Enter relationship in row 2 of emergency contacts"},
			}},
		{"no regulator that is not on the list", map[string]any{"registration_body": "gmc"},
			[]FieldError{{"registration_body", "Select an option from the list"}}},
	})
}

// The follow-up questions are asked for as soon as the answer that needs
// them is given, in a draft too.
func TestWorkersDetailsDraft(t *testing.T) {
	d := builtinForm(t, "workers-details")
	got := d.Validate(map[string]any{"registered": "yes"}, Draft, ruleContext())
	want := []FieldError{
		{"registration_body", "Select the regulator you are registered with"},
		{"registration_number", "Enter your registration number"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// --- Supervision record ---

func validSupervisionRecord() map[string]any {
	return map[string]any{
		"supervisee_name":        "Siân Gwŷnedd-Jones",
		"supervisee_job_title":   "Social Worker",
		"supervisor_name":        "Ahmed Khan",
		"supervision_date":       "2026-03-27",
		"session_time":           "10:00",
		"session_hours":          1.5,
		"case_holder":            "yes",
		"manages_staff":          "no",
		"wellbeing_worries":      "Long hours around a court deadline.",
		"wellbeing_working_well": "Support from the team; regular breaks.",
		"wellbeing_next_steps":   "Take TOIL next week.",
		"timesheet_toil_leave":   "Six hours TOIL owed; annual leave booked for August.",
		"previous_actions":       "All done.",
		"practice_performance":   "New recording guidance discussed.",
		"learning_development":   "Court skills training booked.",
		"observation_date":       "2026-03-10",
		"caseload_management":    "Twelve cases; one to transfer.",
		"cases_discussed":        "A.B., C.D.",
		"aob":                    "None.",
		"actions": []any{
			map[string]any{"action": "Book court skills training", "owner": "Siân", "due": "2026-04-10"},
			map[string]any{"action": "Transfer the case of C.D.", "owner": "Ahmed", "due": "2026-04-03"},
		},
		"next_date":           "2026-04-24",
		"next_time":           "10:00",
		"supervisee_comments": "Agreed.",
	}
}

func TestSupervisionRecordRequired(t *testing.T) {
	d := builtinForm(t, "supervision-record")
	want := []FieldError{
		{"supervisee_name", "Enter the supervisee's name"},
		{"supervisee_job_title", "Enter the supervisee's post"},
		{"supervisor_name", "Enter the line manager's name"},
		{"supervision_date", "Enter the date of supervision"},
		{"case_holder", "Select yes or no for whether the supervisee holds cases"},
		{"manages_staff", "Select yes or no for whether the supervisee manages staff"},
		{"wellbeing_worries", "Enter what we are worried about"},
		{"wellbeing_working_well", "Enter what's working well"},
		{"next_date", "Enter the date of the next supervision"},
	}
	if diff := cmp.Diff(want, d.Validate(map[string]any{}, Final, ruleContext())); diff != "" {
		t.Errorf("an empty record (-want +got):\n%s", diff)
	}
}

func TestSupervisionRecordRules(t *testing.T) {
	d := builtinForm(t, "supervision-record")
	const dueMsg = "The date action %d is due must be after the date of supervision"
	checkRules(t, d, validSupervisionRecord(), ruleContext(), []ruleCase{
		{"supervision in the future", map[string]any{"supervision_date": "2026-03-28"},
			[]FieldError{{"supervision_date", "The date of supervision must be today or in the past"}}},
		{"supervision earlier", map[string]any{"supervision_date": "2026-03-02"}, nil},

		{"observation in the future", map[string]any{"observation_date": "2026-04-01"},
			[]FieldError{{"observation_date", "The date of the practice observation must be today or in the past"}}},
		{"no observation", map[string]any{"observation_date": nil}, nil},

		{"case holder without caseload management", map[string]any{"caseload_management": nil},
			[]FieldError{{"caseload_management", "Enter how the supervisee's caseload is being managed"}}},
		{"case holder without the cases discussed", map[string]any{"cases_discussed": nil},
			[]FieldError{{"cases_discussed", "Enter the initials of the cases discussed"}}},
		{"not a case holder", map[string]any{"case_holder": "no", "caseload_management": nil, "cases_discussed": nil}, nil},

		{"manager without team issues", map[string]any{"manages_staff": "yes"},
			[]FieldError{{"team_issues", "Enter the team issues discussed"}}},
		{"manager with team issues", map[string]any{"manages_staff": "yes", "team_issues": "Two vacancies."}, nil},

		{"action due on the day of supervision", map[string]any{"actions": []any{
			map[string]any{"action": "Book training", "owner": "Siân", "due": "2026-04-10"},
			map[string]any{"action": "Transfer", "owner": "Ahmed", "due": "2026-03-27"},
		}}, []FieldError{{"actions.1.due", fmt.Sprintf(dueMsg, 2)}}},
		{"action due before supervision", map[string]any{"actions": []any{
			map[string]any{"action": "Book training", "owner": "Siân", "due": "2026-03-01"},
		}}, []FieldError{{"actions.0.due", fmt.Sprintf(dueMsg, 1)}}},
		{"action due the day after", map[string]any{"actions": []any{
			map[string]any{"action": "Book training", "owner": "Siân", "due": "2026-03-28"},
		}}, nil},
		{"an action without an owner or due date", map[string]any{"actions": []any{
			map[string]any{"action": "Book training"},
		}}, []FieldError{
			{"actions.0.owner", "Enter who will do it in row 1 of actions"},
			{"actions.0.due", "Enter the date it is due in row 1 of actions"},
		}},
		{"no actions", map[string]any{"actions": nil}, nil},

		{"next supervision on the same day", map[string]any{"next_date": "2026-03-27"},
			[]FieldError{{"next_date", "The date of the next supervision must be after the date of supervision"}}},
		{"next supervision the day after", map[string]any{"next_date": "2026-03-28"}, nil},

		{"a session too long", map[string]any{"session_hours": 9.0},
			[]FieldError{{"session_hours", "The length of the session must be between 0.25 and 8"}}},
	})
}

// --- Case supervision ---

func validCaseSupervision() map[string]any {
	return map[string]any{
		"supervisee_name":            "Siân Gwŷnedd-Jones",
		"supervisee_job_title":       "Social Worker",
		"supervisor_name":            "Ahmed Khan",
		"supervision_date":           "2026-03-27",
		"case_reference":             "LL-1234567",
		"case_type":                  "child_in_need",
		"worker_update":              "Assessment completed; plan agreed at the CIN meeting.",
		"referral_concerns":          "Neglect: school reports hunger and poor attendance.",
		"past_harm":                  "Chronology read; one previous referral in 2024.",
		"complicating_factors":       "Parent's mental health.",
		"worries_since_last":         "Attendance has dropped again.",
		"child_voice_worries":        "Worried about mum being sad.",
		"direct_work":                "3 Houses: wants more time with dad.",
		"parent_view":                "Accepts the concerns about attendance.",
		"child_seen":                 "yes",
		"outstanding_actions":        "None.",
		"statutory_compliance":       "yes",
		"plan_completed":             "yes",
		"strengths":                  "Grandmother helps every morning.",
		"child_voice_positives":      "Says breakfast club is good.",
		"direct_work_recorded":       "yes",
		"meetings":                   "CIN meeting 10 March.",
		"date_child_seen":            "2026-03-20",
		"seen_alone":                 "yes",
		"plan_progress":              "Attendance target not yet met.",
		"needs_to_happen":            "Referral to the family support service.",
		"safety_goal":                "The child goes to school fed every day.",
		"child_voice_next":           "No.",
		"next_meeting_date":          "2026-04-07",
		"next_case_supervision_date": "2026-04-24",
		"actions": []any{
			map[string]any{"action": "Refer to family support", "owner": "Siân", "due": "2026-04-03"},
		},
		"visiting_frequency": "Every 2 weeks",
		"case_direction":     "continue",
		"escalation":         "no",
		"safety_scale":       6.0,
		"change_scale":       5.0,
		"scaling_reasons":    "Grandmother's help is new; needs to last.",
	}
}

func TestCaseSupervisionRequired(t *testing.T) {
	d := builtinForm(t, "case-supervision")
	want := []FieldError{
		{"supervisee_name", "Enter the name of the worker"},
		{"supervisor_name", "Enter the name of the supervisor"},
		{"supervision_date", "Enter the date of supervision"},
		{"case_reference", "Enter the case reference"},
		{"referral_concerns", "Enter referral concerns"},
		{"child_voice_worries", "Enter the voice of the child"},
		{"child_seen", "Select yes or no for whether the child is being seen"},
		{"statutory_compliance", "Select yes or no for whether statutory requirements are being met"},
		{"plan_completed", "Select yes or no for whether the child's plan is completed on the case record"},
		{"strengths", "Enter strengths"},
		{"needs_to_happen", "Enter what needs to happen"},
		{"escalation", "Select yes or no for whether any concerns need escalation"},
		{"safety_scale", "Select the safety scale"},
		{"change_scale", "Select the change scale"},
	}
	if diff := cmp.Diff(want, d.Validate(map[string]any{}, Final, ruleContext())); diff != "" {
		t.Errorf("an empty record (-want +got):\n%s", diff)
	}
}

func TestCaseSupervisionRules(t *testing.T) {
	d := builtinForm(t, "case-supervision")
	const dueMsg = "The date action %d is due must be after the date of supervision"
	checkRules(t, d, validCaseSupervision(), ruleContext(), []ruleCase{
		{"supervision in the future", map[string]any{"supervision_date": "2026-03-28"},
			[]FieldError{{"supervision_date", "The date of supervision must be today or in the past"}}},
		{"supervision earlier", map[string]any{"supervision_date": "2026-03-20"}, nil},

		{"child not seen, no reason", map[string]any{"child_seen": "no"},
			[]FieldError{{"child_not_seen_reason", "Enter why the child is not being seen, and what is being done about it"}}},
		{"child not seen, with the reason", map[string]any{"child_seen": "no", "child_not_seen_reason": "Family on holiday; visit booked."}, nil},

		{"statutory requirements not met, no reason", map[string]any{"statutory_compliance": "no"},
			[]FieldError{{"non_compliance_reasons", "Enter which statutory requirements are not being met, and why"}}},
		{"statutory requirements not met, with the reason", map[string]any{"statutory_compliance": "no", "non_compliance_reasons": "Visit 2 days late: child ill."}, nil},

		{"child seen in the future", map[string]any{"date_child_seen": "2026-03-28"},
			[]FieldError{{"date_child_seen", "The date the child was seen must be today or in the past"}}},
		{"child seen today", map[string]any{"date_child_seen": "2026-03-27"}, nil},

		{"next meeting before supervision", map[string]any{"next_meeting_date": "2026-03-26"},
			[]FieldError{{"next_meeting_date", "The date of the next meeting must be on or after the date of supervision"}}},
		{"next meeting on the day of supervision", map[string]any{"next_meeting_date": "2026-03-27"}, nil},

		{"next case discussion on the same day", map[string]any{"next_case_supervision_date": "2026-03-27"},
			[]FieldError{{"next_case_supervision_date", "The date this case will next be discussed must be after the date of supervision"}}},
		{"next case discussion the day after", map[string]any{"next_case_supervision_date": "2026-03-28"}, nil},

		{"action due on the day of supervision", map[string]any{"actions": []any{
			map[string]any{"action": "Refer", "owner": "Siân", "due": "2026-04-03"},
			map[string]any{"action": "Visit", "owner": "Siân", "due": "2026-03-27"},
		}}, []FieldError{{"actions.1.due", fmt.Sprintf(dueMsg, 2)}}},
		{"action due the day after", map[string]any{"actions": []any{
			map[string]any{"action": "Visit", "owner": "Siân", "due": "2026-03-28"},
		}}, nil},
		{"an action without an owner or due date", map[string]any{"actions": []any{
			map[string]any{"action": "Visit"},
		}}, []FieldError{
			{"actions.0.owner", "Enter who will do it in row 1 of newly identified actions for the plan"},
			{"actions.0.due", "Enter the date it is due in row 1 of newly identified actions for the plan"},
		}},

		{"escalation without details", map[string]any{"escalation": "yes"},
			[]FieldError{{"escalation_details", "Enter the concerns, and to whom and when they will be escalated"}}},
		{"escalation with details", map[string]any{"escalation": "yes", "escalation_details": "To the service manager today."}, nil},

		{"a scale above 10", map[string]any{"safety_scale": 11.0},
			[]FieldError{{"safety_scale", "The safety scale must be between 0 and 10"}}},
		{"a scale of 0", map[string]any{"safety_scale": 0.0, "change_scale": 10.0}, nil},
	})
}

// --- Self-assessment ---

// goldenThreads are the six threads of 002 Appendix K: field id part and
// label.
var goldenThreads = []struct{ id, label string }{
	{"management_oversight", "Management oversight"},
	{"voice_of_child", "Voice of child"},
	{"engaging_parents", "Engaging parents/carers"},
	{"impact_chronology", "Impact chronology"},
	{"quality_of_assessment", "Quality of assessment/plan"},
	{"doing_with", "Doing with, not to"},
}

var piecesOfWork = []struct{ id, name string }{
	{"work1", "the first piece of work"},
	{"work2", "the second piece of work"},
}

func validSelfAssessment() map[string]any {
	data := map[string]any{
		"supervisee_name":      "Siân Gwŷnedd-Jones",
		"supervisee_job_title": "Social Worker",
		"supervisor_name":      "Ahmed Khan",
		"completed_date":       "2026-03-25",
		"supervision_date":     "2026-03-27",
		"strengths":            "Clear analysis; the child's words are quoted.",
	}
	for _, p := range piecesOfWork {
		data[p.id+"_case_reference"] = "LL-1234567"
		data[p.id+"_description"] = "Child and family assessment"
		for _, th := range goldenThreads {
			data[p.id+"_"+th.id] = "green"
			data[p.id+"_"+th.id+"_evidence"] = "Seen in the assessment."
		}
	}
	return data
}

func TestSelfAssessmentFields(t *testing.T) {
	d := builtinForm(t, "self-assessment")
	for _, p := range piecesOfWork {
		for i, th := range goldenThreads {
			f, ok := d.Field(p.id + "_" + th.id)
			if !ok || f.Kind != KindRAG || !f.Required || f.Label != fmt.Sprintf("%d. %s", i+1, th.label) {
				t.Errorf("%s %s: %+v", p.id, th.id, f)
			}
			if f, ok := d.Field(p.id + "_" + th.id + "_evidence"); !ok || f.Kind != KindLongText || !f.Required {
				t.Errorf("%s %s evidence: %+v", p.id, th.id, f)
			}
		}
	}
}

func TestSelfAssessmentRequired(t *testing.T) {
	d := builtinForm(t, "self-assessment")
	want := []FieldError{
		{"supervisee_name", "Enter your name"},
		{"supervisee_job_title", "Enter your job title"},
		{"supervisor_name", "Enter the name of your supervisor"},
		{"completed_date", "Enter the date completed"},
		{"supervision_date", "Enter the date of the supervision this is for"},
	}
	for _, p := range piecesOfWork {
		want = append(want,
			FieldError{p.id + "_case_reference", "Enter the case reference of " + p.name},
			FieldError{p.id + "_description", "Enter what " + p.name + " is"})
		for _, th := range goldenThreads {
			lower := strings.ToLower(th.label[:1]) + th.label[1:]
			want = append(want,
				FieldError{p.id + "_" + th.id, "Select the rating for " + lower + " in " + p.name},
				FieldError{p.id + "_" + th.id + "_evidence", "Enter the evidence for " + lower + " in " + p.name})
		}
	}
	want = append(want, FieldError{"strengths", "Enter what these pieces of work show you do well"})
	if diff := cmp.Diff(want, d.Validate(map[string]any{}, Final, ruleContext())); diff != "" {
		t.Errorf("an empty record (-want +got):\n%s", diff)
	}
}

func TestSelfAssessmentRules(t *testing.T) {
	d := builtinForm(t, "self-assessment")
	tests := []ruleCase{
		{"completed in the future", map[string]any{"completed_date": "2026-03-28", "supervision_date": "2026-03-30"},
			[]FieldError{{"completed_date", "The date completed must be today or in the past"}}},
		{"completed today", map[string]any{"completed_date": "2026-03-27", "supervision_date": "2026-03-30"}, nil},

		{"supervision on the day it was completed", map[string]any{"supervision_date": "2026-03-25"},
			[]FieldError{{"supervision_date", "The date of the supervision must be after the date completed, as the self-assessment is due 2 days before it"}}},
		{"supervision before it was completed", map[string]any{"supervision_date": "2026-03-20"},
			[]FieldError{{"supervision_date", "The date of the supervision must be after the date completed, as the self-assessment is due 2 days before it"}}},
		{"supervision the day after", map[string]any{"supervision_date": "2026-03-26"}, nil},
	}
	// A red or amber rating needs a development action: 24 rules, one per
	// piece of work, thread and colour.
	for _, p := range piecesOfWork {
		for _, th := range goldenThreads {
			rating, action := p.id+"_"+th.id, p.id+"_"+th.id+"_action"
			for _, colour := range []string{"red", "amber"} {
				tests = append(tests,
					ruleCase{fmt.Sprintf("%s %s %s without an action", p.id, th.id, colour), map[string]any{rating: colour},
						[]FieldError{{action, fmt.Sprintf("In %s you rated %q %s: say what you will do to develop it", p.name, th.label, colour)}}},
					ruleCase{fmt.Sprintf("%s %s %s with an action", p.id, th.id, colour), map[string]any{rating: colour, action: "Read the practice guidance."}, nil})
			}
			tests = append(tests, ruleCase{fmt.Sprintf("%s %s green needs no action", p.id, th.id), map[string]any{rating: "green", action: nil}, nil})
		}
	}
	checkRules(t, d, validSelfAssessment(), ruleContext(), tests)
}

// All six threads rated red in both pieces, in a draft: each asks for its
// action, in page order.
func TestSelfAssessmentAllRed(t *testing.T) {
	d := builtinForm(t, "self-assessment")
	data := map[string]any{}
	var want []FieldError
	for _, p := range piecesOfWork {
		for _, th := range goldenThreads {
			data[p.id+"_"+th.id] = "red"
			want = append(want, FieldError{p.id + "_" + th.id + "_action",
				fmt.Sprintf("In %s you rated %q red: say what you will do to develop it", p.name, th.label)})
		}
	}
	if diff := cmp.Diff(want, d.Validate(data, Draft, ruleContext())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
