package render

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
)

// A council's base .docx (Options.BaseDOCX) gives the DOCX its styles
// (baseStyles) and its header and footer: the header and footer its
// document uses on every page (the default ones of its last section), with
// the images they show. Each document's header is the council's header
// followed by the document's own line (council, form title, Confidential);
// its footer the council's footer followed by the record reference and
// "Page N of M", so that a signed copy always names its record. All of it
// is read, checked and kept once, in New.

// baseHeaderFooter is the council's header or footer, ready to put
// around the document's own lines.
type baseHeaderFooter struct {
	open  string // the root element's start tag, <w:hdr …> or <w:ftr …>, with our namespaces added
	inner string // what the root element holds
	rels  string // its Relationship elements, targets renamed to the copies in this package
}

// baseParts is what a base .docx gives besides its styles.
type baseParts struct {
	header, footer *baseHeaderFooter // nil: the base has none
	media          []basePart        // the parts the header and footer refer to (images)
}

// basePart is a part copied from the base .docx under a new name.
type basePart struct {
	name, contentType string
	data              []byte
}

var (
	relElem     = regexp.MustCompile(`<Relationship\s[^>]*>`)
	xmlAttr     = regexp.MustCompile(`([\w:]+)\s*=\s*"([^"]*)"`)
	refElem     = regexp.MustCompile(`<w:(header|footer)Reference\s[^>]*>`)
	sectPrStart = regexp.MustCompile(`<w:sectPr[\s>]`)
	ctElem      = regexp.MustCompile(`<(Default|Override)\s[^>]*>`)
	nsDecl      = regexp.MustCompile(`xmlns:(\w+)="([^"]*)"`)
)

const relImage = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"

func attrs(el string) map[string]string {
	m := map[string]string{}
	for _, a := range xmlAttr.FindAllStringSubmatch(el, -1) {
		m[a[1]] = a[2]
	}
	return m
}

// readBase reads the parts of a base .docx, each at most maxBaseDOCX.
func readBase(docx []byte) (map[string][]byte, error) {
	if len(docx) > maxBaseDOCX {
		return nil, fmt.Errorf("render: the base DOCX is %d bytes; the most is %d", len(docx), maxBaseDOCX)
	}
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return nil, fmt.Errorf("render: the base DOCX is not a Word document: %w", err)
	}
	parts := map[string][]byte{}
	total := 0
	for _, f := range zr.File {
		if f.UncompressedSize64 > maxBaseDOCX {
			return nil, fmt.Errorf("render: the base DOCX's %s is too large", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("render: the base DOCX's %s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxBaseDOCX+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("render: the base DOCX's %s: %w", f.Name, err)
		}
		if total += len(b); len(b) > maxBaseDOCX || total > 4*maxBaseDOCX {
			return nil, errors.New("render: the base DOCX is too large unpacked")
		}
		parts[f.Name] = b
	}
	return parts, nil
}

// rels reads a part's relationships: id → its attributes.
func relsOf(parts map[string][]byte, part string) map[string]map[string]string {
	out := map[string]map[string]string{}
	b := parts[path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")]
	for _, el := range relElem.FindAllString(string(b), -1) {
		a := attrs(el)
		out[a["Id"]] = a
	}
	return out
}

// baseHeaderFooterParts finds the header and footer the base document uses
// on every page and copies them, with their images, for every document.
func baseHeaderFooterParts(parts map[string][]byte) (*baseParts, error) {
	bp := &baseParts{}
	doc := string(parts["word/document.xml"])
	docRels := relsOf(parts, "word/document.xml")
	// The last section's properties hold the document's headers (a
	// document of one section has only these).
	last := ""
	if locs := sectPrStart.FindAllStringIndex(doc, -1); len(locs) > 0 {
		last = doc[locs[len(locs)-1][0]:]
	}
	find := func(kind string) string {
		for _, m := range refElem.FindAllStringSubmatch(last, -1) {
			a := attrs(m[0])
			if m[1] != kind || (a["w:type"] != "" && a["w:type"] != "default") {
				continue
			}
			if r, ok := docRels[a["r:id"]]; ok && r["TargetMode"] != "External" {
				return path.Join("word", r["Target"])
			}
		}
		return ""
	}
	types := contentTypes(parts["[Content_Types].xml"])
	for i, kind := range []string{"header", "footer"} {
		name := find(kind)
		if name == "" {
			continue
		}
		body, ok := parts[name]
		if !ok {
			return nil, fmt.Errorf("render: the base DOCX's document names a %s, %s, that it does not hold", kind, name)
		}
		root := map[string]string{"header": "w:hdr", "footer": "w:ftr"}[kind]
		hf, err := splitRoot(body, root)
		if err != nil {
			return nil, fmt.Errorf("render: the base DOCX's %s (%s): %w", kind, name, err)
		}
		var rels strings.Builder
		for _, r := range relsOf(parts, name) {
			if r["TargetMode"] == "External" {
				fmt.Fprintf(&rels, `<Relationship Id="%s" Type="%s" Target="%s" TargetMode="External"/>`, xmlEsc(r["Id"]), xmlEsc(r["Type"]), xmlEsc(r["Target"]))
				continue
			}
			if r["Type"] != relImage {
				return nil, fmt.Errorf("render: the base DOCX's %s holds a %s; only pictures are taken from it", kind, path.Base(r["Type"]))
			}
			src := path.Join(path.Dir(name), r["Target"])
			data, ok := parts[src]
			if !ok {
				return nil, fmt.Errorf("render: the base DOCX's %s shows a picture, %s, that it does not hold", kind, src)
			}
			ct := types.of(src)
			if !strings.HasPrefix(ct, "image/") {
				return nil, fmt.Errorf("render: the base DOCX's %s shows %s, which is not a picture (%q)", kind, src, ct)
			}
			// The copies are named apart from the document's own parts.
			target := fmt.Sprintf("media/base%d-%s", i+1, path.Base(src))
			bp.media = append(bp.media, basePart{name: "word/" + target, contentType: ct, data: data})
			fmt.Fprintf(&rels, `<Relationship Id="%s" Type="%s" Target="%s"/>`, xmlEsc(r["Id"]), relImage, xmlEsc(target))
		}
		hf.rels = rels.String()
		if kind == "header" {
			if strings.Contains(hf.rels, `Id="rIdLogo"`) {
				return nil, errors.New(`render: the base DOCX's header uses the relationship id "rIdLogo", which the letterhead's logo needs`)
			}
			bp.header = hf
		} else {
			bp.footer = hf
		}
	}
	return bp, nil
}

// splitRoot checks that a header or footer part is well-formed XML with the
// given root element, and splits it into the root's start tag (with the
// namespaces our own lines use added where it lacks them) and its content.
func splitRoot(body []byte, root string) (*baseHeaderFooter, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
	}
	s := string(body)
	i := strings.Index(s, "<"+root)
	if i < 0 || len(s) <= i+len(root)+1 || !strings.ContainsRune(" \t\r\n>", rune(s[i+len(root)+1])) {
		return nil, fmt.Errorf("its root is not <%s>", root)
	}
	j := strings.IndexByte(s[i:], '>')
	end := strings.LastIndex(s, "</"+root+">")
	if j < 0 || end < i+j {
		return nil, fmt.Errorf("its root <%s> is not closed", root)
	}
	open := s[i : i+j]
	if p := nsConflict(open); p != "" {
		return nil, fmt.Errorf("it binds the prefix %q to another namespace than WordprocessingML's", p)
	}
	if strings.HasSuffix(open, "/") {
		return &baseHeaderFooter{open: withNamespaces(strings.TrimSuffix(open, "/")) + ">"}, nil
	}
	return &baseHeaderFooter{open: withNamespaces(open) + ">", inner: s[i+j+1 : end]}, nil
}

// withNamespaces adds to a start tag the namespace declarations of docxNS
// it lacks (a prefix bound to another namespace is refused first, by
// nsConflict).
func withNamespaces(open string) string {
	have := map[string]bool{}
	for _, m := range nsDecl.FindAllStringSubmatch(open, -1) {
		have[m[1]] = true
	}
	for _, m := range nsDecl.FindAllStringSubmatch(docxNS, -1) {
		if !have[m[1]] {
			open += " " + m[0]
		}
	}
	return open
}

// nsConflict names a prefix the start tag binds to another namespace than
// docxNS does.
func nsConflict(open string) string {
	ours := map[string]string{}
	for _, m := range nsDecl.FindAllStringSubmatch(docxNS, -1) {
		ours[m[1]] = m[2]
	}
	for _, m := range nsDecl.FindAllStringSubmatch(open, -1) {
		if uri, ok := ours[m[1]]; ok && uri != m[2] {
			return m[1]
		}
	}
	return ""
}

// partTypes is a package's [Content_Types].xml: overrides by part name and
// defaults by extension.
type partTypes struct{ override, def map[string]string }

func contentTypes(b []byte) partTypes {
	t := partTypes{override: map[string]string{}, def: map[string]string{}}
	for _, el := range ctElem.FindAllString(string(b), -1) {
		a := attrs(el)
		if strings.HasPrefix(el, "<Default") {
			t.def[strings.ToLower(a["Extension"])] = a["ContentType"]
		} else {
			t.override[a["PartName"]] = a["ContentType"]
		}
	}
	return t
}

func (t partTypes) of(name string) string {
	if ct, ok := t.override["/"+name]; ok {
		return ct
	}
	return t.def[strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))]
}

func xmlEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
