package render

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	mimage "github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// Page geometry in mm. Every vertical measure used for pagination is a
// multiple of 1/8 mm, so that sums of row heights are exact in float64: our
// page-break bookkeeping then agrees exactly with maroto's, and gofpdf's own
// page-break trigger never fires a hair early and shifts a page.
const (
	pageW    = 210.0
	pageH    = 297.0
	marginL  = 15.0
	marginR  = 15.0
	marginT  = 12.0
	marginB  = 15.0
	contentW = pageW - marginL - marginR
	// grid makes one maroto grid unit a tenth of a millimetre.
	grid   = 1800
	family = "dejavu"
	// Lines are wrapped a little short of the column so that rounding can
	// never make maroto think a line is too long and wrap it a second time.
	wrapSlack = 0.25
)

var (
	colBlack   = props.Color{Red: 0, Green: 0, Blue: 0}
	colGrey    = props.Color{Red: 105, Green: 105, Blue: 105}
	colRule    = props.Color{Red: 150, Green: 150, Blue: 150}
	colFill    = props.Color{Red: 232, Green: 236, Blue: 241}
	colRed     = props.Color{Red: 180, Green: 0, Blue: 0}
	colHeading = props.Color{Red: 22, Green: 52, Blue: 96}
)

// tstyle is how a column of lines is set.
type tstyle struct {
	size        float64 // points
	bold        bool
	color       *props.Color
	align       align.Type
	left, right float64 // padding inside the column, mm
}

var (
	stTitle      = tstyle{size: 18, bold: true, color: &colHeading}
	stSubtitle   = tstyle{size: 11, color: &colGrey}
	stHeading    = tstyle{size: 13, bold: true, color: &colHeading}
	stSubheading = tstyle{size: 11, bold: true}
	stIntro      = tstyle{size: 9, color: &colGrey}
	stLabel      = tstyle{size: 10, bold: true}
	stBody       = tstyle{size: 10}
	stMissing    = tstyle{size: 10, color: &colGrey}
	stCellHead   = tstyle{size: 9, bold: true, left: 1.5, right: 1.5}
	stCell       = tstyle{size: 9, left: 1.5, right: 1.5}
	stCellGrey   = tstyle{size: 9, color: &colGrey, left: 1.5, right: 1.5}
	stKVLabel    = tstyle{size: 10, bold: true, right: 2}
	stOrg        = tstyle{size: 11, bold: true}
	stConf       = tstyle{size: 11, bold: true, color: &colRed, align: align.Right}
	stHeaderSub  = tstyle{size: 8.5, color: &colGrey}
	stFooter     = tstyle{size: 8, color: &colGrey}
	stLetterhead = tstyle{size: 9, color: &colGrey, align: align.Right}
)

// Line pitches (mm), multiples of 1/8.
const (
	pitchTitle   = 8.5
	pitchSub     = 5.5
	pitchHeading = 6.25
	pitchBody    = 4.5
	pitchSmall   = 4.25
	pitchOrg     = 5.5
)

// pdfBase holds the maroto configuration for each font set. Building it is
// cheap, but the font bytes it points at are shared, never copied.
type pdfBase struct {
	subset, full entity.Config
}

func newPDFBase(fd *fontData) pdfBase {
	mk := func(fs fontSet) entity.Config {
		cfg := config.NewBuilder().
			WithDimensions(pageW, pageH).
			WithLeftMargin(marginL).
			WithRightMargin(marginR).
			WithTopMargin(marginT).
			WithBottomMargin(marginB).
			WithMaxGridSize(grid).
			WithCustomFonts([]*entity.CustomFont{
				{Family: family, Style: fontstyle.Normal, Bytes: fs.regular.ttf},
				{Family: family, Style: fontstyle.Bold, Bytes: fs.bold.ttf},
			}).
			WithDefaultFont(&props.Font{Family: family, Style: fontstyle.Normal, Size: 10, Color: &colBlack}).
			WithPageNumber(props.PageNumber{
				Pattern: "Page {current} of {total}",
				Place:   props.RightBottom,
				Family:  family,
				Style:   fontstyle.Normal,
				Size:    stFooter.size,
				Color:   stFooter.color,
			}).
			WithCompression(false).
			Build()
		return *cfg
	}
	return pdfBase{subset: mk(fd.subset), full: mk(fd.full)}
}

// pcol is one column of a block: either lines of text or an image.
type pcol struct {
	size   int // grid units
	lines  []string
	st     *tstyle
	fstyle fontstyle.Type // bold only if the bold face has every glyph
	border border.Type    // borders of the whole block; slices drop top/bottom
	fill   *props.Color
	png    []byte
}

// block is a unit of layout: columns of lines sharing a pitch. Pagination
// may cut a block between lines, never through one, so no row maroto sees is
// taller than a page (maroto never splits a row and would let it run off the
// bottom of the page unseen).
type block struct {
	cols        []pcol
	n           int // line slots
	pitch       float64
	padTop      float64
	padBottom   float64
	spaceBefore float64 // dropped at the top of a page
	fixed       float64 // height of an image block, which has no lines
	// minSplit is the fewest lines a piece of a cut block may have (orphan
	// and widow control); 0 means the block moves whole to the next page.
	minSplit int
	// keep holds the block on the same page as the start of the next one:
	// headings and labels are never left alone at the foot of a page.
	keep bool
	// header is a table's column header, repeated when the table continues
	// on a new page.
	header *block
}

func (b *block) height(a, c int, sb float64) float64 {
	return sb + b.padTop + float64(c-a)*b.pitch + b.padBottom + b.fixed
}

// pdfDoc lays out one document.
type pdfDoc struct {
	fs fontSet
	lh *letterhead
	m  core.Maroto
	// Mirror of maroto's own page filling (Maroto.addRow), so that we know
	// before adding a row whether it will start a new page.
	usable, headerH, footerH, cur float64
	// top is cur at the top of the current page: headerH, or 0 on a
	// first page that the letterhead heads instead of the running header.
	top float64
	// hrows, when set, are the running header's rows, added by add at the
	// top of every page but the first (a letterhead's); nil: the header is
	// maroto's, on every page.
	hrows []core.Row
	// full: newPage has filled the page, so the next row starts a new one
	// and, for layout, we already stand at the top of that page.
	full bool
}

func (r *Renderer) renderPDF(d *printout.Document) ([]byte, error) {
	fs, err := r.fontsFor(d)
	if err != nil {
		return nil, err
	}
	cfg := r.pdf.subset
	if fs.regular == r.fonts.full.regular {
		cfg = r.pdf.full
	}
	cfg.Metadata = pdfMetadata(d)

	p := &pdfDoc{fs: fs, m: maroto.New(&cfg), usable: pageH - marginT - marginB, lh: r.lh}
	footer := p.footerRow(d)
	p.footerH = footer.h
	if err := p.m.RegisterFooter(footer.row); err != nil {
		return nil, err
	}
	var hrows []core.Row
	for _, b := range p.headerBlocks(d) {
		h := b.height(0, b.n, 0)
		p.headerH += h
		hrows = append(hrows, p.rowFor(b, 0, b.n, 0, h))
	}
	if r.lh != nil && !d.Confidential {
		// The letterhead heads the first page in the running header's
		// place (it costs the first page no more room than the header
		// does, so a form keeps its length); later pages have the header.
		// A confidential document keeps the header, with its
		// CONFIDENTIAL, on the first page too.
		p.hrows = hrows
	} else {
		if err := p.m.RegisterHeader(hrows...); err != nil {
			return nil, err
		}
		p.cur, p.top = p.headerH, p.headerH
	}

	p.place(p.bodyBlocks(d))
	if !d.Listing {
		// The signatures and the audit trail follow the answers on the
		// same page when they fit: a short form prints on one page.
		p.place(p.signatureBlocks(d))
		p.place(p.auditBlocks(d))
	}

	doc, err := p.m.Generate()
	if err != nil {
		return nil, fmt.Errorf("render: generate PDF: %w", err)
	}
	out := doc.GetBytes()
	if len(out) == 0 {
		return nil, errors.New("render: PDF generation produced no output")
	}
	return withLang(out, "en-GB"), nil
}

// withLang sets the document's language (/Lang in the catalogue), which
// neither maroto nor gofpdf offers. gofpdf writes the catalogue as the last
// object, uncompressed, just before the cross-reference table, so the
// entry goes in after /Type /Catalog and only the table's offset (after
// startxref) moves. A PDF not laid out that way is returned unchanged.
func withLang(pdf []byte, lang string) []byte {
	cat := bytes.LastIndex(pdf, []byte("/Type /Catalog\n"))
	xref := bytes.LastIndex(pdf, []byte("\nxref\n"))
	sx := bytes.LastIndex(pdf, []byte("startxref\n"))
	if cat < 0 || xref < cat || sx < xref {
		return pdf
	}
	numStart := sx + len("startxref\n")
	numEnd := numStart
	for numEnd < len(pdf) && pdf[numEnd] >= '0' && pdf[numEnd] <= '9' {
		numEnd++
	}
	off, err := strconv.Atoi(string(pdf[numStart:numEnd]))
	if err != nil || off != xref+1 {
		return pdf
	}
	ins := []byte("/Lang (" + lang + ")\n")
	at := cat + len("/Type /Catalog\n")
	out := make([]byte, 0, len(pdf)+len(ins)+2)
	out = append(out, pdf[:at]...)
	out = append(out, ins...)
	out = append(out, pdf[at:numStart]...)
	out = strconv.AppendInt(out, int64(off+len(ins)), 10)
	out = append(out, pdf[numEnd:]...)
	return out
}

// fontsFor picks the subset faces unless d has a character only the full
// faces have, and refuses a character neither has.
func (r *Renderer) fontsFor(d *printout.Document) (fontSet, error) {
	needFull := false
	err := eachText(d, func(where, s string) error {
		for _, c := range s {
			if r.fonts.subset.regular.covers(c) {
				continue
			}
			if c == '\n' || c == '\t' || c == '\r' {
				continue
			}
			if !CanPrint(c) {
				return &UnprintableError{Rune: c, Where: where}
			}
			needFull = true
		}
		return nil
	})
	if err != nil {
		return fontSet{}, err
	}
	if needFull {
		return r.fonts.full, nil
	}
	return r.fonts.subset, nil
}

func pdfMetadata(d *printout.Document) *entity.Metadata {
	md := &entity.Metadata{Creator: &entity.Utf8Text{Text: "Supervision File", UTF8: true}}
	if d.Title != "" {
		md.Title = &entity.Utf8Text{Text: d.Title, UTF8: true}
	}
	if d.Subtitle != "" {
		md.Subject = &entity.Utf8Text{Text: d.Subtitle, UTF8: true}
	}
	if d.OrgName != "" {
		md.Author = &entity.Utf8Text{Text: d.OrgName, UTF8: true}
	}
	// A fixed creation date keeps the bytes of a record's PDF the same each
	// time it is rendered; the record's last event is the natural one.
	var last time.Time
	for _, e := range d.Audit {
		if e.At.After(last) {
			last = e.At
		}
	}
	for _, s := range d.Signatures {
		if s.SignedAt.After(last) {
			last = s.SignedAt
		}
	}
	if !last.IsZero() {
		md.CreationDate = &last
	}
	return md
}

// textCol wraps s (which may hold newlines; blank lines keep their slot)
// into a column of size grid units.
func (p *pdfDoc) textCol(size int, s string, st *tstyle) pcol {
	f, fstyle := p.fs.regular, fontstyle.Normal
	if st.bold && p.fs.bold.coversAll(s) {
		f, fstyle = p.fs.bold, fontstyle.Bold
	}
	w := float64(size)*contentW/grid - st.left - st.right - wrapSlack
	var lines []string
	for _, l := range splitLines(s) {
		lines = append(lines, wrap(f, st.size, w, l)...)
	}
	return pcol{size: size, lines: lines, st: st, fstyle: fstyle}
}

func (f *face) coversAll(s string) bool {
	for _, c := range s {
		if !f.covers(c) && c != '\n' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// wrap breaks one line of text into lines no wider than width mm, at spaces
// where it can and inside a word only when the word alone is too wide.
// Nothing is dropped but the spaces a break replaces.
func wrap(f *face, size, width float64, s string) []string {
	s = strings.ReplaceAll(s, "\t", "    ")
	if strings.TrimSpace(s) == "" {
		return []string{""}
	}
	limit := int(math.Floor(width * 1000 / (size / (72.0 / 25.4))))
	if limit < 1 {
		limit = 1
	}
	runeW := func(c rune) int {
		if c >= 0 && c <= maxPrintable {
			return int(f.widths[c])
		}
		return 0
	}
	strW := func(s string) int {
		w := 0
		for _, c := range s {
			w += runeW(c)
		}
		return w
	}

	var out []string
	var line strings.Builder
	lineW := 0
	onlySpaces := true // line holds nothing but first-line indentation
	pending, pendingW := "", 0
	flush := func() {
		if !onlySpaces {
			out = append(out, line.String())
		}
		line.Reset()
		lineW, onlySpaces, pending, pendingW = 0, true, "", 0
	}
	for len(s) > 0 {
		i := strings.IndexByte(s, ' ')
		if i == 0 {
			j := 0
			for j < len(s) && s[j] == ' ' {
				j++
			}
			sp := s[:j]
			s = s[j:]
			if line.Len() == 0 && len(out) > 0 {
				continue // a wrapped line does not start with the break's spaces
			}
			if onlySpaces {
				if lineW+strW(sp) <= limit/2 {
					line.WriteString(sp) // keep indentation of the first line
					lineW += strW(sp)
				}
				continue
			}
			pending, pendingW = sp, strW(sp)
			continue
		}
		word := s
		if i > 0 {
			word, s = s[:i], s[i:]
		} else {
			s = ""
		}
		ww := strW(word)
		if lineW+pendingW+ww <= limit {
			line.WriteString(pending)
			line.WriteString(word)
			lineW += pendingW + ww
			pending, pendingW, onlySpaces = "", 0, false
			continue
		}
		if !onlySpaces {
			flush()
		} else {
			line.Reset()
			lineW = 0
		}
		if ww <= limit {
			line.WriteString(word)
			lineW, onlySpaces = ww, false
			continue
		}
		// A word wider than the column (a URL, a long reference number):
		// cut it between characters.
		for _, c := range word {
			cw := runeW(c)
			if lineW+cw > limit && lineW > 0 {
				onlySpaces = false
				flush()
			}
			line.WriteRune(c)
			lineW += cw
			onlySpaces = false
		}
	}
	flush()
	if len(out) == 0 {
		return []string{""}
	}
	return out
}

func textBlock(c pcol, pitch float64) *block {
	return &block{cols: []pcol{c}, n: len(c.lines), pitch: pitch, minSplit: 1}
}

func (p *pdfDoc) headerBlocks(d *printout.Document) []*block {
	var bs []*block
	if d.OrgName != "" || d.Confidential {
		orgSize := grid
		var cols []pcol
		if d.Confidential {
			orgSize = grid - 450
		}
		cols = append(cols, p.textCol(orgSize, d.OrgName, &stOrg))
		if d.Confidential {
			cols = append(cols, p.textCol(grid-orgSize, "CONFIDENTIAL", &stConf))
		}
		n := 0
		for _, c := range cols {
			n = max(n, len(c.lines))
		}
		bs = append(bs, &block{cols: cols, n: n, pitch: pitchOrg})
	}
	t := p.textCol(grid, d.Title, &stHeaderSub)
	t.border = border.Bottom
	bs = append(bs, &block{cols: []pcol{t}, n: len(t.lines), pitch: pitchSmall, padBottom: 1.5})
	bs = append(bs, &block{cols: []pcol{{size: grid}}, fixed: 4})
	return bs
}

type fixedRow struct {
	row core.Row
	h   float64
}

// footerRow is a rule at the foot of the usable area with the reference set
// just below it, level with maroto's "Page N of M" in the bottom margin.
func (p *pdfDoc) footerRow(d *printout.Document) fixedRow {
	const h = 2.0
	st := stFooter
	c := col.New(grid * 2 / 3).WithStyle(&props.Cell{BorderType: border.Top, BorderColor: &colRule, BorderThickness: 0.2})
	if d.Reference != "" {
		// Top equal to the row height puts the baseline just below the row;
		// maroto does its own wrapping here, which is fine in the margin.
		c.Add(text.New(strings.Join(splitLines(d.Reference), " "), props.Text{
			Top: h, Family: family, Style: fontstyle.Normal, Size: st.size, Color: st.color, VerticalPadding: 0.5,
		}))
	}
	rest := col.New(grid - grid*2/3).WithStyle(&props.Cell{BorderType: border.Top, BorderColor: &colRule, BorderThickness: 0.2})
	return fixedRow{row: row.New(h).Add(c, rest), h: h}
}

// rowFor turns lines [a, c) of b into one maroto row of height h, with sb
// mm of space above the first line.
func (p *pdfDoc) rowFor(b *block, a, c int, sb, h float64) core.Row {
	r := row.New(h)
	for i := range b.cols {
		pc := &b.cols[i]
		cl := col.New(pc.size)
		if pc.png != nil {
			// 90% leaves room for the offset from the top of the row.
			cl.Add(mimage.NewFromBytes(pc.png, extension.Png, props.Rect{Top: sb + b.padTop, Percent: 90}))
		}
		for j := a; j < c && j < len(pc.lines); j++ {
			if pc.lines[j] == "" {
				continue
			}
			cl.Add(text.New(pc.lines[j], props.Text{
				Top:    sb + b.padTop + float64(j-a)*b.pitch,
				Left:   pc.st.left,
				Right:  pc.st.right,
				Family: family,
				Style:  pc.fstyle,
				Size:   pc.st.size,
				Color:  pc.st.color,
				Align:  alignOf(pc.st),
			}))
		}
		if pc.border != border.None || pc.fill != nil {
			bt := pc.border
			if a > 0 {
				bt &^= border.Top
			}
			if c < b.n {
				bt &^= border.Bottom
			}
			cl.WithStyle(&props.Cell{BorderType: bt, BorderColor: &colRule, BorderThickness: 0.2, BackgroundColor: pc.fill})
		}
		r.Add(cl)
	}
	return r
}

func alignOf(st *tstyle) align.Type {
	if st.align == "" {
		return align.Left
	}
	return st.align
}

func (p *pdfDoc) room() float64 {
	if p.full {
		return p.fresh()
	}
	return p.usable - p.footerH - p.cur
}
func (p *pdfDoc) fresh() float64 { return p.usable - p.footerH - p.headerH }
func (p *pdfDoc) atTop() bool    { return p.full || p.cur == p.top }

// add appends a row, updating the mirror exactly as Maroto.addRow does.
func (p *pdfDoc) add(h float64, r core.Row) {
	if p.hrows != nil && (p.full || h+p.cur+p.footerH > p.usable) {
		// The row starts a new page: fill this one (unless newPage has),
		// so that the running header's rows begin the next, then the row.
		if fill := p.usable - p.footerH - p.cur; !p.full && fill > 0 {
			p.m.AddRows(row.New(fill).Add(col.New(grid)))
		}
		p.m.AddRows(p.hrows...)
		p.cur, p.top, p.full = p.headerH, p.headerH, false
	}
	p.full = false
	if h+p.cur+p.footerH <= p.usable {
		p.cur += h
	} else {
		p.cur = p.headerH + h
	}
	p.m.AddRows(r)
}

// newPage fills the rest of the page so that the next row starts a new one.
func (p *pdfDoc) newPage() {
	if p.atTop() {
		return
	}
	if room := p.room(); room > 0 {
		p.add(room, row.New(room).Add(col.New(grid)))
	}
	p.full = true
}

func (p *pdfDoc) emit(b *block, a, c int, sb float64) {
	h := b.height(a, c, sb)
	p.add(h, p.rowFor(b, a, c, sb, h))
}

// place lays blocks out in order, keeping each heading with the start of
// what follows it and cutting long blocks between lines at page ends.
func (p *pdfDoc) place(bs []*block) {
	for i, b := range bs {
		if b.keep && !p.atTop() {
			need := b.height(0, b.n, b.spaceBefore)
			j := i + 1
			for ; j < len(bs) && bs[j].keep; j++ {
				need += bs[j].height(0, bs[j].n, bs[j].spaceBefore)
			}
			if j < len(bs) {
				nb := bs[j]
				head := nb.n
				if nb.minSplit > 0 {
					head = min(nb.n, max(nb.minSplit, 2))
				}
				need += nb.height(0, head, nb.spaceBefore)
			}
			if need > p.room() && need-b.spaceBefore <= p.fresh() {
				p.newPage()
			}
		}
		p.flow(b)
	}
}

func (p *pdfDoc) repeatHeader(b *block) {
	if b.header != nil && p.atTop() {
		p.emit(b.header, 0, b.header.n, 0)
	}
}

func (p *pdfDoc) flow(b *block) {
	p.repeatHeader(b)
	sb := b.spaceBefore
	if p.atTop() {
		sb = 0
	}
	if b.height(0, b.n, sb) <= p.room() {
		p.emit(b, 0, b.n, sb)
		return
	}
	if b.minSplit == 0 || b.n == 0 {
		if !p.atTop() {
			p.newPage()
			p.repeatHeader(b)
		}
		p.emit(b, 0, b.n, 0)
		return
	}
	for a := 0; a < b.n; {
		sb := b.spaceBefore
		if a > 0 || p.atTop() {
			sb = 0
		}
		rest := b.n - a
		if b.height(a, b.n, sb) <= p.room() {
			p.emit(b, a, b.n, sb)
			return
		}
		k := int((p.room() - sb - b.padTop - b.padBottom) / b.pitch)
		if k > rest-b.minSplit {
			k = rest - b.minSplit // leave no widow on the next page
		}
		if k < b.minSplit || k < 1 {
			if !p.atTop() {
				p.newPage()
				p.repeatHeader(b)
				continue
			}
			// Even a fresh page cannot honour the minimums: take what fits.
			k = max(1, min(rest, int((p.room()-b.padTop-b.padBottom)/b.pitch)))
		}
		p.emit(b, a, a+k, sb)
		a += k
		p.newPage()
		p.repeatHeader(b)
	}
}

func (p *pdfDoc) bodyBlocks(d *printout.Document) []*block {
	var bs []*block
	if p.lh != nil {
		// The council's letterhead, at the top of the first page only.
		const logoW, logoH = 500, 14.0
		var cols []pcol
		if p.lh.png != nil {
			cols = append(cols, pcol{size: logoW, png: p.lh.png})
		} else {
			cols = append(cols, pcol{size: logoW})
		}
		addr := p.textCol(grid-logoW, p.lh.address, &stLetterhead)
		cols = append(cols, addr)
		b := &block{cols: cols, n: len(addr.lines), pitch: pitchSmall, padBottom: 1.5}
		if p.lh.png != nil {
			b.fixed = max(0, logoH-float64(b.n)*pitchSmall)
		}
		bs = append(bs, b)
	}
	if d.Title != "" {
		b := textBlock(p.textCol(grid, d.Title, &stTitle), pitchTitle)
		b.keep = true
		bs = append(bs, b)
	}
	if d.Subtitle != "" {
		b := textBlock(p.textCol(grid, d.Subtitle, &stSubtitle), pitchSub)
		b.spaceBefore = 1
		bs = append(bs, b)
	}
	for _, s := range d.Sections {
		h := p.textCol(grid, s.Title, &stHeading)
		h.border = border.Bottom
		hb := textBlock(h, pitchHeading)
		hb.spaceBefore, hb.padBottom, hb.keep = 5, 1, true
		bs = append(bs, hb)
		for i, para := range paragraphs(s.Intro) {
			b := textBlock(p.textCol(grid, strings.Join(para, "\n"), &stIntro), pitchSmall)
			b.spaceBefore, b.keep = 1.5, true
			if i > 0 {
				b.spaceBefore = 1
			}
			bs = append(bs, b)
		}
		if !isBlank(s.Statement) {
			bs = append(bs, p.statementBlocks(s.Statement)...)
		}
		for i, f := range s.Fields {
			if s.Grid != nil && i == s.GridAt {
				bs = append(bs, p.gridBlocks(s.Grid)...)
			}
			if s.Pairs && f.Table == nil && isShort(f.Value) {
				b := p.kvWide(f.Label, f.Value)
				b.spaceBefore = 1.5
				bs = append(bs, b)
				continue
			}
			bs = append(bs, p.fieldBlocks(f)...)
		}
		if s.Grid != nil && s.GridAt >= len(s.Fields) {
			bs = append(bs, p.gridBlocks(s.Grid)...)
		}
		if len(s.Fields) == 0 && s.Grid == nil {
			b := textBlock(p.textCol(grid, "Nothing recorded", &stMissing), pitchBody)
			b.spaceBefore = 3
			bs = append(bs, b)
		}
	}
	return bs
}

// statementBlocks prints a form's fixed policy text: paragraphs, with
// lines starting "- " or "• " set as bullets.
func (p *pdfDoc) statementBlocks(s string) []*block {
	var bs []*block
	for i, para := range paragraphs(s) {
		b := textBlock(p.textCol(grid, strings.Join(para, "\n"), &stBody), pitchBody)
		b.spaceBefore, b.minSplit = 2, 2
		if i == 0 {
			b.spaceBefore = 3
		}
		bs = append(bs, b)
	}
	return bs
}

// isShort says an answer fits beside its label: one line, not long.
func isShort(v string) bool {
	return !strings.Contains(strings.TrimSpace(normalizeNewlines(v)), "\n") && len([]rune(v)) <= 90
}

const pairLabel = 700 // grid units (70 mm) for a pair's label

// kvWide is a label and a short answer side by side.
func (p *pdfDoc) kvWide(label, value string) *block {
	l := p.textCol(pairLabel, label, &stKVLabel)
	v := p.textCol(grid-pairLabel, value, &stBody)
	return &block{cols: []pcol{l, v}, n: max(len(l.lines), len(v.lines)), pitch: pitchBody, minSplit: 1}
}

// RAG fills: light enough for black text; the word is always printed too.
var ragFill = map[string]*props.Color{
	"red":   {Red: 244, Green: 199, Blue: 195},
	"amber": {Red: 255, Green: 221, Blue: 150},
	"green": {Red: 195, Green: 230, Blue: 203},
}

// gridBlocks lays a grid out as a table: a header row repeated on every
// page it runs onto, each row's label in bold, RAG cells filled with their
// colour beside the word.
func (p *pdfDoc) gridBlocks(g *printout.Grid) []*block {
	n := len(g.Columns)
	for _, r := range g.Rows {
		c := len(r.Cells)
		if g.RowLabels {
			c++
		}
		n = max(n, c)
	}
	if n == 0 {
		return nil
	}
	widths := gridWidths(g, n)
	mk := func(cells []string, sts []*tstyle, fills []*props.Color) *block {
		b := &block{pitch: pitchSmall, padTop: 1, padBottom: 1, minSplit: 1}
		for j := 0; j < n; j++ {
			v := ""
			if j < len(cells) {
				v = cells[j]
			}
			c := p.textCol(widths[j], v, sts[j])
			c.border, c.fill = border.Full, fills[j]
			b.cols = append(b.cols, c)
			b.n = max(b.n, len(c.lines))
		}
		return b
	}
	heads := make([]*tstyle, n)
	hfill := make([]*props.Color, n)
	for j := range heads {
		heads[j], hfill[j] = &stCellHead, &colFill
	}
	head := mk(g.Columns, heads, hfill)
	head.keep, head.spaceBefore = true, 3
	bs := []*block{head}
	for _, r := range g.Rows {
		var cells []string
		sts := make([]*tstyle, n)
		fills := make([]*props.Color, n)
		for j := range sts {
			sts[j] = &stCell
		}
		if g.RowLabels {
			cells = append(cells, r.Label)
			sts[0] = &stCellHead
		}
		for _, c := range r.Cells {
			j := len(cells)
			cells = append(cells, c.Text)
			if f := ragFill[c.RAG]; f != nil && j < n {
				fills[j] = f
				sts[j] = &stCellHead
			}
		}
		b := mk(cells, sts, fills)
		if b.height(0, b.n, 0) > p.fresh()/2 {
			// A row taller than half a page would run down a narrow column
			// for pages: its answers print one under another, full width,
			// each under its column's heading.
			bs = append(bs, p.stackedRow(g, r, n)...)
			continue
		}
		// A row that fits on a page is never cut between pages.
		b.header, b.minSplit = head, 0
		bs = append(bs, b)
	}
	return bs
}

// stackedRow prints one grid row as full-width cells: the row's label,
// then each answer under its column's heading.
func (p *pdfDoc) stackedRow(g *printout.Grid, r printout.GridRow, n int) []*block {
	var bs []*block
	cell := func(text string, st *tstyle, fill *props.Color) *block {
		c := p.textCol(grid, text, st)
		c.border, c.fill = border.Full, fill
		return &block{cols: []pcol{c}, n: len(c.lines), pitch: pitchSmall, padTop: 1, padBottom: 1, minSplit: 2}
	}
	j := 0
	if g.RowLabels {
		b := cell(r.Label, &stCellHead, &colFill)
		b.keep = true
		bs = append(bs, b)
		j = 1
	}
	for _, c := range r.Cells {
		if j < len(g.Columns) && g.Columns[j] != "" {
			h := cell(g.Columns[j], &stCellHead, nil)
			h.keep = true
			bs = append(bs, h)
		}
		st := &stCell
		if ragFill[c.RAG] != nil {
			st = &stCellHead
		}
		bs = append(bs, cell(c.Text, st, ragFill[c.RAG]))
		j++
	}
	return bs
}

// gridWidths gives a RAG or yes/no column (short answers) just room for its
// heading and words, and shares the rest by how much each column holds.
func gridWidths(g *printout.Grid, n int) []int {
	rows := make([][]string, len(g.Rows))
	for i, r := range g.Rows {
		if g.RowLabels {
			rows[i] = append(rows[i], r.Label)
		}
		for _, c := range r.Cells {
			rows[i] = append(rows[i], c.Text)
		}
	}
	return columnWidths(g.Columns, rows, n)
}

func (p *pdfDoc) fieldBlocks(f printout.Field) []*block {
	var bs []*block
	lb := textBlock(p.textCol(grid, f.Label, &stLabel), pitchBody)
	lb.spaceBefore, lb.keep = 3, true
	if f.Label != "" {
		bs = append(bs, lb)
	}
	paras := paragraphs(f.Value)
	for i, para := range paras {
		b := textBlock(p.textCol(grid, strings.Join(para, "\n"), &stBody), pitchBody)
		b.spaceBefore, b.minSplit = 0.5, 2
		if i > 0 {
			b.spaceBefore = 2
		}
		bs = append(bs, b)
	}
	if f.Table != nil {
		if len(paras) > 0 {
			bs[len(bs)-1].keep = true
		}
		bs = append(bs, p.tableBlocks(f.Table.Columns, f.Table.Rows, nil, 1.5)...)
	}
	return bs
}

// tableBlocks lays a table out as a header block and one block per row.
// Rows longer than the header get extra columns rather than losing cells.
func (p *pdfDoc) tableBlocks(columns []string, rows [][]string, widths []int, spaceBefore float64) []*block {
	n := len(columns)
	for _, r := range rows {
		n = max(n, len(r))
	}
	if n == 0 {
		b := textBlock(p.textCol(grid, "No entries", &stMissing), pitchBody)
		b.spaceBefore = spaceBefore
		return []*block{b}
	}
	if len(widths) != n {
		widths = columnWidths(columns, rows, n)
	}
	mk := func(cells []string, st *tstyle, fill *props.Color) *block {
		b := &block{pitch: pitchSmall, padTop: 1, padBottom: 1, minSplit: 1}
		for j := 0; j < n; j++ {
			v := ""
			if j < len(cells) {
				v = cells[j]
			}
			c := p.textCol(widths[j], v, st)
			c.border, c.fill = border.Full, fill
			b.cols = append(b.cols, c)
			b.n = max(b.n, len(c.lines))
		}
		return b
	}
	var bs []*block
	var head *block
	if len(columns) > 0 {
		head = mk(columns, &stCellHead, &colFill)
		head.keep, head.spaceBefore = true, spaceBefore
		bs = append(bs, head)
	}
	for i, r := range rows {
		b := mk(r, &stCell, nil)
		b.header = head
		if i == 0 && head == nil {
			b.spaceBefore = spaceBefore
		}
		bs = append(bs, b)
	}
	if len(rows) == 0 {
		b := mk([]string{"No entries"}, &stCellGrey, nil)
		b.header = head
		bs = append(bs, b)
	}
	return bs
}

// columnWidths shares the grid between columns by how much text each holds,
// with a floor so that a short column still fits its heading.
func columnWidths(columns []string, rows [][]string, n int) []int {
	weight := make([]float64, n)
	for j := range n {
		total, count := 0, 0
		for _, r := range rows {
			if j < len(r) {
				total += len([]rune(r[j]))
				count++
			}
		}
		avg := 0.0
		if count > 0 {
			avg = float64(total) / float64(count)
		}
		head := 0.0
		if j < len(columns) {
			head = float64(len([]rune(columns[j])))
		}
		weight[j] = math.Sqrt(max(min(avg, 400), head, 4))
	}
	sum := 0.0
	for _, w := range weight {
		sum += w
	}
	floor := min(200, grid/n)
	widths := make([]int, n)
	left := grid - floor*n
	used := 0
	for j, w := range weight {
		widths[j] = floor + int(float64(left)*w/sum)
		used += widths[j]
	}
	widths[n-1] += grid - used
	return widths
}

func (p *pdfDoc) heading(title string, spaceBefore float64) *block {
	h := p.textCol(grid, title, &stHeading)
	h.border = border.Bottom
	b := textBlock(h, pitchHeading)
	b.spaceBefore, b.padBottom, b.keep = spaceBefore, 1, true
	return b
}

func (p *pdfDoc) signatureBlocks(d *printout.Document) []*block {
	bs := []*block{p.heading("Signatures", 7)}
	// The declaration is what the signers signed under: it comes first,
	// directly above their signatures.
	if !isBlank(d.Declaration) {
		for i, para := range paragraphs(d.Declaration) {
			b := textBlock(p.textCol(grid, strings.Join(para, "\n"), &stBody), pitchBody)
			b.spaceBefore, b.minSplit, b.keep = 3, 2, true
			if i > 0 {
				b.spaceBefore = 2
			}
			bs = append(bs, b)
		}
	}
	if len(d.Signatures) == 0 {
		b := textBlock(p.textCol(grid, "No one has signed this record.", &stMissing), pitchBody)
		b.spaceBefore = 3
		bs = append(bs, b)
	}
	// Two signers side by side, as on the paper forms' signature lines.
	for i := 0; i < len(d.Signatures); i += 2 {
		pair := d.Signatures[i:min(i+2, len(d.Signatures))]
		bs = append(bs, p.signaturePair(pair)...)
	}
	return bs
}

const (
	sigHalf  = grid / 2
	sigLabel = 320 // grid units for a signature's labels
)

// signaturePair lays out one or two signatures in columns: the role, then
// a line each for the name from the staff record, the typed name when it
// differs, job title, time, comment, disagreement and the drawing.
func (p *pdfDoc) signaturePair(sigs []printout.Signature) []*block {
	type entry struct{ label, value string }
	entries := make([]map[string]entry, len(sigs))
	keys := []string{"Name", "Typed name", "Job title", "Signed", "Comment", "Disagreement"}
	for i, s := range sigs {
		e := map[string]entry{}
		put := func(k, v, none string) {
			v = strings.Trim(normalizeNewlines(v), "\n")
			if isBlank(v) {
				v = none
			}
			if v != "" {
				e[k] = entry{k, v}
			}
		}
		put("Name", s.Name, "Not given")
		if !isBlank(s.TypedName) && s.TypedName != s.Name {
			put("Typed name", s.TypedName, "")
		}
		put("Job title", s.JobTitle, "Not given")
		put("Signed", signedAt(s.SignedAt), "")
		put("Comment", s.Comment, "")
		put("Disagreement", s.Disagreement, "None")
		entries[i] = e
	}
	var bs []*block
	var rcols []pcol
	n := 0
	for _, s := range sigs {
		role := s.Role
		if isBlank(role) {
			role = "Signature"
		}
		c := p.textCol(sigHalf, role, &stSubheading)
		rcols = append(rcols, c)
		n = max(n, len(c.lines))
	}
	rb := &block{cols: rcols, n: n, pitch: pitchSub, spaceBefore: 4, keep: true}
	bs = append(bs, rb)
	for _, k := range keys {
		var cols []pcol
		n, present := 0, false
		for _, e := range entries {
			en, ok := e[k]
			if ok {
				present = true
			}
			l := p.textCol(sigLabel, en.label, &stKVLabel)
			v := p.textCol(sigHalf-sigLabel, en.value, &stBody)
			if !ok {
				l, v = pcol{size: sigLabel}, pcol{size: sigHalf - sigLabel}
			}
			cols = append(cols, l, v)
			n = max(n, len(l.lines), len(v.lines))
		}
		if !present {
			continue
		}
		bs = append(bs, &block{cols: cols, n: n, pitch: pitchBody, spaceBefore: 1, minSplit: 1, keep: true})
	}
	var icols []pcol
	drawn := false
	for _, s := range sigs {
		if len(s.DrawingPNG) == 0 {
			icols = append(icols, pcol{size: sigHalf})
			continue
		}
		data, err := pdfPNG(s.DrawingPNG)
		if err != nil {
			icols = append(icols, p.textCol(sigHalf, "The drawn signature could not be read.", &stMissing))
			drawn = true
			continue
		}
		icols = append(icols, pcol{size: sigLabel}, pcol{size: sigHalf - sigLabel, png: data})
		drawn = true
	}
	if drawn {
		bs = append(bs, &block{cols: icols, n: 1, pitch: pitchBody, padTop: 1, fixed: 22 - 1 - pitchBody})
	}
	bs[len(bs)-1].keep = false
	return bs
}

// pdfPNG prepares a drawn signature for gofpdf. The signature pad gives an
// RGBA PNG, transparent but for the ink; gofpdf would inflate it, split off
// the alpha channel and deflate both again on every render. Flattened onto
// white as 8-bit greyscale it is copied into the PDF as it is, and the ink
// looks the same on the white page.
func pdfPNG(b []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return nil, errors.New("empty image")
	}
	if cfg.Width*cfg.Height > 4_000_000 {
		return nil, errors.New("image too large")
	}
	// IHDR: bit depth at byte 24, colour type at 25, interlace at 28. A
	// greyscale 8-bit non-interlaced PNG is already what gofpdf copies, if
	// it holds nothing but the image: gofpdf's own reader trusts the
	// ancillary chunks (an empty tRNS makes it panic), so any other file is
	// decoded and written again here.
	if len(b) > 28 && b[24] == 8 && b[25] == 0 && b[28] == 0 && onlyImageChunks(b) {
		return b, nil
	}
	src, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	dst := flatten(src)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, dst); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// onlyImageChunks says whether a PNG's chunks are IHDR, IDAT and IEND
// alone, each whole.
func onlyImageChunks(b []byte) bool {
	b = b[8:] // the signature
	for len(b) >= 12 {
		n := int(binary.BigEndian.Uint32(b))
		if n < 0 || n > len(b)-12 {
			return false
		}
		switch string(b[4:8]) {
		case "IHDR", "IDAT":
		case "IEND":
			return true
		default:
			return false
		}
		b = b[12+n:]
	}
	return false
}

// flatten composites src onto white as greyscale. The signature pad's
// NRGBA images take a direct loop; anything else goes through image/draw.
func flatten(src image.Image) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if n, ok := src.(*image.NRGBA); ok {
		for y := 0; y < b.Dy(); y++ {
			row := n.Pix[y*n.Stride : y*n.Stride+4*b.Dx()]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+b.Dx()]
			for x := range out {
				r, g, bl, a := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]), uint32(row[4*x+3])
				lum := (299*r + 587*g + 114*bl) / 1000
				out[x] = uint8((lum*a + 255*(255-a)) / 255)
			}
		}
		return dst
	}
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Over)
	return dst
}

func (p *pdfDoc) auditBlocks(d *printout.Document) []*block {
	bs := []*block{p.heading("Audit trail", 7)}
	rows := make([][]string, len(d.Audit))
	for i, e := range d.Audit {
		rows[i] = []string{auditTime(e.At), e.Actor, e.Action, e.Detail}
	}
	if len(rows) == 0 {
		b := textBlock(p.textCol(grid, "No events recorded.", &stMissing), pitchBody)
		b.spaceBefore = 3
		bs = append(bs, b)
	} else {
		bs = append(bs, p.tableBlocks([]string{"When", "Who", "Action", "Detail"}, rows, []int{470, 400, 470, 460}, 3)...)
	}
	hash := d.DataSHA256
	if hash == "" {
		hash = "not recorded"
	}
	b := textBlock(p.textCol(grid, "SHA-256 of the signed data: "+hash, &stBody), pitchBody)
	b.spaceBefore = 3
	bs = append(bs, b)
	return bs
}
