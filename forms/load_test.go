package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuiltinCatalogueLoads(t *testing.T) {
	c, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range c.List() {
		ids = append(ids, d.ID)
		if d.File != "forms/catalogue/"+d.ID+".yaml" {
			t.Errorf("%s: File = %q", d.ID, d.File)
		}
	}
	if !contains(ids, "supervision-agreement") {
		t.Errorf("List() = %v, lacks supervision-agreement", ids)
	}
}

func TestAgreementDefinition(t *testing.T) {
	d := agreement(t)
	if d.Version != 1 || d.Title != "Supervision agreement" || d.Source != "002 Appendix D; 001; 003; 004 §8" {
		t.Errorf("header: %d %q %q", d.Version, d.Title, d.Source)
	}
	if diff := cmp.Diff([]Signer{{Role: "supervisee", Label: "Supervisee"}, {Role: "supervisor", Label: "Supervisor"}}, d.Signers); diff != "" {
		t.Errorf("signers (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(d.Declaration, "We have read, understood and agree with") {
		t.Errorf("declaration: %q", d.Declaration)
	}
	type kf struct{ ID, Kind string }
	var got []kf
	for _, f := range d.fields() {
		got = append(got, kf{f.ID, string(f.Kind)})
	}
	want := []kf{
		{"supervisee_name", "text"}, {"supervisee_job_title", "text"}, {"supervisor_name", "text"}, {"supervisor_job_title", "text"},
		{"agreement_date", "date"}, {"previous_agreement_date", "date"},
		{"supervisee_aims", "longtext"}, {"supervisor_aims", "longtext"},
		{"times_per_year", "number"}, {"every_weeks", "number"}, {"session_hours", "number"},
		{"frequency_reason", "longtext"}, {"senior_manager_approval", "text"}, {"senior_manager_approval_date", "date"},
		{"location", "longtext"}, {"booking_arrangements", "longtext"}, {"informal_supervision", "longtext"},
		{"interruptions", "longtext"},
		{"recorded_by", "choice"}, {"copy_to_supervisee", "yesno"}, {"copy_within_days", "number"}, {"case_recording", "longtext"},
		{"content", "multichoice"}, {"content_notes", "longtext"},
		{"cpd_time", "longtext"},
		{"supervisor_responsibilities", "longtext"}, {"supervisee_responsibilities", "longtext"}, {"organisation_responsibilities", "longtext"},
		{"equality_diversity_power", "longtext"},
		{"confidentiality", "longtext"},
		{"feedback", "longtext"}, {"disagreements", "longtext"},
		{"review_arrangements", "longtext"}, {"review_date", "date"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	var rules []string
	for _, r := range d.Rules {
		rules = append(rules, r.Type)
	}
	if diff := cmp.Diff([]string{RuleFrequencyAgrees, RuleDateAfter, RuleDateWithin, RuleBelowMinimumRequires}, rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if f, ok := d.Field("supervisee_aims"); !ok || f.MaxLength != DefaultLongTextMaxLength {
		t.Errorf("supervisee_aims: %+v", f)
	}
}

func TestField(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	for _, tt := range []struct {
		path string
		want string // label, or "" for not found
	}{
		{"name", "Name"},
		{"actions", "Actions"},
		{"actions.due", "Due"},
		{"actions.2.due", "Due"},
		{"actions.nope", ""},
		{"name.due", ""},
		{"actions.x.due", ""},
		{"nope", ""},
		{"a.b.c.d", ""},
	} {
		f, ok := d.Field(tt.path)
		got := ""
		if ok {
			got = f.Label
		}
		if got != tt.want {
			t.Errorf("Field(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// minimal is a valid definition; broken ones below change a line of it.
const minimal = `id: note
version: 1
title: A note
signers:
  - role: supervisor
sections:
  - id: main
    title: Main
    fields:
      - id: topic
        kind: text
        label: Topic
      - id: aims
        kind: longtext
        label: Aims
      - id: held_on
        kind: date
        label: Held on
rules:
  - type: not_future
    field: held_on
    message: Held on cannot be in the future
`

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each must appear in the error, file:line first
	}{
		{"bad YAML", map[string]string{"x.yaml": strings.Replace(minimal, "title: A note", "title: A note: really", 1)},
			[]string{"x.yaml:3: not valid YAML: mapping values are not allowed in this context"}},
		{"unknown kind", map[string]string{"x.yaml": strings.Replace(minimal, "kind: longtext", "kind: lngtext", 1)},
			[]string{`x.yaml:14: field "aims": unknown kind "lngtext"; use one of text, longtext,`}},
		{"duplicate field id", map[string]string{"x.yaml": strings.Replace(minimal, "id: aims", "id: topic", 1)},
			[]string{`x.yaml:13: field "topic": another field has this id (line 10)`}},
		{"rule naming a missing field", map[string]string{"x.yaml": strings.Replace(minimal, "field: held_on", "field: held", 1)},
			[]string{`x.yaml:21: rule 1 (not_future): field "held" is not a question on this form`}},
		{"rule naming a field of the wrong kind", map[string]string{"x.yaml": strings.Replace(minimal, "field: held_on", "field: aims", 1)},
			[]string{`x.yaml:21: rule 1 (not_future): field "aims" is a longtext field; this rule needs a date field`}},
		{"unknown rule type", map[string]string{"x.yaml": strings.Replace(minimal, "type: not_future", "type: not_in_future", 1)},
			[]string{`x.yaml:20: rule 1: unknown rule type "not_in_future"; use one of frequency_agrees,`}},
		{"key that does not apply to the rule", map[string]string{"x.yaml": minimal + "    months: 3\n"},
			[]string{`x.yaml:23: rule 1 (not_future): "months" does not apply to a not_future rule`}},
		{"rule without a message", map[string]string{"x.yaml": strings.Replace(minimal, "    message: Held on cannot be in the future\n", "", 1)},
			[]string{`x.yaml:20: rule 1 (not_future): needs "message"`}},
		{"misspelt key", map[string]string{"x.yaml": strings.Replace(minimal, "label: Aims", "lable: Aims", 1)},
			[]string{`x.yaml:15: field "aims": unknown key "lable"`, `x.yaml:13: field "aims": needs "label"`}},
		{"show_if naming a missing field", map[string]string{"x.yaml": strings.Replace(minimal, "label: Aims", "label: Aims\n        show_if: {field: topik, equals: x}", 1)},
			[]string{`x.yaml:16: field "aims": show_if names "topik", which is not a question on this form`}},
		{"options on a text field", map[string]string{"x.yaml": strings.Replace(minimal, "label: Topic", "label: Topic\n        options: [{value: a, label: A}]", 1)},
			[]string{`x.yaml:13: field "topic": options does not apply to a text field`}},
		{"choice without options", map[string]string{"x.yaml": strings.Replace(minimal, "kind: text", "kind: choice", 1)},
			[]string{`x.yaml:10: field "topic": a choice field needs options`}},
		{"unknown prefill", map[string]string{"x.yaml": strings.Replace(minimal, "label: Topic", "label: Topic\n        prefill: supervisee.email", 1)},
			[]string{`x.yaml:13: field "topic": unknown prefill "supervisee.email"`}},
		{"version not a number", map[string]string{"x.yaml": strings.Replace(minimal, "version: 1", "version: one", 1)},
			[]string{`x.yaml:2: version must be a whole number, not "one"`}},
		{"owner not a signer", map[string]string{"x.yaml": strings.Replace(minimal, "title: Main", "title: Main\n    owner: observer", 1)},
			[]string{`x.yaml:9: section "main": owner "observer" is not one of the signers' roles (supervisor)`}},
		{"signer after a role not listed before it", map[string]string{"x.yaml": strings.Replace(minimal, "  - role: supervisor\n", "  - role: supervisor\n    after: [supervisee]\n  - role: supervisee\n", 1)},
			[]string{`x.yaml:6: signer 1: after "supervisee", which is not a signer listed before this one`}},
		{"signer after itself", map[string]string{"x.yaml": strings.Replace(minimal, "  - role: supervisor\n", "  - role: supervisor\n    after: [supervisor]\n", 1)},
			[]string{`x.yaml:6: signer 1: after "supervisor", which is not a signer listed before this one`}},
		{"empty file", map[string]string{"x.yaml": ""}, []string{"x.yaml: the file is empty"}},
		{"two definitions with one id and version", map[string]string{"a.yaml": minimal, "b.yaml": minimal},
			[]string{`b.yaml: form "note" version 1 is also defined in`}},
		{"every broken file is reported", map[string]string{
			"a.yaml": strings.Replace(minimal, "kind: longtext", "kind: lngtext", 1),
			"b.yaml": strings.Replace(minimal, "field: held_on", "field: held", 1),
		}, []string{`a.yaml:14:`, `b.yaml:21:`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c, err := Load(Builtin(), dir)
			if err == nil {
				t.Fatalf("Load succeeded: %v", c.List())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), filepath.Join(dir, w)) {
					t.Errorf("error lacks %q:\n%v", filepath.Join(dir, w), err)
				}
			}
		})
	}
}

// A signer may wait for signers listed before it ("after"); the schema's
// x-signers says so.
func TestSignerAfter(t *testing.T) {
	src := strings.Replace(minimal, "  - role: supervisor\n", "  - role: supervisee\n  - role: supervisor\n  - role: senior_manager\n    label: Senior manager\n    after: [supervisee, supervisor]\n", 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Get("note")
	want := []Signer{{Role: "supervisee", Label: "Supervisee"}, {Role: "supervisor", Label: "Supervisor"}, {Role: "senior_manager", Label: "Senior manager", After: []string{"supervisee", "supervisor"}}}
	if diff := cmp.Diff(want, d.Signers); diff != "" {
		t.Errorf("signers (-want +got):\n%s", diff)
	}
	var schema struct {
		Signers []map[string]any `json:"x-signers"`
	}
	if err := json.Unmarshal(d.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	wantJSON := []map[string]any{{"role": "supervisee", "label": "Supervisee"}, {"role": "supervisor", "label": "Supervisor"},
		{"role": "senior_manager", "label": "Senior manager", "after": []any{"supervisee", "supervisor"}}}
	if diff := cmp.Diff(wantJSON, schema.Signers); diff != "" {
		t.Errorf("x-signers (-want +got):\n%s", diff)
	}
}

func TestLoadMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nowhere")
	if _, err := Load(Builtin(), dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Load(%q) = %v", dir, err)
	}
}

func TestOverride(t *testing.T) {
	builtinSrc, err := os.ReadFile("catalogue/supervision-agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := bytes.Replace(builtinSrc, []byte("version: 1"), []byte("version: 2"), 1)
	v2 = bytes.Replace(v2, []byte("label: Where we will meet"), []byte("label: Where we will meet (Testshire)"), 1)
	dir := t.TempDir()
	for name, src := range map[string][]byte{
		"supervision-agreement-v2.yaml": v2,
		"aardvark.yml":                  []byte(strings.Replace(minimal, "title: A note", "title: Aardvark note", 1)),
		"README.txt":                    []byte("not a definition"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(Builtin(), dir)
	if err != nil {
		t.Fatal(err)
	}
	latest, ok := c.Get("supervision-agreement")
	if !ok || latest.Version != 2 {
		t.Fatalf("Get = %+v, %v", latest, ok)
	}
	if f, _ := latest.Field("location"); f.Label != "Where we will meet (Testshire)" {
		t.Errorf("v2 label %q", f.Label)
	}
	old, ok := c.GetVersion("supervision-agreement", 1)
	if !ok || old.Version != 1 || old.File != "forms/catalogue/supervision-agreement.yaml" {
		t.Fatalf("GetVersion 1 = %+v, %v", old, ok)
	}
	if f, _ := old.Field("location"); f.Label != "Where we will meet" {
		t.Errorf("v1 label %q", f.Label)
	}
	if _, ok := c.GetVersion("supervision-agreement", 3); ok {
		t.Error("GetVersion 3 found something")
	}
	if diff := cmp.Diff([]int{1, 2}, c.Versions("supervision-agreement")); diff != "" {
		t.Errorf("Versions (-want +got):\n%s", diff)
	}
	// List has each form once, at its latest version, sorted by title.
	builtin, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, d := range c.List() {
		titles = append(titles, fmt.Sprintf("%s v%d", d.Title, d.Version))
	}
	if !slices.IsSorted(titles) || !slices.Contains(titles, "Aardvark note v1") || !slices.Contains(titles, "Supervision agreement v2") ||
		slices.Contains(titles, "Supervision agreement v1") || len(titles) != len(builtin.List())+1 {
		t.Errorf("List: %q", titles)
	}
	if _, ok := c.Get("note"); !ok {
		t.Error("the council's new form is not loaded")
	}
}

func TestOverrideSameVersionReplaces(t *testing.T) {
	src, err := os.ReadFile("catalogue/supervision-agreement.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src = bytes.Replace(src, []byte("title: Supervision agreement"), []byte("title: Our supervision agreement"), 1)
	if err := os.WriteFile(filepath.Join(dir, "supervision-agreement.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(Builtin(), dir)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.GetVersion("supervision-agreement", 1)
	if d.Title != "Our supervision agreement" || d.File != filepath.Join(dir, "supervision-agreement.yaml") {
		t.Errorf("got %q from %s", d.Title, d.File)
	}
}

func TestNewCatalogue(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	c, err := NewCatalogue(d)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Get("all-kinds"); !ok || got != d {
		t.Errorf("Get = %v, %v", got, ok)
	}
	if _, err := NewCatalogue(d, d); err == nil {
		t.Error("a definition given twice was accepted")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
