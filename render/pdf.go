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
)

// Line pitches (mm), multiples of 1/8.
const (
	pitchTitle   = 8.5
	pitchSub     = 5.5
	pitchHeading = 6.25
	pitchBody    = 4.75
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
	m  core.Maroto
	// Mirror of maroto's own page filling (Maroto.addRow), so that we know
	// before adding a row whether it will start a new page.
	usable, headerH, footerH, cur float64
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

	p := &pdfDoc{fs: fs, m: maroto.New(&cfg), usable: pageH - marginT - marginB}
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
	if err := p.m.RegisterHeader(hrows...); err != nil {
		return nil, err
	}
	p.cur = p.headerH

	p.place(p.bodyBlocks(d))
	if !d.Listing {
		p.newPage()
		p.place(p.signatureBlocks(d))
		p.newPage()
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
	return out, nil
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
func (p *pdfDoc) atTop() bool    { return p.full || p.cur == p.headerH }

// add appends a row, updating the mirror exactly as Maroto.addRow does.
func (p *pdfDoc) add(h float64, r core.Row) {
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
		hb.spaceBefore, hb.padBottom, hb.keep = 7, 1, true
		bs = append(bs, hb)
		for i, para := range paragraphs(s.Intro) {
			b := textBlock(p.textCol(grid, strings.Join(para, "\n"), &stIntro), pitchSmall)
			b.spaceBefore, b.keep = 1.5, true
			if i > 0 {
				b.spaceBefore = 1
			}
			bs = append(bs, b)
		}
		for _, f := range s.Fields {
			bs = append(bs, p.fieldBlocks(f)...)
		}
	}
	return bs
}

func (p *pdfDoc) fieldBlocks(f printout.Field) []*block {
	var bs []*block
	lb := textBlock(p.textCol(grid, f.Label, &stLabel), pitchBody)
	lb.spaceBefore, lb.keep = 4, true
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
	} else if len(paras) == 0 {
		b := textBlock(p.textCol(grid, "Not answered", &stMissing), pitchBody)
		b.spaceBefore = 0.5
		bs = append(bs, b)
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

const kvLabel = 380 // grid units (38 mm) for the label column

func (p *pdfDoc) kv(label, value string, st *tstyle) *block {
	l := p.textCol(kvLabel, label, &stKVLabel)
	v := p.textCol(grid-kvLabel, value, st)
	return &block{cols: []pcol{l, v}, n: max(len(l.lines), len(v.lines)), pitch: pitchBody, spaceBefore: 1, minSplit: 1}
}

func (p *pdfDoc) signatureBlocks(d *printout.Document) []*block {
	bs := []*block{p.heading("Signatures", 0)}
	if len(d.Signatures) == 0 {
		b := textBlock(p.textCol(grid, "No one has signed this record.", &stMissing), pitchBody)
		b.spaceBefore = 3
		bs = append(bs, b)
	}
	for _, s := range d.Signatures {
		role := s.Role
		if role == "" {
			role = "Signature"
		}
		rb := textBlock(p.textCol(grid, role, &stSubheading), pitchSub)
		rb.spaceBefore = 6
		sig := []*block{rb}
		opt := func(label, v, none string) {
			if isBlank(v) {
				sig = append(sig, p.kv(label, none, &stMissing))
			} else {
				sig = append(sig, p.kv(label, strings.Trim(normalizeNewlines(v), "\n"), &stBody))
			}
		}
		opt("Name", s.Name, "Not given")
		opt("Job title", s.JobTitle, "Not given")
		sig = append(sig, p.kv("Signed", signedAt(s.SignedAt), &stBody))
		opt("Comment", s.Comment, "None")
		opt("Disagreement", s.Disagreement, "None")
		if len(s.DrawingPNG) > 0 {
			sig = append(sig, p.drawing(s.DrawingPNG))
		}
		// Keep one person's signature together where it fits on a page.
		for _, b := range sig[:len(sig)-1] {
			b.keep = true
		}
		bs = append(bs, sig...)
	}
	if !isBlank(d.Declaration) {
		bs = append(bs, p.heading("Declaration", 9))
		for i, para := range paragraphs(d.Declaration) {
			b := textBlock(p.textCol(grid, strings.Join(para, "\n"), &stBody), pitchBody)
			b.spaceBefore, b.minSplit = 2, 2
			if i > 0 {
				b.spaceBefore = 2
			}
			bs = append(bs, b)
		}
	}
	return bs
}

// drawing is the signature image row. gofpdf reads only 8-bit,
// non-interlaced PNGs; anything else is re-encoded first, and an image that
// cannot be read at all is reported in words rather than failing the record.
func (p *pdfDoc) drawing(pngBytes []byte) *block {
	data, err := pdfPNG(pngBytes)
	if err != nil {
		return p.kv("Signature", "The drawn signature could not be read.", &stMissing)
	}
	l := p.textCol(kvLabel, "Signature", &stKVLabel)
	img := pcol{size: 700, png: data}
	return &block{cols: []pcol{l, img}, n: len(l.lines), pitch: pitchBody, padTop: 1, fixed: 22 - 1 - pitchBody}
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
	bs := []*block{p.heading("Audit trail", 0)}
	rows := make([][]string, len(d.Audit))
	for i, e := range d.Audit {
		rows[i] = []string{auditTime(e.At), e.Actor, e.Action, e.Detail}
	}
	if len(rows) == 0 {
		b := textBlock(p.textCol(grid, "No events recorded.", &stMissing), pitchBody)
		b.spaceBefore = 3
		bs = append(bs, b)
	} else {
		bs = append(bs, p.tableBlocks([]string{"When", "Who", "Action", "Detail"}, rows, []int{380, 400, 360, 660}, 3)...)
	}
	hash := d.DataSHA256
	if hash == "" {
		hash = "not recorded"
	}
	b := textBlock(p.textCol(grid, "SHA-256 of the signed data: "+hash, &stBody), pitchBody)
	b.spaceBefore = 6
	bs = append(bs, b)
	return bs
}
