// Package seal seals signed supervision records with a PAdES baseline
// signature (ETSI EN 319 142-1) made with the organisation's certificate, and
// verifies sealed PDFs.
//
// # Levels
//
//   - B-B, always: SubFilter /ETSI.CAdES.detached; a detached CMS SignedData
//     (SHA-256) whose signed attributes are content-type, message-digest,
//     signing-time and signing-certificate-v2 (RFC 5035: the SHA-256 of the
//     sealing certificate), so the signature is bound to its certificate.
//   - B-T, when a timestamp authority is configured (WithTimestamps,
//     SUPFILE_SEAL_TSA_URL): an RFC 3161 signature timestamp over the
//     signature value, as the unsigned attribute id-aa-timeStampToken.
//   - B-LT, when the seal is B-T and the certificate has an issuer (a chain
//     is given): the
//     catalog gets a document security store (/DSS) with /Certs (the sealing
//     certificate and its chain) and /CRLs (each certificate's CRL, fetched
//     from its CRL distribution point, checked against the issuer, refused if
//     it lists the certificate, cached until its next update; see
//     WithRevocation). With a self-signed certificate there is nothing to
//     put there, and the seal is B-B or B-T. (Without a timestamp authority
//     the DSS is still written; the level is then B-B.)
//
// A seal is an incremental update appended to the PDF: the original bytes are
// kept as they are, followed by the signature dictionary, an invisible
// signature field on the first page, a new catalog with an /AcroForm (and the
// /DSS), the DSS's streams, and a new cross-reference section.
//
// # Libraries, and where our own code remains
//
// CMS: github.com/digitorus/pkcs7, the maintained fork pdfsign itself uses
// (go.mozilla.org/pkcs7 is archived), builds and parses every SignedData.
//
// github.com/digitorus/pdfsign (pinned v0.0.0-20250819064552-5f74f69dda1d):
//   - its revocation.InfoArchival holds the revocation data, and a
//     sign.RevocationFunction gathers it (WithRevocation; pdfsign's own
//     sign.DefaultEmbedRevocationStatusFunction can be plugged in);
//   - the tests cross-check every level with its verify package and its PDF
//     reader (github.com/digitorus/pdf), besides poppler's pdfsig, and make
//     "another organisation's" signatures with its sign.Sign.
//
// Our own code stays where pdfsign falls short, in this version:
//   - seal.go, pdfobj.go, xref.go (the incremental update): sign.Sign writes
//     /SubFilter /adbe.pkcs7.detached, fixed, where PAdES needs
//     /ETSI.CAdES.detached; it adds Adobe's revocationInfoArchival signed
//     attribute, where PAdES puts revocation data in a DSS, and cannot write
//     a DSS at all; and it re-reads the document through its own PDF reader,
//     where we need only the trailer, catalog and first page. Ours handles
//     what gofpdf (and so maroto) writes: a classic cross-reference table
//     and trailer; files with cross-reference streams are refused with
//     ErrUnsupported.
//   - signingCertificateV2 (seal.go): pdfsign builds the same attribute, but
//     in an unexported method.
//   - timestamp.go: the request is built with github.com/digitorus/timestamp
//     (what pdfsign uses) and the token is attached with digitorus/pkcs7's
//     SetUnauthenticatedAttributes, as pdfsign does; but pdfsign's TSA client
//     has no timeout (a hung authority would hang sealing for ever), takes no
//     http.Client, and does not check the token it gets back (status,
//     imprint, nonce, the authority's signature, certificate and name), nor
//     survive a hostile token without panicking; ours does all of these, and
//     Verify reports each problem in plain words.
//   - revocation.go fetchCRL, the default revocation function: pdfsign's
//     fetches with http.Get (no timeout) and embeds the CRL unchecked (its
//     own TODO); ours times out, bounds the size, checks the CRL's issuer
//     signature and refuses a certificate the CRL lists.
//   - verify.go: pdfsign's verify walks the whole cross-reference with its
//     PDF reader and answers "valid signature" per signature. Verify must
//     say, in plain words for anyone who uploads a file, whether the newest
//     seal covers every byte of the file (nothing appended, no edit hidden in
//     the unsigned padding of /Contents), must not panic or balloon on
//     hostile input (it is fuzzed), and reports the PAdES level and the DSS.
//
// The CMS signing-time attribute, which PAdES baseline leaves out (the
// signature dictionary's /M carries the time), is always added by
// digitorus/pkcs7; pdfsig prints it as "Signing Time".
package seal
