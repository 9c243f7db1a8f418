package forms

import "strings"

// PrintSection is a section as the documents and the record page show it:
// only what was answered, laid out as the definition says.
type PrintSection struct {
	ID, Title, Intro string
	Statement        string
	Layout           string         // "", LayoutPairs, LayoutGrid or LayoutRAG
	Fields           []DisplayField // answered questions that are in no grid, in order
	Grid             *PrintGrid     // nil when the section has no grid or nothing in it was answered
	// GridAt is where the grid goes among Fields: before Fields[GridAt:],
	// at the place of the section's first question that is in it.
	GridAt int
}

// Empty says the section has nothing answered (it prints its title and
// "Nothing recorded").
func (s *PrintSection) Empty() bool { return len(s.Fields) == 0 && s.Grid == nil }

// PrintGrid is a grid or RAG grid with its header row. RowLabels says the
// first column holds the rows' labels.
type PrintGrid struct {
	Columns   []string
	RowLabels bool
	RAG       bool
	Rows      []PrintRow
}

// PrintRow is one row of a grid.
type PrintRow struct {
	Label string
	Cells []PrintCell
}

// PrintCell is one answer in a grid; RAG is "red", "amber" or "green" for
// a RAG rating (printed with its word, never by colour alone).
type PrintCell struct {
	Text string
	RAG  string
}

// Print formats answers for the signed documents and the read-only record:
// as Display, but unanswered questions are left out, grids gather their
// answers into rows (rows with nothing answered are left out), and a
// section prints nothing at all when every question in it is hidden by
// show_if or shown in another section's grid.
func (d *Definition) Print(data map[string]any, staffName func(id string) string) []PrintSection {
	answers := cleanAnswers(data)
	hidden := d.hidden(answers)
	inGrid := map[string]bool{}
	for s := range d.Sections {
		for _, r := range d.Sections[s].Layout.Rows {
			for _, c := range r.Cells {
				for _, id := range c {
					inGrid[id] = true
				}
			}
		}
	}
	var out []PrintSection
	for s := range d.Sections {
		sec := &d.Sections[s]
		ps := PrintSection{ID: sec.ID, Title: sec.Title, Intro: sec.Intro, Statement: sec.Statement, Layout: sec.Layout.Type}
		shown := len(sec.Layout.Rows) > 0 || len(sec.Fields) == 0
		own := map[string]bool{}
		for _, r := range sec.Layout.Rows {
			for _, c := range r.Cells {
				for _, id := range c {
					own[id] = true
				}
			}
		}
		ps.GridAt = -1
		for i := range sec.Fields {
			f := &sec.Fields[i]
			if own[f.ID] && ps.GridAt < 0 {
				ps.GridAt = len(ps.Fields)
			}
			if hidden[f.ID] || inGrid[f.ID] {
				continue
			}
			shown = true
			df := DisplayField{Label: f.Label}
			if f.Kind == KindTable {
				df.IsTable = true
				df.Columns, df.Rows = displayTable(f, answers[f.ID], staffName)
				if len(df.Rows) == 0 {
					continue
				}
			} else if df.Value = displayValue(f, answers[f.ID], staffName); strings.TrimSpace(df.Value) == "" {
				continue
			}
			ps.Fields = append(ps.Fields, df)
		}
		if ps.GridAt < 0 {
			ps.GridAt = len(ps.Fields)
		}
		if lt := &sec.Layout; len(lt.Rows) > 0 {
			g := &PrintGrid{Columns: lt.Columns, RAG: lt.Type == LayoutRAG}
			visible := false
			for _, r := range lt.Rows {
				g.RowLabels = len(lt.Columns) == len(r.Cells)+1
				row := PrintRow{Label: r.Label}
				any := false
				for _, ids := range r.Cells {
					var cell PrintCell
					var parts []string
					for _, id := range ids {
						f := d.topField(id)
						if f == nil || hidden[id] {
							continue
						}
						visible = true
						if row.Label == "" {
							row.Label = f.Label
						}
						v := displayValue(f, answers[id], staffName)
						if strings.TrimSpace(v) == "" {
							continue
						}
						any = true
						if f.Kind == KindRAG {
							cell.RAG, _ = answers[id].(string)
						}
						if len(ids) > 1 {
							v = f.Label + ": " + v
						}
						parts = append(parts, v)
					}
					cell.Text = strings.Join(parts, "\n\n")
					row.Cells = append(row.Cells, cell)
				}
				if any {
					g.Rows = append(g.Rows, row)
				}
			}
			if len(g.Rows) > 0 {
				ps.Grid = g
			}
			shown = shown && (visible || len(ps.Fields) > 0 || sec.Statement != "")
		}
		if !shown {
			continue
		}
		out = append(out, ps)
	}
	return out
}
