package render

import (
	_ "embed"
	"errors"
	"fmt"
	"sync"
	"unicode"

	"github.com/phpdave11/gofpdf"
	"golang.org/x/image/font/sfnt"
)

// The subsets cover what nearly every record prints; the full faces are the
// fallback for a document with anything else. See fonts/subset.sh.
var (
	//go:embed fonts/DejaVuSans-subset.ttf
	ttfRegularSubset []byte
	//go:embed fonts/DejaVuSans-Bold-subset.ttf
	ttfBoldSubset []byte
	//go:embed fonts/DejaVuSans.ttf
	ttfRegularFull []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	ttfBoldFull []byte
)

// gofpdf stores glyph widths in a 65536-entry table and indexes it with the
// rune, so anything outside the Basic Multilingual Plane cannot be printed
// even where DejaVu has a glyph (it does for some emoji): at best it vanishes,
// at worst gofpdf panics.
const maxPrintable = 0xFFFF

// face is one TTF as gofpdf will see it: which runes have a glyph, and the
// advance width gofpdf will use for each of them, so that our line breaking
// agrees to the last unit with maroto's measuring.
type face struct {
	ttf    []byte
	has    []uint64 // bitset over runes 0..maxPrintable
	widths []uint16 // glyph units (1/1000 em), as gofpdf's GetStringSymbolWidth
}

func (f *face) covers(r rune) bool {
	return r >= 0 && r <= maxPrintable && f.has[r>>6]&(1<<(uint(r)&63)) != 0
}

// fontSet is a regular and a bold face that are embedded together.
type fontSet struct {
	regular, bold *face
}

type fontData struct {
	subset, full fontSet
}

var loadFonts = sync.OnceValues(func() (*fontData, error) {
	var fd fontData
	var err error
	load := func(ttf []byte) *face {
		if err != nil {
			return nil
		}
		var f *face
		f, err = parseFace(ttf)
		return f
	}
	fd.subset.regular = load(ttfRegularSubset)
	fd.subset.bold = load(ttfBoldSubset)
	fd.full.regular = load(ttfRegularFull)
	fd.full.bold = load(ttfBoldFull)
	if err != nil {
		return nil, err
	}
	return &fd, nil
})

func parseFace(ttf []byte) (*face, error) {
	sf, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("render: parse font: %w", err)
	}
	f := &face{
		ttf:    ttf,
		has:    make([]uint64, (maxPrintable+1)/64),
		widths: make([]uint16, maxPrintable+1),
	}

	// Measure with gofpdf itself rather than from the hmtx table: it rounds
	// and substitutes widths its own way, and a line we think fits but maroto
	// thinks does not would be wrapped again and overprint the next line.
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("m", "", ttf)
	pdf.SetFont("m", "", 10)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("render: load font into gofpdf: %w", err)
	}

	var buf sfnt.Buffer
	for r := rune(1); r <= maxPrintable; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates never appear in a Go string
		}
		gi, err := sf.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			continue
		}
		f.has[r>>6] |= 1 << (uint(r) & 63)
		f.widths[r] = uint16(pdf.GetStringSymbolWidth(string(r)))
	}
	if !f.covers('a') || f.widths['a'] == 0 {
		return nil, errors.New("render: embedded font has no glyph for 'a'")
	}
	return f, nil
}

// CanPrint reports whether c can appear in a PDF this package renders: the
// embedded full DejaVu Sans has a glyph for it (line breaks and tabs are
// layout, not glyphs, and count as printable). Form validation uses it to
// refuse, with a clear message, answers that would otherwise print as blanks
// or boxes, such as emoji.
func CanPrint(c rune) bool {
	if c >= 0 && c < 128 {
		return asciiPrintable()[c]
	}
	return canPrint(c)
}

// asciiPrintable is canPrint for the first 128 characters, worked out once:
// nearly every character of a form's answers is one of them, and every page
// of a draft checks that its answers can be printed.
var asciiPrintable = sync.OnceValue(func() (t [128]bool) {
	for c := range t {
		t[c] = canPrint(rune(c))
	}
	return t
})

func canPrint(c rune) bool {
	switch c {
	case '\n', '\t', '\r':
		return true
	}
	if unicode.IsControl(c) {
		return false
	}
	fd, err := loadFonts()
	if err != nil {
		return false
	}
	return fd.full.regular.covers(c)
}
