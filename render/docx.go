package render

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"image/png"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// The DOCX is written directly as WordprocessingML (ECMA-376) with
// archive/zip. A general-purpose library spends most of a render unpacking
// and re-marshalling its own template; a supervision record needs a handful
// of styles, paragraphs, tables and at most a few images, so the fixed parts
// (content types, relationships, styles, settings) are built and compressed
// once in New and copied into every document as they are.
//
// Headings use Word's built-in Title, Heading 1 and Heading 2 styles (with
// outline levels), so the navigation pane, a table of contents and screen
// readers see the document's structure.

// docxBase holds the parts every document shares, already deflated.
type docxBase struct {
	static []rawPart
}

// rawPart is a zip entry compressed ahead of time.
type rawPart struct {
	hdr  zip.FileHeader
	data []byte
}

// docxModified is the fixed zip timestamp: identical inputs give identical
// bytes, which keeps stored documents and golden files reproducible.
var docxModified = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newDocxBase(styles []byte, letterhead bool, base *baseParts) (*docxBase, error) {
	b := &docxBase{}
	types := docxContentTypes
	if letterhead {
		types = strings.Replace(types, `</Types>`, `<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>`, 1)
	}
	static := []struct{ name, body string }{
		{"_rels/.rels", docxPackageRels},
		{"word/styles.xml", string(styles)},
		{"word/settings.xml", docxSettings},
		{"docProps/app.xml", docxApp},
	}
	if base != nil {
		var add strings.Builder
		for _, m := range base.media {
			fmt.Fprintf(&add, `<Override PartName="/%s" ContentType="%s"/>`, xmlEsc(m.name), xmlEsc(m.contentType))
			static = append(static, struct{ name, body string }{m.name, string(m.data)})
		}
		types = strings.Replace(types, `</Types>`, add.String()+`</Types>`, 1)
	}
	static = append([]struct{ name, body string }{{"[Content_Types].xml", types}}, static...)
	for _, p := range static {
		rp, err := precompress(p.name, []byte(p.body))
		if err != nil {
			return nil, err
		}
		b.static = append(b.static, rp)
	}
	return b, nil
}

func precompress(name string, body []byte) (rawPart, error) {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return rawPart{}, err
	}
	if _, err := fw.Write(body); err != nil {
		return rawPart{}, err
	}
	if err := fw.Close(); err != nil {
		return rawPart{}, err
	}
	h := zip.FileHeader{
		Name:               name,
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(body),
		CompressedSize64:   uint64(buf.Len()),
		UncompressedSize64: uint64(len(body)),
		Modified:           docxModified,
	}
	return rawPart{hdr: h, data: buf.Bytes()}, nil
}

func (r *Renderer) renderDOCX(d *printout.Document) ([]byte, error) {
	w := &docxWriter{lh: r.lh, base: r.base}
	body := w.document(d)

	var out bytes.Buffer
	out.Grow(len(body)/3 + 16<<10)
	zw := zip.NewWriter(&out)
	for i := range r.docx.static {
		p := &r.docx.static[i]
		h := p.hdr // CreateRaw keeps a pointer; each document gets its own copy
		fw, err := zw.CreateRaw(&h)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(p.data); err != nil {
			return nil, err
		}
	}
	parts := []struct {
		name   string
		body   []byte
		stored bool
	}{
		{"word/document.xml", body, false},
		{"word/_rels/document.xml.rels", w.rels(), false},
		{"word/header1.xml", w.header(d), false},
		{"word/footer1.xml", w.footer(d), false},
		{"docProps/core.xml", docxCore(d), false},
	}
	if r.base != nil {
		// The council's header and footer keep their relationships
		// (their pictures), under the document's part names.
		for _, hf := range []struct {
			name string
			p    *baseHeaderFooter
		}{{"word/_rels/header1.xml.rels", r.base.header}, {"word/_rels/footer1.xml.rels", r.base.footer}} {
			if hf.p != nil && hf.p.rels != "" {
				parts = append(parts, struct {
					name   string
					body   []byte
					stored bool
				}{hf.name, relsPart(hf.p.rels), false})
			}
		}
	}
	if r.lh != nil {
		parts = append(parts, struct {
			name   string
			body   []byte
			stored bool
		}{"word/header2.xml", w.firstHeader(d), false}, struct {
			name   string
			body   []byte
			stored bool
		}{"word/_rels/header2.xml.rels", firstHeaderRels(r.lh, r.base), false})
		if r.lh.png != nil {
			parts = append(parts, struct {
				name   string
				body   []byte
				stored bool
			}{"word/media/logo.png", r.lh.png, true})
		}
	}
	for i, img := range w.images {
		// PNG is already compressed; deflating it again only costs time.
		parts = append(parts, struct {
			name   string
			body   []byte
			stored bool
		}{fmt.Sprintf("word/media/image%d.png", i+1), img, true})
	}
	for _, p := range parts {
		m := zip.Deflate
		if p.stored {
			m = zip.Store
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: m, Modified: docxModified})
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(p.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// docxWriter builds the per-document parts.
type docxWriter struct {
	lh     *letterhead
	base   *baseParts // the council's header and footer, if any
	b      bytes.Buffer
	images [][]byte
	nextID int // docPr ids must be unique in the document
}

func (w *docxWriter) document(d *printout.Document) []byte {
	w.b.Grow(64 << 10)
	w.b.WriteString(xmlDecl)
	w.b.WriteString(`<w:document ` + docxNS + `><w:body>`)

	w.para("Title", d.Title)
	if !isBlank(d.Subtitle) {
		w.para("Subtitle", d.Subtitle)
	}
	if d.Confidential {
		w.para("Confidential", "Confidential")
	}
	if !isBlank(d.Reference) {
		w.para("Reference", d.Reference)
	}

	for _, s := range d.Sections {
		w.para("Heading1", s.Title)
		if !isBlank(s.Intro) {
			w.text("Intro", s.Intro)
		}
		if !isBlank(s.Statement) {
			w.text("Statement", s.Statement)
		}
		var pairs [][2]string
		flush := func() {
			if len(pairs) > 0 {
				w.pairs(pairs)
				pairs = nil
			}
		}
		for i, f := range s.Fields {
			if s.Grid != nil && i == s.GridAt {
				flush()
				w.grid(s.Grid)
			}
			if s.Pairs && f.Table == nil && isShort(f.Value) {
				pairs = append(pairs, [2]string{f.Label, f.Value})
				continue
			}
			flush()
			w.field(f)
		}
		flush()
		if s.Grid != nil && s.GridAt >= len(s.Fields) {
			w.grid(s.Grid)
		}
		if len(s.Fields) == 0 && s.Grid == nil {
			w.para("NothingRecorded", "Nothing recorded")
		}
	}

	if !d.Listing {
		w.signatures(d)
		w.audit(d)
	}

	w.b.WriteString(`<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/>`)
	if w.lh != nil {
		// The letterhead heads the first page only.
		w.b.WriteString(`<w:headerReference w:type="first" r:id="rIdHeader2"/><w:footerReference w:type="first" r:id="rIdFooter1"/>`)
	}
	w.b.WriteString(`<w:footerReference w:type="default" r:id="rIdFooter1"/>` +
		`<w:pgSz w:w="11906" w:h="16838"/>` +
		`<w:pgMar w:top="1418" w:right="1134" w:bottom="1418" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/>`)
	if w.lh != nil {
		w.b.WriteString(`<w:titlePg/>`)
	}
	w.b.WriteString(`</w:sectPr></w:body></w:document>`)
	return w.b.Bytes()
}

func (w *docxWriter) field(f printout.Field) {
	w.para("Heading2", f.Label)
	switch {
	case f.Table != nil:
		w.table(f.Table.Columns, f.Table.Rows, nil)
	case isBlank(f.Value):
	default:
		w.text("", f.Value)
	}
}

// para writes one paragraph of a single line of text in style.
func (w *docxWriter) para(style, s string) {
	w.b.WriteString(`<w:p>`)
	w.pPr(style, false)
	w.run("", s)
	w.b.WriteString(`</w:p>`)
}

func (w *docxWriter) pPr(style string, pageBreak bool) {
	if style == "" && !pageBreak {
		return
	}
	w.b.WriteString(`<w:pPr>`)
	if style != "" {
		w.b.WriteString(`<w:pStyle w:val="` + style + `"/>`)
	}
	if pageBreak {
		w.b.WriteString(`<w:pageBreakBefore/>`)
	}
	w.b.WriteString(`</w:pPr>`)
}

// text writes a multi-line answer: a blank line starts a new paragraph, a
// single newline is a line break within one. Every character is kept.
func (w *docxWriter) text(style, s string) {
	paras := paragraphs(s)
	if len(paras) == 0 {
		w.para(style, "")
		return
	}
	for _, lines := range paras {
		w.b.WriteString(`<w:p>`)
		w.pPr(style, false)
		for i, l := range lines {
			if i > 0 {
				w.b.WriteString(`<w:r><w:br/></w:r>`)
			}
			w.run("", l)
		}
		w.b.WriteString(`</w:p>`)
	}
}

// run writes s as one run; tabs become Word tabs, everything else is
// escaped text with its spaces preserved.
func (w *docxWriter) run(rPr, s string) {
	w.b.WriteString(`<w:r>`)
	if rPr != "" {
		w.b.WriteString(`<w:rPr>` + rPr + `</w:rPr>`)
	}
	for i, seg := range strings.Split(s, "\t") {
		if i > 0 {
			w.b.WriteString(`<w:tab/>`)
		}
		if seg == "" {
			continue
		}
		w.b.WriteString(`<w:t xml:space="preserve">`)
		escapeXML(&w.b, seg)
		w.b.WriteString(`</w:t>`)
	}
	w.b.WriteString(`</w:r>`)
}

// table writes a grid with a repeated, bold header row. widths are in
// twentieths of a point and may be nil for equal columns.
func (w *docxWriter) table(columns []string, rows [][]string, widths []int) {
	const total = 9638 // text width: A4 less 2 cm margins, in twips
	if len(columns) == 0 {
		return
	}
	if widths == nil {
		widths = make([]int, len(columns))
		for i := range widths {
			widths[i] = total / len(columns)
		}
	}
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, wd := range widths {
		fmt.Fprintf(&w.b, `<w:gridCol w:w="%d"/>`, wd)
	}
	w.b.WriteString(`</w:tblGrid>`)
	w.b.WriteString(`<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
	for i, c := range columns {
		w.cellStart(widths[i])
		w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="TableHeading"/></w:pPr>`)
		w.run("", c)
		w.b.WriteString(`</w:p></w:tc>`)
	}
	w.b.WriteString(`</w:tr>`)
	for _, row := range rows {
		w.b.WriteString(`<w:tr>`)
		for i := range columns {
			w.cellStart(widths[i])
			v := ""
			if i < len(row) {
				v = row[i]
			}
			w.text("TableText", v)
			w.b.WriteString(`</w:tc>`)
		}
		w.b.WriteString(`</w:tr>`)
	}
	w.b.WriteString(`</w:tbl>`)
	// Word needs a paragraph between a table and whatever follows it.
	w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Spacer"/></w:pPr></w:p>`)
}

// pairs writes short answers as a borderless two-column table: the
// question in bold on the left, the answer beside it.
func (w *docxWriter) pairs(ps [][2]string) {
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid><w:gridCol w:w="3800"/><w:gridCol w:w="5838"/></w:tblGrid>`)
	for _, p := range ps {
		w.b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		w.cellStart(3800)
		w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="PairLabel"/></w:pPr>`)
		w.run("", p[0])
		w.b.WriteString(`</w:p></w:tc>`)
		w.cellStart(5838)
		w.text("PairValue", p[1])
		w.b.WriteString(`</w:tc></w:tr>`)
	}
	w.b.WriteString(`</w:tbl>`)
	w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Spacer"/></w:pPr></w:p>`)
}

// ragShade is the cell shading of a RAG rating; the word is always there too.
var ragShade = map[string]string{"red": "F4C7C3", "amber": "FFDD96", "green": "C3E6CB"}

// grid writes a grid of answers as a real table: a header row that Word
// and LibreOffice repeat on every page, row labels in bold, RAG cells
// shaded beside their word.
func (w *docxWriter) grid(g *printout.Grid) {
	const total = 9638
	n := len(g.Columns)
	for _, r := range g.Rows {
		c := len(r.Cells)
		if g.RowLabels {
			c++
		}
		n = max(n, c)
	}
	if n == 0 {
		return
	}
	widths := gridWidths(g, n)
	tw := make([]int, n)
	for i, u := range widths {
		tw[i] = total * u / grid
	}
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for _, wd := range tw {
		fmt.Fprintf(&w.b, `<w:gridCol w:w="%d"/>`, wd)
	}
	w.b.WriteString(`</w:tblGrid><w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
	for i := 0; i < n; i++ {
		w.cellStart(tw[i])
		w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="TableHeading"/></w:pPr>`)
		if i < len(g.Columns) {
			w.run("", g.Columns[i])
		}
		w.b.WriteString(`</w:p></w:tc>`)
	}
	w.b.WriteString(`</w:tr>`)
	for _, r := range g.Rows {
		w.b.WriteString(`<w:tr>`)
		j := 0
		if g.RowLabels {
			w.cellStart(tw[0])
			w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="TableHeading"/></w:pPr>`)
			w.run("", r.Label)
			w.b.WriteString(`</w:p></w:tc>`)
			j = 1
		}
		for _, c := range r.Cells {
			if j >= n {
				break
			}
			if sh := ragShade[c.RAG]; sh != "" {
				fmt.Fprintf(&w.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="%s"/></w:tcPr>`, tw[j], sh)
				w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="TableHeading"/></w:pPr>`)
				w.run("", c.Text)
				w.b.WriteString(`</w:p></w:tc>`)
			} else {
				w.cellStart(tw[j])
				w.text("TableText", c.Text)
				w.b.WriteString(`</w:tc>`)
			}
			j++
		}
		for ; j < n; j++ {
			w.cellStart(tw[j])
			w.text("TableText", "")
			w.b.WriteString(`</w:tc>`)
		}
		w.b.WriteString(`</w:tr>`)
	}
	w.b.WriteString(`</w:tbl>`)
	w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Spacer"/></w:pPr></w:p>`)
}

func (w *docxWriter) cellStart(width int) {
	fmt.Fprintf(&w.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, width)
}

// labelled writes "Label: value" with the label in bold; a blank value
// prints none in grey italics.
func (w *docxWriter) labelled(label, value, none string) {
	w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="KeepWithNext"/></w:pPr>`)
	w.run(`<w:b/>`, label+": ")
	if isBlank(value) {
		w.run(`<w:i/><w:color w:val="505A5F"/>`, none)
		w.b.WriteString(`</w:p>`)
		return
	}
	lines := splitLines(strings.Trim(normalizeNewlines(value), "\n"))
	for i, l := range lines {
		if i > 0 {
			w.b.WriteString(`<w:r><w:br/></w:r>`)
		}
		w.run("", l)
	}
	w.b.WriteString(`</w:p>`)
}

func (w *docxWriter) signatures(d *printout.Document) {
	w.b.WriteString(`<w:p>`)
	w.pPr("Heading1", true)
	w.run("", "Signatures")
	w.b.WriteString(`</w:p>`)
	// The declaration is what they signed under: directly above them.
	if !isBlank(d.Declaration) {
		w.text("Declaration", d.Declaration)
	}
	if len(d.Signatures) == 0 {
		w.para("NothingRecorded", "No one has signed this record.")
	}
	for _, s := range d.Signatures {
		role := s.Role
		if isBlank(role) {
			role = "Signature"
		}
		w.para("Heading2", role)
		w.labelled("Name", s.Name, "Not given")
		if !isBlank(s.TypedName) && s.TypedName != s.Name {
			w.labelled("Typed name", s.TypedName, "")
		}
		w.labelled("Job title", s.JobTitle, "Not given")
		w.labelled("Signed", signedAt(s.SignedAt), "Not recorded")
		if !isBlank(s.Comment) {
			w.labelled("Comment", s.Comment, "")
		}
		w.labelled("Disagreement", s.Disagreement, "None")
		if len(s.DrawingPNG) > 0 {
			w.drawing(s.DrawingPNG, s.Name)
		}
	}
}

// drawing embeds a drawn signature, 6 cm wide at most, keeping its shape.
// A PNG that cannot be read is described in words, as in the PDF.
func (w *docxWriter) drawing(img []byte, name string) {
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		w.labelled("Signature", "The drawn signature could not be read.", "")
		return
	}
	const emuPerCm = 360000
	cx := int64(6 * emuPerCm)
	cy := cx * int64(cfg.Height) / int64(cfg.Width)
	if maxCy := int64(2.5 * emuPerCm); cy > maxCy {
		cy = maxCy
		cx = cy * int64(cfg.Width) / int64(cfg.Height)
	}
	w.images = append(w.images, img)
	n := len(w.images)
	w.nextID++
	id := w.nextID
	w.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="KeepWithNext"/></w:pPr>`)
	w.run(`<w:b/>`, "Signature: ")
	fmt.Fprintf(&w.b, `<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
		`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="Signature %d" descr="`, cx, cy, id, n)
	escapeXML(&w.b, "Drawn signature of "+name)
	fmt.Fprintf(&w.b, `"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`+
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">`+
		`<pic:pic><pic:nvPicPr><pic:cNvPr id="%d" name="image%d.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdImage%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`, id, n, n, cx, cy)
}

func (w *docxWriter) audit(d *printout.Document) {
	w.b.WriteString(`<w:p>`)
	w.pPr("Heading1", true)
	w.run("", "Audit trail")
	w.b.WriteString(`</w:p>`)
	if len(d.Audit) == 0 {
		w.para("NothingRecorded", "No events recorded.")
	} else {
		rows := make([][]string, len(d.Audit))
		for i, e := range d.Audit {
			rows[i] = []string{auditTime(e.At), e.Actor, e.Action, e.Detail}
		}
		w.table([]string{"When", "Who", "Action", "Detail"}, rows, []int{2040, 2140, 1930, 3528})
	}
	hash := d.DataSHA256
	if hash == "" {
		hash = "not recorded"
	}
	w.para("", "SHA-256 of the signed data: "+hash)
}

func (w *docxWriter) rels() []byte {
	var b bytes.Buffer
	b.WriteString(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
		`<Relationship Id="rIdHeader1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>` +
		`<Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>`)
	if w.lh != nil {
		b.WriteString(`<Relationship Id="rIdHeader2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>`)
	}
	for i := range w.images {
		fmt.Fprintf(&b, `<Relationship Id="rIdImage%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image%d.png"/>`, i+1, i+1)
	}
	b.WriteString(`</Relationships>`)
	return b.Bytes()
}

// header prints the council's name on the left and the form title on the
// right of every page, with "Confidential" beneath when the form is.
func (w *docxWriter) header(d *printout.Document) []byte {
	h := &docxWriter{}
	h.b.WriteString(xmlDecl)
	w.openBase(&h.b, "w:hdr", w.baseHeader())
	h.headerLines(d)
	h.b.WriteString(`</w:hdr>`)
	return h.b.Bytes()
}

func (w *docxWriter) baseHeader() *baseHeaderFooter {
	if w.base == nil {
		return nil
	}
	return w.base.header
}

// openBase starts a header or footer part: the council's (its root with
// what it holds), or an empty one of our own.
func (w *docxWriter) openBase(b *bytes.Buffer, root string, hf *baseHeaderFooter) {
	if hf == nil {
		b.WriteString(`<` + root + ` ` + docxNS + `>`)
		return
	}
	b.WriteString(hf.open)
	b.WriteString(hf.inner)
}

// relsPart wraps Relationship elements in their part.
func relsPart(rels string) []byte {
	return []byte(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`)
}

// headerLines writes the document's own header lines.
func (h *docxWriter) headerLines(d *printout.Document) {
	h.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>`)
	h.run(`<w:b/>`, d.OrgName)
	h.b.WriteString(`<w:r><w:tab/></w:r>`)
	h.run("", d.Title)
	h.b.WriteString(`</w:p>`)
	if d.Confidential {
		h.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>`)
		h.run(`<w:b/><w:caps/>`, "Confidential")
		h.b.WriteString(`</w:p>`)
	}
}

// footer prints the record reference and "Page N of M" as Word fields, which
// Word and LibreOffice fill in when they lay the document out.
func (w *docxWriter) footer(d *printout.Document) []byte {
	f := &docxWriter{}
	f.b.WriteString(xmlDecl)
	var base *baseHeaderFooter
	if w.base != nil {
		base = w.base.footer
	}
	w.openBase(&f.b, "w:ftr", base)
	f.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>`)
	f.run("", d.Reference)
	f.b.WriteString(`<w:r><w:tab/></w:r>`)
	f.run("", "Page ")
	f.b.WriteString(`<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>`)
	f.run("", " of ")
	f.b.WriteString(`<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple>`)
	f.b.WriteString(`</w:p></w:ftr>`)
	return f.b.Bytes()
}

func docxCore(d *printout.Document) []byte {
	var b bytes.Buffer
	b.WriteString(xmlDecl + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>`)
	escapeXML(&b, d.Title)
	b.WriteString(`</dc:title><dc:subject>`)
	escapeXML(&b, d.Subtitle)
	b.WriteString(`</dc:subject><dc:creator>`)
	escapeXML(&b, d.OrgName)
	b.WriteString(`</dc:creator><dc:identifier>`)
	escapeXML(&b, d.Reference)
	b.WriteString(`</dc:identifier><dc:language>en-GB</dc:language>`)
	// The record's last event dates the document, so re-rendering a record
	// gives the same bytes.
	if n := len(d.Audit); n > 0 && !d.Audit[n-1].At.IsZero() {
		ts := d.Audit[n-1].At.UTC().Format(time.RFC3339)
		b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:created>`)
		b.WriteString(`<dcterms:modified xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:modified>`)
	}
	b.WriteString(`</cp:coreProperties>`)
	return b.Bytes()
}

// escapeXML writes s as XML character data. Characters XML 1.0 cannot hold
// (C0 controls other than tab and newline, lone surrogates, U+FFFE/U+FFFF)
// are written as U+FFFD so that the file stays well formed; validation
// refuses them before a record gets this far.
func escapeXML(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			var esc string
			switch {
			case c == '&':
				esc = "&amp;"
			case c == '<':
				esc = "&lt;"
			case c == '>':
				esc = "&gt;"
			case c == '"':
				esc = "&quot;"
			case c < 0x20 && c != '\t' && c != '\n':
				esc = "\uFFFD"
			default:
				i++
				continue
			}
			b.WriteString(s[last:i])
			b.WriteString(esc)
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			b.WriteString(s[last:i])
			b.WriteString("\uFFFD")
			i += size
			last = i
			continue
		}
		i += size
	}
	b.WriteString(s[last:])
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const docxNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
	`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
	`xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"`

const docxContentTypes = xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="png" ContentType="image/png"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
	`</Types>`

const docxPackageRels = xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

const docxApp = xmlDecl + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Supervision File</Application></Properties>`

const docxSettings = xmlDecl + `<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:updateFields w:val="false"/><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`<w:themeFontLang w:val="en-GB"/></w:settings>`

// docxStyles defines only the styles the documents use. Arial throughout,
// GOV.UK-like text colours; headings carry outline levels.
const docxStyles = xmlDecl + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>` +
	`<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/><w:rPr><w:color w:val="0B0C0C"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:spacing w:after="120"/></w:pPr><w:rPr><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:keepLines/><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="B1B4B6"/></w:pBdr><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr>` +
	`<w:rPr><w:b/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="1"/></w:pPr>` +
	`<w:rPr><w:b/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Intro"><w:name w:val="Intro"/><w:basedOn w:val="Normal"/><w:rPr><w:i/><w:color w:val="505A5F"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="NothingRecorded"><w:name w:val="Nothing recorded"/><w:basedOn w:val="Normal"/><w:rPr><w:i/><w:color w:val="505A5F"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Statement"><w:name w:val="Statement"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="80"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Declaration"><w:name w:val="Declaration"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="120"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="PairLabel"><w:name w:val="Pair label"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="40"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="PairValue"><w:name w:val="Pair value"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="40"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Confidential"><w:name w:val="Confidential"/><w:basedOn w:val="Normal"/><w:rPr><w:b/><w:caps/><w:color w:val="D4351C"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Reference"><w:name w:val="Reference"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="505A5F"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="KeepWithNext"><w:name w:val="Keep with next"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:after="60"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableHeading"><w:name w:val="Table heading"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:after="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Spacer"><w:name w:val="Spacer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="120" w:lineRule="exact"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:pos="9638"/></w:tabs><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:pos="9638"/></w:tabs><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="505A5F"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:left w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/>` +
	`<w:right w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="B1B4B6"/>` +
	`</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

// firstHeader is the first page's header: the council's logo on the left
// and its address on the right, above the usual header line.
func (w *docxWriter) firstHeader(d *printout.Document) []byte {
	h := &docxWriter{}
	h.b.WriteString(xmlDecl)
	w.openBase(&h.b, "w:hdr", w.baseHeader())
	if lh := w.lh; lh.png != nil {
		const emuPerCm = 360000
		cy := int64(1.8 * emuPerCm)
		cx := cy * int64(lh.w) / int64(lh.h)
		if maxCx := int64(6 * emuPerCm); cx > maxCx {
			cx = maxCx
			cy = cx * int64(lh.h) / int64(lh.w)
		}
		h.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Header"/><w:spacing w:after="120"/></w:pPr>`)
		fmt.Fprintf(&h.b, `<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
			`<wp:extent cx="%d" cy="%d"/><wp:docPr id="1000" name="Logo" descr="`, cx, cy)
		escapeXML(&h.b, "Logo of "+d.OrgName)
		fmt.Fprintf(&h.b, `"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`+
			`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">`+
			`<pic:pic><pic:nvPicPr><pic:cNvPr id="1000" name="logo.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
			`<pic:blipFill><a:blip r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
			`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
			`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`, cx, cy)
	}
	for _, l := range splitLines(w.lh.address) {
		if isBlank(l) {
			continue
		}
		h.b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>`)
		h.run("", l)
		h.b.WriteString(`</w:p>`)
	}
	h.headerLines(d)
	h.b.WriteString(`</w:hdr>`)
	return h.b.Bytes()
}

// firstHeaderRels are the first page's header's relationships: the
// council's header's pictures and the letterhead's logo.
func firstHeaderRels(lh *letterhead, base *baseParts) []byte {
	s := ""
	if base != nil && base.header != nil {
		s = base.header.rels
	}
	if lh.png != nil {
		s += `<Relationship Id="rIdLogo" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/logo.png"/>`
	}
	return relsPart(s)
}
