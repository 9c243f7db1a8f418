package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DecodeForm turns an HTML form post into answers. Input names are the
// field ids; a multichoice repeats its name; a table's cells are named
// "table.N.col". Line endings become "\n"; single-line answers lose the
// spaces at their ends; empty answers are left out; table rows with nothing
// in them are dropped and the rest renumbered from 0.
//
// Nothing typed is lost: a number, date or time that cannot be read is kept
// as the text the user typed, so validation reports it and the page shows
// it again. A date may come as one value or as a date input's three boxes
// ("due.day", "due.month", "due.year"; see JoinDateParts). Dates typed the British way ("27/3/2026", "27 3 2026") become
// "2026-03-27".
func (d *Definition) DecodeForm(v url.Values) map[string]any {
	v = CombineDateParts(v) // a date input's day, month and year boxes
	data := map[string]any{}
	for _, f := range d.fields() {
		var val any
		if f.Kind == KindTable {
			if rows := decodeTable(f, v); len(rows) > 0 {
				val = rows
			}
		} else {
			val = decodeValue(f, v[f.ID])
		}
		if val != nil {
			data[f.ID] = val
		}
	}
	return data
}

func decodeTable(f *Field, v url.Values) []any {
	cells := map[int]url.Values{}
	prefix := f.ID + "."
	for name, vals := range v {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		num, col, ok := strings.Cut(rest, ".")
		if !ok || f.column(col) == nil {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			continue
		}
		if cells[n] == nil {
			cells[n] = url.Values{}
		}
		cells[n][col] = vals
	}
	nums := make([]int, 0, len(cells))
	for n := range cells {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	var rows []any
	for _, n := range nums {
		row := map[string]any{}
		for i := range f.Columns {
			c := &f.Columns[i]
			if val := decodeValue(c, cells[n][c.ID]); val != nil {
				row[c.ID] = val
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
	}
	return rows
}

// decodeValue reads one input's values; nil means no answer.
func decodeValue(f *Field, vals []string) any {
	if f.Kind == KindMultiChoice {
		return decodeMulti(f, vals)
	}
	if len(vals) == 0 {
		return nil
	}
	s := strings.ReplaceAll(vals[0], "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if f.Kind == KindLongText {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return s
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	switch f.Kind {
	case KindNumber, KindScale:
		if n, ok := parseNumber(s); ok {
			return n
		}
	case KindDate:
		if iso, ok := parseDate(s); ok {
			return iso
		}
	case KindTime:
		if hm, ok := parseTime(s); ok {
			return hm
		}
	}
	return s
}

// decodeMulti keeps the ticked options in the definition's order, and any
// value it does not know after them, so validation can report it.
func decodeMulti(f *Field, vals []string) any {
	seen := map[string]bool{}
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			seen[v] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	var out []any
	for _, o := range f.Options {
		if seen[o.Value] {
			out = append(out, o.Value)
			delete(seen, o.Value)
		}
	}
	for _, v := range vals {
		if v = strings.TrimSpace(v); seen[v] {
			out = append(out, v)
			delete(seen, v)
		}
	}
	return out
}

var (
	plainNumber     = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	groupedNumber   = regexp.MustCompile(`^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$`)
	isoDate         = regexp.MustCompile(`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$`)
	britishDate     = regexp.MustCompile(`^([0-9]{1,2})[ /.-]+([0-9]{1,2})[ /.-]+([0-9]{4})$`)
	clockTime       = regexp.MustCompile(`^([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2}))?$`)
	twelveHourClock = regexp.MustCompile(`(?i)^([0-9]{1,2})(?:[:.]([0-9]{2}))? ?([ap])\.?m\.?$`)
)

// parseNumber reads "12", "1.5", "-3" and "1,000"; not "1e3", "0x10",
// "NaN" or "Inf", which people do not type into a form.
func parseNumber(s string) (float64, bool) {
	if groupedNumber.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if !plainNumber.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// parseDate reads a real date written as 2026-03-27 or 27/3/2026 (also
// with spaces, dots or dashes) and writes it as 2026-03-27.
func parseDate(s string) (string, bool) {
	var y, m, d string
	if p := isoDate.FindStringSubmatch(s); p != nil {
		y, m, d = p[1], p[2], p[3]
	} else if p := britishDate.FindStringSubmatch(s); p != nil {
		y, m, d = p[3], p[2], p[1]
	} else {
		return "", false
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
		return "", false
	}
	return t.Format(dateLayout), true
}

// parseTime reads "9:30", "09:30", "09:30:00", "9.30", "2pm" and "2:30 pm"
// and writes "09:30" or "14:30".
func parseTime(s string) (string, bool) {
	var h, m int
	if p := clockTime.FindStringSubmatch(s); p != nil {
		h, _ = strconv.Atoi(p[1])
		m, _ = strconv.Atoi(p[2])
		if p[3] != "" && p[3] != "00" {
			return "", false
		}
	} else if p := twelveHourClock.FindStringSubmatch(s); p != nil {
		h, _ = strconv.Atoi(p[1])
		if p[2] != "" {
			m, _ = strconv.Atoi(p[2])
		}
		if h < 1 || h > 12 {
			return "", false
		}
		h %= 12
		if strings.EqualFold(p[3], "p") {
			h += 12
		}
	} else {
		return "", false
	}
	if h > 23 || m > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, m), true
}

// Prefill returns the answers a new record starts with, from values keyed
// by the fields' prefill names ("supervisee.name", "today", …). A value
// that is empty, or not one of a choice's options, is left out.
func (d *Definition) Prefill(values map[string]string) map[string]any {
	data := map[string]any{}
	for _, f := range d.fields() {
		if f.Prefill == "" {
			continue
		}
		v := strings.TrimSpace(values[f.Prefill])
		if v == "" {
			continue
		}
		if f.Kind == KindChoice && !hasOption(f, v) {
			continue
		}
		if f.Kind == KindTable {
			if rows := prefillRows(f, v); len(rows) > 0 {
				data[f.ID] = rows
			}
			continue
		}
		if f.Kind == KindDate {
			iso, ok := parseDate(v)
			if !ok {
				continue
			}
			v = iso
		}
		data[f.ID] = v
	}
	return data
}

// prefillRows makes a table's rows from comma-separated dates, one a row
// in the table's first date column.
func prefillRows(f *Field, dates string) []any {
	col := ""
	for _, c := range f.Columns {
		if c.Kind == KindDate {
			col = c.ID
			break
		}
	}
	if col == "" {
		return nil
	}
	var rows []any
	for _, d := range strings.Split(dates, ",") {
		if iso, ok := parseDate(strings.TrimSpace(d)); ok {
			rows = append(rows, map[string]any{col: iso})
		}
	}
	return rows
}

func hasOption(f *Field, v string) bool {
	for _, o := range f.options() {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Canonical returns the answers as canonical JSON, the bytes a signature's
// hash is taken over: object keys sorted, no insignificant whitespace, no
// HTML escaping, numbers in their shortest form. Equal answers give equal
// bytes however they were built (an int or a float64, []string or []any).
func (d *Definition) Canonical(data map[string]any) ([]byte, error) {
	if data == nil {
		data = map[string]any{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonValue(data)); err != nil {
		return nil, fmt.Errorf("canonical form of %s answers: %w", d.ID, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
