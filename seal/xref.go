package seal

import (
	"bytes"
	"errors"
	"strconv"
)

// ErrUnsupported is returned by Seal for a PDF this package cannot update,
// such as one whose cross-reference data is kept in streams (PDF 1.5 object
// streams). gofpdf, and so maroto, never writes those.
var ErrUnsupported = errors.New("seal: unsupported PDF structure")

// document is a parsed view of a PDF's cross-reference data.
type document struct {
	buf       []byte
	trailer   *pdfDict
	offsets   map[int]int // object number -> byte offset of "N G obj" (in-use entries only)
	gens      map[int]int
	startxref int // offset of the newest xref section
}

// lastStartxref finds the offset that the final "startxref" points at.
func lastStartxref(buf []byte) (int, error) {
	i := bytes.LastIndex(buf, []byte("startxref"))
	if i < 0 {
		return 0, malformed("no startxref")
	}
	l := &lexer{buf: buf, pos: i + len("startxref")}
	off, err := l.int()
	if err != nil {
		return 0, err
	}
	if off >= len(buf) {
		return 0, malformed("startxref %d is beyond the end of the file", off)
	}
	return off, nil
}

// parseDocument reads the newest xref section and every older one it chains to
// with /Prev.
func parseDocument(buf []byte) (*document, error) {
	start, err := lastStartxref(buf)
	if err != nil {
		return nil, err
	}
	d := &document{buf: buf, offsets: map[int]int{}, gens: map[int]int{}, startxref: start}
	seen := map[int]bool{}
	off := start
	for {
		if seen[off] {
			return nil, malformed("xref /Prev loop")
		}
		seen[off] = true
		trailer, err := d.readSection(off)
		if err != nil {
			return nil, err
		}
		if d.trailer == nil {
			d.trailer = trailer
		}
		prev, ok := trailer.get("Prev")
		if !ok {
			break
		}
		n, ok := prev.(pdfNumber)
		p, okInt := n.int()
		if !ok || !okInt || p < 0 || p >= len(buf) {
			return nil, malformed("bad /Prev in trailer")
		}
		off = p
	}
	return d, nil
}

// readSection reads one classic xref section at off and returns its trailer.
// Entries already known (from a newer section) are not overwritten.
func (d *document) readSection(off int) (*pdfDict, error) {
	l := &lexer{buf: d.buf, pos: off}
	l.skipSpace()
	if kw := string(l.regular()); kw != "xref" {
		if isNumber([]byte(kw)) {
			return nil, ErrUnsupported // "N 0 obj << /Type /XRef ...": a cross-reference stream
		}
		return nil, malformed("expected xref at offset %d", off)
	}
	known := map[int]bool{}
	for {
		l.skipSpace()
		save := l.pos
		kw := string(l.regular())
		if kw == "trailer" {
			break
		}
		first, err := strconv.Atoi(kw)
		if err != nil || first < 0 {
			l.pos = save
			return nil, malformed("bad xref subsection at offset %d", save)
		}
		count, err := l.int()
		if err != nil {
			return nil, err
		}
		if count > len(d.buf)/18 { // an entry is at least 18 bytes
			return nil, malformed("xref subsection too long")
		}
		for i := 0; i < count; i++ {
			o, err := l.int()
			if err != nil {
				return nil, err
			}
			g, err := l.int()
			if err != nil {
				return nil, err
			}
			typ := l.keyword()
			num := first + i
			if known[num] {
				continue
			}
			known[num] = true
			if _, newer := d.gens[num]; newer {
				continue
			}
			switch typ {
			case "n":
				if o >= len(d.buf) {
					return nil, malformed("object %d is beyond the end of the file", num)
				}
				d.offsets[num] = o
				d.gens[num] = g
			case "f":
				d.gens[num] = -1 // free: shadows older entries
			default:
				return nil, malformed("bad xref entry type %q", typ)
			}
		}
	}
	v, err := l.value(0)
	if err != nil {
		return nil, err
	}
	t, ok := v.(*pdfDict)
	if !ok {
		return nil, malformed("trailer is not a dictionary")
	}
	return t, nil
}

// object returns the value of indirect object ref.
func (d *document) object(ref pdfRef) (any, error) {
	off, ok := d.offsets[ref.num]
	if !ok || d.gens[ref.num] != ref.gen {
		return nil, malformed("object %d %d is not in the cross-reference table", ref.num, ref.gen)
	}
	l := &lexer{buf: d.buf, pos: off}
	num, err := l.int()
	if err != nil {
		return nil, err
	}
	gen, err := l.int()
	if err != nil {
		return nil, err
	}
	if num != ref.num || gen != ref.gen || l.keyword() != "obj" {
		return nil, malformed("object %d %d is not where the cross-reference table says", ref.num, ref.gen)
	}
	return l.value(0)
}

// resolve follows v if it is a reference.
func (d *document) resolve(v any) (any, error) {
	if r, ok := v.(pdfRef); ok {
		return d.object(r)
	}
	return v, nil
}

func (d *document) dictObject(ref pdfRef) (*pdfDict, error) {
	v, err := d.object(ref)
	if err != nil {
		return nil, err
	}
	dict, ok := v.(*pdfDict)
	if !ok {
		return nil, malformed("object %d %d is not a dictionary", ref.num, ref.gen)
	}
	return dict, nil
}

// firstPage walks the page tree from the catalog's /Pages down the first kid
// at each level.
func (d *document) firstPage(catalog *pdfDict) (pdfRef, *pdfDict, error) {
	v, _ := catalog.get("Pages")
	ref, ok := v.(pdfRef)
	if !ok {
		return pdfRef{}, nil, malformed("catalog has no /Pages reference")
	}
	for range maxDepth {
		node, err := d.dictObject(ref)
		if err != nil {
			return pdfRef{}, nil, err
		}
		if t, _ := node.get("Type"); t == pdfName("Page") {
			return ref, node, nil
		}
		kv, _ := node.get("Kids")
		kids, err := d.resolve(kv)
		if err != nil {
			return pdfRef{}, nil, err
		}
		arr, ok := kids.(pdfArray)
		if !ok || len(arr) == 0 {
			return pdfRef{}, nil, malformed("page tree has no pages")
		}
		if ref, ok = arr[0].(pdfRef); !ok {
			return pdfRef{}, nil, malformed("page tree kid is not a reference")
		}
	}
	return pdfRef{}, nil, malformed("page tree too deep")
}
