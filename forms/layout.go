package forms

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// layout reads a section's layout: "pairs", or a mapping with type,
// columns and rows for a grid or rag.
func (l *loader) layout(n *yaml.Node, ctx string) Layout {
	if n.Kind == yaml.ScalarNode {
		lt := Layout{Type: n.Value}
		switch lt.Type {
		case LayoutPairs:
		case LayoutGrid, LayoutRAG:
			l.errorf(n, ctx, "a %s needs its columns and rows (type, columns, rows)", lt.Type)
		default:
			l.errorf(n, ctx, "unknown layout %q; use grid, rag or pairs", lt.Type)
		}
		return lt
	}
	m := l.mapping(n, ctx, "type", "columns", "rows")
	if m == nil {
		return Layout{}
	}
	lt := Layout{Type: m.str("type", true)}
	switch lt.Type {
	case LayoutPairs:
		if m.has("columns") || m.has("rows") {
			l.errorf(m.key("columns", "rows"), ctx, "pairs takes no columns or rows")
		}
		return lt
	case LayoutGrid, LayoutRAG:
	case "":
		return lt
	default:
		l.errorf(m.value("type"), ctx, "unknown layout %q; use grid, rag or pairs", lt.Type)
		return lt
	}
	for _, c := range m.list("columns", true) {
		lt.Columns = append(lt.Columns, l.scalar(c, ctx+": columns"))
	}
	rows := m.list("rows", true)
	if m.has("rows") && len(rows) == 0 {
		l.errorf(m.value("rows"), ctx, "rows: give at least one row")
	}
	for i, rn := range rows {
		rctx := fmt.Sprintf("%s: row %d", ctx, i+1)
		rm := l.mapping(rn, rctx, "label", "cells")
		if rm == nil {
			continue
		}
		row := LayoutRow{Label: rm.str("label", false)}
		for _, cn := range rm.list("cells", true) {
			var ids []string
			switch cn.Kind {
			case yaml.ScalarNode:
				if cn.Tag != "!!null" && cn.Value != "" {
					ids = []string{cn.Value}
				}
			case yaml.SequenceNode:
				for _, e := range cn.Content {
					ids = append(ids, l.scalar(resolve(e), rctx+": cells"))
				}
			default:
				l.errorf(cn, rctx, "a cell is a field id or a list of field ids")
			}
			row.Cells = append(row.Cells, ids)
		}
		if len(row.Cells) == 0 {
			l.errorf(rm.value("cells"), rctx, "cells: give at least one cell")
		} else if n := len(lt.Columns); n != len(row.Cells) && n != len(row.Cells)+1 {
			l.errorf(rn, rctx, "has %d cells for %d columns; give a cell for each column (the first column may head the row labels)", len(row.Cells), n)
		}
		lt.Rows = append(lt.Rows, row)
	}
	return lt
}

// checkLayouts checks, once every field is known, that grids name fields
// of the form, none twice and none a table.
func (l *loader) checkLayouts(d *Definition) {
	seen := map[string]string{}
	for _, ref := range l.layouts {
		lt := &d.Sections[ref.section].Layout
		for i, row := range lt.Rows {
			rctx := fmt.Sprintf("%s: row %d", ref.ctx, i+1)
			for _, cell := range row.Cells {
				for _, id := range cell {
					f := d.topField(id)
					switch {
					case f == nil:
						l.errorf(ref.node, rctx, "no field has the id %q", id)
					case f.Kind == KindTable:
						l.errorf(ref.node, rctx, "%q is a table; a grid's cell holds single answers", id)
					case seen[id] != "":
						l.errorf(ref.node, rctx, "%q is already in %s", id, seen[id])
					default:
						seen[id] = rctx
					}
				}
			}
		}
	}
}
