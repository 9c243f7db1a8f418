package forms

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestDecodeForm(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	post := url.Values{
		"_revision":        {"3"},
		"action":           {"save"},
		"name":             {"  Ann Smith \t"},
		"notes":            {"Line one\r\nLine two\r\n"},
		"discussion_date":  {"27/3/2026"},
		"start":            {"9:30"},
		"count":            {"abc"},
		"hours":            {"1,000.5"},
		"colour":           {"b"},
		"topics":           {"c", "", "a", "zz", "a"},
		"agreed":           {"no"},
		"why_not":          {"   "},
		"safety":           {"7"},
		"rating":           {""},
		"worker":           {"staff-1"},
		"actions.0.action": {""},
		"actions.0.due":    {""},
		"actions.1.action": {"Call the school"},
		"actions.1.due":    {"2026-02-30"},
		"actions.1.effort": {"2"},
		"actions.3.owner":  {"staff-2"},
		"actions.3.tags":   {"y", "x"},
		"actions.x.action": {"not a row"},
		"actions.4.nope":   {"not a column"},
		"favourite":        {"not a question"},
	}
	want := map[string]any{
		"name":            "Ann Smith",
		"notes":           "Line one\nLine two\n",
		"discussion_date": "2026-03-27",
		"start":           "09:30",
		"count":           "abc",
		"hours":           1000.5,
		"colour":          "b",
		"topics":          []any{"a", "c", "zz"},
		"agreed":          "no",
		"safety":          7.0,
		"worker":          "staff-1",
		"actions": []any{
			map[string]any{"action": "Call the school", "due": "2026-02-30", "effort": 2.0},
			map[string]any{"owner": "staff-2", "tags": []any{"x", "y"}},
		},
	}
	got := d.DecodeForm(post)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("DecodeForm (-want +got):\n%s", diff)
	}
	// The raw input kept is what validation reports, on the inputs the
	// page shows it in.
	errs := d.Validate(got, Draft, Context{})
	wantErrs := []FieldError{
		{"count", "Count must be a number"},
		{"topics", "Select an option from the list"},
		{"actions.0.due", "Enter due in row 1 of actions as a real date, for example 27 3 2026"},
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
}

func TestDecodeValues(t *testing.T) {
	for _, tt := range []struct {
		kind Kind
		in   string
		want any
	}{
		{KindDate, "2026-03-27", "2026-03-27"},
		{KindDate, "2026-3-7", "2026-03-07"},
		{KindDate, "7 3 2026", "2026-03-07"},
		{KindDate, "07.03.2026", "2026-03-07"},
		{KindDate, "29/2/2026", "29/2/2026"},
		{KindDate, "2026-02-30", "2026-02-30"},
		{KindDate, "next week", "next week"},
		{KindTime, "14:30", "14:30"},
		{KindTime, "14:30:00", "14:30"},
		{KindTime, "14:30:15", "14:30:15"},
		{KindTime, "9.05", "09:05"},
		{KindTime, "2pm", "14:00"},
		{KindTime, "12:15 am", "00:15"},
		{KindTime, "12pm", "12:00"},
		{KindTime, "25:00", "25:00"},
		{KindNumber, "12", 12.0},
		{KindNumber, "-1.5", -1.5},
		{KindNumber, ".5", 0.5},
		{KindNumber, "1,5", "1,5"},
		{KindNumber, "1e3", "1e3"},
		{KindNumber, "NaN", "NaN"},
		{KindNumber, "Inf", "Inf"},
		{KindNumber, "0x10", "0x10"},
		{KindScale, "10", 10.0},
		{KindText, " a b ", "a b"},
		{KindText, "", nil},
		{KindLongText, "\n  indented\n", "\n  indented\n"},
		{KindLongText, " \r\n ", nil},
	} {
		f := &Field{ID: "x", Kind: tt.kind}
		if got := decodeValue(f, []string{tt.in}); !cmp.Equal(tt.want, got) {
			t.Errorf("%s %q: got %#v, want %#v", tt.kind, tt.in, got, tt.want)
		}
	}
}

func TestPrefill(t *testing.T) {
	d := agreement(t)
	got := d.Prefill(map[string]string{
		"supervisee.name":      "Siân Gwŷnedd-Jones",
		"supervisee.job_title": "Social Worker",
		"supervisee.role":      "social_worker",
		"supervisor.name":      "Ahmed Khan",
		"supervisor.job_title": "",
		"today":                "2026-03-27",
	})
	want := map[string]any{
		"supervisee_name":      "Siân Gwŷnedd-Jones",
		"supervisee_job_title": "Social Worker",
		"supervisor_name":      "Ahmed Khan",
		"agreement_date":       "2026-03-27",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Prefill (-want +got):\n%s", diff)
	}
	got = d.Prefill(map[string]string{"last_agreement.date": "2025-04-01"})
	if diff := cmp.Diff(map[string]any{"previous_agreement_date": "2025-04-01"}, got); diff != "" {
		t.Errorf("Prefill of the last agreement (-want +got):\n%s", diff)
	}
	if errs := d.Validate(got, Draft, socialWorker()); errs != nil {
		t.Errorf("a prefilled record is not a valid draft: %v", errs)
	}
}

func TestCanonical(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	a := map[string]any{
		"name":   "<b>Ann & Bob</b>",
		"count":  3,
		"topics": []string{"a", "b"},
		"actions": []map[string]any{
			{"due": "2026-04-01", "action": "Call", "effort": 1.5},
		},
		"notes": "Tŷ\nNewydd",
	}
	b := map[string]any{}
	for _, k := range []string{"notes", "actions", "topics", "count", "name"} {
		switch k {
		case "count":
			b[k] = 3.0
		case "topics":
			b[k] = []any{"a", "b"}
		case "actions":
			b[k] = []any{map[string]any{"effort": 1.5, "action": "Call", "due": "2026-04-01"}}
		default:
			b[k] = a[k]
		}
	}
	want := `{"actions":[{"action":"Call","due":"2026-04-01","effort":1.5}],"count":3,"name":"<b>Ann & Bob</b>","notes":"Tŷ\nNewydd","topics":["a","b"]}`
	for i := 0; i < 20; i++ {
		ca, err := d.Canonical(a)
		if err != nil {
			t.Fatal(err)
		}
		cb, err := d.Canonical(b)
		if err != nil {
			t.Fatal(err)
		}
		if string(ca) != want || !bytes.Equal(ca, cb) {
			t.Fatalf("Canonical:\n a %s\n b %s\nwant %s", ca, cb, want)
		}
	}
	// What JSON gives back after a round trip hashes the same.
	var round map[string]any
	if err := json.Unmarshal([]byte(want), &round); err != nil {
		t.Fatal(err)
	}
	if c, _ := d.Canonical(round); string(c) != want {
		t.Errorf("after a round trip: %s", c)
	}
	if c, _ := d.Canonical(nil); string(c) != "{}" {
		t.Errorf("Canonical(nil) = %s", c)
	}
}

func TestSchemaIsJSONSchema202012(t *testing.T) {
	c, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	defs := append(c.List(), parseFile(t, "all-kinds.yaml", ""), parseFile(t, "rules.yaml", ""))
	for _, d := range defs {
		t.Run(d.ID, func(t *testing.T) {
			raw := d.Schema()
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if s := doc.(map[string]any)["$schema"]; s != "https://json-schema.org/draft/2020-12/schema" {
				t.Errorf("$schema = %v", s)
			}
			// The compiler checks the document against the 2020-12
			// meta-schema before compiling it.
			comp := jsonschema.NewCompiler()
			comp.AssertFormat()
			if err := comp.AddResource("schema.json", doc); err != nil {
				t.Fatal(err)
			}
			sch, err := comp.Compile("schema.json")
			if err != nil {
				t.Fatalf("does not compile: %v", err)
			}
			if err := sch.Validate(map[string]any{}); err != nil {
				t.Errorf("an empty draft fails the schema: %v", err)
			}
			if err := sch.Validate(map[string]any{"not_a_field": "x"}); err == nil {
				t.Error("the schema allows other properties")
			}
			// Schema returns a copy: a caller cannot change the catalogue.
			raw[0] = 'x'
			if d.Schema()[0] != '{' {
				t.Error("Schema shares its bytes")
			}
		})
	}
	agreementSchema, _ := Load(Builtin(), "")
	d, _ := agreementSchema.Get("supervision-agreement")
	var doc map[string]any
	if err := json.Unmarshal(d.Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	props := doc["properties"].(map[string]any)
	for _, id := range []string{"agreement_date", "times_per_year", "content", "review_date"} {
		if props[id] == nil {
			t.Errorf("schema lacks %s", id)
		}
	}
	if want := map[string]any{"type": "string", "format": "date", "title": "Review date",
		"description": "No later than 12 months after the date of agreement.", "x-owner": "author", "x-section": "review"}; !cmp.Equal(want, props["review_date"]) {
		t.Errorf("review_date schema: %v", props["review_date"])
	}
	// Who signs, in order, and who fills each section.
	if want := []any{map[string]any{"role": "supervisee", "label": "Supervisee"}, map[string]any{"role": "supervisor", "label": "Supervisor"}}; !cmp.Equal(want, doc["x-signers"]) {
		t.Errorf("x-signers: %v", doc["x-signers"])
	}
	po, _ := agreementSchema.Get("practice-observation")
	var pdoc struct {
		Properties map[string]map[string]any `json:"properties"`
		Sections   []struct {
			ID     string   `json:"id"`
			Owner  string   `json:"x-owner"`
			Fields []string `json:"fields"`
		} `json:"x-sections"`
		Signers []struct{ Role string } `json:"x-signers"`
	}
	if err := json.Unmarshal(po.Schema(), &pdoc); err != nil {
		t.Fatal(err)
	}
	owners := map[string]int{}
	for _, sec := range pdoc.Sections {
		owners[sec.Owner] += len(sec.Fields)
		for _, f := range sec.Fields {
			if pdoc.Properties[f]["x-owner"] != sec.Owner || pdoc.Properties[f]["x-section"] != sec.ID {
				t.Errorf("practice observation field %s: %v, want owner %s of section %s", f, pdoc.Properties[f], sec.Owner, sec.ID)
			}
		}
	}
	if len(pdoc.Signers) != 2 || owners["observee"] == 0 || owners["author"] == 0 {
		t.Errorf("practice observation: signers %v, fields by owner %v: want two parties filling their own sections", pdoc.Signers, owners)
	}
	if !strings.Contains(string(d.Schema()), `"maxLength": 50000`) {
		t.Error("long text has no maxLength")
	}
	if err := d.compiled.schema.Validate(any(cleanAnswers(validAgreement()))); err != nil {
		t.Errorf("a complete agreement fails the schema: %v", err)
	}
}

// A table prefilled with planner.year_ahead gets a row a date, in its first
// date column; anything that is not a date is left out.
func TestPrefillTableRows(t *testing.T) {
	c, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Get("forward-planner")
	got := d.Prefill(map[string]string{"planner.year_ahead": "2026-12-28, 2027-01-25,not a date", "supervisee.name": "Siân"})
	want := map[string]any{"supervisee_name": "Siân", "dates": []any{
		map[string]any{"date": "2026-12-28"}, map[string]any{"date": "2027-01-25"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Prefill (-want +got):\n%s", diff)
	}
	if got := d.Prefill(map[string]string{"planner.year_ahead": ""}); got["dates"] != nil {
		t.Errorf("no dates gave rows: %v", got["dates"])
	}
}
