package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// Mode says how complete the answers must be.
type Mode int

const (
	// Draft checks what is there: types, formats, lengths and the rules
	// whose answers are present. Required answers may be missing.
	Draft Mode = iota
	// Final checks everything, required answers included: the record is
	// about to be signed.
	Final
)

// Context is what validation needs to know beyond the answers.
type Context struct {
	Today          time.Time
	SuperviseeRole string
	// MinTimesPerYear is the policy's least supervision a year for the
	// supervisee's role; 0 when unknown, and then below_minimum_requires
	// rules do not fire.
	MinTimesPerYear int
	// Printable says whether the signed documents' fonts can print a
	// character; nil means every character can be printed. Bidirectional
	// controls and control characters are refused either way.
	Printable func(rune) bool
}

// FieldError is one thing wrong with the answers. Field is the name of the
// page's input ("review_date", "actions.2.due"), so the page can show the
// message beside it and link to it from the error summary.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Validate checks answers against the definition: its schema, then required
// answers (Final mode only; a follow-up question hidden by show_if is never
// required), characters the documents cannot print, and the cross-field
// rules. It returns every error, one per input, in the page's order; none
// when the answers are valid.
func (d *Definition) Validate(data map[string]any, mode Mode, ctx Context) []FieldError {
	answers := cleanAnswers(data)
	v := &validation{def: d, errs: map[string]string{}, answers: answers}

	c := d.compiled
	if c == nil {
		var err error
		if c, err = compile(d); err != nil {
			// Only a definition built by hand in Go can get here.
			return []FieldError{{Field: "", Message: "This form cannot be checked: " + err.Error()}}
		}
	}
	// The schema pass runs only when the hand-written check of the same
	// schema finds something wrong: its errors make the messages.
	if !d.schemaAccepts(answers) {
		if err := c.schema.Validate(any(answers)); err != nil {
			var ve *jsonschema.ValidationError
			if errors.As(err, &ve) {
				v.schemaErrors(ve)
			} else {
				v.add("", 0, "These answers cannot be checked")
			}
		}
	}
	// The rules see only answers that passed the schema, and none that a
	// show_if hides.
	hidden := d.hidden(answers)
	for path := range v.errs {
		dropAnswer(answers, path)
	}
	for id := range hidden {
		delete(answers, id)
	}

	for _, f := range d.fields() {
		if hidden[f.ID] {
			continue
		}
		if mode == Final {
			v.required(f, answers[f.ID])
		}
		v.printable(f, answers[f.ID], ctx.Printable)
	}
	d.checkRules(answers, hidden, ctx, func(path, msg string) { v.add(path, rulePriority, msg) })
	return v.sorted()
}

// Priorities: where one input has several errors, the page shows the most
// basic one.
const (
	typePriority = iota
	formatPriority
	valuePriority
	requiredPriority
	printablePriority
	rulePriority
)

type validation struct {
	def     *Definition
	answers map[string]any    // for messages that depend on what was typed
	errs    map[string]string // path → message
	prio    map[string]int
}

func (v *validation) add(path string, prio int, msg string) {
	if v.prio == nil {
		v.prio = map[string]int{}
	}
	if old, ok := v.prio[path]; ok && old <= prio {
		return
	}
	v.errs[path], v.prio[path] = msg, prio
}

func (v *validation) sorted() []FieldError {
	if len(v.errs) == 0 {
		return nil
	}
	out := make([]FieldError, 0, len(v.errs))
	for p, m := range v.errs {
		out = append(out, FieldError{Field: p, Message: m})
	}
	order := v.def.pageOrder()
	sort.Slice(out, func(i, j int) bool {
		a, b := order(out[i].Field), order(out[j].Field)
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// pageOrder gives an input name its place on the page: question, row,
// column. Names that are not on the page come last.
func (d *Definition) pageOrder() func(path string) [3]int {
	pos := map[string]int{}
	for i, f := range d.fields() {
		pos[f.ID] = i
	}
	return func(path string) [3]int {
		parts := strings.Split(path, ".")
		i, ok := pos[parts[0]]
		if !ok {
			return [3]int{math.MaxInt, 0, 0}
		}
		if len(parts) < 2 {
			return [3]int{i, -1, -1}
		}
		row, _ := strconv.Atoi(parts[1])
		col := math.MaxInt
		if len(parts) > 2 {
			if t := d.topField(parts[0]); t != nil {
				for c := range t.Columns {
					if t.Columns[c].ID == parts[2] {
						col = c
					}
				}
			}
		}
		return [3]int{i, row, col}
	}
}

// target is the field an input name refers to, and how messages name it
// mid-sentence.
func (v *validation) target(path string) (*Field, string) {
	parts := strings.Split(path, ".")
	f := v.def.topField(parts[0])
	if f == nil {
		return nil, strconv.Quote(path)
	}
	if len(parts) == 3 {
		if c := f.column(parts[2]); c != nil {
			row, _ := strconv.Atoi(parts[1])
			return c, fmt.Sprintf("%s in row %d of %s", c.name(), row+1, f.name())
		}
	}
	return f, f.name()
}

// schemaErrors turns the validator's errors into plain messages on input
// names. Nothing of the library's wording reaches the user.
func (v *validation) schemaErrors(ve *jsonschema.ValidationError) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			v.schemaErrors(c)
		}
		return
	}
	loc := ve.InstanceLocation
	if ap, ok := ve.ErrorKind.(*kind.AdditionalProperties); ok {
		for _, p := range ap.Properties {
			if len(loc) == 0 {
				v.add(p, typePriority, fmt.Sprintf("%q is not a question on this form", p))
				continue
			}
			path := strings.Join(append(append([]string{}, loc...), p), ".")
			msg := fmt.Sprintf("%q is not a column of this table", p)
			if t := v.def.topField(loc[0]); t != nil {
				msg = fmt.Sprintf("%q is not a column of %s", p, t.name())
			}
			v.add(path, typePriority, msg)
		}
		return
	}
	path := inputName(v.def, loc)
	f, name := v.target(path)
	if f == nil {
		v.add(path, typePriority, "This answer cannot be stored")
		return
	}
	if f.Kind == KindTable && len(loc) == 2 {
		v.add(path, typePriority, fmt.Sprintf("Each row of %s must be a set of answers", f.name()))
		return
	}
	prio, msg := schemaMessage(f, name, ve.ErrorKind)
	if f.Kind == KindDate && prio <= formatPriority {
		msg = dateMessageFor(name, valueAt(v.answers, loc))
	}
	v.add(path, prio, msg)
}

// inputName maps a location in the answers to the page's input name: a
// multichoice's items share its name, a table's cells are "table.N.col".
func inputName(d *Definition, loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	f := d.topField(loc[0])
	if f == nil {
		return loc[0]
	}
	if f.Kind == KindTable && len(loc) >= 3 {
		return strings.Join(loc[:3], ".")
	}
	if f.Kind == KindTable && len(loc) == 2 {
		return loc[0]
	}
	return loc[0]
}

func schemaMessage(f *Field, name string, k jsonschema.ErrorKind) (int, string) {
	Name := upperFirst(name)
	switch k := k.(type) {
	case *kind.Type:
		switch f.Kind {
		case KindNumber:
			if f.Integer && k.Got == "number" {
				return typePriority, Name + " must be a whole number"
			}
			return typePriority, Name + " must be a number"
		case KindScale:
			return typePriority, fmt.Sprintf("Select a number from 0 to 10 for %s", name)
		case KindDate:
			return typePriority, dateMessage(name)
		case KindTime:
			return typePriority, timeMessage(name)
		case KindText, KindLongText:
			return typePriority, Name + " must be text"
		case KindMultiChoice:
			return typePriority, "Select options from the list"
		case KindPerson:
			return typePriority, fmt.Sprintf("Select %s from the list", name)
		case KindTable:
			return typePriority, Name + " must be a list of rows"
		}
		return typePriority, "Select an option from the list"
	case *kind.Format:
		return formatPriority, dateMessage(name)
	case *kind.Pattern:
		return formatPriority, timeMessage(name)
	case *kind.Enum:
		return valuePriority, "Select an option from the list"
	case *kind.MaxLength:
		return valuePriority, fmt.Sprintf("%s must be %s characters or fewer", Name, thousands(k.Want))
	case *kind.MinLength:
		return valuePriority, "Select " + name
	case *kind.MaxItems:
		return valuePriority, fmt.Sprintf("%s can have %s rows at most: remove %s", Name, thousands(k.Want), rowCount(k.Got-k.Want))
	case *kind.UniqueItems:
		return valuePriority, "Select each option once only"
	case *kind.Minimum, *kind.Maximum, *kind.ExclusiveMinimum, *kind.ExclusiveMaximum:
		return valuePriority, rangeMessage(f, Name)
	case *kind.InvalidJsonValue:
		return typePriority, Name + " has an answer this form cannot store"
	}
	return valuePriority, fmt.Sprintf("Check %s: the answer is not one this form accepts", name)
}

// valueAt is the answer at a location in the answers ("actions", "2", "due").
func valueAt(answers map[string]any, loc []string) any {
	var cur any = answers
	for _, k := range loc {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		default:
			return nil
		}
	}
	return cur
}

func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return thousands(n) + " rows"
}

func dateMessage(name string) string {
	return fmt.Sprintf("Enter %s as a real date, for example 27 3 2026", name)
}

func timeMessage(name string) string {
	return fmt.Sprintf("Enter %s as a real time, for example 14:30", name)
}

func rangeMessage(f *Field, Name string) string {
	switch {
	case f.Min != nil && f.Max != nil:
		return fmt.Sprintf("%s must be between %s and %s", Name, formatNumber(*f.Min), formatNumber(*f.Max))
	case f.Min != nil:
		return fmt.Sprintf("%s must be %s or more", Name, formatNumber(*f.Min))
	case f.Max != nil:
		return fmt.Sprintf("%s must be %s or less", Name, formatNumber(*f.Max))
	}
	return Name + " is out of range"
}

// thousands writes 50000 as "50,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// required reports a missing answer, and in a table, missing cells of the
// rows that have been started.
func (v *validation) required(f *Field, val any) {
	if f.Kind == KindTable {
		rows, _ := val.([]any)
		filled := 0
		for n, r := range rows {
			cells, ok := r.(map[string]any)
			if !ok || isBlank(cells) {
				continue
			}
			filled++
			for i := range f.Columns {
				c := &f.Columns[i]
				if c.Required && isBlank(cells[c.ID]) {
					path := fmt.Sprintf("%s.%d.%s", f.ID, n, c.ID)
					v.add(path, requiredPriority, requiredMessage(c, fmt.Sprintf("%s in row %d of %s", c.name(), n+1, f.name())))
				}
			}
		}
		if f.Required && filled == 0 {
			v.add(f.ID, requiredPriority, "Add at least one row to "+f.name())
		}
		return
	}
	if f.Required && isBlank(val) {
		v.add(f.ID, requiredPriority, requiredMessage(f, f.name()))
	}
}

func requiredMessage(f *Field, name string) string {
	switch f.Kind {
	case KindYesNo:
		return "Select yes or no for " + name
	case KindChoice, KindMultiChoice, KindRAG, KindScale, KindPerson:
		return "Select " + name
	}
	return "Enter " + name
}

// printable reports the first character of an answer that the signed
// documents cannot print or must not hold (printout.CheckText: the rule
// every free text gets). Line breaks and tabs are layout, not characters.
func (v *validation) printable(f *Field, val any, ok func(rune) bool) {
	check := func(path, name string, val any) {
		for _, s := range stringsIn(val) {
			if msg := printout.CheckText(s, name, printout.Lines, ok); msg != "" {
				v.add(path, printablePriority, msg)
				return
			}
		}
	}
	if f.Kind != KindTable {
		check(f.ID, f.name(), val)
		return
	}
	rows, _ := val.([]any)
	for n, r := range rows {
		cells, _ := r.(map[string]any)
		for i := range f.Columns {
			c := &f.Columns[i]
			check(fmt.Sprintf("%s.%d.%s", f.ID, n, c.ID), fmt.Sprintf("%s in row %d of %s", c.name(), n+1, f.name()), cells[c.ID])
		}
	}
}

func stringsIn(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// hidden lists the follow-up questions whose show_if is not met.
func (d *Definition) hidden(answers map[string]any) map[string]bool {
	h := map[string]bool{}
	for _, f := range d.fields() {
		if f.ShowIf != nil && !f.ShowIf.met(answers[f.ShowIf.Field]) {
			h[f.ID] = true
		}
	}
	return h
}

// dropAnswer removes an answer, or a table cell, by input name.
func dropAnswer(answers map[string]any, path string) {
	parts := strings.Split(path, ".")
	if len(parts) != 3 {
		delete(answers, parts[0])
		return
	}
	rows, _ := answers[parts[0]].([]any)
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 0 || n >= len(rows) {
		return
	}
	if cells, ok := rows[n].(map[string]any); ok {
		delete(cells, parts[2])
	}
}

// cleanAnswers copies answers into plain JSON values (numbers as float64,
// lists as []any, objects as map[string]any) and leaves out empty ones:
// an empty answer is an absent answer. Table rows keep their places, so
// errors name the row the user sees.
func cleanAnswers(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if v = jsonValue(v); !isEmpty(v) {
			out[k] = v
		}
	}
	for k, v := range out {
		rows, ok := v.([]any)
		if !ok {
			continue
		}
		for _, r := range rows {
			cells, ok := r.(map[string]any)
			if !ok {
				continue
			}
			for c, cv := range cells {
				if isEmpty(cv) {
					delete(cells, c)
				}
			}
		}
		out[k] = rows
	}
	return out
}

// jsonValue converts Go values to the shapes encoding/json decodes to.
// Values of other types are kept, and the schema reports them.
func jsonValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, float64:
		return x
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = jsonValue(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			out[it.Key().String()] = jsonValue(it.Value().Interface())
		}
		return out
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return jsonValue(rv.Elem().Interface())
	}
	return v
}

// isEmpty: no answer at all.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// isBlank: no answer that counts, for required checks: spaces are not an
// answer, nor is a table row with nothing in it.
func isBlank(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		for _, e := range x {
			if !isBlank(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !isBlank(e) {
				return false
			}
		}
		return true
	}
	return isEmpty(v)
}
