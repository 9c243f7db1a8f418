package forms

import (
	"fmt"
	"strings"
	"time"
)

// DisplaySection is a section of answers formatted for reading and print.
type DisplaySection struct {
	Title, Intro string
	Fields       []DisplayField
}

// DisplayField is one answer formatted for reading: Value for a question,
// Columns and Rows for a table (IsTable). An unanswered question has an
// empty Value.
type DisplayField struct {
	Label, Value string
	Columns      []string
	Rows         [][]string
	IsTable      bool
}

// Display formats answers for the record page and the signed documents:
// dates as "3 March 2026", times as "2:30pm", options by their labels,
// yes/no as "Yes"/"No", a multichoice joined with "; ", a scale as "7 out
// of 10", RAG as "Red"/"Amber"/"Green", a person by staffName (nil: the
// id). Follow-up questions hidden by show_if are left out. An answer that
// is not valid (a draft's) is shown as it was typed.
func (d *Definition) Display(data map[string]any, staffName func(id string) string) []DisplaySection {
	answers := cleanAnswers(data)
	hidden := d.hidden(answers)
	out := make([]DisplaySection, 0, len(d.Sections))
	for s := range d.Sections {
		sec := &d.Sections[s]
		ds := DisplaySection{Title: sec.Title, Intro: sec.Intro, Fields: []DisplayField{}}
		for i := range sec.Fields {
			f := &sec.Fields[i]
			if hidden[f.ID] {
				continue
			}
			df := DisplayField{Label: f.Label}
			if f.Kind == KindTable {
				df.IsTable = true
				df.Columns, df.Rows = displayTable(f, answers[f.ID], staffName)
			} else {
				df.Value = displayValue(f, answers[f.ID], staffName)
			}
			ds.Fields = append(ds.Fields, df)
		}
		out = append(out, ds)
	}
	return out
}

// DisplayOne formats one question's answer as Display does; ok is false
// when there is no such question or it is a follow-up hidden by show_if.
func (d *Definition) DisplayOne(id string, data map[string]any, staffName func(id string) string) (df DisplayField, ok bool) {
	f := d.topField(id)
	if f == nil {
		return DisplayField{}, false
	}
	answers := cleanAnswers(data)
	if d.hidden(answers)[f.ID] {
		return DisplayField{}, false
	}
	df = DisplayField{Label: f.Label}
	if f.Kind == KindTable {
		df.IsTable = true
		df.Columns, df.Rows = displayTable(f, answers[f.ID], staffName)
	} else {
		df.Value = displayValue(f, answers[f.ID], staffName)
	}
	return df, true
}

func displayTable(f *Field, v any, staffName func(string) string) ([]string, [][]string) {
	cols := make([]string, len(f.Columns))
	for i := range f.Columns {
		cols[i] = f.Columns[i].Label
	}
	rows := [][]string{}
	list, _ := v.([]any)
	for _, r := range list {
		cells, _ := r.(map[string]any)
		if isBlank(cells) {
			continue
		}
		row := make([]string, len(f.Columns))
		for i := range f.Columns {
			row[i] = displayValue(&f.Columns[i], cells[f.Columns[i].ID], staffName)
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// displayValue formats one answer; "" for none.
func displayValue(f *Field, v any, staffName func(string) string) string {
	if isEmpty(v) {
		return ""
	}
	switch f.Kind {
	case KindDate:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(dateLayout, s); err == nil {
				return t.Format(displayDateLayout)
			}
		}
	case KindTime:
		if s, ok := v.(string); ok {
			if t, err := time.Parse(timeLayout, s); err == nil {
				return displayTime(t)
			}
		}
	case KindChoice, KindYesNo, KindRAG:
		if s, ok := v.(string); ok {
			return optionLabel(f, s)
		}
	case KindMultiChoice:
		if list, ok := v.([]any); ok {
			labels := make([]string, 0, len(list))
			for _, e := range list {
				labels = append(labels, optionLabel(f, plain(e)))
			}
			return strings.Join(labels, "; ")
		}
	case KindScale:
		if n, ok := v.(float64); ok {
			return formatNumber(n) + " out of 10"
		}
	case KindPerson:
		if s, ok := v.(string); ok && staffName != nil {
			return staffName(s)
		}
	}
	return plain(v)
}

// displayTime writes a time the GOV.UK way: "9:30am", "2pm", "midday".
func displayTime(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	switch {
	case h == 12 && m == 0:
		return "midday"
	case h == 0 && m == 0:
		return "midnight"
	}
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	if h = h % 12; h == 0 {
		h = 12
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h, m, suffix)
}

func optionLabel(f *Field, value string) string {
	for _, o := range f.options() {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// plain writes any answer as text.
func plain(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return formatNumber(x)
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, plain(e))
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}
