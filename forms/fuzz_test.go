package forms

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The fuzz targets check that no answers, however odd, make decoding or
// validation panic, and that every error they report names an input and
// says something. `go test` runs the seeds in testdata/fuzz; the runs
// recorded in bench/RESULTS.md used -fuzz with -fuzztime=10m.

// fuzzDefs is every built-in form and the test form with every kind.
func fuzzDefs(f *testing.F) []*Definition {
	f.Helper()
	c, err := Load(Builtin(), "")
	if err != nil {
		f.Fatal(err)
	}
	defs := c.List()
	if len(defs) == 0 {
		f.Fatal("no forms")
	}
	src, err := os.ReadFile(filepath.Join("testdata", "all-kinds.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	all, err := Parse("all-kinds.yaml", src)
	if err != nil {
		f.Fatal(err)
	}
	return append(defs, all)
}

func fuzzContext() Context {
	return Context{
		Today: time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC), SuperviseeRole: "social_worker", MinTimesPerYear: 13,
		Printable: func(r rune) bool { return r < 0x3000 }, // no CJK, no emoji: as strict as the fonts
	}
}

func checkErrors(t *testing.T, d *Definition, errs []FieldError) {
	t.Helper()
	for _, e := range errs {
		if e.Message == "" {
			t.Fatalf("%s: an error with no message on %q", d.ID, e.Field)
		}
	}
}

// FuzzValidateJSON: any JSON body, as the API decodes it, validated against
// every form as a draft and as final.
func FuzzValidateJSON(f *testing.F) {
	defs := fuzzDefs(f)
	f.Add([]byte(`{"supervisee_name":"Siân","times_per_year":13,"content":["casework"]}`), uint8(0))
	f.Add([]byte(`{"actions":[{"action":"Call","due":"2026-13-01"},null,7,{"action":"\u202e"}]}`), uint8(1))
	f.Add([]byte(`{"planner":[{}],"agreement_date":"27/3/2026","every_weeks":1e308}`), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		var data map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&data) != nil {
			return
		}
		d := defs[int(which)%len(defs)]
		ctx := fuzzContext()
		for _, mode := range []Mode{Draft, Final} {
			errs := d.Validate(data, mode, ctx)
			checkErrors(t, d, errs)
			if len(errs) == 0 {
				// What is accepted can be shown.
				d.Display(data, func(id string) string { return id })
			}
		}
	})
}

// FuzzDecodeForm: any form post (as a query string), decoded and validated
// against every form.
func FuzzDecodeForm(f *testing.F) {
	defs := fuzzDefs(f)
	f.Add("supervisee_name=Si%C3%A2n&agreement_date=27%2F3%2F2026&times_per_year=13&content=casework&content=zzz", uint8(0))
	f.Add("actions.0.action=Call&actions.0.due=1+2+2026&actions.99999999999999999999.action=x&actions.-1.action=y&actions.3.nope=z", uint8(1))
	f.Add("session_hours=1%2C5&start=9.30&notes=a%0D%0Ab%0D", uint8(2))
	f.Fuzz(func(t *testing.T, query string, which uint8) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		d := defs[int(which)%len(defs)]
		data := d.DecodeForm(v)
		ctx := fuzzContext()
		for _, mode := range []Mode{Draft, Final} {
			errs := d.Validate(data, mode, ctx)
			checkErrors(t, d, errs)
			if len(errs) == 0 {
				d.Display(data, func(id string) string { return id })
			}
		}
	})
}
