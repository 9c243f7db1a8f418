package forms

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDisplay(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	data := map[string]any{
		"name":            "Ann",
		"discussion_date": "2026-03-03",
		"start":           "14:30",
		"count":           3.0,
		"hours":           1.5,
		"colour":          "b",
		"topics":          []any{"a", "c"},
		"agreed":          "yes",
		"why_not":         "stale answer from before agreed was yes",
		"safety":          7.0,
		"rating":          "amber",
		"worker":          "staff-1",
		"actions": []any{
			map[string]any{"action": "Call", "owner": "staff-2", "status": "done", "due": "2026-04-01", "effort": 2.0, "tags": []any{"x", "y"}},
			map[string]any{},
			map[string]any{"action": "Visit", "due": "not a date"},
		},
	}
	names := map[string]string{"staff-1": "Ahmed Khan", "staff-2": "Siân Jones"}
	got := d.Display(data, func(id string) string { return names[id] })
	want := []DisplaySection{
		{Title: "One", Intro: "Every simple kind.", Fields: []DisplayField{
			{Label: "Name", Value: "Ann"},
			{Label: "Notes", Value: ""},
			{Label: "Discussion date", Value: "3 March 2026"},
			{Label: "Start time", Value: "2:30pm"},
			{Label: "Count", Value: "3"},
			{Label: "Hours", Value: "1.5"},
			{Label: "Colour", Value: "Blue colour"},
			{Label: "Topics", Value: "Apples; Cherries"},
			{Label: "Agreed", Value: "Yes"},
			// why_not is hidden: agreed is not "no".
			{Label: "Safety", Value: "7 out of 10"},
			{Label: "Rating", Value: "Amber"},
			{Label: "Worker", Value: "Ahmed Khan"},
		}},
		{Title: "Two", Fields: []DisplayField{
			{Label: "Actions", IsTable: true,
				Columns: []string{"Action", "Owner", "Status", "Due", "Done on", "Effort", "Tags"},
				Rows: [][]string{
					{"Call", "Siân Jones", "Done", "1 April 2026", "", "2", "X-ray; Yankee"},
					{"Visit", "", "", "not a date", "", "", ""},
				}},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Display (-want +got):\n%s", diff)
	}

	// A follow-up is shown when its condition is met; no staffName shows ids.
	got = d.Display(map[string]any{"agreed": "no", "why_not": "Busy", "worker": "staff-1"}, nil)
	var shown []DisplayField
	for _, f := range got[0].Fields {
		if f.Value != "" {
			shown = append(shown, f)
		}
	}
	want2 := []DisplayField{{Label: "Agreed", Value: "No"}, {Label: "Why not", Value: "Busy"}, {Label: "Worker", Value: "staff-1"}}
	if diff := cmp.Diff(want2, shown); diff != "" {
		t.Errorf("Display with a follow-up (-want +got):\n%s", diff)
	}
	if got[1].Fields[0].Rows == nil || len(got[1].Fields[0].Rows) != 0 {
		t.Errorf("an empty table: %#v", got[1].Fields[0])
	}
}

func TestDisplayTime(t *testing.T) {
	for in, want := range map[string]string{"00:00": "midnight", "12:00": "midday", "09:05": "9:05am", "13:00": "1pm", "00:30": "12:30am", "23:59": "11:59pm"} {
		f := &Field{Kind: KindTime}
		if got := displayValue(f, in, nil); got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}

func TestDisplayAgreement(t *testing.T) {
	d := agreement(t)
	got := d.Display(validAgreement(), nil)
	if len(got) != len(d.Sections) {
		t.Fatalf("%d sections, want %d", len(got), len(d.Sections))
	}
	values := map[string]string{}
	for _, s := range got {
		for _, f := range s.Fields {
			values[f.Label] = f.Value
		}
	}
	for label, want := range map[string]string{
		"Date of agreement":                                      "27 March 2026",
		"Times a year":                                           "13",
		"Length of each session, in hours":                       "1.5",
		"Who records supervision discussions":                    "The supervisor",
		"What our supervision will cover":                        "Case-work: decision-making, direct work and reflection; Caseload: workload management; Career: learning and development; Care: personal supervision",
		"Working days within which the supervisee gets the copy": "2",
	} {
		if values[label] != want {
			t.Errorf("%s = %q, want %q", label, values[label], want)
		}
	}
	// With no copy to the supervisee, the follow-up is left out.
	got = d.Display(with(validAgreement(), map[string]any{"copy_to_supervisee": "no"}), nil)
	for _, s := range got {
		for _, f := range s.Fields {
			if f.Label == "Working days within which the supervisee gets the copy" {
				t.Error("a hidden follow-up is displayed")
			}
		}
	}
}
