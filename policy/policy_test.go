package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// Each preset against the figures of its seed policy (../shared/FORMS.md and
// the seeds themselves).
func TestPresetsAgainstSeeds(t *testing.T) {
	type want struct {
		council                      string
		sw, asyeStart, asye8, asye20 int // every_weeks: settled social worker; ASYE at weeks 0, 8 and 20
		asyeSettled, student, resid  int
		business, probation0         int
		session, record, copy        int
		review, change               int
		obs, obsLM, audits, selfDays int
		caseWeeks, retention, grace  int
	}
	cases := map[string]want{
		"nottinghamshire":         {"Nottinghamshire County Council", 4, 2, 2, 2, 4, 1, 6, 4, 4, 0, 5, 10, 12, 4, 0, 0, 0, 0, 0, 0, 14},
		"york":                    {"City of York Council", 4, 1, 2, 2, 4, 1, 4, 4, 4, 0, 2, 2, 12, 4, 1, 1, 0, 0, 13, 0, 14},
		"manchester":              {"Manchester City Council", 4, 4, 4, 4, 4, 4, 4, 12, 4, 90, 0, 0, 12, 4, 2, 1, 2, 2, 8, 0, 14},
		"north-east-lincolnshire": {"North East Lincolnshire Council", 4, 1, 2, 2, 4, 4, 4, 4, 2, 0, 2, 2, 12, 4, 0, 0, 0, 0, 4, 0, 14},
		"sutton":                  {"London Borough of Sutton", 4, 1, 1, 2, 4, 1, 4, 4, 4, 90, 2, 2, 12, 4, 0, 0, 1, 0, 12, 6, 14},
	}
	if got := strings.Join(Presets(), ","); got != "manchester,north-east-lincolnshire,nottinghamshire,sutton,york" {
		t.Fatalf("presets: %s", got)
	}
	start := d(2026, 1, 5)
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			on := func(weeks int) time.Time { return start.AddDate(0, 0, 7*weeks) }
			got := want{p.Council,
				p.EveryWeeks("social_worker", start, on(100)), p.EveryWeeks("asye", start, on(0)), p.EveryWeeks("asye", start, on(8)), p.EveryWeeks("asye", start, on(20)),
				p.EveryWeeks("asye", start, on(60)), p.EveryWeeks("student", start, on(1)), p.EveryWeeks("residential", start, on(60)),
				p.EveryWeeks("business_support", start, on(60)), p.EveryWeeks("probation", start, on(1)),
				p.SessionMinutes, p.RecordWorkingDays, p.CopyWorkingDays,
				p.Agreement.ReviewMonths, p.Agreement.NewAfterChangeWeeks,
				p.Observations.PerYear, p.Observations.ByLineManager, p.FileAuditsPerYear, p.SelfAssessmentDaysBefore,
				p.CaseSupervisionWeeks, p.RetentionYears, p.OverdueGraceDays}
			if got != w {
				t.Errorf("\n got %+v\nwant %+v", got, w)
			}
			// Every role has a frequency.
			for _, r := range Roles {
				if p.Settled(r) < 1 {
					t.Errorf("%s: no frequency", r)
				}
			}
		})
	}
}

// Each figure in a preset file carries a comment naming where it comes from.
func TestPresetsCommented(t *testing.T) {
	for _, name := range Presets() {
		data, _ := presets.ReadFile("presets/" + name + ".yaml")
		lines := strings.Split(string(data), "\n")
		for i, l := range lines {
			tl := strings.TrimSpace(l)
			if tl == "" || strings.HasPrefix(tl, "#") || strings.HasSuffix(tl, ":") || strings.HasPrefix(tl, "council:") {
				continue
			}
			// A figure: a comment above it (possibly above its phase list or group).
			ok := false
			for j := i - 1; j >= 0 && j >= i-12; j-- {
				if strings.HasPrefix(strings.TrimSpace(lines[j]), "#") {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s.yaml:%d: %q has no comment naming its source", name, i+1, tl)
			}
		}
	}
}

func TestDefaultPreset(t *testing.T) {
	p, err := Load("")
	if err != nil || p.Name != "manchester" {
		t.Fatalf("Load(\"\") = %v, %v", p, err)
	}
	if _, err := Load("narnia"); err == nil || !strings.Contains(err.Error(), "manchester, north-east-lincolnshire") {
		t.Fatalf("unknown preset: %v", err)
	}
}

// A bad file is refused naming the file and the line.
func TestBadFiles(t *testing.T) {
	good := "council: Test\nfrequencies:\n  default:\n    - every_weeks: 4\nagreement:\n  new_after_change_of_supervisor_weeks: 4\n"
	cases := []struct{ name, text, want string }{
		{"unknown key", good + "observatons:\n  per_year: 2\n", ":7: field observatons not found in a policy profile"},
		{"not a number", good + "session_minutes: ninety\n", ":7: cannot unmarshal !!str `ninety` into int"},
		{"bad yaml", good + "  x: [\n", ":7:"},
		{"unknown role", strings.Replace(good, "  default:", "  wizard:", 1), ":3: frequencies: \"wizard\" is not a role category"},
		{"zero weeks", strings.Replace(good, "every_weeks: 4", "every_weeks: 0", 1), ":4: frequencies.default: every_weeks must be"},
		{"phases out of order", "council: T\nfrequencies:\n  default:\n    - every_weeks: 4\n  asye:\n    - {until_weeks: 10, every_weeks: 1}\n    - {until_weeks: 6, every_weeks: 2}\n    - every_weeks: 4\nagreement: {new_after_change_of_supervisor_weeks: 4}\n", ":7: frequencies.asye: until_weeks must grow"},
		{"last phase ends", strings.Replace(good, "- every_weeks: 4", "- {every_weeks: 4, until_weeks: 8}", 1), ":4: frequencies.default: the last phase runs from then on"},
		{"no default", "council: T\nfrequencies:\n  asye:\n    - every_weeks: 1\nagreement: {new_after_change_of_supervisor_weeks: 4}\n", ":2: frequencies: student is not given and there is no default"},
		{"more by line manager than a year", good + "observations:\n  per_year: 1\n  by_line_manager: 2\n", ":9: observations.by_line_manager"},
		{"no council", strings.Replace(good, "council: Test", "council: \"\"", 1), ":1: council:"},
		{"change weeks missing", "council: T\nfrequencies:\n  default:\n    - every_weeks: 4\n", "agreement.new_after_change_of_supervisor_weeks: weeks from 1 to 26"},
		{"a list", "- 1\n- 2\n", ":1: a policy profile is a mapping"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "council.yaml")
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.HasPrefix(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %s%s", err, path, c.want)
			}
		})
	}
	path := filepath.Join(dir, "ok.yaml")
	os.WriteFile(path, []byte(good), 0o644)
	if p, err := Load(path); err != nil || p.Settled("residential") != 4 {
		t.Fatalf("good file: %v %v", p, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file: %v", err)
	}
}

// Working days skip weekends and England and Wales bank holidays,
// substitute days included.
func TestAddWorkingDays(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	cases := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"Thursday + 2 is Monday", d(2026, 11, 26), 2, d(2026, 11, 30)},
		{"Friday + 1 is Monday", d(2026, 11, 27), 1, d(2026, 11, 30)},
		{"Saturday + 1 is Monday", d(2026, 11, 28), 1, d(2026, 11, 30)},
		{"zero is the day itself", d(2026, 11, 28), 0, d(2026, 11, 28)},
		// 2026: Christmas Friday, Boxing Day Saturday -> substitute Monday 28th.
		{"Christmas 2026 with Boxing Day substitute", d(2026, 12, 24), 1, d(2026, 12, 29)},
		{"Christmas 2026, 2 days", d(2026, 12, 23), 2, d(2026, 12, 29)},
		// 2027: Christmas Saturday, Boxing Day Sunday -> Monday 27 and Tuesday 28.
		{"Christmas 2027 both substitutes", d(2027, 12, 24), 1, d(2027, 12, 29)},
		// 2022: Christmas Sunday -> Tuesday 27; Boxing Day Monday 26.
		{"Christmas 2022 on a Sunday", d(2022, 12, 23), 1, d(2022, 12, 28)},
		// New Year 2028 is a Saturday -> Monday 3 January.
		{"New Year substitute", d(2027, 12, 31), 1, d(2028, 1, 4)},
		// Easter 2026: Good Friday 3 April, Easter Monday 6 April.
		{"Easter 2026", d(2026, 4, 2), 1, d(2026, 4, 7)},
		// Easter 2027: Good Friday 26 March, Easter Monday 29 March.
		{"Easter 2027", d(2027, 3, 25), 2, d(2027, 3, 31)},
		{"Early May 2026", d(2026, 5, 1), 1, d(2026, 5, 5)},
		{"Spring bank holiday 2026", d(2026, 5, 22), 1, d(2026, 5, 26)},
		{"Summer bank holiday 2026 (England, not Scotland)", d(2026, 8, 28), 1, d(2026, 9, 1)},
		{"Scotland's 2 January is a working day", d(2026, 1, 1), 1, d(2026, 1, 2)},
		{"2022 Jubilee and moved spring holiday", d(2022, 6, 1), 1, d(2022, 6, 6)},
		{"2023 Coronation", d(2023, 5, 5), 1, d(2023, 5, 9)},
		{"leap day counts", d(2028, 2, 28), 1, d(2028, 2, 29)},
		{"across a leap day", d(2028, 2, 25), 3, d(2028, 3, 1)},
		{"backwards over Easter", d(2026, 4, 7), -1, d(2026, 4, 2)},
		// Clock changes: a moment late on a Saturday in London is that
		// Saturday, whatever the UTC offset.
		{"spring clock change", time.Date(2026, 3, 28, 23, 30, 0, 0, london), 1, d(2026, 3, 30)},
		{"autumn clock change", time.Date(2026, 10, 25, 1, 30, 0, 0, london), 1, d(2026, 10, 26)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := AddWorkingDays(c.from, c.n); !got.Equal(c.want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", c.from.Format("Mon 2006-01-02"), c.n, got.Format("Mon 2006-01-02"), c.want.Format("Mon 2006-01-02"))
			}
		})
	}
	if n := WorkingDaysAfter(d(2026, 12, 24), d(2026, 12, 31)); n != 3 {
		t.Errorf("working days 24-31 Dec 2026: %d, want 3 (29, 30, 31)", n)
	}
	if n := WorkingDaysAfter(d(2026, 12, 31), d(2026, 12, 24)); n != 0 {
		t.Errorf("backwards: %d", n)
	}
}

// Due dates across the phases of time in post, leap years and observation
// years.
func TestNextDue(t *testing.T) {
	york, _ := Preset("york")
	sutton, _ := Preset("sutton")
	notts, _ := Preset("nottinghamshire")
	start := d(2026, 1, 5)
	cases := []struct {
		name string
		p    *Profile
		role string
		last time.Time
		want time.Time
	}{
		{"York ASYE week 1: weekly", york, "asye", d(2026, 1, 12), d(2026, 1, 19)},
		{"York ASYE week 5: still weekly", york, "asye", d(2026, 2, 9), d(2026, 2, 16)},
		{"York ASYE week 6: fortnightly", york, "asye", d(2026, 2, 16), d(2026, 3, 2)},
		{"York ASYE week 25: fortnightly", york, "asye", d(2026, 6, 29), d(2026, 7, 13)},
		{"York ASYE week 26: four-weekly", york, "asye", d(2026, 7, 6), d(2026, 8, 3)},
		{"Sutton ASYE week 12: weekly", sutton, "asye", d(2026, 3, 30), d(2026, 4, 6)},
		{"Sutton ASYE week 13: fortnightly", sutton, "asye", d(2026, 4, 6), d(2026, 4, 20)},
		{"Nottinghamshire residential: six-weekly", notts, "residential", d(2026, 3, 2), d(2026, 4, 13)},
		{"Nottinghamshire ASYE in the first year: fortnightly", notts, "asye", d(2026, 12, 28), d(2027, 1, 11)},
		{"Nottinghamshire ASYE after a year: four-weekly", notts, "asye", d(2027, 1, 4), d(2027, 2, 1)},
		{"over a leap day", york, "social_worker", d(2028, 2, 14), d(2028, 3, 13)},
		{"from a leap day", york, "social_worker", d(2028, 2, 29), d(2028, 3, 28)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.NextDue(c.role, start, c.last); !got.Equal(c.want) {
				t.Fatalf("got %s, want %s", got.Format(time.DateOnly), c.want.Format(time.DateOnly))
			}
		})
	}
	for _, c := range []struct {
		on, from time.Time
	}{{d(2026, 3, 31), d(2025, 4, 1)}, {d(2026, 4, 1), d(2026, 4, 1)}, {d(2028, 2, 29), d(2027, 4, 1)}, {d(2026, 12, 31), d(2026, 4, 1)}} {
		if from, to := ObservationYear(c.on); !from.Equal(c.from) || !to.Equal(c.from.AddDate(1, 0, 0)) {
			t.Errorf("observation year of %s: %s to %s", c.on.Format(time.DateOnly), from.Format(time.DateOnly), to.Format(time.DateOnly))
		}
	}
	if n := york.MinTimesPerYear("social_worker", start, d(2027, 1, 1)); n != 13 {
		t.Errorf("York social worker: %d a year", n)
	}
	if n := notts.MinTimesPerYear("residential", start, d(2027, 1, 1)); n != 8 {
		t.Errorf("Nottinghamshire residential: %d a year", n)
	}
	if n := york.MinTimesPerYear("asye", start, d(2026, 1, 20)); n != 52 {
		t.Errorf("York ASYE first weeks: %d a year", n)
	}
}

// The case supervision cycle of each preset, brought back to the working
// day before when it ends on a weekend or a bank holiday (England and
// Wales), across a leap day and a clock change.
func TestCaseDue(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, preset string
		weeks        int
		last, want   time.Time
	}{
		{"Manchester: 8 weeks", "manchester", 8, d(2026, 1, 12), d(2026, 3, 9)},
		{"Manchester: 8 weeks end on the spring bank holiday", "manchester", 8, d(2026, 3, 30), d(2026, 5, 22)},
		{"York: 13 weeks end on the summer bank holiday", "york", 13, d(2026, 6, 1), d(2026, 8, 28)},
		{"York: 13 weeks", "york", 13, d(2026, 6, 3), d(2026, 9, 2)},
		{"Sutton: 12 weeks end on the substitute Boxing Day, after Christmas on a Friday", "sutton", 12, d(2026, 10, 5), d(2026, 12, 24)},
		{"North East Lincolnshire: 4 weeks end on Easter Monday, after Good Friday", "north-east-lincolnshire", 4, d(2027, 3, 1), d(2027, 3, 25)},
		{"North East Lincolnshire: 4 weeks to a leap day", "north-east-lincolnshire", 4, d(2028, 2, 1), d(2028, 2, 29)},
		{"North East Lincolnshire: 4 weeks over the clock change", "north-east-lincolnshire", 4, time.Date(2026, 3, 2, 0, 0, 0, 0, london), d(2026, 3, 30)},
		{"Nottinghamshire: no cycle", "nottinghamshire", 0, d(2026, 1, 12), time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Preset(c.preset)
			if err != nil {
				t.Fatal(err)
			}
			if p.CaseSupervisionWeeks != c.weeks {
				t.Fatalf("%s: case_supervision_weeks %d, want %d", c.preset, p.CaseSupervisionWeeks, c.weeks)
			}
			got := p.CaseDue(c.last)
			if !got.Equal(c.want) {
				t.Fatalf("got %s, want %s", got.Format(time.DateOnly), c.want.Format(time.DateOnly))
			}
			if !got.IsZero() && !IsWorkingDay(got) {
				t.Errorf("%s is not a working day", got.Format(time.DateOnly))
			}
		})
	}
}
