// Package policy holds a council's supervision policy as figures: how often
// each role is supervised (by time in post), how soon records are written up
// and shared, how often agreements are reviewed, observations and file audits
// a year, and so on. A profile is a YAML file; the five seed councils are
// built in as presets. Dates are counted in working days that skip weekends
// and the bank holidays of England and Wales (workdays.go).
package policy

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Roles are the role categories a profile gives frequencies for; they are
// supervision.RoleCategory's values (a test keeps the two lists together).
var Roles = []string{
	"student", "asye", "probation", "social_worker", "family_support",
	"team_manager", "senior_manager", "residential", "business_support",
}

// Phase is how often someone is supervised during part of their time in
// post: every EveryWeeks weeks until UntilWeeks weeks after their start date
// (0: from then on; only the last phase may have it).
type Phase struct {
	UntilWeeks int `yaml:"until_weeks"`
	EveryWeeks int `yaml:"every_weeks"`
}

// Profile is one council's policy figures. A zero figure means the policy
// sets none, and nothing is checked against it (RetentionYears: the
// service's default).
type Profile struct {
	// Name is the preset's name or the file's path; Council is who it is.
	Name    string `yaml:"-"`
	Council string `yaml:"council"`
	// Frequencies by role category, each a list of phases by time in post.
	// "default" covers the roles not listed.
	Frequencies map[string][]Phase `yaml:"frequencies"`
	// SessionMinutes is the least a formal session should last.
	SessionMinutes int `yaml:"session_minutes"`
	// RecordWorkingDays: a supervision record is written and signed within
	// this many working days of the session; CopyWorkingDays: the
	// supervisee has their copy within this many.
	RecordWorkingDays int `yaml:"record_within_working_days"`
	CopyWorkingDays   int `yaml:"copy_to_supervisee_within_working_days"`
	// Agreement: reviewed every ReviewMonths; a new one within
	// NewAfterChangeWeeks of a change of supervisor.
	Agreement struct {
		ReviewMonths        int `yaml:"review_months"`
		NewAfterChangeWeeks int `yaml:"new_after_change_of_supervisor_weeks"`
	} `yaml:"agreement"`
	// Observations of practice a year (the year from 1 April), of which
	// ByLineManager by the worker's own supervisor.
	Observations struct {
		PerYear       int `yaml:"per_year"`
		ByLineManager int `yaml:"by_line_manager"`
	} `yaml:"observations"`
	FileAuditsPerYear int `yaml:"file_audits_per_year"`
	// SelfAssessmentDaysBefore: a self-assessment is due this many days
	// before the session it feeds.
	SelfAssessmentDaysBefore int `yaml:"self_assessment_days_before"`
	// CaseSupervisionWeeks: every case is supervised within this cycle.
	CaseSupervisionWeeks int `yaml:"case_supervision_weeks"`
	// RetentionYears: a leaver's file is kept this long after they leave.
	RetentionYears int `yaml:"retention_years_after_leaving"`
	// OverdueGraceDays: supervision or an agreement overdue by more than
	// this many days is in the line manager's weekly digest too, not only
	// the supervisor's.
	OverdueGraceDays int `yaml:"overdue_grace_days"`
}

//go:embed presets/*.yaml
var presets embed.FS

// DefaultPreset is the profile used when SUPFILE_POLICY is unset:
// Manchester's policy (seed 002) has the most complete set of figures that
// drive due dates (frequencies, observations and how many by the line
// manager, file audits, the self-assessment lead time, the case supervision
// cycle) and is the policy whose appendices the built-in forms follow.
const DefaultPreset = "manchester"

// Presets are the built-in profiles' names, sorted.
func Presets() []string {
	ents, _ := presets.ReadDir("presets")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Preset returns a built-in profile.
func Preset(name string) (*Profile, error) {
	data, err := presets.ReadFile("presets/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no policy preset %q (the presets are %s)", name, strings.Join(Presets(), ", "))
	}
	return Parse(name, data)
}

// Load returns the profile named by SUPFILE_POLICY: a preset's name, or
// the path of a YAML file (anything with a slash or ending .yaml/.yml).
// Empty is DefaultPreset.
func Load(spec string) (*Profile, error) {
	if spec == "" {
		spec = DefaultPreset
	}
	if !strings.ContainsAny(spec, `/\`) && !strings.HasSuffix(spec, ".yaml") && !strings.HasSuffix(spec, ".yml") {
		return Preset(spec)
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, fmt.Errorf("policy file: %w", err)
	}
	return Parse(spec, data)
}

// Error is a fault in a profile, at a line of its file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// Parse reads a profile; name is the file (or preset) errors name.
func Parse(name string, data []byte) (*Profile, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlErr(name, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: 1, Msg: "a policy profile is a mapping of its figures (council:, frequencies:, ...)"}
	}
	p := &Profile{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, yamlErr(name, err)
	}
	p.Name = name
	if err := p.check(name, root.Content[0]); err != nil {
		return nil, err
	}
	return p, nil
}

func yamlErr(name string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		text := strings.ReplaceAll(m[2], "in type policy.Profile", "in a policy profile")
		text = strings.ReplaceAll(text, "in type policy.Phase", "in a phase")
		return &Error{File: name, Line: n, Msg: text}
	}
	return &Error{File: name, Msg: msg}
}

// lineOf is the line of the last key of a path of mapping keys (or of the
// deepest key found).
func lineOf(n *yaml.Node, path ...string) int {
	line := n.Line
	for _, key := range path {
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line = n.Content[i].Line
				n, found = n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}

func (p *Profile) check(file string, root *yaml.Node) error {
	bad := func(msg string, path ...string) error {
		return &Error{File: file, Line: lineOf(root, path...), Msg: msg}
	}
	if strings.TrimSpace(p.Council) == "" {
		return bad("council: name the council whose policy this is", "council")
	}
	if len(p.Frequencies) == 0 {
		return bad("frequencies: give how often each role is supervised (or a default)", "frequencies")
	}
	known := map[string]bool{"default": true}
	for _, r := range Roles {
		known[r] = true
	}
	roles := make([]string, 0, len(p.Frequencies))
	for r := range p.Frequencies {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	for _, r := range roles {
		if !known[r] {
			return bad(fmt.Sprintf("frequencies: %q is not a role category (use one of %s, or default)", r, strings.Join(Roles, ", ")), "frequencies", r)
		}
		phases := p.Frequencies[r]
		if len(phases) == 0 {
			return bad(fmt.Sprintf("frequencies.%s: give at least one phase (every_weeks: N)", r), "frequencies", r)
		}
		prev := 0
		for i, ph := range phases {
			at := phaseLine(root, r, i)
			if ph.EveryWeeks < 1 || ph.EveryWeeks > 52 {
				return &Error{File: file, Line: at, Msg: fmt.Sprintf("frequencies.%s: every_weeks must be a whole number of weeks from 1 to 52", r)}
			}
			last := i == len(phases)-1
			switch {
			case last && ph.UntilWeeks != 0:
				return &Error{File: file, Line: at, Msg: fmt.Sprintf("frequencies.%s: the last phase runs from then on, so it has no until_weeks", r)}
			case !last && ph.UntilWeeks <= prev:
				return &Error{File: file, Line: at, Msg: fmt.Sprintf("frequencies.%s: until_weeks must grow from one phase to the next (weeks in post, more than %d)", r, prev)}
			}
			prev = ph.UntilWeeks
		}
	}
	if _, ok := p.Frequencies["default"]; !ok {
		for _, r := range Roles {
			if _, ok := p.Frequencies[r]; !ok {
				return bad(fmt.Sprintf("frequencies: %s is not given and there is no default", r), "frequencies")
			}
		}
	}
	type rng struct {
		v        int
		min, max int
		what     string
		path     []string
	}
	for _, c := range []rng{
		{p.OverdueGraceDays, 0, 365, "overdue_grace_days: days from 0 (the line manager hears of anything overdue) to 365", []string{"overdue_grace_days"}},
		{p.SessionMinutes, 0, 480, "session_minutes: minutes from 0 (not set) to 480", []string{"session_minutes"}},
		{p.RecordWorkingDays, 0, 60, "record_within_working_days: working days from 0 (not set) to 60", []string{"record_within_working_days"}},
		{p.CopyWorkingDays, 0, 60, "copy_to_supervisee_within_working_days: working days from 0 (not set) to 60", []string{"copy_to_supervisee_within_working_days"}},
		{p.Agreement.ReviewMonths, 0, 36, "agreement.review_months: months from 0 (not set) to 36", []string{"agreement", "review_months"}},
		{p.Agreement.NewAfterChangeWeeks, 1, 26, "agreement.new_after_change_of_supervisor_weeks: weeks from 1 to 26", []string{"agreement", "new_after_change_of_supervisor_weeks"}},
		{p.Observations.PerYear, 0, 12, "observations.per_year: from 0 (not set) to 12", []string{"observations", "per_year"}},
		{p.Observations.ByLineManager, 0, p.Observations.PerYear, "observations.by_line_manager: from 0 to observations.per_year", []string{"observations", "by_line_manager"}},
		{p.FileAuditsPerYear, 0, 12, "file_audits_per_year: from 0 (not set) to 12", []string{"file_audits_per_year"}},
		{p.SelfAssessmentDaysBefore, 0, 28, "self_assessment_days_before: days from 0 (not set) to 28", []string{"self_assessment_days_before"}},
		{p.CaseSupervisionWeeks, 0, 52, "case_supervision_weeks: weeks from 0 (not set) to 52", []string{"case_supervision_weeks"}},
		{p.RetentionYears, 0, 100, "retention_years_after_leaving: years from 0 (the service's default) to 100", []string{"retention_years_after_leaving"}},
	} {
		if c.v < c.min || c.v > c.max {
			return bad(c.what, c.path...)
		}
	}
	return nil
}

func phaseLine(root *yaml.Node, role string, i int) int {
	n := root
	for _, key := range []string{"frequencies", role} {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == key {
				n = n.Content[j+1]
				break
			}
		}
	}
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return n.Line
}

// Phases are the phases for a role category (or the default).
func (p *Profile) Phases(role string) []Phase {
	if ph, ok := p.Frequencies[role]; ok {
		return ph
	}
	return p.Frequencies["default"]
}

// EveryWeeks is the weeks between sessions for someone in a role who
// started on start, on the date on: the phase their time in post is in.
func (p *Profile) EveryWeeks(role string, start, on time.Time) int {
	phases := p.Phases(role)
	if len(phases) == 0 {
		return 0
	}
	weeks := int(Date(on).Sub(Date(start)).Hours() / 24 / 7)
	for _, ph := range phases {
		if ph.UntilWeeks == 0 || weeks < ph.UntilWeeks {
			return ph.EveryWeeks
		}
	}
	return phases[len(phases)-1].EveryWeeks
}

// Settled is the weeks between sessions once every phase has passed.
func (p *Profile) Settled(role string) int {
	phases := p.Phases(role)
	if len(phases) == 0 {
		return 0
	}
	return phases[len(phases)-1].EveryWeeks
}

// MinTimesPerYear is the least supervision a year for someone in a role
// who started on start, on the date on: 52 weeks over the weeks between
// sessions, rounded down (every 6 weeks is 8 times a year).
func (p *Profile) MinTimesPerYear(role string, start, on time.Time) int {
	w := p.EveryWeeks(role, start, on)
	if w < 1 {
		return 0
	}
	return int(math.Floor(52 / float64(w)))
}

// NextDue is when the next session is due after one held on last (or, with
// none held, after from: the start of the relationship), for someone in a
// role who started on start. A phase's frequency is the one in force on the
// day of the last session; when a faster phase ends before the next session
// would fall, the slower one's interval counts from the last session.
func (p *Profile) NextDue(role string, start, last time.Time) time.Time {
	w := p.EveryWeeks(role, start, last)
	if w < 1 {
		return time.Time{}
	}
	return Date(last).AddDate(0, 0, 7*w)
}

// CaseDue is when a case last discussed in supervision on last is due to
// be discussed again: within the case supervision cycle, so
// CaseSupervisionWeeks after it, or the last working day before that when
// it falls on a weekend or a bank holiday. Zero when the profile sets no
// cycle.
func (p *Profile) CaseDue(last time.Time) time.Time {
	if p.CaseSupervisionWeeks < 1 {
		return time.Time{}
	}
	return WorkingDayOnOrBefore(Date(last).AddDate(0, 0, 7*p.CaseSupervisionWeeks))
}

// ObservationYear is the observation year (1 April to 31 March) a date is
// in: its first day and the day after its last.
func ObservationYear(d time.Time) (from, to time.Time) {
	d = Date(d)
	y := d.Year()
	if d.Month() < time.April {
		y--
	}
	from = time.Date(y, time.April, 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(1, 0, 0)
}

// Date is the calendar date of t in its own location, as UTC midnight.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Weeks says "every N weeks" in words, for hints.
func Weeks(n int) string {
	switch n {
	case 1:
		return "weekly"
	case 2:
		return "fortnightly"
	}
	return fmt.Sprintf("every %d weeks", n)
}

// Hints are the {policy.name} values form hints are filled with
// (forms.Catalogue.FillPolicy): the active profile's figures in words,
// naming its council, so that no form names a council itself.
func (p *Profile) Hints() map[string]string {
	h := map[string]string{"policy.council": p.Council}
	if p.CopyWorkingDays > 0 {
		h["policy.copy_days"] = fmt.Sprintf("%s's policy: the supervisee has a copy within %s.", p.Council, workingDays(p.CopyWorkingDays))
	} else {
		h["policy.copy_days"] = fmt.Sprintf("%s's policy gives no number of days: agree one.", p.Council)
	}
	if p.RecordWorkingDays > 0 {
		h["policy.record_days"] = fmt.Sprintf("%s: within %s", p.Council, workingDays(p.RecordWorkingDays))
	} else {
		h["policy.record_days"] = fmt.Sprintf("%s's policy gives no number of days", p.Council)
	}
	if p.SessionMinutes > 0 {
		h["policy.session"] = fmt.Sprintf("Formal supervision sessions should last at least %s (%s).", hours(p.SessionMinutes), p.Council)
	} else {
		h["policy.session"] = "How long the formal supervision session lasted."
	}
	if p.SelfAssessmentDaysBefore > 0 {
		h["policy.self_assessment"] = fmt.Sprintf("Complete it at least %d days before (%s).", p.SelfAssessmentDaysBefore, p.Council)
	} else {
		h["policy.self_assessment"] = "Complete it before the supervision it is for."
	}
	return h
}

func workingDays(n int) string {
	if n == 1 {
		return "1 working day"
	}
	return fmt.Sprintf("%d working days", n)
}

func hours(min int) string {
	if min%60 == 0 {
		if min == 60 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", min/60)
	}
	return strconv.FormatFloat(float64(min)/60, 'f', -1, 64) + " hours"
}
