package forms

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func manyRows(n int) []any {
	rows := make([]any, n)
	for i := range rows {
		rows[i] = map[string]any{"action": fmt.Sprintf("Action %d", i+1)}
	}
	return rows
}

// A table has at most max_rows rows (100 by default): more are refused with
// a message saying how many to remove, from JSON and from a page post, and
// the schema says so.
func TestTableRowLimits(t *testing.T) {
	d := parseFile(t, "all-kinds.yaml", "")
	if f, _ := d.Field("actions"); f.MaxRows != DefaultTableMaxRows {
		t.Fatalf("default max_rows = %d, want %d", f.MaxRows, DefaultTableMaxRows)
	}
	if errs := d.Validate(map[string]any{"actions": manyRows(100)}, Draft, Context{}); len(errs) != 0 {
		t.Errorf("100 rows: %v", errs)
	}
	want := []FieldError{{"actions", "Actions can have 100 rows at most: remove 9,900 rows"}}
	if diff := cmp.Diff(want, d.Validate(map[string]any{"actions": manyRows(10000)}, Draft, Context{})); diff != "" {
		t.Errorf("10,000 rows (-want +got):\n%s", diff)
	}
	// The same from a page post.
	post := url.Values{}
	for i := range 101 {
		post.Set(fmt.Sprintf("actions.%d.action", i), "Call")
	}
	want = []FieldError{{"actions", "Actions can have 100 rows at most: remove 1 row"}}
	if diff := cmp.Diff(want, d.Validate(d.DecodeForm(post), Draft, Context{})); diff != "" {
		t.Errorf("101 rows posted (-want +got):\n%s", diff)
	}

	var schema struct {
		Properties map[string]struct {
			MaxItems int `json:"maxItems"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(d.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	if got := schema.Properties["actions"].MaxItems; got != 100 {
		t.Errorf("schema maxItems = %d, want 100", got)
	}

	// A definition's own limit.
	src := `
id: small
version: 1
title: Small
signers: [{role: supervisee}]
sections:
  - id: one
    title: One
    fields:
      - id: dates
        kind: table
        label: Dates
        max_rows: 2
        columns: [{id: when, kind: date, label: When}]
`
	small, err := Parse("small.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rows := []any{map[string]any{"when": "2026-01-01"}, map[string]any{"when": "2026-01-02"}, map[string]any{"when": "2026-01-03"}}
	want = []FieldError{{"dates", "Dates can have 2 rows at most: remove 1 row"}}
	if diff := cmp.Diff(want, small.Validate(map[string]any{"dates": rows}, Draft, Context{})); diff != "" {
		t.Errorf("max_rows 2 (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"0", "2001", "-1"} {
		_, err := Parse("bad.yaml", []byte(strings.Replace(src, "max_rows: 2", "max_rows: "+bad, 1)))
		if err == nil || !strings.Contains(err.Error(), "max_rows must be from 1 to 2000") {
			t.Errorf("max_rows %s: %v", bad, err)
		}
	}
	_, err = Parse("bad.yaml", []byte(strings.Replace(src, "label: When}", "label: When, max_rows: 3}", 1)))
	if err == nil || !strings.Contains(err.Error(), "max_rows does not apply to a date field") {
		t.Errorf("max_rows on a date: %v", err)
	}
}
