package forms

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse reads one definition from YAML. name is the file's name, used in
// error messages: every error says "name:line: what is wrong", and all the
// file's errors are returned together.
func Parse(name string, src []byte) (*Definition, error) {
	l := &loader{file: name}
	d := l.parse(src)
	if err := l.err(); err != nil {
		return nil, err
	}
	d.File = name
	c, err := compile(d)
	if err != nil {
		// The schema is generated from a definition that passed every check
		// above, so this is a fault in this package, not in the file.
		return nil, fmt.Errorf("%s: cannot build the JSON Schema: %w", name, err)
	}
	d.compiled = c
	return d, nil
}

// loader walks one file's YAML nodes, collecting errors with their lines.
type loader struct {
	file string
	errs []lineError
	// recorded during the walk, checked once every field is known
	showIfs []showIfRef
	rules   []ruleRef
	layouts []layoutRef
}

type layoutRef struct {
	section int
	ctx     string
	node    *yaml.Node
}

type lineError struct {
	line int
	msg  string
}

type showIfRef struct {
	id   string // the follow-up question
	ctx  string
	node *yaml.Node // its show_if mapping
}

type ruleRef struct {
	index int
	ctx   string
	m     *mapping
}

func (l *loader) errorf(n *yaml.Node, ctx, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ctx != "" {
		msg = ctx + ": " + msg
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	l.errs = append(l.errs, lineError{line, msg})
}

func (l *loader) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].line < l.errs[j].line })
	var errs []error
	for _, e := range l.errs {
		if e.line > 0 {
			errs = append(errs, fmt.Errorf("%s:%d: %s", l.file, e.line, e.msg))
		} else {
			errs = append(errs, fmt.Errorf("%s: %s", l.file, e.msg))
		}
	}
	return errors.Join(errs...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (l *loader) parse(src []byte) *Definition {
	d := &Definition{}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			l.errorf(nil, "", "the file is empty")
			return d
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			l.errs = append(l.errs, lineError{line, "not valid YAML: " + m[2]})
		} else {
			l.errorf(nil, "", "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return d
	}
	var more yaml.Node
	if err := dec.Decode(&more); err != io.EOF {
		l.errorf(&more, "", "a file holds one form definition; start another file for the next one")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	m := l.mapping(root, "", "id", "version", "title", "source", "description", "confidential",
		"generated", "signers", "declaration", "sections", "rules")
	if m == nil {
		return d
	}
	d.ID = m.str("id", true)
	if d.ID != "" && !formID.MatchString(d.ID) {
		l.errorf(m.value("id"), "", "id %q must be lower-case letters, digits, - and _", d.ID)
	}
	d.Version = m.int("version", true)
	if m.has("version") && d.Version < 1 {
		l.errorf(m.value("version"), "", "version must be 1 or more")
	}
	d.Title = m.str("title", true)
	d.Source = m.str("source", false)
	d.Description = m.str("description", false)
	d.Confidential = m.bool("confidential")
	d.Generated = m.bool("generated")
	d.Declaration = m.str("declaration", false)

	roles := map[string]bool{}
	for i, n := range m.list("signers", false) {
		ctx := fmt.Sprintf("signer %d", i+1)
		sm := l.mapping(n, ctx, "role", "label", "after")
		if sm == nil {
			continue
		}
		s := Signer{Role: sm.str("role", true), Label: sm.str("label", false)}
		// after names signers listed before this one, so the order can
		// always be finished.
		for _, an := range sm.list("after", false) {
			a := l.scalar(an, ctx+": after")
			switch {
			case a == "":
			case !roles[a]:
				l.errorf(an, ctx, "after %q, which is not a signer listed before this one", a)
			default:
				s.After = append(s.After, a)
			}
		}
		if s.Role != "" {
			if !identifier.MatchString(s.Role) {
				l.errorf(sm.value("role"), ctx, "role %q must be lower-case letters, digits and _", s.Role)
			}
			if roles[s.Role] {
				l.errorf(sm.value("role"), ctx, "role %q is listed twice", s.Role)
			}
			roles[s.Role] = true
		}
		if s.Label == "" {
			s.Label = upperFirst(strings.ReplaceAll(s.Role, "_", " "))
		}
		d.Signers = append(d.Signers, s)
	}

	sectionIDs := map[string]bool{}
	fieldIDs := map[string]int{} // id → line first defined
	sections := m.list("sections", true)
	if m.has("sections") && len(sections) == 0 {
		l.errorf(m.value("sections"), "", "sections: give at least one section")
	}
	for i, n := range sections {
		ctx := fmt.Sprintf("section %d", i+1)
		if id := peekID(n); id != "" {
			ctx = fmt.Sprintf("section %q", id)
		}
		sm := l.mapping(n, ctx, "id", "title", "intro", "statement", "layout", "owner", "fields")
		if sm == nil {
			continue
		}
		s := Section{ID: sm.str("id", true), Title: sm.str("title", true), Intro: sm.str("intro", false), Owner: sm.str("owner", false),
			Statement: sm.str("statement", false)}
		if sm.has("layout") {
			s.Layout = l.layout(sm.value("layout"), ctx+": layout")
			l.layouts = append(l.layouts, layoutRef{section: len(d.Sections), ctx: ctx + ": layout", node: sm.value("layout")})
		}
		if s.ID != "" {
			if !identifier.MatchString(s.ID) {
				l.errorf(sm.value("id"), ctx, "id must be lower-case letters, digits and _")
			}
			if sectionIDs[s.ID] {
				l.errorf(sm.value("id"), ctx, "another section has this id")
			}
			sectionIDs[s.ID] = true
		}
		if s.Owner != "" && !roles[s.Owner] {
			l.errorf(sm.value("owner"), ctx, "owner %q is not one of the signers' roles (%s)", s.Owner, joinKeys(roles))
		}
		for _, fn := range sm.list("fields", false) {
			f, ok := l.field(fn, nil)
			if !ok {
				continue
			}
			if f.ID != "" {
				if line, dup := fieldIDs[f.ID]; dup {
					l.errorf(fieldNode(fn, "id"), fmt.Sprintf("field %q", f.ID), "another field has this id (line %d); field ids must be unique in a form", line)
				} else {
					fieldIDs[f.ID] = fieldNode(fn, "id").Line
				}
			}
			s.Fields = append(s.Fields, f)
		}
		d.Sections = append(d.Sections, s)
	}

	for i, n := range m.list("rules", false) {
		ctx := fmt.Sprintf("rule %d", i+1)
		rm := l.mapping(n, ctx, "type", "message", "table", "field", "of", "months", "days", "after", "or_same",
			"when", "times_per_year", "every_weeks", "requires")
		if rm == nil {
			continue
		}
		d.Rules = append(d.Rules, Rule{})
		l.rules = append(l.rules, ruleRef{index: len(d.Rules) - 1, ctx: ctx, m: rm})
	}
	if len(l.errs) > 0 {
		// Cross-references are checked only once the fields themselves are
		// sound, so one mistake is not reported three times.
		return d
	}
	for _, ref := range l.showIfs {
		l.checkShowIf(d, ref)
	}
	for _, ref := range l.rules {
		l.rule(d, &d.Rules[ref.index], ref)
	}
	l.checkLayouts(d)
	return d
}

var (
	formID     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	identifier = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	widths     = map[string]bool{"2": true, "3": true, "4": true, "5": true, "10": true, "20": true, "30": true,
		"full": true, "three-quarters": true, "two-thirds": true, "one-half": true, "one-third": true, "one-quarter": true}
)

// field reads a question, or with table set, one of its columns.
func (l *loader) field(n *yaml.Node, table *Field) (Field, bool) {
	ctx := "field"
	if table != nil {
		ctx = fmt.Sprintf("table %q: column", table.ID)
	}
	if id := peekID(n); id != "" {
		ctx = fmt.Sprintf("%s %q", ctx, id)
	}
	fm := l.mapping(n, ctx, "id", "kind", "label", "hint", "required", "error_label", "max_length", "max_rows", "min", "max",
		"integer", "options", "prefill", "show_if", "columns", "width", "rows")
	if fm == nil {
		return Field{}, false
	}
	f := Field{ID: fm.str("id", true)}
	if f.ID != "" {
		if !identifier.MatchString(f.ID) {
			l.errorf(fm.value("id"), ctx, "id must start with a lower-case letter and hold only lower-case letters, digits and _")
		}
	}
	fm.ctx = ctx
	f.Kind = Kind(fm.str("kind", true))
	if f.Kind != "" && !f.Kind.valid() {
		l.errorf(fm.value("kind"), ctx, "unknown kind %q; use one of %s", f.Kind, kindList())
		f.Kind = ""
	}
	if table != nil && f.Kind == KindTable {
		l.errorf(fm.value("kind"), ctx, "a table's column cannot be a table")
	}
	f.Label = fm.str("label", true)
	f.Hint = fm.str("hint", false)
	f.Required = fm.bool("required")
	f.ErrorLabel = fm.str("error_label", false)
	f.Width = fm.str("width", false)
	if f.Width != "" && !widths[f.Width] {
		l.errorf(fm.value("width"), ctx, "width %q is not a GOV.UK width; use one of %s", f.Width, joinKeys(widths))
	}
	only := func(key string, allowed ...Kind) bool {
		if !fm.has(key) {
			return false
		}
		for _, k := range allowed {
			if f.Kind == k {
				return true
			}
		}
		if f.Kind != "" {
			l.errorf(fm.key(key), ctx, "%s does not apply to a %s field", key, f.Kind)
		}
		return false
	}
	if only("max_length", KindText, KindLongText) {
		if f.MaxLength = fm.int("max_length", false); f.MaxLength < 1 {
			l.errorf(fm.value("max_length"), ctx, "max_length must be 1 or more")
		}
	}
	if fm.has("min") || fm.has("max") {
		if f.Kind == KindScale {
			l.errorf(fm.key("min", "max"), ctx, "a scale is always 0 to 10; leave out min and max")
		} else if only("min", KindNumber) || only("max", KindNumber) {
			f.Min, f.Max = fm.float("min"), fm.float("max")
			if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
				l.errorf(fm.value("max"), ctx, "max is less than min")
			}
		}
	}
	if only("integer", KindNumber) {
		f.Integer = fm.bool("integer")
	}
	if only("max_rows", KindTable) {
		if f.MaxRows = fm.int("max_rows", false); f.MaxRows < 1 || f.MaxRows > MaxTableMaxRows {
			l.errorf(fm.value("max_rows"), ctx, "max_rows must be from 1 to %d", MaxTableMaxRows)
		}
	}
	if only("rows", KindLongText) {
		if f.Rows = fm.int("rows", false); f.Rows < 1 || f.Rows > 50 {
			l.errorf(fm.value("rows"), ctx, "rows must be from 1 to 50")
		}
	}
	switch f.Kind {
	case KindChoice, KindMultiChoice:
		if !fm.has("options") {
			l.errorf(n, ctx, "a %s field needs options", f.Kind)
		}
	case KindTable:
		if !fm.has("columns") {
			l.errorf(n, ctx, "a table needs columns")
		}
	}
	if only("options", KindChoice, KindMultiChoice) {
		values := map[string]bool{}
		opts := fm.list("options", true)
		if len(opts) == 0 {
			l.errorf(fm.value("options"), ctx, "options: give at least one option")
		}
		for i, on := range opts {
			octx := fmt.Sprintf("%s: option %d", ctx, i+1)
			om := l.mapping(on, octx, "value", "label")
			if om == nil {
				continue
			}
			o := Option{Value: om.str("value", true), Label: om.str("label", true)}
			if values[o.Value] {
				l.errorf(om.value("value"), octx, "value %q is used by another option", o.Value)
			}
			values[o.Value] = true
			f.Options = append(f.Options, o)
		}
	}
	if fm.has("prefill") {
		f.Prefill = fm.str("prefill", false)
		want, known := prefillKeys[f.Prefill]
		switch {
		case table != nil:
			l.errorf(fm.key("prefill"), ctx, "a table's column cannot be prefilled")
		case !known:
			l.errorf(fm.value("prefill"), ctx, "unknown prefill %q; use one of %s", f.Prefill, prefillList())
		case want == KindDate && f.Kind != KindDate:
			l.errorf(fm.value("prefill"), ctx, "prefill %q gives a date, so the field must be a date", f.Prefill)
		case want == KindText && f.Kind != KindText && f.Kind != KindLongText && f.Kind != KindChoice:
			l.errorf(fm.value("prefill"), ctx, "prefill %q gives text, so the field must be text, longtext or choice", f.Prefill)
		case want == KindTable && f.Kind != KindTable:
			l.errorf(fm.value("prefill"), ctx, "prefill %q gives rows of dates, so the field must be a table with a date column", f.Prefill)
		case want != KindTable && f.Kind == KindTable:
			l.errorf(fm.value("prefill"), ctx, "prefill %q gives one value, so it cannot fill a table", f.Prefill)
		}
	}
	if fm.has("show_if") {
		if table != nil {
			l.errorf(fm.key("show_if"), ctx, "a table's column cannot have show_if")
		} else if sm := l.mapping(fm.value("show_if"), ctx+": show_if", "field", "equals"); sm != nil {
			f.ShowIf = &Condition{Field: sm.str("field", true), Equals: sm.str("equals", false)}
			l.showIfs = append(l.showIfs, showIfRef{id: f.ID, ctx: ctx, node: fm.value("show_if")})
		}
	}
	if only("columns", KindTable) {
		cols := fm.list("columns", true)
		if len(cols) == 0 {
			l.errorf(fm.value("columns"), ctx, "columns: give at least one column")
		}
		ids := map[string]bool{}
		for _, cn := range cols {
			c, ok := l.field(cn, &f)
			if !ok {
				continue
			}
			if c.ID != "" && ids[c.ID] {
				l.errorf(fieldNode(cn, "id"), fmt.Sprintf("table %q: column %q", f.ID, c.ID), "another column of this table has this id")
			}
			ids[c.ID] = true
			f.Columns = append(f.Columns, c)
		}
	}
	applyDefaults(&f)
	return f, true
}

// applyDefaults fills in the limits a definition may leave out, so every
// consumer reads the same figures.
func applyDefaults(f *Field) {
	f.MaxLength = f.maxLength()
	if f.Kind == KindTable && f.MaxRows <= 0 {
		f.MaxRows = DefaultTableMaxRows
	}
	if f.Kind == KindScale {
		lo, hi := 0.0, 10.0
		f.Min, f.Max = &lo, &hi
	}
	for i := range f.Columns {
		applyDefaults(&f.Columns[i])
	}
}

func (l *loader) checkShowIf(d *Definition, ref showIfRef) {
	sm := l.mapping(ref.node, ref.ctx+": show_if", "field", "equals")
	name, equals := sm.str("field", true), sm.str("equals", false)
	cond := d.topField(name)
	switch {
	case cond == nil:
		l.errorf(sm.value("field"), ref.ctx, "show_if names %q, which is not a question on this form", name)
	case cond.Kind == KindTable:
		l.errorf(sm.value("field"), ref.ctx, "show_if cannot depend on a table")
	case name == ref.id:
		l.errorf(sm.value("field"), ref.ctx, "show_if cannot depend on the field itself")
	case cond.ShowIf != nil:
		l.errorf(sm.value("field"), ref.ctx, "show_if names %q, which is itself a follow-up question; depend on the question it follows", name)
	default:
		l.checkEquals(cond, equals, sm.value("equals"), ref.ctx)
	}
}

// checkEquals makes sure a condition's value is one the field can take.
func (l *loader) checkEquals(f *Field, equals string, n *yaml.Node, ctx string) {
	opts := f.options()
	if equals == "" || opts == nil {
		return
	}
	for _, o := range opts {
		if o.Value == equals {
			return
		}
	}
	var vals []string
	for _, o := range opts {
		vals = append(vals, strconv.Quote(o.Value))
	}
	l.errorf(n, ctx, "%q is not an answer %q can have; use one of %s", equals, f.ID, strings.Join(vals, ", "))
}

// rule reads a rule and checks that the names it uses exist and have kinds
// it can compare.
func (l *loader) rule(d *Definition, r *Rule, ref ruleRef) {
	m, ctx := ref.m, ref.ctx
	r.Type = m.str("type", true)
	keys, known := ruleKeys[r.Type]
	if r.Type != "" && !known {
		l.errorf(m.value("type"), ctx, "unknown rule type %q; use one of %s", r.Type, strings.Join(ruleTypes, ", "))
		return
	}
	if !known {
		return
	}
	ctx = fmt.Sprintf("%s (%s)", ctx, r.Type)
	m.ctx = ctx
	allowed := map[string]bool{"type": true, "message": true}
	for _, k := range keys.required {
		allowed[k] = true
		if !m.has(k) {
			l.errorf(m.node, ctx, "needs %q", k)
		}
	}
	for _, k := range keys.optional {
		allowed[k] = true
	}
	for _, k := range m.order {
		if !allowed[k] {
			l.errorf(m.key(k), ctx, "%q does not apply to a %s rule", k, r.Type)
		}
	}
	r.Message = m.str("message", true)
	r.Table = m.str("table", false)
	r.Field = m.str("field", false)
	r.Of = m.str("of", false)
	r.After = m.str("after", false)
	r.OrSame = m.bool("or_same")
	r.TimesPerYear = m.str("times_per_year", false)
	r.EveryWeeks = m.str("every_weeks", false)
	if m.has("months") {
		r.Months = m.int("months", false)
	}
	if m.has("days") {
		r.Days = m.int("days", false)
	}
	if r.Months < 0 || r.Days < 0 {
		l.errorf(m.node, ctx, "months and days cannot be negative")
	}
	if r.Type == RuleDateWithin && r.Months == 0 && r.Days == 0 {
		l.errorf(m.node, ctx, "give months or days")
	}
	if m.has("when") {
		if wm := l.mapping(m.value("when"), ctx+": when", "field", "equals"); wm != nil {
			r.When = &Condition{Field: wm.str("field", true), Equals: wm.str("equals", false)}
			if f := l.ruleName(d, r, wm, "field", ctx, ""); f != nil {
				l.checkEquals(f, r.When.Equals, wm.value("equals"), ctx)
			}
		}
	}
	if m.has("requires") {
		list := m.list("requires", true)
		if len(list) == 0 && m.value("requires").Kind == yaml.SequenceNode {
			l.errorf(m.value("requires"), ctx, "requires: name at least one question")
		}
		for _, n := range list {
			name := l.scalar(n, ctx+": requires")
			if d.topField(name) == nil {
				l.errorf(n, ctx, "requires %q, which is not a question on this form", name)
			}
			r.Requires = append(r.Requires, name)
		}
	}
	if r.Table != "" {
		t := d.topField(r.Table)
		switch {
		case t == nil:
			l.errorf(m.value("table"), ctx, "table %q is not a question on this form", r.Table)
			return
		case t.Kind != KindTable:
			l.errorf(m.value("table"), ctx, "%q is a %s field, not a table", r.Table, t.Kind)
			return
		}
	}
	switch r.Type {
	case RuleFrequencyAgrees:
		l.ruleName(d, r, m, "times_per_year", ctx, KindNumber)
		l.ruleName(d, r, m, "every_weeks", ctx, KindNumber)
	case RuleDateWithin:
		l.ruleName(d, r, m, "field", ctx, KindDate)
		l.ruleName(d, r, m, "of", ctx, KindDate)
	case RuleDateAfter:
		l.ruleName(d, r, m, "field", ctx, KindDate)
		l.ruleName(d, r, m, "after", ctx, KindDate)
	case RuleRequiredIf:
		l.ruleName(d, r, m, "field", ctx, "")
	case RuleNotFuture:
		l.ruleName(d, r, m, "field", ctx, KindDate)
	case RuleCaseReference:
		l.ruleName(d, r, m, "field", ctx, KindText)
	case RuleBelowMinimumRequires:
		l.ruleName(d, r, m, "field", ctx, KindNumber)
	}
}

// ruleName resolves a name a rule uses: a column of the rule's table
// first, then a question. want, if set, is the kind the rule needs.
func (l *loader) ruleName(d *Definition, r *Rule, m *mapping, key, ctx string, want Kind) *Field {
	if !m.has(key) {
		return nil
	}
	name := m.str(key, false)
	var f *Field
	if r.Table != "" {
		if t := d.topField(r.Table); t != nil {
			f = t.column(name)
		}
	}
	if f == nil {
		f = d.topField(name)
	}
	switch {
	case f == nil && r.Table != "":
		l.errorf(m.value(key), ctx, "%s %q is neither a column of %q nor a question on this form", key, name, r.Table)
	case f == nil:
		l.errorf(m.value(key), ctx, "%s %q is not a question on this form", key, name)
	case f.Kind == KindTable:
		l.errorf(m.value(key), ctx, "%s %q is a table; name one of its columns and set table: %s", key, name, name)
		return nil
	case want != "" && f.Kind != want:
		l.errorf(m.value(key), ctx, "%s %q is a %s field; this rule needs a %s field", key, name, f.Kind, want)
	}
	return f
}

// mapping is a YAML mapping whose keys have been checked.
type mapping struct {
	l      *loader
	ctx    string
	node   *yaml.Node
	keys   map[string]*yaml.Node // key → key node
	values map[string]*yaml.Node // key → value node
	order  []string
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping checks n is a mapping holding only allowed keys.
func (l *loader) mapping(n *yaml.Node, ctx string, allowed ...string) *mapping {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		what := "a set of key: value lines"
		if ctx == "" {
			l.errorf(n, "", "a form definition must be %s (id, version, title, …)", what)
		} else {
			l.errorf(n, ctx, "must be %s", what)
		}
		return nil
	}
	ok := map[string]bool{}
	for _, k := range allowed {
		ok[k] = true
	}
	m := &mapping{l: l, ctx: ctx, node: n, keys: map[string]*yaml.Node{}, values: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		key := k.Value
		switch {
		case !ok[key]:
			l.errorf(k, ctx, "unknown key %q; use %s", key, strings.Join(allowed, ", "))
		case m.keys[key] != nil:
			l.errorf(k, ctx, "%q is given twice (first on line %d)", key, m.keys[key].Line)
		default:
			m.keys[key], m.values[key] = k, v
			m.order = append(m.order, key)
		}
	}
	return m
}

func (m *mapping) has(key string) bool { return m.values[key] != nil && m.values[key].Tag != "!!null" }

func (m *mapping) value(key string) *yaml.Node {
	if v := m.values[key]; v != nil {
		return v
	}
	return m.node
}

// key returns the node of the first of keys that is present.
func (m *mapping) key(keys ...string) *yaml.Node {
	for _, k := range keys {
		if n := m.keys[k]; n != nil {
			return n
		}
	}
	return m.node
}

func (l *loader) scalar(n *yaml.Node, ctx string) string {
	if n.Kind != yaml.ScalarNode {
		l.errorf(n, ctx, "must be a single value, not a list or a set of keys")
		return ""
	}
	return n.Value
}

func (m *mapping) str(key string, required bool) string {
	if !m.has(key) {
		if required {
			m.l.errorf(m.node, m.ctx, "needs %q", key)
		}
		return ""
	}
	s := m.l.scalar(m.values[key], ctx2(m.ctx, key))
	if required && strings.TrimSpace(s) == "" {
		m.l.errorf(m.values[key], m.ctx, "%q cannot be empty", key)
	}
	return s
}

func (m *mapping) int(key string, required bool) int {
	s := m.str(key, required)
	if s == "" {
		return 0
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		m.l.errorf(m.values[key], m.ctx, "%s must be a whole number, not %q", key, s)
	}
	return i
}

func (m *mapping) float(key string) *float64 {
	s := m.str(key, false)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !plainNumber.MatchString(s) {
		m.l.errorf(m.values[key], m.ctx, "%s must be a number, not %q", key, s)
		return nil
	}
	return &f
}

func (m *mapping) bool(key string) bool {
	s := m.str(key, false)
	switch strings.ToLower(s) {
	case "", "false", "no":
		return false
	case "true", "yes":
		return true
	}
	m.l.errorf(m.values[key], m.ctx, "%s must be true or false, not %q", key, s)
	return false
}

func (m *mapping) list(key string, required bool) []*yaml.Node {
	if !m.has(key) {
		if required {
			m.l.errorf(m.node, m.ctx, "needs %q", key)
		}
		return nil
	}
	n := m.values[key]
	if n.Kind != yaml.SequenceNode {
		m.l.errorf(n, m.ctx, "%s must be a list (lines starting with -)", key)
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}

// peekID is a mapping's id, for naming it in errors about its other keys.
func peekID(n *yaml.Node) string {
	if n = resolve(n); n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	if v := resolve(fieldNode(n, "id")); v != n && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// fieldNode finds a key's value in a field's mapping, for error lines.
func fieldNode(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return n
}

func ctx2(ctx, key string) string {
	if ctx == "" {
		return key
	}
	return ctx + ": " + key
}

func joinKeys(m map[string]bool) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func kindList() string {
	var s []string
	for _, k := range kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func prefillList() string {
	var s []string
	for k := range prefillKeys {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
