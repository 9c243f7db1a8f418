package render

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // a council's logo may be a JPEG
	"image/png"
	"regexp"
	"strings"
)

// Letterhead is the council's logo and address, printed at the top of the
// first page of both documents.
type Letterhead struct {
	Logo    []byte // PNG or JPEG; re-encoded before use, never embedded as given
	Address string // lines separated by newlines
}

// Limits on a letterhead logo: enough for a crisp print, small enough that
// decoding one cannot take the service's memory.
const (
	maxLogoBytes  = 5 << 20
	maxLogoPixels = 4000 * 4000
)

// letterhead is a Letterhead ready to print: the logo decoded and written
// again as an opaque 8-bit RGB PNG (which gofpdf copies as it is and Word
// shows), with its size in pixels.
type letterhead struct {
	png     []byte
	w, h    int
	address string
}

func newLetterhead(l Letterhead) (*letterhead, error) {
	if len(l.Logo) == 0 && strings.TrimSpace(l.Address) == "" {
		return nil, nil
	}
	lh := &letterhead{address: strings.TrimSpace(normalizeNewlines(l.Address))}
	for _, c := range lh.address {
		if c != '\n' && !CanPrint(c) {
			return nil, fmt.Errorf("render: the letterhead address has the character %q (U+%04X), which the documents cannot print", c, c)
		}
	}
	if len(l.Logo) == 0 {
		return lh, nil
	}
	if len(l.Logo) > maxLogoBytes {
		return nil, fmt.Errorf("render: the letterhead logo is %d bytes; the most is %d", len(l.Logo), maxLogoBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(l.Logo))
	if err != nil {
		return nil, fmt.Errorf("render: the letterhead logo is not a PNG or JPEG image: %w", err)
	}
	if format != "png" && format != "jpeg" {
		return nil, fmt.Errorf("render: the letterhead logo is a %s image; use PNG or JPEG", format)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width*cfg.Height > maxLogoPixels {
		return nil, fmt.Errorf("render: the letterhead logo is %d×%d pixels; the most is %d pixels in all", cfg.Width, cfg.Height, maxLogoPixels)
	}
	src, _, err := image.Decode(bytes.NewReader(l.Logo))
	if err != nil {
		return nil, fmt.Errorf("render: the letterhead logo cannot be read: %w", err)
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), &image.Uniform{color.White}, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Over)
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, dst); err != nil {
		return nil, err
	}
	lh.png, lh.w, lh.h = out.Bytes(), b.Dx(), b.Dy()
	return lh, nil
}

const maxBaseDOCX = 20 << 20

var styleID = regexp.MustCompile(`w:styleId="([^"]+)"`)

// baseStyles takes the styles of a council's own .docx (its fonts, colours
// and heading styles), given its parts, and adds the styles the documents
// use that it lacks.
func baseStyles(parts map[string][]byte) ([]byte, error) {
	styles := parts["word/styles.xml"]
	end := bytes.LastIndex(styles, []byte("</w:styles>"))
	if styles == nil || end < 0 {
		return nil, errors.New("render: the base DOCX has no word/styles.xml")
	}
	have := map[string]bool{}
	for _, m := range styleID.FindAllSubmatch(styles, -1) {
		have[string(m[1])] = true
	}
	var add bytes.Buffer
	ours := docxStyles
	for {
		i := strings.Index(ours, `<w:style `)
		if i < 0 {
			break
		}
		j := strings.Index(ours[i:], `</w:style>`)
		if j < 0 {
			break
		}
		el := ours[i : i+j+len(`</w:style>`)]
		ours = ours[i+j:]
		if m := styleID.FindStringSubmatch(el); m != nil && !have[m[1]] {
			add.WriteString(el)
		}
	}
	out := make([]byte, 0, len(styles)+add.Len())
	out = append(out, styles[:end]...)
	out = append(out, add.Bytes()...)
	out = append(out, styles[end:]...)
	return out, nil
}
