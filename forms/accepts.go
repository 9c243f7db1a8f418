package forms

import (
	"math"
	"time"
	"unicode/utf8"
)

// schemaAccepts reports whether the definition's JSON Schema (schemaDoc)
// accepts answers (as cleanAnswers leaves them), checked by hand for the
// built-in field kinds. Nearly every save and page holds answers the schema
// accepts, and the schema pass was about a tenth of a save's CPU; Validate
// runs the schema only when this says no, so its messages come from the
// schema as before. It must never say yes to what the schema refuses
// (TestSchemaAcceptsAgreesWithSchema checks both ways over the catalogue
// and fuzzed answers); for anything it is unsure of (a kind it does not
// know, a value that is not plain JSON) it says no.
func (d *Definition) schemaAccepts(answers map[string]any) bool {
	for id, v := range answers {
		f := d.topField(id)
		if f == nil || !fieldAccepts(f, v) {
			return false
		}
	}
	return true
}

// fieldAccepts mirrors fieldSchema for one answer.
func fieldAccepts(f *Field, v any) bool {
	switch f.Kind {
	case KindText, KindLongText:
		s, ok := v.(string)
		return ok && utf8.RuneCountInString(s) <= f.maxLength()
	case KindDate:
		s, ok := v.(string)
		if !ok {
			return false
		}
		// The "date" format as the schema library checks it.
		_, err := time.Parse("2006-01-02", s)
		return err == nil
	case KindTime:
		s, ok := v.(string)
		return ok && isTimeOfDay(s)
	case KindNumber:
		x, ok := v.(float64)
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		if f.Integer && x != math.Trunc(x) {
			return false
		}
		return (f.Min == nil || x >= *f.Min) && (f.Max == nil || x <= *f.Max)
	case KindScale:
		x, ok := v.(float64)
		return ok && x == math.Trunc(x) && x >= 0 && x <= 10
	case KindChoice, KindYesNo, KindRAG:
		s, ok := v.(string)
		return ok && isOption(f, s)
	case KindMultiChoice:
		items, ok := v.([]any)
		if !ok || len(items) > len(f.options()) {
			return false // more items than options: one is repeated or not an option
		}
		for i, it := range items {
			s, ok := it.(string)
			if !ok || !isOption(f, s) {
				return false
			}
			for _, before := range items[:i] {
				if before.(string) == s {
					return false // uniqueItems
				}
			}
		}
		return true
	case KindPerson:
		s, ok := v.(string)
		n := utf8.RuneCountInString(s)
		return ok && n >= 1 && n <= 200
	case KindTable:
		rows, ok := v.([]any)
		if !ok || len(rows) > f.maxRows() {
			return false
		}
		for _, r := range rows {
			cells, ok := r.(map[string]any)
			if !ok {
				return false
			}
			for id, cv := range cells {
				c := f.column(id)
				if c == nil || !fieldAccepts(c, cv) {
					return false
				}
			}
		}
		return true
	}
	return false
}

func isOption(f *Field, s string) bool {
	for _, o := range f.options() {
		if o.Value == s {
			return true
		}
	}
	return false
}

// isTimeOfDay is timePattern, ^([01][0-9]|2[0-3]):[0-5][0-9]$, by hand.
func isTimeOfDay(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	h0, h1, m0, m1 := s[0], s[1], s[3], s[4]
	if !digit(h1) || !digit(m1) || m0 < '0' || m0 > '5' {
		return false
	}
	return h0 == '0' || h0 == '1' || (h0 == '2' && h1 <= '3')
}
