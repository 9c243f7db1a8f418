package render

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
)

// wordNS is what Word declares on a header's root, including prefixes our
// own lines do not use and mc:Ignorable naming some of them.
const wordNS = `xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
	`xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14 wp14"`

// baseDOCX makes a council's base .docx as Word saves one: styles, a
// document whose section names a default header (a crest picture and a
// line of text) and a default footer (the council's address), each a part
// with its own relationships. Parts given in replace are written instead.
func baseDOCX(t *testing.T, replace map[string]string) []byte {
	t.Helper()
	crest := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for x := 0; x < 120; x++ {
		for y := 0; y < 120; y++ {
			crest.Set(x, y, color.RGBA{0, 100, uint8(x + y), 255})
		}
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, crest); err != nil {
		t.Fatal(err)
	}
	const pic = `<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="540000" cy="540000"/><wp:docPr id="1" name="Crest" descr="The council's crest"/>` +
		`<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">` +
		`<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="0" name="image1.png"/><pic:cNvPicPr/></pic:nvPicPr>` +
		`<pic:blipFill><a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>` +
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="540000" cy="540000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
			`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
			`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` +
			`<w:p><w:r><w:t>Council template</w:t></w:r></w:p>` +
			`<w:sectPr><w:headerReference w:type="even" r:id="rId9"/><w:headerReference w:type="default" r:id="rId7"/><w:footerReference r:id="rId8" w:type="default"/>` +
			`<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`,
		"word/_rels/document.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
			`<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>` +
			`<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
			`<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/></Relationships>`,
		"word/styles.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
			`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:rPr><w:rFonts w:ascii="DejaVu Sans" w:hAnsi="DejaVu Sans"/><w:sz w:val="22"/></w:rPr></w:style></w:styles>`,
		"word/header1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<w:hdr ` + wordNS + `>` +
			`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>` + pic + `</w:p>` +
			`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r w14:paraId="1A2B3C4D"><w:t>Testshire Crest Header OFFICIAL-SENSITIVE</w:t></w:r></w:p></w:hdr>`,
		"word/_rels/header1.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.testshire.gov.uk/" TargetMode="External"/></Relationships>`,
		"word/header2.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr ` + wordNS + `><w:p><w:r><w:t>Even pages only</w:t></w:r></w:p></w:hdr>`,
		"word/footer1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr ` + wordNS + `>` +
			`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>Council Footer County Hall Testshire TS1 1AA</w:t></w:r></w:p></w:ftr>`,
		"word/media/image1.png": pngBuf.String(),
	}
	for k, v := range replace {
		if v == "" {
			delete(parts, k)
		} else {
			parts[k] = v
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		fw, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wellFormed fails the test if an XML part of the DOCX is not well-formed.
func wellFormed(t *testing.T, docx []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
			continue
		}
		rc, _ := f.Open()
		dec := xml.NewDecoder(rc)
		for {
			if _, err := dec.Token(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s is not well-formed: %v", f.Name, err)
				break
			}
		}
		rc.Close()
	}
}

// TestBaseDOCXHeaderAndFooter: a council's base .docx gives the DOCX its
// header (with its picture) and its footer, above the document's own
// header line and its record reference and page numbers, on every page;
// with a letterhead, on the first page too. LibreOffice opens the result
// and prints both.
func TestBaseDOCXHeaderAndFooter(t *testing.T) {
	base := baseDOCX(t, nil)
	r, err := New(Options{BaseDOCX: base})
	if err != nil {
		t.Fatal(err)
	}
	d := gridDoc()
	docx, err := r.DOCX(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, docx)
	part := func(docx []byte, name string) string {
		t.Helper()
		b, err := doctext.Part(docx, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	hdr := part(docx, "word/header1.xml")
	council, own := strings.Index(hdr, "Testshire Crest Header OFFICIAL-SENSITIVE"), strings.Index(hdr, d.Title)
	if council < 0 || own < 0 || council > own || !strings.Contains(hdr, `r:embed="rId1"`) || !strings.Contains(hdr, `w14:paraId="1A2B3C4D"`) {
		t.Errorf("the header does not hold the council's header (with its picture) above the document's own line:\n%s", hdr)
	}
	if strings.Contains(hdr, "Even pages only") {
		t.Error("the header is the base's even-page header, not its default one")
	}
	if rels := part(docx, "word/_rels/header1.xml.rels"); !strings.Contains(rels, `Id="rId1"`) || !strings.Contains(rels, `Target="media/base1-image1.png"`) ||
		!strings.Contains(rels, `TargetMode="External"`) {
		t.Errorf("the header's relationships: %s", rels)
	}
	orig, _ := doctext.Part(base, "word/media/image1.png")
	if got, err := doctext.Part(docx, "word/media/base1-image1.png"); err != nil || !bytes.Equal(got, orig) {
		t.Errorf("the header's picture is not copied: %v", err)
	}
	if ct := part(docx, "[Content_Types].xml"); !strings.Contains(ct, `<Override PartName="/word/media/base1-image1.png" ContentType="image/png"/>`) {
		t.Errorf("content types lack the header's picture: %s", ct)
	}
	ftr := part(docx, "word/footer1.xml")
	if a, b := strings.Index(ftr, "Council Footer County Hall"), strings.Index(ftr, d.Reference); a < 0 || b < 0 || a > b || !strings.Contains(ftr, "NUMPAGES") {
		t.Errorf("the footer does not hold the council's footer above the reference and page numbers:\n%s", ftr)
	}
	if styles := part(docx, "word/styles.xml"); !strings.Contains(styles, `w:ascii="DejaVu Sans"`) || !strings.Contains(styles, `w:styleId="Heading1"`) {
		t.Error("the base's styles are not taken, or ours not added")
	}

	// With a letterhead: the first page's header has the council's header
	// too, and both pictures.
	rl, err := New(Options{BaseDOCX: base, Letterhead: Letterhead{Address: "Letterhead Address Line"}})
	if err != nil {
		t.Fatal(err)
	}
	lhDOCX, err := rl.DOCX(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, lhDOCX)
	if first := part(lhDOCX, "word/header2.xml"); !strings.Contains(first, "OFFICIAL-SENSITIVE") || !strings.Contains(first, "Letterhead Address Line") {
		t.Errorf("the first page's header: %s", first)
	}
	if rels := part(lhDOCX, "word/_rels/header2.xml.rels"); !strings.Contains(rels, `Target="media/base1-image1.png"`) {
		t.Errorf("the first page's header's relationships: %s", rels)
	}

	// What cannot be taken is refused when the renderer is made, naming it.
	for name, replace := range map[string]map[string]string{
		"a header that is not well-formed":  {"word/header1.xml": `<w:hdr ` + wordNS + `><w:p></w:hdr>`},
		"a header naming a missing picture": {"word/media/image1.png": ""},
		"a header showing a chart": {"word/_rels/header1.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart" Target="charts/chart1.xml"/></Relationships>`},
		"a document naming a missing footer": {"word/footer1.xml": ""},
	} {
		if _, err := New(Options{BaseDOCX: baseDOCX(t, replace)}); err == nil || !strings.Contains(err.Error(), "base DOCX") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// A base with no header or footer gives its styles alone.
	plain, err := New(Options{BaseDOCX: baseDOCX(t, map[string]string{"word/_rels/document.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`})})
	if err != nil {
		t.Fatal(err)
	}
	if docx, err := plain.DOCX(context.Background(), d); err != nil {
		t.Fatal(err)
	} else if h := part(docx, "word/header1.xml"); strings.Contains(h, "OFFICIAL-SENSITIVE") || !strings.Contains(h, d.Title) {
		t.Errorf("a base without a header: %s", h)
	}

	needs.Tools(t, "LibreOffice", "pdftotext")
	texts, err := doctext.ViaLibreOffice(map[string][]byte{"base": docx, "base-lh": lhDOCX})
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range texts {
		pages := len(regexp.MustCompile(`Page \d+ of \d+`).FindAllString(text, -1))
		if pages == 0 {
			t.Errorf("%s: LibreOffice prints no page numbers:\n%s", name, text)
		}
		for _, want := range []string{"Testshire Crest Header OFFICIAL-SENSITIVE", "Council Footer County Hall Testshire TS1 1AA"} {
			if n := strings.Count(text, want); n != pages {
				t.Errorf("%s: LibreOffice prints %q on %d of %d pages:\n%s", name, want, n, pages, text)
			}
		}
		// The record's reference is in every footer (and under the title).
		if n := strings.Count(text, d.Reference); n < pages {
			t.Errorf("%s: LibreOffice prints the reference %d times on %d pages", name, n, pages)
		}
	}
	if !strings.Contains(texts["base-lh"], "Letterhead Address Line") {
		t.Errorf("LibreOffice shows no letterhead with the base's header:\n%s", texts["base-lh"])
	}
}
