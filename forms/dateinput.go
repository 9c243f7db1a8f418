package forms

import (
	"net/url"
	"strconv"
	"strings"
)

// A date is asked for on a page as the GOV.UK date input: three boxes
// named "<name>.day", "<name>.month" and "<name>.year". What is typed is
// read here, so the pages and the form posts agree on it.

// DatePartSuffixes are the three boxes' name endings, in page order.
var DatePartSuffixes = [3]string{".day", ".month", ".year"}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// JoinDateParts reads a date input's three boxes. Nothing typed gives "";
// a real date gives it as 2026-03-27; anything else is kept as typed,
// "day/month/year" (a box left empty stays empty), so that validation can
// say what is wrong and the page can show the boxes again as they were.
// A whole date typed into one box ("27/3/2026") is read as that date.
func JoinDateParts(day, month, year string) string {
	day, month, year = strings.TrimSpace(day), strings.TrimSpace(month), strings.TrimSpace(year)
	if day == "" && month == "" && year == "" {
		return ""
	}
	filled := 0
	whole := ""
	for _, p := range []string{day, month, year} {
		if p != "" {
			filled++
			whole = p
		}
	}
	if filled == 1 {
		if iso, ok := parseDate(whole); ok {
			return iso
		}
	}
	m := month
	if n, ok := monthNames[strings.ToLower(strings.TrimSuffix(month, "."))]; ok {
		m = strconv.Itoa(n)
	}
	if day != "" && m != "" && len(year) == 4 {
		if iso, ok := parseDate(year + "-" + m + "-" + day); ok {
			return iso
		}
	}
	return day + "/" + month + "/" + year
}

// SplitDate is the inverse for showing a date input again: a stored date
// (2026-03-27) or one kept as typed ("32/3/2026", "27//2026") as its three
// boxes. Text that is neither is put whole in the day box, so nothing
// typed is hidden.
func SplitDate(s string) (day, month, year string) {
	if s == "" {
		return "", "", ""
	}
	if p := isoDate.FindStringSubmatch(s); p != nil {
		d, _ := strconv.Atoi(p[3])
		m, _ := strconv.Atoi(p[2])
		return strconv.Itoa(d), strconv.Itoa(m), p[1]
	}
	if parts := strings.Split(s, "/"); len(parts) == 3 {
		return parts[0], parts[1], parts[2]
	}
	return s, "", ""
}

// DateProblem says which boxes of a date kept as typed are wrong, for a
// message naming them and for marking those boxes: the empty ones when any
// is empty, else any that cannot be a day, month or year, else all three
// (the parts are each fine but make no real date, as 31 2 2026).
func DateProblem(s string) (missing bool, bad [3]bool) {
	if _, ok := parseDate(s); ok || s == "" {
		return false, bad
	}
	day, month, year := SplitDate(s)
	parts := [3]string{day, month, year}
	for i, p := range parts {
		if p == "" {
			bad[i], missing = true, true
		}
	}
	if missing {
		return true, bad
	}
	n := func(p string, lo, hi int) bool {
		v, err := strconv.Atoi(p)
		return err == nil && v >= lo && v <= hi
	}
	_, named := monthNames[strings.ToLower(strings.TrimSuffix(month, "."))]
	bad[0] = !n(day, 1, 31)
	bad[1] = !named && !n(month, 1, 12)
	bad[2] = len(year) != 4 || !n(year, 1, 9999)
	if !bad[0] && !bad[1] && !bad[2] {
		bad = [3]bool{true, true, true}
	}
	return false, bad
}

// dateMessageFor is the GOV.UK date input's error for an answer that is
// not a real date: which part is missing, a year without 4 numbers, or
// not a real date.
func dateMessageFor(name string, v any) string {
	s, ok := v.(string)
	if _, real := parseDate(s); !ok || real {
		return dateMessage(name) // a real date in another format (the API takes 2026-03-27)
	}
	missing, bad := DateProblem(s)
	Name := upperFirst(name)
	if missing {
		var parts []string
		for i, w := range []string{"day", "month", "year"} {
			if bad[i] {
				parts = append(parts, w)
			}
		}
		if len(parts) == 3 {
			return dateMessage(name)
		}
		return Name + " must include a " + strings.Join(parts, " and ")
	}
	if !strings.Contains(s, "/") {
		return dateMessage(name)
	}
	if bad[2] && !bad[0] && !bad[1] {
		return "The year of " + name + " must include 4 numbers"
	}
	return Name + " must be a real date"
}

// CombineDateParts returns the values with each date input's three boxes
// ("due.day", "due.month", "due.year") read into one value ("due") by
// JoinDateParts, for readers that take a date as one value. Other values
// are kept; the given values are not changed.
func CombineDateParts(v url.Values) url.Values {
	var out url.Values
	for k := range v {
		base, ok := strings.CutSuffix(k, ".day")
		if !ok {
			continue
		}
		if _, has := v[base+".month"]; !has {
			continue
		}
		if _, has := v[base+".year"]; !has {
			continue
		}
		if out == nil {
			out = make(url.Values, len(v))
			for k2, vals := range v {
				out[k2] = vals
			}
		}
		out[base] = []string{JoinDateParts(v.Get(base+".day"), v.Get(base+".month"), v.Get(base+".year"))}
		delete(out, base+".day")
		delete(out, base+".month")
		delete(out, base+".year")
	}
	if out == nil {
		return v
	}
	return out
}

// DateInputMessage is the GOV.UK date input's error for a date typed into
// the three boxes that is not a real date (which box is missing, a year
// without 4 numbers, or not a real date), naming it as name ("end date").
// ok is false when typed did not come from the three boxes (an API's
// value, say): the caller's own message, with the format it takes, fits
// that better.
func DateInputMessage(name, typed string) (msg string, ok bool) {
	if !strings.Contains(typed, "/") {
		return "", false
	}
	if _, real := parseDate(typed); real {
		return "", false
	}
	return dateMessageFor(name, typed), true
}
