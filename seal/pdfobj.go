package seal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
)

// This file holds just enough of a PDF object reader and writer to add an
// incremental update to a file with a classic cross-reference table, such as
// gofpdf (and so maroto) writes. It is deliberately small: it reads the
// trailer, the catalog and one page dictionary, and it writes dictionaries back
// out. Tokens it does not need to understand (numbers, names) are kept as the
// exact bytes they were written with, so that a dictionary round-trips
// unchanged apart from the keys we set.

// errMalformed is wrapped by every parse failure.
var errMalformed = errors.New("malformed PDF")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errMalformed, fmt.Sprintf(format, args...))
}

type (
	pdfName   string // raw name bytes after the '/', escapes (#xx) kept as written
	pdfNumber string // raw numeric token
	pdfBool   bool
	pdfNull   struct{}
	pdfRef    struct{ num, gen int }
	pdfArray  []any
	pdfString struct {
		b   []byte // decoded bytes
		hex bool   // written as <...>
	}
	// pdfDict keeps its keys in order so that it is written back as it came.
	pdfDict struct {
		keys []pdfName
		vals []any
	}
)

func (d *pdfDict) get(k pdfName) (any, bool) {
	for i, key := range d.keys {
		if key == k {
			return d.vals[i], true
		}
	}
	return nil, false
}

func (d *pdfDict) set(k pdfName, v any) {
	for i, key := range d.keys {
		if key == k {
			d.vals[i] = v
			return
		}
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

func (d *pdfDict) clone() *pdfDict {
	return &pdfDict{keys: append([]pdfName(nil), d.keys...), vals: append([]any(nil), d.vals...)}
}

func (n pdfNumber) int() (int, bool) {
	i, err := strconv.Atoi(string(n))
	return i, err == nil
}

// lexer reads PDF tokens from buf starting at pos.
type lexer struct {
	buf []byte
	pos int
}

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		switch {
		case isWhite(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.buf) && l.buf[l.pos] != '\n' && l.buf[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// regular reads a run of regular characters (a keyword or number).
func (l *lexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.buf) && !isWhite(l.buf[l.pos]) && !isDelim(l.buf[l.pos]) {
		l.pos++
	}
	return l.buf[start:l.pos]
}

// keyword reads the next token as a bare keyword or number.
func (l *lexer) keyword() string {
	l.skipSpace()
	return string(l.regular())
}

func (l *lexer) int() (int, error) {
	w := l.keyword()
	i, err := strconv.Atoi(w)
	if err != nil || i < 0 {
		return 0, malformed("expected a number at offset %d, found %q", l.pos, w)
	}
	return i, nil
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 64

// value parses one object. References (N G R) are recognised by looking ahead.
func (l *lexer) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, malformed("objects nested too deeply")
	}
	l.skipSpace()
	if l.pos >= len(l.buf) {
		return nil, malformed("unexpected end of file")
	}
	switch c := l.buf[l.pos]; c {
	case '/':
		l.pos++
		return pdfName(l.regular()), nil
	case '(':
		return l.literalString()
	case '<':
		if l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '<' {
			return l.dict(depth)
		}
		return l.hexString()
	case '[':
		l.pos++
		var arr pdfArray
		for {
			l.skipSpace()
			if l.pos >= len(l.buf) {
				return nil, malformed("unterminated array")
			}
			if l.buf[l.pos] == ']' {
				l.pos++
				return arr, nil
			}
			v, err := l.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	}
	start := l.pos
	tok := l.regular()
	if len(tok) == 0 {
		return nil, malformed("unexpected %q at offset %d", l.buf[l.pos], l.pos)
	}
	switch string(tok) {
	case "true":
		return pdfBool(true), nil
	case "false":
		return pdfBool(false), nil
	case "null":
		return pdfNull{}, nil
	}
	if !isNumber(tok) {
		return nil, malformed("unexpected keyword %q at offset %d", tok, start)
	}
	// N G R?
	if num, err := strconv.Atoi(string(tok)); err == nil && num >= 0 {
		save := l.pos
		l.skipSpace()
		g := l.regular()
		if gen, err := strconv.Atoi(string(g)); err == nil && gen >= 0 {
			l.skipSpace()
			if r := l.regular(); string(r) == "R" {
				return pdfRef{num, gen}, nil
			}
		}
		l.pos = save
	}
	return pdfNumber(tok), nil
}

func isNumber(b []byte) bool {
	digits := 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case (c == '+' || c == '-') && i == 0:
		case c == '.':
		default:
			return false
		}
	}
	return digits > 0
}

func (l *lexer) dict(depth int) (*pdfDict, error) {
	l.pos += 2 // <<
	d := &pdfDict{}
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return nil, malformed("unterminated dictionary")
		}
		if l.buf[l.pos] == '>' {
			if l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '>' {
				l.pos += 2
				return d, nil
			}
			return nil, malformed("stray '>' at offset %d", l.pos)
		}
		k, err := l.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(pdfName)
		if !ok {
			return nil, malformed("dictionary key is not a name at offset %d", l.pos)
		}
		v, err := l.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.keys = append(d.keys, key)
		d.vals = append(d.vals, v)
	}
}

func (l *lexer) literalString() (pdfString, error) {
	l.pos++ // (
	var out []byte
	nest := 0
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		switch c {
		case '(':
			nest++
			out = append(out, c)
		case ')':
			if nest == 0 {
				return pdfString{b: out}, nil
			}
			nest--
			out = append(out, c)
		case '\\':
			if l.pos >= len(l.buf) {
				break
			}
			e := l.buf[l.pos]
			l.pos++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if l.pos < len(l.buf) && l.buf[l.pos] == '\n' {
					l.pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.buf) && l.buf[l.pos] >= '0' && l.buf[l.pos] <= '7'; i++ {
						v = v*8 + int(l.buf[l.pos]-'0')
						l.pos++
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		default:
			out = append(out, c)
		}
	}
	return pdfString{}, malformed("unterminated string")
}

func (l *lexer) hexString() (pdfString, error) {
	l.pos++ // <
	end := bytes.IndexByte(l.buf[l.pos:], '>')
	if end < 0 {
		return pdfString{}, malformed("unterminated hex string")
	}
	raw := l.buf[l.pos : l.pos+end]
	l.pos += end + 1
	digits := make([]byte, 0, len(raw)+1)
	for _, c := range raw {
		if !isWhite(c) {
			digits = append(digits, c)
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	b := make([]byte, len(digits)/2)
	if _, err := hex.Decode(b, digits); err != nil {
		return pdfString{}, malformed("bad hex string")
	}
	return pdfString{b: b, hex: true}, nil
}

// writeValue serialises v in PDF syntax.
func writeValue(w *bytes.Buffer, v any) {
	switch v := v.(type) {
	case pdfName:
		w.WriteByte('/')
		w.WriteString(string(v))
	case pdfNumber:
		w.WriteString(string(v))
	case pdfBool:
		if v {
			w.WriteString("true")
		} else {
			w.WriteString("false")
		}
	case pdfNull:
		w.WriteString("null")
	case pdfRef:
		fmt.Fprintf(w, "%d %d R", v.num, v.gen)
	case pdfString:
		if v.hex {
			w.WriteByte('<')
			w.WriteString(hex.EncodeToString(v.b))
			w.WriteByte('>')
			return
		}
		w.WriteByte('(')
		for _, c := range v.b {
			switch c {
			case '(', ')', '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case '\r':
				w.WriteString(`\r`)
			case '\n':
				w.WriteString(`\n`)
			default:
				w.WriteByte(c)
			}
		}
		w.WriteByte(')')
	case pdfArray:
		w.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.WriteByte(' ')
			}
			writeValue(w, e)
		}
		w.WriteByte(']')
	case *pdfDict:
		w.WriteString("<<")
		for i, k := range v.keys {
			w.WriteString(" /")
			w.WriteString(string(k))
			w.WriteByte(' ')
			writeValue(w, v.vals[i])
		}
		w.WriteString(" >>")
	default:
		panic(fmt.Sprintf("seal: cannot write %T", v))
	}
}

// textString encodes s as a PDF text string: as is when it is printable
// ASCII, otherwise as UTF-16BE with a byte order mark.
func textString(s string) pdfString {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		return pdfString{b: []byte(s)}
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xfe, 0xff
	for _, r := range u {
		b = append(b, byte(r>>8), byte(r))
	}
	return pdfString{b: b, hex: true}
}

// decodeText is the inverse of textString; other single-byte strings are
// read as Latin-1, which matches PDFDocEncoding for the printable range.
func decodeText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		u := make([]uint16, 0, (len(b)-2)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
