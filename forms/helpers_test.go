package forms

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// parseFile parses a definition from testdata, with extra YAML appended.
func parseFile(t *testing.T, name, extra string) *Definition {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(name, append(src, extra...))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return d
}

// agreement is the built-in supervision agreement.
func agreement(t *testing.T) *Definition {
	t.Helper()
	c, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Get("supervision-agreement")
	if !ok {
		t.Fatal("no supervision-agreement in the built-in catalogue")
	}
	return d
}

// validAgreement is a complete agreement that passes Final validation for a
// social worker (13 times a year).
func validAgreement() map[string]any {
	return map[string]any{
		"supervisee_name":               "Siân Gwŷnedd-Jones",
		"supervisee_job_title":          "Social Worker",
		"supervisor_name":               "Ahmed Khan",
		"supervisor_job_title":          "Team Manager",
		"agreement_date":                "2026-03-27",
		"supervisee_aims":               "To have a safe relationship to reflect on challenging issues.",
		"supervisor_aims":               "To provide a safe and supportive supervisory environment.",
		"times_per_year":                13.0,
		"every_weeks":                   4.0,
		"session_hours":                 1.5,
		"location":                      "Meeting room 2, Tŷ Newydd",
		"booking_arrangements":          "Booked a year ahead; next date confirmed at the end of each session.",
		"interruptions":                 "Emergencies only.",
		"recorded_by":                   "supervisor",
		"copy_to_supervisee":            "yes",
		"copy_within_days":              2.0,
		"case_recording":                "On the child's file in Liquidlogic within two working days.",
		"content":                       []any{"casework", "caseload", "career", "care"},
		"cpd_time":                      "Half a day a month for reading and training.",
		"supervisor_responsibilities":   "Consistency, regular support, availability.",
		"supervisee_responsibilities":   "Follow plans agreed and meet timescales.",
		"organisation_responsibilities": "Training and protected time.",
		"equality_diversity_power":      "We will talk openly about power and difference.",
		"confidentiality":               "Shared with the senior manager or HR only with the supervisee's knowledge.",
		"feedback":                      "At the end of each session.",
		"disagreements":                 "Discuss in supervision, then with the supervisor's manager.",
		"review_arrangements":           "Every 12 months and on any change of supervisor.",
		"review_date":                   "2027-03-27",
	}
}

func socialWorker() Context {
	return Context{Today: date(2026, 3, 27), SuperviseeRole: "social_worker", MinTimesPerYear: 13}
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// with returns a copy of data with some answers changed; a nil value
// removes the answer.
func with(data map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range data {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}
