package seal

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"time"

	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrNotPDF is returned by Verify for input that is not a PDF at all.
var ErrNotPDF = errors.New("seal: not a PDF file")

// Result is what Verify found. When Intact is false the descriptive fields
// (signer, reason, time) are what the file claims, and must not be trusted.
type Result struct {
	Sealed bool // the PDF has a seal at all
	// Intact: the digest and signature check out and the signature covers
	// the whole file (nothing appended after).
	Intact bool
	// Problem explains in plain English why the seal is missing or broken.
	Problem string

	SignerName, CertFingerprint, Reason, Location string
	SignedAt                                      time.Time

	// Timestamped: the signature carries an RFC 3161 timestamp token over
	// its signature value, and the token's own signature checks out with
	// the certificate it carries (whether that authority is trusted is not
	// decided here). TimestampAt is the authority's time, TimestampAuthority
	// its certificate's common name (or the token's TSA name).
	Timestamped        bool
	TimestampAt        time.Time
	TimestampAuthority string
	// TimestampProblem explains in plain English why a timestamp token the
	// signature carries is not accepted. It does not change Intact: the
	// token is outside what the seal's signature covers.
	TimestampProblem string

	// SubFilter is the signature's format as its dictionary names it:
	// ETSI.CAdES.detached for a PAdES seal, adbe.pkcs7.detached for an
	// older one.
	SubFilter string
	// SigningCertificateV2: the signed attributes bind the signature to the
	// signer's certificate (ESS signing-certificate-v2 with its SHA-256).
	SigningCertificateV2 bool
	// DSSCerts, DSSCRLs and DSSOCSPs count the certificates and revocation
	// data in the document security store, when the document has one.
	DSSCerts, DSSCRLs, DSSOCSPs int
	// Level is the PAdES baseline level the seal meets: "B-B" (CAdES
	// signature bound to its certificate), "B-T" (and a timestamp), "B-LT"
	// (and the revocation data in the DSS); "" when it is not a PAdES seal.
	// Like the rest, it means something only when Intact.
	Level string
}

// Plain-English problems, shown to people who upload a PDF to be checked.
const (
	ProblemNotSealed = "This PDF has no seal, so there is no way to tell whether it has been changed. " +
		"It may not have come from Supervision File, or it may have been saved again by another program."
	ProblemChanged  = "The document has been changed since it was sealed."
	ProblemAppended = "The document has been changed since it was sealed: something was added to the file after the seal."
	ProblemBadSig   = "The seal's signature does not match its certificate: the document or the seal has been tampered with."
	ProblemDamaged  = "The seal is damaged and cannot be checked."
	ProblemBadCert  = "The certificate inside the seal has been altered."

	TimestampProblemDamaged  = "The seal's timestamp is damaged and cannot be checked."
	TimestampProblemMismatch = "The seal's timestamp was made for a different signature, " +
		"so the time it states says nothing about this document."
	TimestampProblemBadSig = "The seal's timestamp has been altered: the timestamp authority's signature on it does not match, " +
		"so the time it states cannot be relied on."
	TimestampProblemNotTSA = "The seal's timestamp was not signed with a timestamp authority's certificate valid at the time it states, " +
		"so the time cannot be relied on."
)

// Verify checks the seal of pdf. It returns an error only when the input is
// not a PDF; a missing, broken or tampered seal is a Result with Intact false
// and a Problem. It does not decide whether the certificate is trusted: use
// Sealer.Trusts for that.
//
// Intact means every byte of the file outside the signature's own hex string
// is exactly as sealed. The hex string holds a CMS structure that, as in any
// PDF signature, has parts no signature covers (the case of the hex digits,
// the list of digest algorithms, version numbers); an edit there that leaves
// the signature checking out is not reported. To know a file is
// byte-for-byte the stored copy, compare hashes.
//
// When a file carries several signatures, the one covering the most of the
// file is checked (the newest seal).
//
// When the signature carries an RFC 3161 timestamp token (see
// Sealer.WithTimestamps), Verify checks that the token is over this
// signature and that its own signature verifies with the certificate it
// carries, and reports it in Timestamped, TimestampAt and TimestampAuthority,
// or why not in TimestampProblem. Whether the authority is trusted is not
// decided here.
func Verify(pdf []byte) (res *Result, err error) {
	head := pdf[:min(len(pdf), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return nil, ErrNotPDF
	}
	sig, found := findSignature(pdf)
	if !found {
		return &Result{Problem: ProblemNotSealed}, nil
	}
	res = &Result{Sealed: true}
	if sig == nil {
		res.Problem = ProblemDamaged
		return res, nil
	}
	if sig.dict != nil {
		str := func(k pdfName) string {
			v, _ := sig.dict.get(k)
			s, _ := v.(pdfString)
			return decodeText(s.b)
		}
		res.SignerName = str("Name")
		res.Reason = str("Reason")
		res.Location = str("Location")
		if v, ok := sig.dict.get("SubFilter"); ok {
			if n, ok := v.(pdfName); ok {
				res.SubFilter = string(n)
			}
		}
		if t, ok := parsePDFDate(str("M")); ok {
			res.SignedAt = t
		}
	}

	p7, err := parseCMS(sig.contents)
	if err != nil {
		res.Problem = ProblemDamaged
		return res, nil
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		res.Problem = ProblemDamaged
		return res, nil
	}
	checkTimestamp(p7, res)
	sum := sha256.Sum256(signer.Raw)
	res.CertFingerprint = fingerprint(sum[:])
	res.SigningCertificateV2 = signingCertificateV2OK(p7, sum[:])
	dssCounts(pdf, res)
	if res.SignerName == "" {
		res.SignerName = signer.Subject.CommonName
	}
	if res.SignedAt.IsZero() {
		var t time.Time
		if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &t) == nil {
			res.SignedAt = t
		}
	}

	content := make([]byte, 0, len(pdf))
	content = append(content, pdf[:sig.contentsStart]...)
	content = append(content, pdf[sig.contentsEnd:sig.end]...)
	p7.Content = content
	if err := p7.Verify(); err != nil {
		var mismatch *pkcs7.MessageDigestMismatchError
		if errors.As(err, &mismatch) {
			res.Problem = ProblemChanged
		} else {
			res.Problem = ProblemBadSig
		}
		return res, nil
	}
	if !issuerSignatureOK(signer, p7.Certificates) {
		res.Problem = ProblemBadCert
		return res, nil
	}
	if sig.paddingChanged {
		res.Problem = ProblemChanged
		return res, nil
	}
	if sig.end != len(pdf) {
		res.Problem = ProblemAppended
		return res, nil
	}
	res.Intact = true
	if res.SubFilter == "ETSI.CAdES.detached" && res.SigningCertificateV2 {
		res.Level = "B-B"
		if res.Timestamped {
			res.Level = "B-T"
			if res.DSSCRLs+res.DSSOCSPs > 0 {
				res.Level = "B-LT"
			}
		}
	}
	return res, nil
}

// signingCertificateV2OK reports whether the signer carries the signed
// attribute signing-certificate-v2 and its first ESSCertIDv2 is the SHA-256
// (the default algorithm) certSum of the signer's certificate.
func signingCertificateV2OK(p7 *pkcs7.PKCS7, certSum []byte) bool {
	var raw asn1.RawValue
	if err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &raw); err != nil {
		return false
	}
	// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
	// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, ... }
	in := cryptobyte.String(raw.FullBytes)
	var scv2, certs, id cryptobyte.String
	if !in.ReadASN1(&scv2, cbasn1.SEQUENCE) || !scv2.ReadASN1(&certs, cbasn1.SEQUENCE) ||
		!certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return false
	}
	if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		var alg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidSHA256) {
			return false
		}
	}
	var hash []byte
	if !id.ReadASN1Bytes(&hash, cbasn1.OCTET_STRING) {
		return false
	}
	return bytes.Equal(hash, certSum)
}

// dssCounts reads the document security store the catalog names, best
// effort: a file whose structure cannot be read has none as far as Verify
// is concerned.
func dssCounts(pdf []byte, res *Result) {
	defer func() { _ = recover() }() // the structure of an uploaded file is anyone's
	doc, err := parseDocument(pdf)
	if err != nil {
		return
	}
	rootV, _ := doc.trailer.get("Root")
	rootRef, ok := rootV.(pdfRef)
	if !ok {
		return
	}
	catalog, err := doc.dictObject(rootRef)
	if err != nil {
		return
	}
	v, _ := catalog.get("DSS")
	if v, err = doc.resolve(v); err != nil {
		return
	}
	dss, ok := v.(*pdfDict)
	if !ok {
		return
	}
	count := func(k pdfName) int {
		v, _ := dss.get(k)
		v, err := doc.resolve(v)
		if err != nil {
			return 0
		}
		arr, _ := v.(pdfArray)
		return len(arr)
	}
	res.DSSCerts, res.DSSCRLs, res.DSSOCSPs = count("Certs"), count("CRLs"), count("OCSPs")
}

// parseCMS parses a PKCS#7 blob. The library has panicked on malformed input
// in the past (fixed upstream after the version we can pin), and this input
// comes from anyone who uploads a file, so a panic is turned into an error.
func parseCMS(der []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, errors.New("seal: malformed PKCS#7")
		}
	}()
	return pkcs7.Parse(der)
}

// signature is one signature found in a file.
type signature struct {
	at            int      // offset of "/ByteRange"
	dict          *pdfDict // the signature dictionary, when it could be read
	contentsStart int      // ByteRange[1]: offset of '<'
	contentsEnd   int      // ByteRange[2]: offset after '>'
	end           int      // ByteRange[2]+ByteRange[3]: end of the signed bytes
	contents      []byte   // the DER blob, without its zero padding
	// paddingChanged: the unsigned padding after the blob is not all zeros.
	paddingChanged bool
}

// findSignature finds the signature dictionary whose /ByteRange covers most
// of the file. found is false when the file has no /ByteRange at all; sig is
// nil when it has one but none is usable.
//
// It scans for /ByteRange rather than walking the AcroForm so that a file
// damaged in its structure still reports "changed" rather than "not sealed".
// This is safe: a seal is only reported intact when the byte range covers
// every byte of the file except the signature's own hex string, and the CMS
// signature over those bytes verifies.
func findSignature(pdf []byte) (sig *signature, found bool) {
	key := []byte("/ByteRange")
	var best *signature
	for i := 0; ; {
		j := bytes.Index(pdf[i:], key)
		if j < 0 {
			break
		}
		at := i + j
		i = at + len(key)
		found = true
		s := readByteRange(pdf, at)
		if s != nil && (best == nil || s.end > best.end) {
			best = s
		}
	}
	if best == nil || !best.decode(pdf) {
		return nil, found
	}
	return best, found
}

// maxContents bounds the signature's hex string. Real ones are a few
// kilobytes, a few tens with a timestamp and revocation data.
const maxContents = 1 << 20

// readByteRange reads the /ByteRange at offset at, and checks it leaves a gap
// that is exactly one hex string. It is cheap, as a hostile file may hold
// many: the expensive part is left to decode.
func readByteRange(pdf []byte, at int) *signature {
	// The array is a few dozen bytes; don't let a huge one be parsed.
	l := &lexer{buf: pdf[:min(len(pdf), at+256)], pos: at + len("/ByteRange")}
	v, err := l.value(0)
	if err != nil {
		return nil
	}
	arr, ok := v.(pdfArray)
	if !ok || len(arr) != 4 {
		return nil
	}
	var n [4]int
	for i, e := range arr {
		num, ok := e.(pdfNumber)
		if !ok {
			return nil
		}
		if n[i], ok = num.int(); !ok || n[i] < 0 || n[i] > len(pdf) {
			return nil
		}
	}
	s := &signature{at: at, contentsStart: n[1], contentsEnd: n[2], end: n[2] + n[3]}
	if n[0] != 0 || s.contentsStart >= s.contentsEnd || s.end > len(pdf) ||
		s.contentsEnd-s.contentsStart > maxContents {
		return nil
	}
	// The gap must be exactly the signature's hex string, so that no
	// unsigned bytes hide in it.
	gap := pdf[s.contentsStart:s.contentsEnd]
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' || len(gap)%2 != 0 {
		return nil
	}
	return s
}

// decode fills in the signature's contents and dictionary.
func (s *signature) decode(pdf []byte) bool {
	hexDigits := pdf[s.contentsStart+1 : s.contentsEnd-1]
	raw := make([]byte, len(hexDigits)/2)
	if _, err := hex.Decode(raw, hexDigits); err != nil {
		return false
	}
	// Drop the zero padding after the DER value. The padding is not signed,
	// so anything but zeros there is an edit that the signature cannot see.
	var rv asn1.RawValue
	if rest, err := asn1.Unmarshal(raw, &rv); err == nil {
		raw = rv.FullBytes
		s.paddingChanged = bytes.ContainsFunc(rest, func(r rune) bool { return r != 0 })
	}
	s.contents = raw
	s.dict = sigDict(pdf, s.at)
	return true
}

// sigDict reads the dictionary holding /ByteRange at offset at, by parsing the
// object that starts at the nearest "obj" before it. Best effort: nil if that
// fails.
func sigDict(pdf []byte, at int) *pdfDict {
	from := max(0, at-65536)
	k := bytes.LastIndex(pdf[from:at], []byte("obj"))
	if k < 0 {
		return nil
	}
	l := &lexer{buf: pdf, pos: from + k + len("obj")}
	v, err := l.value(0)
	if err != nil {
		return nil
	}
	d, _ := v.(*pdfDict)
	if d != nil {
		if _, ok := d.get("ByteRange"); !ok {
			return nil
		}
	}
	return d
}

// issuerSignatureOK checks the signer certificate's own signature against
// its issuer when the seal carries the issuer (or the certificate is
// self-signed). The CMS check alone would accept a certificate whose issuer
// signature had been edited, and that changes its fingerprint. Whether the
// issuer is trusted is not decided here.
func issuerSignatureOK(cert *x509.Certificate, certs []*x509.Certificate) bool {
	found := false
	for _, issuer := range certs {
		if !bytes.Equal(issuer.RawSubject, cert.RawIssuer) {
			continue
		}
		found = true
		// Not CheckSignatureFrom: a self-signed sealing certificate is not a CA.
		if issuer.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil {
			return true
		}
	}
	return !found
}
