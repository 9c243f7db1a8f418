package forms

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const layoutBase = `id: lay
version: 1
title: Layouts
sections:
  - id: a
    title: A
    layout: %s
    fields:
      - {id: q1, kind: yesno, label: Question one}
      - {id: q1_notes, kind: longtext, label: Notes one}
      - {id: q2, kind: rag, label: Question two}
      - {id: q2_notes, kind: longtext, label: Notes two}
      - {id: list, kind: table, label: List, columns: [{id: c, kind: text, label: C}]}
  - id: b
    title: B
    statement: Fixed text.
    fields:
      - {id: b1, kind: text, label: B one}
`

func TestLayoutErrors(t *testing.T) {
	for _, tc := range []struct{ layout, want string }{
		{`tiles`, `unknown layout "tiles"`},
		{`grid`, `a grid needs its columns and rows`},
		{`{type: grid, columns: [Q, A], rows: [{cells: [nope]}]}`, `no field has the id "nope"`},
		{`{type: grid, columns: [Q, A], rows: [{cells: [list]}]}`, `"list" is a table`},
		{`{type: grid, columns: [Q, A], rows: [{cells: [q1]}, {cells: [q1]}]}`, `"q1" is already in`},
		{`{type: grid, columns: [Q, A, B, C], rows: [{cells: [q1]}]}`, `has 1 cells for 4 columns`},
		{`{type: rag, columns: [Q, A], rows: []}`, `give at least one row`},
		{`{type: pairs, columns: [Q]}`, `pairs takes no columns or rows`},
		{`{type: grid, colour: red}`, `unknown key "colour"`},
	} {
		_, err := Parse("lay.yaml", []byte(strings.Replace(layoutBase, "%s", tc.layout, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("layout %s: error %v, want %q", tc.layout, err, tc.want)
		}
	}
}

func TestPrintLeavesOutWhatIsUnanswered(t *testing.T) {
	d, err := Parse("lay.yaml", []byte(strings.Replace(layoutBase, "%s",
		`{type: rag, columns: [Question, Rating, Notes], rows: [{cells: [q1, q1_notes]}, {label: Two, cells: [q2, q2_notes]}]}`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	got := d.Print(map[string]any{"q2": "amber", "q2_notes": "Some"}, nil)
	want := []PrintSection{
		{ID: "a", Title: "A", Layout: LayoutRAG, Grid: &PrintGrid{Columns: []string{"Question", "Rating", "Notes"}, RowLabels: true, RAG: true,
			Rows: []PrintRow{{Label: "Two", Cells: []PrintCell{{Text: "Amber", RAG: "amber"}, {Text: "Some"}}}}}},
		{ID: "b", Title: "B", Statement: "Fixed text."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Print (-want +got):\n%s", diff)
	}
	if !got[1].Empty() || got[0].Empty() {
		t.Error("Empty() is wrong")
	}
}
