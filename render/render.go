// Package render turns a finished supervision record into the documents that go
// into the supervisee's file: a PDF (maroto/v2 with an embedded TTF) and a DOCX.
//
// It is an adapter: its input is the domain's printout.Document, built by the
// supervision package from a form definition and its answers, and its
// Renderer is the supervision.Renderer the service is given (cmd/supfile
// wires it; render imports only the document model, so the domain's own
// tests can use it). render knows nothing about forms, storage or HTTP.
package render

import (
	"context"
	"runtime"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// Options configures a Renderer.
type Options struct {
	// MaxConcurrent bounds how many documents render at once; each PDF render
	// holds about 20 MB while it runs. Zero or less means runtime.NumCPU().
	MaxConcurrent int
	// Letterhead is printed at the top of the first page of both
	// documents; the zero Letterhead prints none.
	Letterhead Letterhead
	// BaseDOCX is the council's own .docx: the DOCX takes its styles
	// (fonts, colours, headings), adding those it lacks, and its header
	// and footer (with their pictures), above the document's own header
	// and footer lines. Nil: built-in styles, no council header.
	BaseDOCX []byte
}

// Renderer turns Documents into PDF and DOCX bytes. It is safe for concurrent
// use; create one per process, since New parses the embedded fonts and builds
// the fixed parts of both formats.
type Renderer struct {
	sem   chan struct{}
	fonts *fontData
	pdf   pdfBase
	docx  *docxBase
	lh    *letterhead // nil: no letterhead
	base  *baseParts  // nil: no base .docx; its header, footer and their pictures
}

// New loads the embedded fonts and prepares what every render reuses.
func New(opts Options) (*Renderer, error) {
	n := opts.MaxConcurrent
	if n <= 0 {
		n = runtime.NumCPU()
	}
	fd, err := loadFonts()
	if err != nil {
		return nil, err
	}
	lh, err := newLetterhead(opts.Letterhead)
	if err != nil {
		return nil, err
	}
	styles := []byte(docxStyles)
	var base *baseParts
	if len(opts.BaseDOCX) > 0 {
		parts, err := readBase(opts.BaseDOCX)
		if err != nil {
			return nil, err
		}
		if styles, err = baseStyles(parts); err != nil {
			return nil, err
		}
		if base, err = baseHeaderFooterParts(parts); err != nil {
			return nil, err
		}
	}
	db, err := newDocxBase(styles, lh != nil, base)
	if err != nil {
		return nil, err
	}
	return &Renderer{
		sem:   make(chan struct{}, n),
		fonts: fd,
		pdf:   newPDFBase(fd),
		docx:  db,
		lh:    lh,
		base:  base,
	}, nil
}

// acquire waits for a render slot, giving up when ctx is done so that a
// client that has gone away does not keep a queue of renders alive.
func (r *Renderer) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case r.sem <- struct{}{}:
		return func() { <-r.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// PDF renders d as an A4 PDF: the answers, then a signatures page and an
// audit page. It returns an *UnprintableError if d contains a character the
// embedded font has no glyph for (see CanPrint), rather than drop it. It may
// panic on input the PDF library cannot handle; callers recover.
func (r *Renderer) PDF(ctx context.Context, d printout.Document) (out []byte, err error) {
	release, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	// gofpdf panics on some inputs instead of returning an error. The
	// panic is left to the caller, which recovers it (the service marks the
	// record "documents failed"): turned into an error here it would look
	// like a passing fault and be retried as one. The slot is freed either way.
	defer release()
	return r.renderPDF(&d)
}

// CanPrint is the package's CanPrint, so that the service can refuse at
// input what the documents could not print.
func (r *Renderer) CanPrint(c rune) bool { return CanPrint(c) }

// DOCX renders d as a Word document with real heading styles, so that it can
// be edited, restyled and navigated in Word or LibreOffice.
func (r *Renderer) DOCX(ctx context.Context, d printout.Document) (out []byte, err error) {
	release, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release() // a panic is the caller's, as for PDF
	return r.renderDOCX(&d)
}
