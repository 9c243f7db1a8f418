package seal

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/pdfsign/revocation"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Info describes a seal. Every field is written into the signature
// dictionary, inside the signed byte range, so Verify can report it back.
type Info struct {
	Name        string // who seals; defaults to the certificate's common name
	Reason      string // e.g. "Record <id> version <n>"
	Location    string
	ContactInfo string
	// SignedAt is written as the signature dictionary's /M and is what
	// Verify reports; it defaults to now. The CMS signing-time attribute
	// (what pdfsig prints as "Signing Time") is always the sealing clock,
	// as the CMS library sets it.
	SignedAt time.Time
}

// Sealer seals PDFs with one certificate and key. It is safe for concurrent
// use.
type Sealer struct {
	cert        *x509.Certificate
	key         crypto.Signer
	chain       []*x509.Certificate
	fingerprint string
	reserve     int // bytes reserved for the CMS blob

	// tsaURL, when set (see WithTimestamps), is the RFC 3161 timestamp
	// authority every seal is timestamped by, asked with tsaClient.
	tsaURL    string
	tsaClient *http.Client

	// revocationFn gathers the revocation data (CRLs, OCSP responses) for
	// each certificate of the chain, for the DSS (PAdES B-LT). It runs only
	// when the certificate has an issuer. revocation caches what it found.
	revocationFn sign.RevocationFunction
	revocation   *revocationCache
}

// New returns a Sealer that signs with key and embeds cert (and chain, the
// issuing certificates from cert's issuer upwards) in every seal. The key must
// be an RSA or ECDSA key matching cert.
func New(cert *x509.Certificate, key crypto.Signer, chain []*x509.Certificate) (*Sealer, error) {
	if cert == nil || key == nil {
		return nil, errors.New("seal: a certificate and a key are required")
	}
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
		// The CMS library picks the signature algorithm from the concrete
		// key type, so an opaque crypto.Signer (an HSM, a KMS) cannot be used.
	default:
		return nil, fmt.Errorf("seal: unsupported key type %T (want RSA or ECDSA)", key)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, errors.New("seal: the private key does not match the certificate")
	}
	for i, c := range chain {
		if c == nil {
			return nil, fmt.Errorf("seal: chain certificate %d is missing", i)
		}
	}
	if len(chain) > 0 {
		// The CMS library checks this too, but only when sealing; fail at
		// start-up instead.
		child := cert
		for _, parent := range chain {
			if err := child.CheckSignatureFrom(parent); err != nil {
				return nil, fmt.Errorf("seal: chain does not issue %q: %w", child.Subject.CommonName, err)
			}
			child = parent
		}
	}
	sum := sha256.Sum256(cert.Raw)
	s := &Sealer{
		cert:        cert,
		key:         key,
		chain:       append([]*x509.Certificate(nil), chain...),
		fingerprint: fingerprint(sum[:]),
		revocation:  &revocationCache{},
	}
	s.revocationFn = s.fetchCRL
	// The CMS blob is the certificates, the signature, and a few hundred bytes
	// of structure (algorithms, issuer name, signed attributes).
	s.reserve = len(cert.Raw) + len(cert.RawIssuer) + 2048
	for _, c := range chain {
		s.reserve += len(c.Raw)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		s.reserve += k.Size()
	case *ecdsa.PrivateKey:
		s.reserve += 2*((k.Curve.Params().BitSize+7)/8) + 16
	}
	return s, nil
}

func fingerprint(sum []byte) string {
	h := strings.ToUpper(hex.EncodeToString(sum))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// Fingerprint is the SHA-256 of the certificate's DER encoding as upper-case
// hex pairs joined by ':', the form admins compare by eye.
func (s *Sealer) Fingerprint() string { return s.fingerprint }

// Certificate is the certificate embedded in every seal.
func (s *Sealer) Certificate() *x509.Certificate { return s.cert }

// Trusts reports whether r was sealed with this Sealer's certificate. It says
// nothing about whether the seal is intact; check r.Intact as well.
func (s *Sealer) Trusts(r *Result) bool {
	return r != nil && r.Sealed && r.CertFingerprint != "" && r.CertFingerprint == s.fingerprint
}

// Placeholder width for the three ByteRange numbers after the leading 0:
// three 10-digit numbers and two spaces, enough for files under 10 GB.
const byteRangeWidth = 32

// Seal signs pdf and returns a new PDF: the original bytes unchanged, followed
// by an incremental update holding an invisible signature field on the first
// page and a PKCS#7 detached signature (SHA-256) over the whole file except
// the signature itself. Readers such as Acrobat and pdfsig show it as a
// document signature.
func (s *Sealer) Seal(pdf []byte, info Info) ([]byte, error) {
	doc, err := parseDocument(pdf)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	rootV, _ := doc.trailer.get("Root")
	rootRef, ok := rootV.(pdfRef)
	if !ok {
		return nil, fmt.Errorf("seal: %w", malformed("trailer has no /Root"))
	}
	catalog, err := doc.dictObject(rootRef)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	pageRef, page, err := doc.firstPage(catalog)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	sizeV, _ := doc.trailer.get("Size")
	sizeN, _ := sizeV.(pdfNumber)
	size, ok := sizeN.int()
	if !ok || size <= 0 {
		return nil, fmt.Errorf("seal: %w", malformed("trailer has no /Size"))
	}
	sigRef := pdfRef{num: size}
	widgetRef := pdfRef{num: size + 1}

	// The first page gains the widget in /Annots.
	page = page.clone()
	annotsV, _ := page.get("Annots")
	annotsV, err = doc.resolve(annotsV)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	annots, _ := annotsV.(pdfArray)
	page.set("Annots", append(append(pdfArray(nil), annots...), widgetRef))

	// The catalog gains (or extends) the interactive form.
	catalog = catalog.clone()
	formV, _ := catalog.get("AcroForm")
	formV, err = doc.resolve(formV)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	form, ok := formV.(*pdfDict)
	if ok {
		form = form.clone()
	} else {
		form = &pdfDict{}
	}
	fieldsV, _ := form.get("Fields")
	fieldsV, err = doc.resolve(fieldsV)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	fields, _ := fieldsV.(pdfArray)
	form.set("Fields", append(append(pdfArray(nil), fields...), widgetRef))
	form.set("SigFlags", pdfNumber("3")) // SignaturesExist | AppendOnly
	catalog.set("AcroForm", form)

	name := info.Name
	if name == "" {
		name = s.cert.Subject.CommonName
	}
	at := info.SignedAt
	if at.IsZero() {
		at = time.Now()
	}

	u := update{
		pageRef: pageRef, page: page, rootRef: rootRef, catalog: catalog,
		sigRef: sigRef, widgetRef: widgetRef, next: size + 2,
		name: name, info: info, at: at,
	}
	if len(s.chain) > 0 {
		// PAdES B-LT: the certificate has an issuer, so the chain and the
		// revocation data go into the document security store.
		rev, err := s.revocationData()
		if err != nil {
			return nil, err
		}
		if err := u.addDSS(doc, s.cert, s.chain, rev); err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
	}

	reserve := s.reserve
	for attempt := 0; attempt < 2; attempt++ {
		out, err := s.seal(pdf, doc, u, reserve)
		var tooSmall errTooSmall
		if errors.As(err, &tooSmall) {
			reserve = int(tooSmall) + 512
			continue
		}
		return out, err
	}
	return nil, errors.New("seal: signature does not fit its placeholder")
}

type errTooSmall int

func (e errTooSmall) Error() string { return fmt.Sprintf("signature needs %d bytes", int(e)) }

// update is what Seal appends.
type update struct {
	pageRef, rootRef  pdfRef
	page, catalog     *pdfDict
	sigRef, widgetRef pdfRef
	name              string
	info              Info
	at                time.Time

	// next is the first free object number after sigRef and widgetRef;
	// streams are the new stream objects (the DSS's certificates and
	// revocation data) and dss the DSS dictionary, when there is one.
	next    int
	streams []stream
	dssRef  pdfRef
	dss     *pdfDict
}

type stream struct {
	ref  pdfRef
	data []byte
}

// addDSS gives the catalog a document security store (ISO 32000-2 12.8.4.3,
// PAdES B-LT) holding cert, its chain and the revocation data in rev, keeping
// the entries of a DSS the document already has.
func (u *update) addDSS(doc *document, cert *x509.Certificate, chain []*x509.Certificate, rev *revocation.InfoArchival) error {
	dss := &pdfDict{}
	if old, ok := u.catalog.get("DSS"); ok {
		v, err := doc.resolve(old)
		if err != nil {
			return err
		}
		if d, ok := v.(*pdfDict); ok {
			dss = d.clone()
		}
	}
	add := func(key pdfName, blobs [][]byte) error {
		if len(blobs) == 0 {
			return nil
		}
		v, _ := dss.get(key)
		v, err := doc.resolve(v)
		if err != nil {
			return err
		}
		arr, _ := v.(pdfArray)
		arr = append(pdfArray(nil), arr...)
		for _, b := range blobs {
			ref := pdfRef{num: u.next}
			u.next++
			u.streams = append(u.streams, stream{ref: ref, data: b})
			arr = append(arr, ref)
		}
		dss.set(key, arr)
		return nil
	}
	certs := [][]byte{cert.Raw}
	for _, c := range chain {
		certs = append(certs, c.Raw)
	}
	var crls, ocsps [][]byte
	if rev != nil {
		for _, c := range rev.CRL {
			crls = append(crls, c.FullBytes)
		}
		for _, o := range rev.OCSP {
			ocsps = append(ocsps, o.FullBytes)
		}
	}
	u.dssRef = pdfRef{num: u.next}
	u.next++
	if err := add("Certs", certs); err != nil {
		return err
	}
	if err := add("CRLs", crls); err != nil {
		return err
	}
	if err := add("OCSPs", ocsps); err != nil {
		return err
	}
	u.dss = dss
	u.catalog = u.catalog.clone()
	u.catalog.set("DSS", u.dssRef)
	return nil
}

func (s *Sealer) seal(pdf []byte, doc *document, u update, reserve int) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(pdf) + 2*reserve + 2048)
	out.Write(pdf)
	if c := pdf[len(pdf)-1]; c != '\n' && c != '\r' {
		out.WriteByte('\n')
	}
	offsets := map[int]int{}

	offsets[u.sigRef.num] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ", u.sigRef.num)
	byteRangeAt := out.Len()
	out.WriteString(strings.Repeat(" ", byteRangeWidth))
	out.WriteString("] /Contents ")
	contentsStart := out.Len()
	out.WriteByte('<')
	out.WriteString(strings.Repeat("0", 2*reserve))
	out.WriteByte('>')
	contentsEnd := out.Len()
	out.WriteString(" /M ")
	writeValue(&out, pdfString{b: []byte(pdfDate(u.at))})
	for _, f := range []struct {
		key pdfName
		val string
	}{{"Name", u.name}, {"Reason", u.info.Reason}, {"Location", u.info.Location}, {"ContactInfo", u.info.ContactInfo}} {
		if f.val == "" {
			continue
		}
		out.WriteString(" /")
		out.WriteString(string(f.key))
		out.WriteByte(' ')
		writeValue(&out, textString(f.val))
	}
	out.WriteString(" >>\nendobj\n")

	widget := &pdfDict{}
	widget.set("Type", pdfName("Annot"))
	widget.set("Subtype", pdfName("Widget"))
	widget.set("FT", pdfName("Sig"))
	widget.set("T", textString("Seal"+strconv.Itoa(u.widgetRef.num)))
	widget.set("V", u.sigRef)
	widget.set("Rect", pdfArray{pdfNumber("0"), pdfNumber("0"), pdfNumber("0"), pdfNumber("0")})
	widget.set("F", pdfNumber("132")) // Print | Locked
	widget.set("P", u.pageRef)
	for _, o := range []struct {
		ref pdfRef
		d   *pdfDict
	}{{u.widgetRef, widget}, {u.pageRef, u.page}, {u.rootRef, u.catalog}} {
		offsets[o.ref.num] = out.Len()
		fmt.Fprintf(&out, "%d %d obj\n", o.ref.num, o.ref.gen)
		writeValue(&out, o.d)
		out.WriteString("\nendobj\n")
	}

	if u.dss != nil {
		offsets[u.dssRef.num] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", u.dssRef.num)
		writeValue(&out, u.dss)
		out.WriteString("\nendobj\n")
	}
	for _, st := range u.streams {
		offsets[st.ref.num] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n<< /Length %d >>\nstream\n", st.ref.num, len(st.data))
		out.Write(st.data)
		out.WriteString("\nendstream\nendobj\n")
	}

	xrefAt := out.Len()
	writeXref(&out, offsets, map[int]int{u.pageRef.num: u.pageRef.gen, u.rootRef.num: u.rootRef.gen})
	trailer := doc.trailer.clone()
	trailer.set("Size", pdfNumber(strconv.Itoa(u.next)))
	trailer.set("Prev", pdfNumber(strconv.Itoa(doc.startxref)))
	out.WriteString("trailer\n")
	writeValue(&out, trailer)
	fmt.Fprintf(&out, "\nstartxref\n%d\n%%%%EOF\n", xrefAt)

	b := out.Bytes()
	br := fmt.Sprintf("%d %d %d", contentsStart, contentsEnd, len(b)-contentsEnd)
	if len(br) > byteRangeWidth {
		return nil, errors.New("seal: PDF too large")
	}
	copy(b[byteRangeAt:], br)

	signed := make([]byte, 0, len(b)-(contentsEnd-contentsStart))
	signed = append(signed, b[:contentsStart]...)
	signed = append(signed, b[contentsEnd:]...)
	der, err := s.sign(signed)
	if err != nil {
		return nil, err
	}
	if len(der) > reserve {
		return nil, errTooSmall(len(der))
	}
	hex.Encode(b[contentsStart+1:], der)
	return b, nil
}

// sign returns a CMS SignedData, detached, over content, with the signed
// attributes content-type, message-digest and signing-time. With timestamps
// configured, the signer also carries the unsigned attribute
// id-aa-timeStampToken, a token over the SHA-256 of its signature value; the
// rest of the structure is unchanged.
func (s *Sealer) sign(content []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{s.signingCertificateV2()}}
	if len(s.chain) > 0 {
		err = sd.AddSignerChain(s.cert, s.key, s.chain, cfg)
	} else {
		err = sd.AddSigner(s.cert, s.key, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	sd.Detach()
	if s.tsaURL != "" {
		// The token goes in as the unsigned attribute id-aa-timeStampToken
		// of the one signer, over its signature value, as pdfsign does it.
		si := &sd.GetSignedData().SignerInfos[0]
		token, err := s.timestamp(si.EncryptedDigest)
		if err != nil {
			return nil, err
		}
		attr := pkcs7.Attribute{Type: oidTimeStampTokenAttr, Value: asn1.RawValue{FullBytes: token}}
		if err := si.SetUnauthenticatedAttributes([]pkcs7.Attribute{attr}); err != nil {
			return nil, fmt.Errorf("seal: adding the timestamp: %w", err)
		}
	}
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return der, nil
}

// oidSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035).
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

// signingCertificateV2 is the signed attribute that binds the signature to
// the signer's certificate (PAdES B-B): SigningCertificateV2 holding one
// ESSCertIDv2 with the SHA-256 (the default, so no algorithm identifier) of
// the certificate. pdfsign builds the same attribute, but unexported.
func (s *Sealer) signingCertificateV2() pkcs7.Attribute {
	sum := sha256.Sum256(s.cert.Raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
				b.AddASN1OctetString(sum[:])
			})
		})
	})
	return pkcs7.Attribute{Type: oidSigningCertificateV2, Value: asn1.RawValue{FullBytes: b.BytesOrPanic()}}
}

// writeXref writes a cross-reference section for the objects in offsets.
func writeXref(out *bytes.Buffer, offsets map[int]int, gens map[int]int) {
	nums := make([]int, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	// a handful of entries: insertion sort
	for i := 1; i < len(nums); i++ {
		for j := i; j > 0 && nums[j] < nums[j-1]; j-- {
			nums[j], nums[j-1] = nums[j-1], nums[j]
		}
	}
	out.WriteString("xref\n")
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(out, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(out, "%010d %05d n\r\n", offsets[n], gens[n])
		}
		i = j
	}
}

// pdfDate formats t as a PDF date string, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off/60%60)
}

// parsePDFDate reads the dates pdfDate writes, and the common shorter forms.
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(s, "D:")
	if len(s) < 14 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, false
	}
	rest := s[14:]
	if rest == "" || rest[0] == 'Z' {
		return t, true
	}
	if len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-') {
		hh, err1 := strconv.Atoi(rest[1:3])
		mm := 0
		var err2 error
		if r := strings.TrimLeft(rest[3:], "'"); len(r) >= 2 {
			mm, err2 = strconv.Atoi(r[:2])
		}
		if err1 != nil || err2 != nil {
			return time.Time{}, false
		}
		off := hh*3600 + mm*60
		if rest[0] == '-' {
			off = -off
		}
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", off)), true
	}
	return time.Time{}, false
}
