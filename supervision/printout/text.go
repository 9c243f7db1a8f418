package printout

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a document may hold. Every piece of free text that can end up in a
// signed record (staff names and job titles, answers, comments,
// disagreements, signature names, handover notes) is checked by CheckText at
// input, so that whatever is accepted prints: a character the fonts cannot
// draw would otherwise leave the record "documents pending" for ever.
//
// The rule, in order:
//   - the text must be valid UTF-8;
//   - no bidirectional embedding, override or isolate characters
//     (U+202A–U+202E, U+2066–U+2069): they make a signed text read in an
//     order other than the one it is stored in;
//   - no control characters, except a line break or a tab in text that may
//     have several lines;
//   - every other character must be one the document fonts can print
//     (canPrint; nil means the fonts print everything).

// Multiline says whether a text may hold line breaks and tabs.
type Multiline bool

const (
	OneLine Multiline = false
	Lines   Multiline = true
)

// IsBidiControl reports whether c is a bidirectional embedding, override or
// isolate character.
func IsBidiControl(c rune) bool {
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
}

// CheckText returns the message refusing s, naming the field as name
// ("Full name", "comment"), or "" when s may be printed.
func CheckText(s, name string, lines Multiline, canPrint func(rune) bool) string {
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%s contains characters that are not valid text", upperFirst(name))
	}
	for _, c := range s {
		switch {
		case IsBidiControl(c):
			return fmt.Sprintf("Remove the text direction character %U from %s: it can make the signed record read differently from what was typed", c, name)
		case (c == '\n' || c == '\r' || c == '\t') && bool(lines):
			continue
		case c == '\n' || c == '\r':
			return fmt.Sprintf("%s must be on one line", upperFirst(name))
		case unicode.IsControl(c):
			return fmt.Sprintf("Remove the control character %U from %s: it cannot be printed in the signed record", c, name)
		case canPrint != nil && !canPrint(c):
			return fmt.Sprintf("Remove %s from %s: it cannot be printed in the signed record", describe(c), name)
		}
	}
	return ""
}

// describe names a character in a message: itself when it can be seen,
// its code point when it is invisible or combines with its neighbour.
func describe(c rune) string {
	if unicode.IsGraphic(c) && !unicode.IsSpace(c) && !unicode.IsMark(c) && !unicode.Is(unicode.Cf, c) {
		return string(c)
	}
	return fmt.Sprintf("the invisible character %U", c)
}

func upperFirst(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	if c == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(c)) + s[n:]
}

// Printable returns s with every character CheckText would refuse in a
// line of text replaced by "?" (direction characters are dropped). It is
// for names kept from before the input checks (an old database, a
// reindexed file), so that a listing or a record naming them still prints;
// whatever is typed now is checked by CheckText and refused instead.
func Printable(s string, canPrint func(rune) bool) string {
	if CheckText(s, "", OneLine, canPrint) == "" {
		return s
	}
	s = strings.ToValidUTF8(s, "?")
	var b strings.Builder
	for _, c := range s {
		switch {
		case IsBidiControl(c):
		case unicode.IsControl(c), canPrint != nil && !canPrint(c):
			b.WriteByte('?')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
