package forms

import "fmt"

// Sample fills every field of d with a plausible answer of its kind, the
// same every time: for golden files, benchmarks and smoke tests of a
// council's own definitions. Follow-up questions are answered too. The
// answers have the right types and lengths but are not meant to satisfy the
// form's cross-field rules. personID answers person fields.
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
	return data
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
		return fmt.Sprintf("2026-%02d-%02d", 1+n%12, 1+n%28)
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
