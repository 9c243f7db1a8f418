package forms

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Validate skips the JSON Schema pass when schemaAccepts says the schema
// would accept the answers, so the two must agree: never yes where the
// schema says no (a problem would be lost), and yes wherever the schema
// says yes on the built-in kinds (or the shortcut saves nothing).

func acceptsDefs(t testing.TB) []*Definition {
	t.Helper()
	c, err := Load(Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	defs := c.List()
	src, err := os.ReadFile(filepath.Join("testdata", "all-kinds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := Parse("all-kinds.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	return append(defs, all)
}

// checkAgrees compares schemaAccepts with the schema itself on answers as
// Validate sees them (after cleanAnswers).
func checkAgrees(t *testing.T, d *Definition, data map[string]any) (accepted bool) {
	t.Helper()
	c := d.compiled
	if c == nil {
		var err error
		if c, err = compile(d); err != nil {
			t.Fatal(err)
		}
	}
	answers := cleanAnswers(data)
	fast := d.schemaAccepts(answers)
	schema := c.schema.Validate(any(answers)) == nil
	if fast != schema {
		b, _ := json.Marshal(answers)
		t.Fatalf("%s: schemaAccepts says %v, the schema %v, for %s (%#v)", d.ID, fast, schema, b, answers)
	}
	return schema
}

// oddValues are answers of every shape, in and out of each kind's range.
func oddValues(f *Field, r *rand.Rand) []any {
	long := func(n int) string {
		// Multibyte letters: the limit counts characters, not bytes.
		return strings.Repeat("ŵ", n)
	}
	vals := []any{
		nil, true, false, 0.0, -1.0, 1.5, 3.0, 10.0, 11.0, math.Copysign(0, -1), 1e21, 4503599627370497.0, 1e308, -1e308,
		math.NaN(), math.Inf(1), math.SmallestNonzeroFloat64,
		"", " ", "x", "yes", "no", "maybe", "red", "amber", "green", "Red",
		"2026-03-27", "2026-02-29", "2028-02-29", "2026-13-01", "2026-3-27", "27/03/2026", "2026-03-27T00:00:00Z", " 2026-03-27",
		"14:30", "00:00", "23:59", "24:00", "19:60", "9:30", "09:5", "09:30:00", "2a:30", "ab:cd", "14:30\n",
		"\xff\xfe", long(1), long(199), long(200), long(201),
		[]any{}, []any{"x"}, []any{nil}, []any{1.0}, map[string]any{}, map[string]any{"a": "b"},
		[]any{map[string]any{}}, []any{"x", 1.0}, struct{ A int }{1},
	}
	if m := f.maxLength(); m > 0 {
		vals = append(vals, long(m), long(m+1), strings.Repeat("a", m-1)+"ŵ", strings.Repeat("a", m)+"ŵ")
	}
	if f.Min != nil {
		vals = append(vals, *f.Min, math.Nextafter(*f.Min, math.Inf(-1)), *f.Min+0.5)
	}
	if f.Max != nil {
		vals = append(vals, *f.Max, math.Nextafter(*f.Max, math.Inf(1)), *f.Max-0.5)
	}
	opts := f.options()
	var some []any
	for _, o := range opts {
		vals = append(vals, o.Value)
		if r.IntN(2) == 0 {
			some = append(some, o.Value)
		}
	}
	vals = append(vals, some)
	if len(some) > 0 {
		vals = append(vals, append(append([]any{}, some...), some[0]), append(append([]any{}, some...), "not an option"))
	}
	if f.Kind == KindTable {
		for range 6 {
			var rows []any
			for range r.IntN(4) {
				row := map[string]any{}
				for i := range f.Columns {
					c := &f.Columns[i]
					if r.IntN(3) > 0 {
						cv := oddValues(c, r)
						if r.IntN(2) == 0 {
							row[c.ID] = sampleValue(c, "person-1", r.IntN(20))
						} else {
							row[c.ID] = cv[r.IntN(len(cv))]
						}
					}
				}
				if r.IntN(10) == 0 {
					row["not_a_column"] = "x"
				}
				rows = append(rows, row)
			}
			vals = append(vals, rows)
		}
		many := make([]any, f.maxRows()+1)
		for i := range many {
			many[i] = map[string]any{}
		}
		vals = append(vals, many, many[:f.maxRows()])
	}
	return vals
}

func TestSchemaAcceptsAgreesWithSchema(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 2026))
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	for _, d := range acceptsDefs(t) {
		fields := d.fields()
		// The sample answers are accepted, by both.
		if !checkAgrees(t, d, Sample(d, "person-1")) {
			t.Errorf("%s: the schema refuses the sample answers", d.ID)
		}
		accepted, refused := 0, 0
		for range rounds {
			data := Sample(d, "person-1")
			// Change a few answers to odd ones, of any shape.
			for range 1 + r.IntN(3) {
				f := fields[r.IntN(len(fields))]
				vals := oddValues(f, r)
				data[f.ID] = vals[r.IntN(len(vals))]
			}
			if r.IntN(20) == 0 {
				data["not_a_question"] = "x"
			}
			if checkAgrees(t, d, data) {
				accepted++
			} else {
				refused++
			}
		}
		// Each field alone, with each of its odd values.
		for _, f := range fields {
			for _, v := range oddValues(f, r) {
				checkAgrees(t, d, map[string]any{f.ID: v})
			}
		}
		if accepted == 0 || refused == 0 {
			t.Errorf("%s: %d accepted, %d refused: the test does not cover both", d.ID, accepted, refused)
		}
	}
}

// FuzzSchemaAccepts: any JSON body, as the API decodes it.
func FuzzSchemaAccepts(f *testing.F) {
	defs := acceptsDefs(f)
	f.Add([]byte(`{"supervisee_name":"Siân","times_per_year":13,"content":["casework"]}`), uint8(0))
	f.Add([]byte(`{"actions":[{"action":"Call","due":"2026-13-01"},null,7,{"action":"\u202e"}]}`), uint8(1))
	f.Add([]byte(`{"planner":[{}],"agreement_date":"27/3/2026","every_weeks":1e308}`), uint8(2))
	f.Add([]byte(`{"content":["casework","casework"],"times_per_year":13.0000000000000001}`), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		var data map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&data) != nil {
			return
		}
		checkAgrees(t, defs[int(which)%len(defs)], data)
	})
}
