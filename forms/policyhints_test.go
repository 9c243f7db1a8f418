package forms_test

import (
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/policy"
)

// Hints that depend on the policy name no council in the definitions; the
// active profile fills them in.
func TestPolicyHints(t *testing.T) {
	for _, name := range policy.Presets() {
		cat, err := forms.Load(forms.Builtin(), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(cat.PolicyTokens()) == 0 {
			t.Fatal("the built-in forms have no {policy.…} hints")
		}
		p, _ := policy.Preset(name)
		cat.FillPolicy(p.Hints())
		if left := cat.PolicyTokens(); len(left) != 0 {
			t.Errorf("%s: unfilled %v", name, left)
		}
		var hints []string
		for _, d := range cat.List() {
			for _, s := range d.Sections {
				hints = append(hints, s.Intro)
				for _, f := range s.Fields {
					hints = append(hints, f.Hint)
				}
			}
		}
		all := strings.Join(hints, "\n")
		for _, council := range []string{"Nottinghamshire", "York", "Manchester", "Lincolnshire", "Sutton"} {
			if strings.Contains(all, council) != strings.Contains(p.Council, council) {
				t.Errorf("%s: hints name %s: %v", name, council, strings.Contains(all, council))
			}
		}
		def, _ := cat.Get("supervision-agreement")
		cf, _ := def.Field("copy_within_days")
		copyHint := cf.Hint
		if p.CopyWorkingDays > 0 && !strings.Contains(copyHint, p.Council+"'s policy: the supervisee has a copy within ") {
			t.Errorf("%s: copy hint %q", name, copyHint)
		}
	}
	p, _ := policy.Preset("nottinghamshire")
	if h := p.Hints()["policy.copy_days"]; h != "Nottinghamshire County Council's policy: the supervisee has a copy within 10 working days." {
		t.Errorf("Nottinghamshire copy hint: %q", h)
	}
	p, _ = policy.Preset("sutton")
	if h := p.Hints()["policy.session"]; h != "Formal supervision sessions should last at least 1.5 hours (London Borough of Sutton)." {
		t.Errorf("Sutton session hint: %q", h)
	}
}
