package supervision

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/pngtest"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// FuzzDrawing feeds any bytes to the drawn-signature path as a signature
// does: what normaliseDrawing accepts must decode again as a plain PNG and
// print in the PDF without an error or a panic (a grey PNG with an empty
// tRNS chunk once crashed the PDF library and wedged the record).
func FuzzDrawing(f *testing.F) {
	r, err := render.New(render.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pngtest.Grey())
	f.Add(pngtest.Grey(pngtest.EmptyTRNS))
	f.Add(pngtest.Grey(pngtest.EmptyPHYs, pngtest.PHYs))
	f.Add(pngtest.Grey(pngtest.Chunk("tRNS", []byte{0, 255})))
	f.Add(pngtest.Grey(pngtest.Chunk("gAMA", []byte{0, 0, 0xb1, 0x8f})))
	for _, img := range []image.Image{image.NewPaletted(image.Rect(0, 0, 3, 2), color.Palette{color.White, color.Black}),
		image.NewGray16(image.Rect(0, 0, 2, 2)), image.NewNRGBA64(image.Rect(0, 0, 1, 1)), image.NewRGBA(image.Rect(0, 0, 600, 200))} {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	at := time.Date(2026, 3, 27, 14, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxDrawingBytes {
			return // refused before decoding
		}
		plain, err := normaliseDrawing(b)
		if err != nil {
			return
		}
		if _, err := png.Decode(bytes.NewReader(plain)); err != nil {
			t.Fatalf("the re-encoded drawing does not decode: %v", err)
		}
		d := printout.Document{OrgName: "Testshire", Title: "Drawing", Reference: "Record fuzz, version 1",
			Sections:   []printout.Section{{Title: "One", Fields: []printout.Field{{Label: "A", Value: "b"}}}},
			Signatures: []printout.Signature{{Role: "Supervisee", Name: "Siân Jones", SignedAt: at, DrawingPNG: plain}}}
		if _, err := r.PDF(context.Background(), d); err != nil {
			t.Fatalf("an accepted drawing does not print: %v", err)
		}
	})
}
