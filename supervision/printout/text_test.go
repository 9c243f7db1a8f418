package printout

import "testing"

func TestCheckText(t *testing.T) {
	noCJK := func(r rune) bool { return r < 0x2E80 }
	tests := []struct {
		name, in string
		lines    Multiline
		want     string
	}{
		{"Welsh", "Siân Gwŷnedd-Ŵyn", OneLine, ""},
		{"Greek and Cyrillic", "Ελένη Петрова", OneLine, ""},
		{"lines and tabs in a long text", "one\n\ttwo\r\nthree", Lines, ""},
		{"CJK", "Li 漢字", OneLine, "Remove 漢 from Full name: it cannot be printed in the signed record"},
		{"emoji", "ok 😀", Lines, "Remove 😀 from Full name: it cannot be printed in the signed record"},
		{"control", "a\u0007", Lines, "Remove the control character U+0007 from Full name: it cannot be printed in the signed record"},
		{"DEL", "a\u007f", OneLine, "Remove the control character U+007F from Full name: it cannot be printed in the signed record"},
		{"C1 control", "a\u0085", Lines, "Remove the control character U+0085 from Full name: it cannot be printed in the signed record"},
		{"line break in a name", "Siân\nJones", OneLine, "Full name must be on one line"},
		{"tab in a name", "Siân\tJones", OneLine, "Remove the control character U+0009 from Full name: it cannot be printed in the signed record"},
		{"bidi override", "a\u202eb", Lines, "Remove the text direction character U+202E from Full name: it can make the signed record read differently from what was typed"},
		{"bidi embedding", "a\u202ab", Lines, "Remove the text direction character U+202A from Full name: it can make the signed record read differently from what was typed"},
		{"bidi isolate", "a\u2069", OneLine, "Remove the text direction character U+2069 from Full name: it can make the signed record read differently from what was typed"},
		{"not UTF-8", "a\xffb", OneLine, "Full name contains characters that are not valid text"},
		{"invisible and unprintable", "a\u3000b", OneLine, "Remove the invisible character U+3000 from Full name: it cannot be printed in the signed record"},
	}
	for _, tt := range tests {
		if got := CheckText(tt.in, "Full name", tt.lines, noCJK); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := CheckText("漢 \u202e", "x", Lines, nil); got == "" {
		t.Error("without a font check, direction characters are still refused")
	}
	if got := CheckText("漢字 😀", "x", Lines, nil); got != "" {
		t.Errorf("without a font check every letter passes: %q", got)
	}
}

func TestPrintable(t *testing.T) {
	noCJK := func(r rune) bool { return r < 0x2E80 }
	for in, want := range map[string]string{
		"Siân Jones":                 "Siân Jones",
		"Siân 漢 😀\u202e Jones\u0007": "Siân ? ? Jones?",
		"bad \xff byte":              "bad ? byte",
	} {
		if got := Printable(in, noCJK); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		if got := Printable(in, noCJK); CheckText(got, "x", OneLine, noCJK) != "" {
			t.Errorf("Printable(%q) = %q still does not pass", in, got)
		}
	}
}
