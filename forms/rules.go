package forms

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Rule is a check across answers, written in the definition as data. Its
// Type is one of a small fixed vocabulary (the Rule* constants), each
// implemented once here for every form.
//
// With Table set the rule is checked on every row of that table: names are
// looked up first among the table's columns, then among the form's
// questions, and errors name the cell ("actions.2.due").
//
// A rule fires only when the answers it compares are present and valid, so
// a half-finished draft is not held up, except required_if and
// below_minimum_requires, which ask for an answer in every mode once they
// are triggered. Message may use {row} (the row number), {min} (the policy
// minimum), {times}, {weeks}, {expected} (52 / weeks, rounded) and {months}.
type Rule struct {
	Type  string
	Table string
	// Field is the answer the rule checks, and where its error is shown.
	Field string
	// date_within: Field is no later than Months months and Days days after Of.
	Of     string
	Months int
	Days   int
	// date_after: Field is later than After (or the same day, with OrSame).
	After  string
	OrSame bool
	// required_if: Field is needed when When is met. not_future: the rule
	// applies only when When is met, if given.
	When *Condition
	// frequency_agrees: TimesPerYear equals 52 / EveryWeeks, rounded.
	TimesPerYear string
	EveryWeeks   string
	// below_minimum_requires: when Field is below the policy minimum for the
	// supervisee's role (Context.MinTimesPerYear), each of Requires needs an
	// answer.
	Requires []string
	Message  string
}

// The rule types.
const (
	RuleFrequencyAgrees      = "frequency_agrees"
	RuleDateWithin           = "date_within"
	RuleDateAfter            = "date_after"
	RuleRequiredIf           = "required_if"
	RuleNotFuture            = "not_future"
	RuleBelowMinimumRequires = "below_minimum_requires"
	RuleCaseReference        = "case_reference"
)

// caseReference is what a case reference looks like: a system's ID such
// as "LL-1234567", "MOS 123456", "CP/2026/0042" or "123456": at most a
// short prefix of letters, then digits (with letters, "/", "-" or "." among
// them). A name ("Jayden Smith", "Smith 12") does not match, so a record
// keeps to 002 §2.1: "Names or personal details of clients will not be
// recorded".
var caseReference = regexp.MustCompile(`^([A-Za-z]{1,4}[-/ .]?)?[0-9][0-9A-Za-z/.-]{2,29}$`)

// looksLikeCaseReference says whether an answer is a case reference, not a
// name, and has at least three digits.
func looksLikeCaseReference(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 3 && caseReference.MatchString(strings.TrimSpace(s))
}

const (
	dateLayout        = "2006-01-02"
	timeLayout        = "15:04"
	displayDateLayout = "2 January 2006"
	weeksInYear       = 52
)

// ruleKeys says which keys each rule type takes: required ones, then
// optional ones. "type" and "message" are always required.
var ruleKeys = map[string]struct{ required, optional []string }{
	RuleFrequencyAgrees:      {required: []string{"times_per_year", "every_weeks"}},
	RuleDateWithin:           {required: []string{"field", "of"}, optional: []string{"table", "months", "days"}},
	RuleDateAfter:            {required: []string{"field", "after"}, optional: []string{"table", "or_same"}},
	RuleRequiredIf:           {required: []string{"field", "when"}, optional: []string{"table"}},
	RuleNotFuture:            {required: []string{"field"}, optional: []string{"table", "when"}},
	RuleBelowMinimumRequires: {required: []string{"field", "requires"}},
	RuleCaseReference:        {required: []string{"field"}, optional: []string{"table"}},
}

// ruleTypes lists the vocabulary, for load errors.
var ruleTypes = []string{RuleFrequencyAgrees, RuleDateWithin, RuleDateAfter, RuleRequiredIf, RuleNotFuture, RuleBelowMinimumRequires, RuleCaseReference}

// ruleInput gives a rule the answers it reads: the row's cells first (in a
// table rule), then the form's answers.
type ruleInput struct {
	data   map[string]any
	row    map[string]any // nil outside a table
	table  *Field
	hidden map[string]bool
}

func (in ruleInput) get(name string) any {
	if in.row != nil && in.table.column(name) != nil {
		return in.row[name]
	}
	return in.data[name]
}

// path is the input name of a rule's target in this row.
func (in ruleInput) path(name string, rowIndex int) string {
	if in.row != nil && in.table.column(name) != nil {
		return fmt.Sprintf("%s.%d.%s", in.table.ID, rowIndex, name)
	}
	return name
}

func (in ruleInput) date(name string) (time.Time, bool) {
	s, ok := in.get(name).(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

func (in ruleInput) number(name string) (float64, bool) {
	f, ok := in.get(name).(float64)
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// checkRules runs the definition's rules over answers already cleaned of
// empty and hidden ones, calling add for each broken rule.
func (d *Definition) checkRules(data map[string]any, hidden map[string]bool, ctx Context, add func(path, msg string)) {
	for i := range d.Rules {
		r := &d.Rules[i]
		if r.Table == "" {
			d.checkRule(r, ruleInput{data: data, hidden: hidden}, 0, ctx, add)
			continue
		}
		table := d.topField(r.Table)
		if table == nil || hidden[table.ID] {
			continue
		}
		rows, _ := data[table.ID].([]any)
		for n, row := range rows {
			cells, ok := row.(map[string]any)
			if !ok {
				continue
			}
			d.checkRule(r, ruleInput{data: data, row: cells, table: table, hidden: hidden}, n, ctx, add)
		}
	}
}

func (d *Definition) checkRule(r *Rule, in ruleInput, row int, ctx Context, add func(path, msg string)) {
	vars := map[string]string{"row": strconv.Itoa(row + 1), "months": strconv.Itoa(r.Months)}
	fail := func(target string) {
		add(in.path(target, row), expand(r.Message, vars))
	}
	switch r.Type {
	case RuleFrequencyAgrees:
		times, ok1 := in.number(r.TimesPerYear)
		weeks, ok2 := in.number(r.EveryWeeks)
		if !ok1 || !ok2 || weeks <= 0 {
			return
		}
		expected := math.Round(weeksInYear / weeks)
		vars["times"], vars["weeks"], vars["expected"] = formatNumber(times), formatNumber(weeks), formatNumber(expected)
		if times != expected {
			fail(r.TimesPerYear)
		}
	case RuleDateWithin:
		date, ok1 := in.date(r.Field)
		of, ok2 := in.date(r.Of)
		if ok1 && ok2 && date.After(addMonths(of, r.Months).AddDate(0, 0, r.Days)) {
			fail(r.Field)
		}
	case RuleDateAfter:
		date, ok1 := in.date(r.Field)
		after, ok2 := in.date(r.After)
		if !ok1 || !ok2 {
			return
		}
		if date.Before(after) || (date.Equal(after) && !r.OrSame) {
			fail(r.Field)
		}
	case RuleRequiredIf:
		if in.hidden[r.Field] || !r.When.met(in.get(r.When.Field)) {
			return
		}
		if in.get(r.Field) == nil {
			fail(r.Field)
		}
	case RuleNotFuture:
		if r.When != nil && !r.When.met(in.get(r.When.Field)) {
			return
		}
		date, ok := in.date(r.Field)
		if !ok {
			return
		}
		today := ctx.Today
		if today.IsZero() {
			today = time.Now()
		}
		y, m, dd := today.Date()
		if date.After(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)) {
			fail(r.Field)
		}
	case RuleCaseReference:
		if v, ok := in.get(r.Field).(string); ok && !looksLikeCaseReference(v) {
			fail(r.Field)
		}
	case RuleBelowMinimumRequires:
		times, ok := in.number(r.Field)
		if !ok || ctx.MinTimesPerYear <= 0 || times >= float64(ctx.MinTimesPerYear) {
			return
		}
		vars["times"], vars["min"] = formatNumber(times), strconv.Itoa(ctx.MinTimesPerYear)
		for _, req := range r.Requires {
			if !in.hidden[req] && in.get(req) == nil {
				fail(req)
			}
		}
	}
}

// met says whether an answer meets the condition.
func (c *Condition) met(v any) bool {
	if c == nil {
		return true
	}
	if isEmpty(v) {
		return false
	}
	if c.Equals == "" {
		return true
	}
	switch x := v.(type) {
	case string:
		return x == c.Equals
	case float64:
		return formatNumber(x) == c.Equals
	case bool:
		return (x && c.Equals == "yes") || (!x && c.Equals == "no")
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == c.Equals {
				return true
			}
		}
	}
	return false
}

// addMonths adds calendar months, keeping to the last day of a shorter
// month: 31 January plus one month is 28 (or 29) February, not 3 March.
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, t.Location())
}

func expand(msg string, vars map[string]string) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	var pairs []string
	for k, v := range vars {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
