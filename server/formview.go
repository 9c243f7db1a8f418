package server

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
)

// FieldVM is one input on a form page, built from a definition field, the
// answers and the errors, so the templates make no decisions of their own.
type FieldVM struct {
	ID, Name, Kind, Label, Hint string
	Required                    bool
	Value                       string
	Options                     []OptionVM
	Inline                      bool
	Rows                        int
	Width                       string
	Error                       string
	ReadOnly                    bool
	Table                       *TableVM
	// Answer is the formatted answer of a field shown read-only (another
	// party's part), as the record page shows it.
	Answer forms.DisplayField
	// ShowIf says when a follow-up question is to be answered ("Answer
	// this if…"); Revealed: it is shown under the option that calls for
	// it (GOV.UK conditional reveal), so the sentence is only for pages
	// without JavaScript, where every follow-up is shown.
	ShowIf   string
	Revealed bool
}

// OptionVM is one radio, checkbox or select option.
type OptionVM struct {
	Value, Label string
	Checked      bool
	// Reveal are the follow-up questions asked when this option is chosen.
	Reveal []FieldVM
}

// TableVM is a repeating answer: one FieldVM per cell.
type TableVM struct {
	Columns []string
	Rows    [][]FieldVM
	MaxRows int  // the form's max_rows
	Full    bool // no more rows may be added
	// Action is where the Add and Remove buttons post (the page's own
	// address): with the table's id as the fragment, the page opens again
	// at the table. Empty: the form's own action.
	Action string
}

// setTableActions sets the tables' Action to the page's address.
func setTableActions(secs []SectionVM, path string) {
	var walk func(fields []FieldVM)
	walk = func(fields []FieldVM) {
		for i := range fields {
			if fields[i].Table != nil && !fields[i].ReadOnly {
				fields[i].Table.Action = path
			}
			for o := range fields[i].Options {
				walk(fields[i].Options[o].Reveal)
			}
		}
	}
	for i := range secs {
		walk(secs[i].Fields)
	}
}

// SectionVM is a titled group of inputs, or, when ReadOnly, of another
// party's answers (Owner says whose).
type SectionVM struct {
	Title, Intro string
	Statement    string // the form's fixed policy text, shown as it prints
	Fields       []FieldVM
	ReadOnly     bool
	Owner        string
}

type person struct{ ID, Name string }

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprint(v)
}

func chosen(v any) map[string]bool {
	m := map[string]bool{}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			m[formatValue(e)] = true
		}
	case []string:
		for _, e := range x {
			m[e] = true
		}
	case nil:
	default:
		m[formatValue(x)] = true
	}
	return m
}

// buildSections makes the page's inputs. writes says whether the actor
// writes a section with an owner; a section they do not is shown read-only.
func buildSections(def *forms.Definition, data map[string]any, errs map[string]string, people []person, writes func(owner string) bool) []SectionVM {
	// Sized up front: growing them by appending was a third of the cost of
	// building a filled form's sections.
	var out []SectionVM
	if len(def.Sections) > 0 {
		out = make([]SectionVM, 0, len(def.Sections))
	}
	nameOf := func(id string) string {
		for _, p := range people {
			if p.ID == id {
				return p.Name
			}
		}
		return id
	}
	for _, sec := range def.Sections {
		readOnly := !writes(sec.Owner)
		svm := SectionVM{Title: sec.Title, Intro: sec.Intro, Statement: sec.Statement, ReadOnly: readOnly, Owner: ownerLabel(def, sec.Owner)}
		if len(sec.Fields) > 0 {
			svm.Fields = make([]FieldVM, 0, len(sec.Fields))
		}
		for i := range sec.Fields {
			f := &sec.Fields[i]
			if readOnly {
				if answer, ok := def.DisplayOne(f.ID, data, nameOf); ok {
					svm.Fields = append(svm.Fields, FieldVM{ID: anchor(f.ID), Name: f.ID, Kind: string(f.Kind), Label: f.Label,
						Error: errs[f.ID], ReadOnly: true, Answer: answer})
				}
				continue
			}
			svm.Fields = append(svm.Fields, buildField(def, f, f.ID, data[f.ID], errs, people, false))
		}
		if !readOnly {
			svm.Fields = nestFollowUps(&sec, svm.Fields)
		}
		out = append(out, svm)
	}
	return out
}

// lockOthersLearning shows the rows of a group record's learning that are
// other attendees' read-only. An attendee writes only their own row (the
// service keeps the others as stored), so a row they could type into but
// not change would drop what they typed.
func lockOthersLearning(secs []SectionVM, v *supervision.RecordView) {
	if !supervision.IsGroup(v.Form) || v.Access == nil || v.Access.File == nil || v.Access.File.Actor == nil {
		return
	}
	me := v.Access.File.Actor.ID
	for si := range secs {
		for fi := range secs[si].Fields {
			f := &secs[si].Fields[fi]
			if f.Name != "learning" || f.Table == nil || f.ReadOnly {
				continue
			}
			for _, row := range f.Table.Rows {
				mine := false
				for _, cell := range row {
					if strings.HasSuffix(cell.Name, ".attendee") {
						for _, o := range cell.Options {
							mine = mine || (o.Checked && o.Value == me)
						}
					}
				}
				if !mine {
					for i := range row {
						row[i].ReadOnly = true
					}
				}
			}
		}
	}
}

// hasPersonField reports whether a form has a person field, alone or as a
// table's column: the only fields whose options or answers need staff names.
func hasPersonField(def *forms.Definition) bool {
	for _, sec := range def.Sections {
		for _, f := range sec.Fields {
			if f.Kind == forms.KindPerson {
				return true
			}
			for _, col := range f.Columns {
				if col.Kind == forms.KindPerson {
					return true
				}
			}
		}
	}
	return false
}

// ownerLabel names who fills in a section: its owner's signer label, or
// for the author's sections the first signer on the supervisor's side.
func ownerLabel(def *forms.Definition, owner string) string {
	for _, sg := range def.Signers {
		if (owner != "" && sg.Role == owner) || (owner == "" && supervision.Party(sg.Role) == "supervisor") {
			return sg.Label
		}
	}
	return map[bool]string{true: "Supervisor", false: "Supervisee"}[owner == ""]
}

func buildField(def *forms.Definition, f *forms.Field, name string, value any, errs map[string]string, people []person, readOnly bool) FieldVM {
	vm := FieldVM{
		ID: anchor(name), Name: name, Kind: string(f.Kind), Label: f.Label, Hint: f.Hint,
		Required: f.Required, Rows: f.Rows, Width: f.Width, Error: errs[name], ReadOnly: readOnly,
	}
	if f.ShowIf != nil {
		if cond, ok := def.Field(f.ShowIf.Field); ok {
			answer := f.ShowIf.Equals
			for _, o := range optionsOf(cond, nil) {
				if o.Value == f.ShowIf.Equals {
					answer = o.Label
				}
			}
			vm.ShowIf = fmt.Sprintf("Answer this if the answer to ‘%s’ is ‘%s’.", cond.Label, answer)
		}
	}
	if f.Kind == "date" && vm.Hint == "" {
		vm.Hint = "For example, 27 3 2026"
	}
	if vm.Rows == 0 {
		vm.Rows = 5
	}
	switch f.Kind {
	case "date":
		vm.Width = "10"
	case "time":
		vm.Width = "5"
	case "number":
		if vm.Width == "" {
			vm.Width = "5"
		}
	}
	switch f.Kind {
	case "table":
		vm.Table = &TableVM{}
		for _, col := range f.Columns {
			vm.Table.Columns = append(vm.Table.Columns, col.Label)
		}
		rows, _ := value.([]any)
		if len(rows) == 0 && !readOnly {
			rows = []any{map[string]any{}}
		}
		for r, row := range rows {
			cells, _ := row.(map[string]any)
			var rvm []FieldVM
			for c := range f.Columns {
				col := &f.Columns[c]
				cell := buildField(def, col, fmt.Sprintf("%s.%d.%s", name, r, col.ID), cells[col.ID], errs, people, readOnly)
				cell.Label = fmt.Sprintf("%s, row %d", col.Label, r+1)
				rvm = append(rvm, cell)
			}
			vm.Table.Rows = append(vm.Table.Rows, rvm)
		}
		vm.Table.MaxRows = f.MaxRows
		vm.Table.Full = f.MaxRows > 0 && len(rows) >= f.MaxRows
		// A table's own error (such as "add at least one row") may be keyed
		// by its name; cell errors are shown in their cells.
	case "choice", "multichoice", "yesno", "rag", "scale", "person":
		vm.Options = optionsOf(f, people)
		sel := chosen(value)
		for i := range vm.Options {
			vm.Options[i].Checked = sel[vm.Options[i].Value]
		}
		vm.Inline = f.Kind == "yesno" || f.Kind == "scale" || f.Kind == "rag"
		if f.Kind == "choice" && len(vm.Options) <= 2 {
			vm.Inline = true
		}
	default:
		vm.Value = formatValue(value)
	}
	return vm
}

func optionsOf(f *forms.Field, people []person) []OptionVM {
	switch f.Kind {
	case "yesno":
		return []OptionVM{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}
	case "rag":
		return []OptionVM{{Value: "red", Label: "Red"}, {Value: "amber", Label: "Amber"}, {Value: "green", Label: "Green"}}
	case "scale":
		var o []OptionVM
		for i := 0; i <= 10; i++ {
			o = append(o, OptionVM{Value: strconv.Itoa(i), Label: strconv.Itoa(i)})
		}
		return o
	case "person":
		var o []OptionVM
		for _, p := range people {
			o = append(o, OptionVM{Value: p.ID, Label: p.Name})
		}
		return o
	}
	var o []OptionVM
	for _, op := range f.Options {
		o = append(o, OptionVM{Value: op.Value, Label: op.Label})
	}
	return o
}

// tableAction applies an "add-row:<table>" or "remove-row:<table>:<n>"
// button to the posted answers, keeping everything else typed.
func tableAction(def *forms.Definition, data map[string]any, action string) bool {
	var table string
	var n int
	switch {
	case len(action) > 8 && action[:8] == "add-row:":
		table = action[8:]
		f, ok := def.Field(table)
		if !ok || f.Kind != "table" {
			return false
		}
		rows, _ := data[table].([]any)
		if len(rows) == 0 {
			rows = []any{map[string]any{}} // the empty row on the page was dropped on decode
		}
		if f.MaxRows > 0 && len(rows) >= f.MaxRows {
			data[table] = rows // full: the page says so instead of adding
			return true
		}
		data[table] = append(rows, map[string]any{})
		return true
	case len(action) > 11 && action[:11] == "remove-row:":
		rest := action[11:]
		i := len(rest) - 1
		for i >= 0 && rest[i] != ':' {
			i--
		}
		if i < 0 {
			return false
		}
		table = rest[:i]
		var err error
		if n, err = strconv.Atoi(rest[i+1:]); err != nil {
			return false
		}
		rows, _ := data[table].([]any)
		if n >= 0 && n < len(rows) {
			data[table] = append(rows[:n:n], rows[n+1:]...)
		}
		return true
	}
	return false
}

func sortPeople(p []person) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].Name != p[j].Name {
			return p[i].Name < p[j].Name
		}
		return p[i].ID < p[j].ID
	})
}

// nestFollowUps moves each follow-up question (show_if) under the option
// of its question that calls for it, where that question is a set of
// radios or checkboxes in the same section and the rule names one answer:
// GOV.UK's conditional reveal. Others stay where they are, with their
// "Answer this if…" sentence. A question with follow-ups is not inline
// (GOV.UK: conditional reveals do not work with inline radios).
func nestFollowUps(sec *forms.Section, fields []FieldVM) []FieldVM {
	at := map[string]int{}
	for i := range fields {
		at[fields[i].Name] = i
	}
	moved := map[int]bool{}
	for i := range sec.Fields {
		f := &sec.Fields[i]
		if f.ShowIf == nil || f.ShowIf.Equals == "" {
			continue
		}
		ci, ok := at[f.ShowIf.Field]
		fi, ok2 := at[f.ID]
		if !ok || !ok2 || ci == fi || moved[ci] {
			continue
		}
		cond := &fields[ci]
		if !isKind(cond.Kind, "choice", "multichoice", "yesno") {
			continue
		}
		for o := range cond.Options {
			if cond.Options[o].Value == f.ShowIf.Equals {
				fv := fields[fi]
				fv.Revealed = true
				cond.Options[o].Reveal = append(cond.Options[o].Reveal, fv)
				cond.Inline = false
				moved[fi] = true
				break
			}
		}
	}
	if len(moved) == 0 {
		return fields
	}
	out := make([]FieldVM, 0, len(fields)-len(moved))
	for i := range fields {
		if !moved[i] {
			out = append(out, fields[i])
		}
	}
	return out
}

// paras splits a form's fixed text into paragraphs (at blank lines) of
// lines, for a template to show as it prints.
func paras(s string) [][]string {
	var out [][]string
	var cur []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) == "" {
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}
