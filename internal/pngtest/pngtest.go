// Package pngtest makes PNG files for tests of drawn signatures, including
// ones that look valid but carry the chunks that crashed the PDF library.
package pngtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
)

// Chunk is one PNG chunk, written with its length and checksum.
func Chunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// EmptyTRNS is a tRNS chunk with no data: an 8-bit grey PNG needs two bytes
// there, and gofpdf indexes them without looking.
var EmptyTRNS = Chunk("tRNS", nil)

// PHYs is a well-formed pHYs chunk (72 dpi); EmptyPHYs has no data.
var (
	PHYs      = Chunk("pHYs", []byte{0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1})
	EmptyPHYs = Chunk("pHYs", nil)
)

// Grey is a 120 × 40 8-bit greyscale signature, a line of ink on white,
// with the given chunks between IHDR and IDAT.
func Grey(extra ...[]byte) []byte {
	img := image.NewGray(image.Rect(0, 0, 120, 40))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 10; x < 110; x++ {
		img.Pix[20*img.Stride+x] = 0
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	p := b.Bytes()
	const afterIHDR = 8 + 25 // the signature, then IHDR's length, type, 13 bytes and CRC
	out := append([]byte{}, p[:afterIHDR]...)
	for _, c := range extra {
		out = append(out, c...)
	}
	return append(out, p[afterIHDR:]...)
}

// Chunks lists the chunk types of a PNG in order.
func Chunks(p []byte) []string {
	var out []string
	if len(p) < 8 {
		return nil
	}
	p = p[8:]
	for len(p) >= 12 {
		n := int(binary.BigEndian.Uint32(p))
		if n > len(p)-12 {
			break
		}
		out = append(out, string(p[4:8]))
		p = p[12+n:]
	}
	return out
}
