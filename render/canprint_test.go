package render

import "testing"

// The table CanPrint answers ASCII from says what the fonts say.
func TestCanPrintASCIITableMatchesTheFonts(t *testing.T) {
	for c := rune(0); c < 128; c++ {
		if got, want := CanPrint(c), canPrint(c); got != want {
			t.Errorf("CanPrint(%U) = %v, the fonts say %v", c, got, want)
		}
	}
	if !CanPrint('a') || CanPrint(0x07) || !CanPrint('\n') {
		t.Error("CanPrint: a letter, a bell, a newline")
	}
}
