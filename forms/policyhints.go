package forms

import (
	"regexp"
)

// policyToken is a figure from the council's policy profile in a hint or a
// section's intro, such as {policy.copy_days}: form definitions name no
// council, the running service fills in its own (FillPolicy).
var policyToken = regexp.MustCompile(`\{policy\.[a-z_]+\}`)

// FillPolicy replaces each {policy.name} in the hints and intros of every
// loaded definition with values["policy.name"] (a token with no value is
// left out). It changes the catalogue; call it once, when the service
// starts.
func (c *Catalogue) FillPolicy(values map[string]string) {
	fill := func(s string) string {
		if s == "" {
			return s
		}
		return policyToken.ReplaceAllStringFunc(s, func(tok string) string {
			return values[tok[1:len(tok)-1]]
		})
	}
	var fillFields func(fs []Field)
	fillFields = func(fs []Field) {
		for i := range fs {
			fs[i].Hint = fill(fs[i].Hint)
			fillFields(fs[i].Columns)
		}
	}
	for _, vs := range c.versions {
		for _, d := range vs {
			for i := range d.Sections {
				d.Sections[i].Intro = fill(d.Sections[i].Intro)
				fillFields(d.Sections[i].Fields)
			}
		}
	}
}

// PolicyTokens lists the {policy.name} tokens left in the catalogue's hints
// and intros (none once FillPolicy has run with every value).
func (c *Catalogue) PolicyTokens() []string {
	var out []string
	var walk func(fs []Field)
	walk = func(fs []Field) {
		for _, f := range fs {
			out = append(out, policyToken.FindAllString(f.Hint, -1)...)
			walk(f.Columns)
		}
	}
	for _, vs := range c.versions {
		for _, d := range vs {
			for _, s := range d.Sections {
				out = append(out, policyToken.FindAllString(s.Intro, -1)...)
				walk(s.Fields)
			}
		}
	}
	return out
}
