package forms

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tests of the family placement supervision definition (002 Appendix
// H). Each rule has a case that breaks it, so a test fails if the rule is
// taken out of the YAML, and a case that meets it.

func TestFamilyPlacementDefinition(t *testing.T) {
	d := builtinForm(t, "family-placement-supervision")
	if d.Version != 1 || d.Title != "Family placement supervision (Signs of Safety)" || d.Source != "002 Appendix H" ||
		d.File != "forms/catalogue/family-placement-supervision.yaml" {
		t.Errorf("header: %d %q %q %q", d.Version, d.Title, d.Source, d.File)
	}
	if d.Confidential || d.Generated {
		t.Errorf("Confidential %v, Generated %v", d.Confidential, d.Generated)
	}
	if d.Description == "" || d.Declaration == "" {
		t.Errorf("no description or declaration")
	}
	want := []Signer{{Role: "supervisee", Label: "Supervising social worker"}, {Role: "supervisor", Label: "Supervisor"}}
	if diff := cmp.Diff(want, d.Signers); diff != "" {
		t.Errorf("signers (-want +got):\n%s", diff)
	}
	var titles []string
	for _, s := range d.Sections {
		titles = append(titles, s.Title)
		if s.Owner != "" {
			t.Errorf("section %s is owned by %q: the supervisor records it", s.ID, s.Owner)
		}
	}
	wantTitles := []string{"Family placement supervision", "What are we worried about?", "What's working well?", "What needs to happen?", "Scaling"}
	if diff := cmp.Diff(wantTitles, titles); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	// A rule added to the YAML needs a case in TestFamilyPlacementRules.
	if len(d.Rules) != 9 {
		t.Errorf("%d rules, the tests cover 9", len(d.Rules))
	}
}

// TestFamilyPlacementPrompts: every prompt of Appendix H is asked, in the
// seed's words, under its heading.
func TestFamilyPlacementPrompts(t *testing.T) {
	d := builtinForm(t, "family-placement-supervision")
	prompts := map[string][]string{
		"worried": {"Foster carers' practice", "Child's behaviour", "Past harm / danger", "Is there a chronology?",
			"Are past files read?", "isolated concern", "recurrent theme", "Complicating factors", "family and friends carer",
			"resume the role of the primary care giver", "risk of the birth family", "Worries since last supervision",
			"why they are in care", "3 Houses", "foster carers' supervisions within timescales",
			"Outstanding actions from last supervision / reason for delay"},
		"working_well": {"Secure Base", "DBS, carers agreement, medical, health and safety, relevant risk assessments",
			"Strengths and safety / protection (demonstrated over time)", "living within the home",
			"annual fostering review", "Panel / type of approval", "unannounced visit", "lived experience",
			"reflect on their practice", "carers' development", "Life story work? Supported by the carers?"},
		"needs_to_happen": {"What needs to happen?", "Newly identified actions", "hear the child's voice",
			"Due dates for statutory checks and agreements", "escalating"},
		"scaling": {"being settled and feeling safe", "care giving responses of the carers",
			"not at all able to meet the child's needs", "responds appropriately to all of the child's needs"},
	}
	for _, sec := range d.Sections {
		var text strings.Builder
		for _, f := range sec.Fields {
			fmt.Fprintln(&text, f.Label, f.Hint)
		}
		for _, p := range prompts[sec.ID] {
			if !strings.Contains(text.String(), p) {
				t.Errorf("section %q does not ask %q", sec.Title, p)
			}
		}
		delete(prompts, sec.ID)
	}
	if len(prompts) != 0 {
		t.Errorf("sections missing: %v", prompts)
	}
	for _, id := range []string{"settled_scale", "care_giving_scale"} {
		if f := field(t, d, id); f.Kind != KindScale || !f.Required {
			t.Errorf("%s: kind %s, required %v", id, f.Kind, f.Required)
		}
	}
}

// field finds a top-level field of a definition.
func field(t *testing.T, d *Definition, id string) Field {
	t.Helper()
	for _, s := range d.Sections {
		for _, f := range s.Fields {
			if f.ID == id {
				return f
			}
		}
	}
	t.Fatalf("%s has no field %s", d.ID, id)
	return Field{}
}

func TestFamilyPlacementSample(t *testing.T) {
	ctx := Context{Today: date(2026, 12, 31), SuperviseeRole: "social_worker", MinTimesPerYear: 13}
	d := builtinForm(t, "family-placement-supervision")
	if errs := d.Validate(Sample(d, "staff-1"), Final, ctx); errs != nil {
		t.Errorf("Sample: %v", errs)
	}
	if errs := d.Validate(map[string]any{}, Draft, ctx); errs != nil {
		t.Errorf("an empty draft: %v", errs)
	}
}

func validFamilyPlacement() map[string]any {
	return map[string]any{
		"supervisee_name":           "Siân Gwŷnedd-Jones",
		"supervisee_job_title":      "Supervising Social Worker",
		"supervisor_name":           "Ahmed Khan",
		"supervision_date":          "2026-03-27",
		"carer_reference":           "FC-20931",
		"child_reference":           "LL-1234567",
		"carer_type":                "family_and_friends",
		"carer_practice":            "Routines are consistent; bedtime is calmer.",
		"child_behaviour":           "Fewer outbursts after contact.",
		"past_harm":                 "Chronology read; neglect before placement.",
		"complicating_factors":      "Grandmother's contact with the birth father.",
		"worries_since_last":        "None new.",
		"child_voice_worries":       "Knows why she is with nan; worries about mum.",
		"three_houses":              "House of good things: school and nan's dog.",
		"carer_supervision_in_time": "yes",
		"outstanding_actions":       "Training booked.",
		"secure_base":               "Nan is available and sensitive at bedtime.",
		"checks_in_time":            "yes",
		"strengths":                 "Six months of settled care.",
		"child_voice_home":          "Says she feels safe at nan's.",
		"last_review_date":          "2025-11-03",
		"panel_approval":            "Connected person, one child",
		"last_visit_date":           "2026-03-12",
		"lived_experience":          "Observed tea time; carer reflected on contact.",
		"carer_development":         "Completed the Skills to Foster course.",
		"life_story_work":           "Started; nan is helping with photos.",
		"needs_to_happen":           "Support with contact arrangements.",
		"actions": []any{
			map[string]any{"action": "Book contact supervision training", "owner": "Siân", "due": "2026-04-17"},
		},
		"child_voice_next":  "No.",
		"next_review_due":   "2026-11-02",
		"checks_due":        "DBS renewal May 2027.",
		"escalation":        "no",
		"settled_scale":     7.0,
		"care_giving_scale": 8.0,
		"scaling_reasons":   "Settled; contact still unsettles her.",
	}
}

func TestFamilyPlacementRequired(t *testing.T) {
	d := builtinForm(t, "family-placement-supervision")
	want := []FieldError{
		{"supervisee_name", "Enter the name of the supervising social worker"},
		{"supervisor_name", "Enter the name of the supervisor"},
		{"supervision_date", "Enter the date of supervision"},
		{"carer_reference", "Enter the foster carers' reference"},
		{"carer_practice", "Enter the foster carers' practice"},
		{"child_voice_worries", "Enter the voice of the child"},
		{"carer_supervision_in_time", "Select yes or no for whether the foster carers' supervisions are within timescales"},
		{"secure_base", "Enter how the carers promote a Secure Base"},
		{"checks_in_time", "Select yes or no for whether the checks and assessments are completed within timescales"},
		{"strengths", "Enter the strengths and safety"},
		{"needs_to_happen", "Enter what needs to happen"},
		{"escalation", "Select yes or no for whether the case needs escalating"},
		{"settled_scale", "Select the settled scale"},
		{"care_giving_scale", "Select the care giving scale"},
	}
	if diff := cmp.Diff(want, d.Validate(map[string]any{}, Final, ruleContext())); diff != "" {
		t.Errorf("an empty record (-want +got):\n%s", diff)
	}
}

func TestFamilyPlacementRules(t *testing.T) {
	d := builtinForm(t, "family-placement-supervision")
	checkRules(t, d, validFamilyPlacement(), ruleContext(), []ruleCase{
		{"supervision in the future", map[string]any{"supervision_date": "2026-03-28"},
			[]FieldError{{"supervision_date", "The date of supervision must be today or in the past"}}},
		{"supervision today", map[string]any{"supervision_date": "2026-03-27"}, nil},

		{"carers' supervision late, no reason", map[string]any{"carer_supervision_in_time": "no"},
			[]FieldError{{"carer_supervision_late_reason", "Enter why the foster carers' supervisions are not within timescales"}}},
		{"carers' supervision late, with the reason", map[string]any{"carer_supervision_in_time": "no",
			"carer_supervision_late_reason": "Carer in hospital; booked for 3 April."}, nil},

		{"checks not in time, none named", map[string]any{"checks_in_time": "no"},
			[]FieldError{{"checks_outstanding", "Enter which checks and assessments are not completed, and why"}}},
		{"checks not in time, named", map[string]any{"checks_in_time": "no", "checks_outstanding": "Medical: GP letter awaited."}, nil},

		{"last review in the future", map[string]any{"last_review_date": "2026-03-28", "next_review_due": nil},
			[]FieldError{{"last_review_date", "The date of the last annual fostering review must be today or in the past"}}},
		{"last visit in the future", map[string]any{"last_visit_date": "2026-03-28"},
			[]FieldError{{"last_visit_date", "The date of the last visit must be today or in the past"}}},
		{"last visit today", map[string]any{"last_visit_date": "2026-03-27"}, nil},

		{"next review on the day of the last", map[string]any{"next_review_due": "2025-11-03"},
			[]FieldError{{"next_review_due", "The next annual fostering review must be after the last one"}}},
		{"next review more than 12 months on", map[string]any{"next_review_due": "2026-11-04"},
			[]FieldError{{"next_review_due", "The next annual fostering review must be within 12 months of the last one"}}},
		{"next review 12 months on", map[string]any{"next_review_due": "2026-11-03"}, nil},

		{"action due on the day of supervision", map[string]any{"actions": []any{
			map[string]any{"action": "Book training", "owner": "Siân", "due": "2026-04-17"},
			map[string]any{"action": "Visit", "owner": "Siân", "due": "2026-03-27"},
		}}, []FieldError{{"actions.1.due", "The date action 2 is due must be after the date of supervision"}}},
		{"an action without an owner or due date", map[string]any{"actions": []any{
			map[string]any{"action": "Visit"},
		}}, []FieldError{
			{"actions.0.owner", "Enter who will do it in row 1 of the newly identified actions"},
			{"actions.0.due", "Enter the date it is due in row 1 of the newly identified actions"},
		}},

		{"escalation without details", map[string]any{"escalation": "yes"},
			[]FieldError{{"escalation_details", "Enter the concerns, and to whom and when they will be raised"}}},
		{"escalation with details", map[string]any{"escalation": "yes", "escalation_details": "At the child's review on 2 April."}, nil},

		{"a scale above 10", map[string]any{"care_giving_scale": 11.0},
			[]FieldError{{"care_giving_scale", "The care giving scale must be between 0 and 10"}}},
		{"scales of 0 and 10", map[string]any{"settled_scale": 0.0, "care_giving_scale": 10.0}, nil},
	})
}

// --- Group supervision (002 §1.1.3) ---

func TestGroupSupervisionDefinition(t *testing.T) {
	d := builtinForm(t, "group-supervision")
	if d.Version != 1 || d.Title != "Group supervision" || d.Source != "002 §1.1.3, §2.1" || d.Confidential {
		t.Errorf("header: %d %q %q %v", d.Version, d.Title, d.Source, d.Confidential)
	}
	want := []Signer{{Role: "lead", Label: "Lead"}, {Role: "attendee", Label: "Attendee"}}
	if diff := cmp.Diff(want, d.Signers); diff != "" {
		t.Errorf("signers (-want +got):\n%s", diff)
	}
	var owners []string
	for _, s := range d.Sections {
		owners = append(owners, s.ID+":"+s.Owner)
	}
	if diff := cmp.Diff([]string{"session:", "mapping:", "learning:attendee", "actions:"}, owners); diff != "" {
		t.Errorf("sections and owners (-want +got):\n%s", diff)
	}
	learning := field(t, d, "learning")
	if learning.Kind != KindTable || len(learning.Columns) != 2 || learning.Columns[0].ID != "attendee" || learning.Columns[0].Kind != KindPerson {
		t.Errorf("learning: %+v", learning)
	}
	if len(d.Rules) != 5 {
		t.Errorf("%d rules, the tests cover 5", len(d.Rules))
	}
}

func TestGroupSupervisionSample(t *testing.T) {
	ctx := Context{Today: date(2026, 12, 31), SuperviseeRole: "team_manager", MinTimesPerYear: 13}
	d := builtinForm(t, "group-supervision")
	if errs := d.Validate(Sample(d, "staff-1"), Final, ctx); errs != nil {
		t.Errorf("Sample: %v", errs)
	}
	if errs := d.Validate(map[string]any{}, Draft, ctx); errs != nil {
		t.Errorf("an empty draft: %v", errs)
	}
}

func validGroupSupervision() map[string]any {
	return map[string]any{
		"session_date":   "2026-03-27",
		"lead_name":      "Ahmed Khan",
		"lead_job_title": "Team Manager",
		"team":           "Children in Need, North",
		"external_participants": []any{
			map[string]any{"name": "Dr Ola Bankole", "role": "Named GP, safeguarding"},
		},
		"focus":           "case",
		"case_reference":  "LL-1234567",
		"worried":         "Neglect: the children are hungry at school.",
		"working_well":    "Grandmother helps every morning.",
		"needs_to_happen": "A danger statement the family understands.",
		"learning": []any{
			map[string]any{"attendee": "staff-1", "learning": "Writing a danger statement in the family's words."},
			map[string]any{"attendee": "staff-2", "learning": "Scaling questions with the children."},
		},
		"actions": []any{
			map[string]any{"action": "Draft the danger statement", "owner": "Siân", "due": "2026-04-03"},
		},
	}
}

func TestGroupSupervisionRequired(t *testing.T) {
	d := builtinForm(t, "group-supervision")
	want := []FieldError{
		{"session_date", "Enter the date of group supervision"},
		{"lead_name", "Enter the name of the lead"},
		{"focus", "Select the kind of group supervision"},
		{"worried", "Enter what we are worried about"},
		{"working_well", "Enter what is working well"},
		{"needs_to_happen", "Enter what needs to happen"},
	}
	if diff := cmp.Diff(want, d.Validate(map[string]any{}, Final, ruleContext())); diff != "" {
		t.Errorf("an empty record (-want +got):\n%s", diff)
	}
}

func TestGroupSupervisionRules(t *testing.T) {
	d := builtinForm(t, "group-supervision")
	const refMsg = "Enter the case reference as its ID on the case record, such as LL-1234567, not a name"
	checkRules(t, d, validGroupSupervision(), ruleContext(), []ruleCase{
		{"session in the future", map[string]any{"session_date": "2026-03-28"},
			[]FieldError{{"session_date", "The date of group supervision must be today or in the past"}}},
		{"session today", map[string]any{"session_date": "2026-03-27"}, nil},

		{"case focused without a reference", map[string]any{"case_reference": nil},
			[]FieldError{{"case_reference", "Enter the case reference"}}},
		{"a name for a reference", map[string]any{"case_reference": "Jayden Smith"},
			[]FieldError{{"case_reference", refMsg}}},
		{"a surname and a number", map[string]any{"case_reference": "Smith 1234"},
			[]FieldError{{"case_reference", refMsg}}},
		{"too few digits", map[string]any{"case_reference": "LL-12"},
			[]FieldError{{"case_reference", refMsg}}},
		{"a Mosaic ID", map[string]any{"case_reference": "MOS 123456"}, nil},
		{"a plain number", map[string]any{"case_reference": "123456"}, nil},
		{"a reference with slashes", map[string]any{"case_reference": "CP/2026/0042"}, nil},

		{"reflective without the aspect of practice", map[string]any{"focus": "reflective", "case_reference": nil},
			[]FieldError{{"practice_theme", "Enter the aspect of practice discussed"}}},
		{"reflective, a name in the hidden reference is not kept", map[string]any{"focus": "reflective",
			"case_reference": "Jayden Smith", "practice_theme": "Words and pictures explanations."}, nil},

		{"an attendee's learning missing", map[string]any{"learning": []any{
			map[string]any{"attendee": "staff-1", "learning": "Danger statements."},
			map[string]any{"attendee": "staff-2"},
		}}, []FieldError{{"learning.1.learning", "Enter your learning in row 2 of the learning"}}},

		{"action due on the day", map[string]any{"actions": []any{
			map[string]any{"action": "Draft", "owner": "Siân", "due": "2026-03-27"},
		}}, []FieldError{{"actions.0.due", "The date action 1 is due must be after the date of group supervision"}}},
		{"action due the day after", map[string]any{"actions": []any{
			map[string]any{"action": "Draft", "owner": "Siân", "due": "2026-03-28"},
		}}, nil},
	})
}

// TestCaseReferenceRuleLoads: the rule is data like the others: it names a
// text question, and a mistake stops the load with the line.
func TestCaseReferenceRuleLoads(t *testing.T) {
	_, err := Parse("x.yaml", []byte(`id: x
version: 1
title: X
source: test
signers: [{role: supervisor, label: Supervisor}]
sections:
  - id: s
    title: S
    fields:
      - {id: when, kind: date, label: When}
rules:
  - {type: case_reference, field: when, message: Not a reference}
`))
	if err == nil || !strings.Contains(err.Error(), "x.yaml:12") {
		t.Errorf("a case_reference rule on a date: %v", err)
	}
}
