package supervision

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/png"
)

// Drawn signatures are kept as what the signature pad would make: a plain
// 8-bit PNG (RGBA, or RGB when nothing in it is transparent) with no chunks
// but the image itself. A drawing is decoded in full and written again when
// it is signed, so that a PNG which merely looks valid (an empty tRNS chunk,
// odd ancillary chunks, a bad checksum deep in the data) is refused then, with
// a message, rather than crash the PDF library when the documents are made.
const (
	maxDrawingBytes  = 512 << 10
	maxDrawingPixels = 4_000_000 // the pad is about 600 × 200
)

// normaliseDrawing decodes a drawn signature fully and re-encodes it as a
// plain PNG; it fails on anything that does not decode.
func normaliseDrawing(b []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxDrawingPixels {
		return nil, errors.New("drawing has no size or is too large")
	}
	src, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r := src.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), src, r.Min, draw.Src)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
