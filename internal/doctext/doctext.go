// Package doctext extracts the text of rendered documents so that tests can
// check that every answer reached the PDF and the DOCX. It uses the same
// tools a reader would: pdftotext (poppler-utils) for PDFs and the DOCX's
// own WordprocessingML.
package doctext

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// PDF returns the text pdftotext reads from pdf, pages separated by form
// feeds. It fails when pdftotext is not installed: tests must not pass by
// skipping the check.
func PDF(pdf []byte) (string, error) { return pdftotext(pdf) }

// PDFLayout is PDF read with pdftotext -layout, which keeps a table's
// cells that share a line on one line of text.
func PDFLayout(pdf []byte) (string, error) { return pdftotext(pdf, "-layout") }

// PDFPages is the number of pages pdfinfo counts in pdf.
func PDFPages(pdf []byte) (int, error) {
	dir, err := os.MkdirTemp("", "doctext")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "d.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		return 0, err
	}
	out, err := exec.Command("pdfinfo", f).Output()
	if err != nil {
		return 0, fmt.Errorf("pdfinfo (install poppler-utils): %w", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pdfinfo gave no page count: %s", out)
	}
	return strconv.Atoi(string(m[1]))
}

func pdftotext(pdf []byte, opts ...string) (string, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return "", fmt.Errorf("not a PDF: %.20q", pdf)
	}
	dir, err := os.MkdirTemp("", "doctext")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "d.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		return "", err
	}
	args := append(append([]string{"-enc", "UTF-8"}, opts...), f, "-")
	out, err := exec.Command("pdftotext", args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("pdftotext: %v: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("pdftotext (install poppler-utils): %w", err)
	}
	return string(out), nil
}

var pageNumber = regexp.MustCompile(`^Page \d+ of \d+$`)

// PDFBody is PDF without the lines of each page's running header and
// footer (the council's name, the form title, "Confidential", the
// reference), given as furniture, which pdftotext puts between the lines of
// an answer that crosses a page break, and without "Page N of M". A line is dropped only when it is
// exactly one of them.
func PDFBody(pdf []byte, furniture ...string) (string, error) {
	text, err := PDF(pdf)
	if err != nil {
		return "", err
	}
	drop := map[string]bool{}
	for _, f := range furniture {
		drop[strings.TrimSpace(f)] = true
	}
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(strings.Trim(l, "\f"))
		if l != "" && !drop[l] && !pageNumber.MatchString(l) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n"), nil
}

// Part returns one part of a DOCX (or any zip), e.g. "word/document.xml".
func Part(docx []byte, name string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		return nil, fmt.Errorf("DOCX is not a zip: %w", err)
	}
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	return nil, fmt.Errorf("DOCX has no %s", name)
}

// DOCX returns the text of the w:t elements of word/document.xml, in order,
// unescaped, separated by spaces.
func DOCX(docx []byte) (string, error) {
	b, err := Part(docx, "word/document.xml")
	if err != nil {
		return "", err
	}
	return WText(string(b)), nil
}

// WText keeps the text of the w:t elements of a WordprocessingML part.
func WText(doc string) string {
	var b strings.Builder
	for {
		i := strings.Index(doc, "<w:t")
		if i < 0 {
			break
		}
		doc = doc[i+4:]
		if len(doc) == 0 || (doc[0] != '>' && doc[0] != ' ') {
			continue
		}
		j := strings.IndexByte(doc, '>')
		k := strings.Index(doc, "</w:t>")
		if j < 0 || k < 0 || k < j {
			break
		}
		b.WriteString(html.UnescapeString(doc[j+1 : k]))
		b.WriteByte(' ')
		doc = doc[k:]
	}
	return b.String()
}

// Squash removes all white space, so that text reflowed onto other lines and
// pages still compares equal.
func Squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// Missing returns those of wants that text does not contain, comparing with
// white space removed.
func Missing(text string, wants ...string) []string {
	sq := Squash(text)
	var out []string
	for _, w := range wants {
		if !strings.Contains(sq, Squash(w)) {
			out = append(out, w)
		}
	}
	return out
}

// SigReport is what poppler's pdfsig said about one signature.
type SigReport struct {
	Validation string // "Signature is Valid.", "Digest Mismatch.", …
	Total      bool   // "Total document signed"
	CommonName string // the signer certificate's common name
	Type       string // "Signature Type": the SubFilter, e.g. ETSI.CAdES.detached
}

var pdfsigLine = regexp.MustCompile(`(?m)^\s+- (Signature Validation|Signer Certificate Common Name|Signature Type): (.*)$`)

// PDFSig runs pdfsig on pdf and returns one report per signature, and its
// whole output for a log. pdfsig exits 0 whatever it finds, so its output is
// what counts; output it cannot read is an error, as is a missing pdfsig.
func PDFSig(pdf []byte) ([]SigReport, string, error) {
	dir, err := os.MkdirTemp("", "doctext")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(name, pdf, 0o600); err != nil {
		return nil, "", err
	}
	cmd := exec.Command("pdfsig", name)
	cmd.Env = append(os.Environ(), "HOME="+dir) // no user NSS database
	raw, err := cmd.CombinedOutput()
	out := string(raw)
	if err != nil {
		return nil, out, fmt.Errorf("pdfsig (install poppler-utils): %w", err)
	}
	var reports []SigReport
	for _, block := range strings.Split(out, "Signature #")[1:] {
		var r SigReport
		for _, m := range pdfsigLine.FindAllStringSubmatch(block, -1) {
			switch m[1] {
			case "Signature Validation":
				r.Validation = strings.TrimSpace(m[2])
			case "Signer Certificate Common Name":
				r.CommonName = strings.TrimSpace(m[2])
			case "Signature Type":
				r.Type = strings.TrimSpace(m[2])
			}
		}
		r.Total = strings.Contains(block, "- Total document signed")
		reports = append(reports, r)
	}
	if len(reports) == 0 && !strings.Contains(out, "does not contain any signatures") {
		return nil, out, fmt.Errorf("cannot read pdfsig output: %s", out)
	}
	return reports, out, nil
}

// ViaLibreOffice opens each DOCX in LibreOffice (soffice, headless), has it
// print them to PDF in one run, and returns each one's text by the same
// name: what a reader who opens the file in LibreOffice would see. A file
// LibreOffice cannot open has no PDF, which is an error.
func ViaLibreOffice(docxs map[string][]byte) (map[string]string, error) {
	return viaLibreOffice(docxs, PDF)
}

func viaLibreOffice(docxs map[string][]byte, read func([]byte) (string, error)) (map[string]string, error) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		return nil, fmt.Errorf("soffice (install libreoffice-writer-nogui): %w", err)
	}
	dir, err := os.MkdirTemp("", "doctext")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir}
	for name, b := range docxs {
		f := filepath.Join(dir, name+".docx")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			return nil, err
		}
		args = append(args, f)
	}
	if out, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("soffice: %v\n%s", err, out)
	}
	texts := map[string]string{}
	for name := range docxs {
		pdf, err := os.ReadFile(filepath.Join(dir, name+".pdf"))
		if err != nil {
			return nil, fmt.Errorf("LibreOffice could not open %s.docx: %w", name, err)
		}
		if texts[name], err = read(pdf); err != nil {
			return nil, err
		}
	}
	return texts, nil
}

// ViaLibreOfficeLayout is ViaLibreOffice with the PDFs read as PDFLayout
// reads them, so that a table's rows stay on their lines.
func ViaLibreOfficeLayout(docxs map[string][]byte) (map[string]string, error) {
	return viaLibreOffice(docxs, PDFLayout)
}

// WordsInOrder says whether every word of want is in text, in order: an
// answer printed in a grid's column or beside its label is read by
// pdftotext line by line, interleaved with its neighbours.
func WordsInOrder(text, want string) bool {
	pos := 0
	for _, w := range strings.Fields(want) {
		i := strings.Index(text[pos:], w)
		if i < 0 {
			return false
		}
		pos += i + len(w)
	}
	return true
}
