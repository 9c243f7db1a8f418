// Package seal seals signed supervision records: it adds a PDF digital
// signature (PKCS#7 detached, SHA-256, /adbe.pkcs7.detached) made with the
// organisation's certificate, and verifies sealed PDFs.
//
// A seal is an incremental update appended to the PDF: the original bytes are
// kept as they are, followed by a signature dictionary, an invisible signature
// field on the first page, a new catalog with an /AcroForm, and a new
// cross-reference section. Any PDF reader (Acrobat, pdfsig, Okular) shows it
// as a document signature; Verify checks it without one.
//
// The PDF side is written here because github.com/digitorus/pdfsign cannot be
// fetched from the module proxy this project builds with. It handles what
// gofpdf (and so maroto) writes: a classic cross-reference table and trailer.
// Files with cross-reference streams are refused with ErrUnsupported.
//
// By default the signing time in a seal is the sealing server's clock. A
// Sealer made with WithTimestamps also has every seal timestamped by an
// RFC 3161 timestamp authority (the token is the signature's unsigned
// attribute id-aa-timeStampToken, as PAdES and Acrobat expect), and Verify
// reports and checks such timestamps.
package seal
