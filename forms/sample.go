package forms

import (
	"fmt"
	"math"
	"time"
)

// Sample fills every field of d with a plausible answer of its kind, the
// same every time: for golden files, benchmarks and smoke tests of a
// council's own definitions. Follow-up questions are answered too, every
// date is in the past, and dates and numbers are then adjusted so that the
// form's date and frequency rules are met. personID answers person fields.
func Sample(d *Definition, personID string) map[string]any {
	data := map[string]any{}
	n := 0
	for _, s := range d.Sections {
		for i := range s.Fields {
			f := &s.Fields[i]
			n++
			if v := sampleValue(f, personID, n); v != nil {
				data[f.ID] = v
			}
		}
	}
	// A fix can break a rule already met (a date moved after another that
	// must follow it), so go round a few times.
	for pass := 0; pass < 5; pass++ {
		for i := range d.Rules {
			r := &d.Rules[i]
			if r.Table == "" {
				meetRule(r, ruleInput{data: data})
				continue
			}
			table := d.topField(r.Table)
			if table == nil {
				continue
			}
			rows, _ := data[table.ID].([]any)
			for _, row := range rows {
				if cells, ok := row.(map[string]any); ok {
					meetRule(r, ruleInput{data: data, row: cells, table: table})
				}
			}
		}
	}
	return data
}

// meetRule changes a sample answer so that a date or frequency rule holds.
func meetRule(r *Rule, in ruleInput) {
	set := func(name string, v any) {
		if in.row != nil && in.table.column(name) != nil {
			in.row[name] = v
		} else {
			in.data[name] = v
		}
	}
	switch r.Type {
	case RuleDateAfter:
		date, ok1 := in.date(r.Field)
		after, ok2 := in.date(r.After)
		if ok1 && ok2 && !date.After(after) {
			set(r.Field, after.AddDate(0, 0, 7).Format(dateLayout))
		}
	case RuleDateWithin:
		date, ok1 := in.date(r.Field)
		of, ok2 := in.date(r.Of)
		if ok1 && ok2 && (date.After(addMonths(of, r.Months).AddDate(0, 0, r.Days)) || date.Before(of)) {
			set(r.Field, of.AddDate(0, 0, 1).Format(dateLayout))
		}
	case RuleFrequencyAgrees:
		if weeks, ok := in.number(r.EveryWeeks); ok && weeks > 0 {
			set(r.TimesPerYear, math.Round(weeksInYear/weeks))
		}
	case RuleCaseReference:
		if v, ok := in.get(r.Field).(string); ok && !looksLikeCaseReference(v) {
			set(r.Field, "LL-1234567")
		}
	}
}

func sampleValue(f *Field, personID string, n int) any {
	switch f.Kind {
	case KindText:
		s := fmt.Sprintf("%s — ateb %d (Siân, Tŷ Newydd)", f.Label, n)
		return truncate(s, maxLen(f, DefaultTextMaxLength))
	case KindLongText:
		s := fmt.Sprintf("Answer %d to %q.\n\nA second paragraph, with Welsh letters: ŵ ŷ â ê î ô û, and a line\nbreak inside it.", n, f.Label)
		return truncate(s, maxLen(f, DefaultLongTextMaxLength))
	case KindDate:
		// In the past, in page order, a few days apart.
		return sampleBase.AddDate(0, 0, 3*n).Format(dateLayout)
	case KindTime:
		return fmt.Sprintf("%02d:%02d", 9+n%8, (n*5)%60)
	case KindNumber:
		v := 4.0
		if f.Min != nil && v < *f.Min {
			v = *f.Min
		}
		if f.Max != nil && v > *f.Max {
			v = *f.Max
		}
		return v
	case KindScale:
		return float64(n % 11)
	case KindRAG:
		return []string{"red", "amber", "green"}[n%3]
	case KindYesNo:
		return "yes"
	case KindChoice:
		if len(f.Options) == 0 {
			return nil
		}
		return f.Options[n%len(f.Options)].Value
	case KindMultiChoice:
		var vs []any
		for _, o := range f.Options {
			vs = append(vs, o.Value)
		}
		return vs
	case KindPerson:
		if personID == "" {
			return nil
		}
		return personID
	case KindTable:
		var rows []any
		for r := 0; r < 2; r++ {
			row := map[string]any{}
			for i := range f.Columns {
				c := &f.Columns[i]
				if v := sampleValue(c, personID, n*10+r*len(f.Columns)+i); v != nil {
					row[c.ID] = v
				}
			}
			rows = append(rows, row)
		}
		return rows
	}
	return nil
}

func maxLen(f *Field, def int) int {
	if f.MaxLength > 0 {
		return f.MaxLength
	}
	return def
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// sampleBase is the first sample date: every sample date is well in the past.
var sampleBase = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
