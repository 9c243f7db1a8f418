package gofpdf

// Supervision File patch (see ../gofpdf.patches/0002-utf8-font-id-once.patch):
// the ID of a UTF-8 font added from bytes is upstream's generateFontID of
// its definition, computed once per font and then reused.

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func TestUTF8FontIDIsUpstreamsComputedOnce(t *testing.T) {
	font, err := os.ReadFile("../../render/fonts/DejaVuSans-subset.ttf")
	if err != nil {
		t.Fatal(err)
	}
	add := func() *Fpdf {
		pdf := New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("DejaVu", "", font)
		if err := pdf.Error(); err != nil {
			t.Fatal(err)
		}
		return pdf
	}
	first := add()
	def := first.fonts["dejavu"]
	want, err := generateFontID(def) // upstream's computation
	if err != nil || len(want) != 40 {
		t.Fatalf("upstream ID %q: %v", want, err)
	}
	if def.i != want {
		t.Fatalf("font ID %q, upstream computes %q", def.i, want)
	}
	if got := add().fonts["dejavu"].i; got != want {
		t.Errorf("second document: font ID %q, want %q", got, want)
	}
	// Computed once: the remembered ID is returned even for a definition
	// that would now hash differently, so generateFontID was not run again.
	changed := def
	changed.Name = "not the same"
	if other, _ := generateFontID(changed); other == want {
		t.Fatal("the changed definition hashes the same; the test proves nothing")
	}
	if got := utf8FontID("dejavu", font, changed); got != want {
		t.Errorf("font ID computed again: %q, want the remembered %q", got, want)
	}
	n := 0
	utf8FontIDs.Range(func(k, _ interface{}) bool {
		if k.(utf8FontIDKey).fontkey == "dejavu" {
			n++
		}
		return true
	})
	if n != 1 {
		t.Errorf("%d remembered IDs for one font, want 1", n)
	}
	// Other bytes under the same key are another font: their own ID.
	other := append([]byte(nil), font...)
	other[len(other)-1] ^= 1
	if got := utf8FontID("dejavu", other, changed); got == want {
		t.Error("different font bytes got the remembered ID")
	}
	// Same ID, same document: two renders are byte for byte the same.
	render := func() []byte {
		pdf := add()
		pdf.SetCreationDate(time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC))
		pdf.SetCatalogSort(true)
		pdf.AddPage()
		pdf.SetFont("DejaVu", "", 12)
		pdf.Cell(40, 10, "Siân Gwŷnedd-Jones")
		var b bytes.Buffer
		if err := pdf.Output(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := render(), render()
	if !bytes.Equal(a, b) || !bytes.Contains(a, []byte("/F"+want)) {
		t.Errorf("two renders differ (%v) or do not name the font /F%s", !bytes.Equal(a, b), want)
	}
}
