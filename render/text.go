package render

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the container image may have no zoneinfo; times must still print in UK time

	"github.com/supervisionfile/supfile/supervision/printout"
)

// normalizeNewlines turns the CR LF and lone CR that browsers and Windows
// pastes produce into LF, so that every later step splits on one character.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// splitLines returns the lines of s after newline normalisation. A trailing
// newline does not make an extra empty line.
func splitLines(s string) []string {
	s = strings.TrimSuffix(normalizeNewlines(s), "\n")
	return strings.Split(s, "\n")
}

// paragraphs groups the lines of an answer: a blank (or whitespace-only) line
// separates paragraphs, a single newline is a line break inside one. Runs of
// blank lines count as one separator; leading and trailing ones are dropped.
func paragraphs(s string) [][]string {
	var out [][]string
	var cur []string
	for _, l := range splitLines(s) {
		if strings.TrimSpace(l) == "" {
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// isBlank reports whether an answer has nothing worth printing.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// time/tzdata is linked in, so this cannot happen; UTC is at worst an
		// hour out and says so in the printed zone name.
		return time.UTC
	}
	return loc
})

// signedAt formats a signature time the way a UK reader expects, e.g.
// "3 March 2026 at 14:05".
func signedAt(t time.Time) string {
	if t.IsZero() {
		return "Not recorded"
	}
	return t.In(london()).Format("2 January 2006 at 15:04")
}

// auditTime keeps the seconds: the audit trail has to order events that
// happen within the same minute.
func auditTime(t time.Time) string {
	if t.IsZero() {
		return "Not recorded"
	}
	return t.In(london()).Format("2 Jan 2006 15:04:05 MST")
}

// UnprintableError reports a character the PDF cannot show. Rendering stops
// rather than let the character disappear from a signed record.
type UnprintableError struct {
	Rune  rune
	Where string // e.g. `section "Wellbeing", field "Notes"`
}

func (e *UnprintableError) Error() string {
	return fmt.Sprintf("render: %s contains the character %q (U+%04X), which the PDF font cannot print", e.Where, e.Rune, e.Rune)
}

// eachText calls fn with every piece of text a rendered document shows, and
// where it comes from, stopping at the first non-nil error.
func eachText(d *printout.Document, fn func(where, s string) error) error {
	check := func(where, s string) error {
		if s == "" {
			return nil
		}
		return fn(where, s)
	}
	if err := check("the organisation name", d.OrgName); err != nil {
		return err
	}
	if err := check("the title", d.Title); err != nil {
		return err
	}
	if err := check("the subtitle", d.Subtitle); err != nil {
		return err
	}
	if err := check("the reference", d.Reference); err != nil {
		return err
	}
	if err := check("the declaration", d.Declaration); err != nil {
		return err
	}
	if err := check("the data hash", d.DataSHA256); err != nil {
		return err
	}
	for _, s := range d.Sections {
		sw := fmt.Sprintf("section %q", s.Title)
		if err := check(sw+" title", s.Title); err != nil {
			return err
		}
		if err := check(sw+" introduction", s.Intro); err != nil {
			return err
		}
		if err := check(sw+" statement", s.Statement); err != nil {
			return err
		}
		if g := s.Grid; g != nil {
			for _, c := range g.Columns {
				if err := check(sw+" grid heading", c); err != nil {
					return err
				}
			}
			for i, r := range g.Rows {
				rw := fmt.Sprintf("%s, grid row %d", sw, i+1)
				if err := check(rw, r.Label); err != nil {
					return err
				}
				for _, c := range r.Cells {
					if err := check(rw, c.Text); err != nil {
						return err
					}
				}
			}
		}
		for _, f := range s.Fields {
			fw := fmt.Sprintf("%s, field %q", sw, f.Label)
			if err := check(fw+" label", f.Label); err != nil {
				return err
			}
			if err := check(fw, f.Value); err != nil {
				return err
			}
			if f.Table == nil {
				continue
			}
			for _, c := range f.Table.Columns {
				if err := check(fw+" table heading", c); err != nil {
					return err
				}
			}
			for i, row := range f.Table.Rows {
				for _, c := range row {
					if err := check(fmt.Sprintf("%s, table row %d", fw, i+1), c); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, s := range d.Signatures {
		sw := fmt.Sprintf("the %s signature", s.Role)
		for _, t := range []string{s.Role, s.Name, s.TypedName, s.JobTitle, s.Comment, s.Disagreement} {
			if err := check(sw, t); err != nil {
				return err
			}
		}
	}
	for i, e := range d.Audit {
		ew := fmt.Sprintf("audit event %d", i+1)
		for _, t := range []string{e.Actor, e.Action, e.Detail} {
			if err := check(ew, t); err != nil {
				return err
			}
		}
	}
	return nil
}
