package seal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	_ "crypto/sha512" // SHA-384 and SHA-512 imprints in tokens we verify
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// ErrTimestamp is wrapped by the error Seal returns when timestamps are
// configured and the timestamp authority fails, times out or answers
// wrongly. No seal is made then: retry later, as for a storage fault.
var ErrTimestamp = errors.New("seal: no timestamp from the timestamp authority")

// DefaultTimestampTimeout bounds one request to the timestamp authority when
// WithTimestamps is given no client, or a client without a Timeout.
const DefaultTimestampTimeout = 10 * time.Second

// timestampReserve is the extra room reserved in the signature for a
// timestamp token (typically 3–6 KB: the TSA's certificates and signature).
// Seal grows the room on its own if a token is larger still.
const timestampReserve = 8192

// maxTimestampReply bounds the timestamp authority's answer.
const maxTimestampReply = 256 << 10

var (
	oidSHA256             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidTSTInfo            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidTimeStampTokenAttr = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// WithTimestamps returns a copy of s that has every seal timestamped by the
// RFC 3161 timestamp authority at tsaURL: the SHA-256 of the seal's signature
// value is sent to the authority, and the token it returns is added to the
// signature as the unsigned attribute id-aa-timeStampToken, where PDF readers
// look for it. The token proves the seal existed at the authority's time,
// independently of the sealing server's clock.
//
// client is used for the requests; nil means a client with a
// DefaultTimestampTimeout timeout, and a client without a Timeout gets that
// deadline per request too. When the authority cannot be reached or answers
// wrongly, Seal fails with an error wrapping ErrTimestamp: a seal is never
// made without its timestamp. s itself is not changed. An empty tsaURL
// returns a copy without timestamps.
func (s *Sealer) WithTimestamps(tsaURL string, client *http.Client) *Sealer {
	c := *s
	c.chain = append([]*x509.Certificate(nil), s.chain...)
	if c.tsaURL != "" {
		c.reserve -= timestampReserve
	}
	c.tsaURL, c.tsaClient = tsaURL, client
	if tsaURL != "" {
		c.reserve += timestampReserve
		if c.tsaClient == nil {
			c.tsaClient = &http.Client{Timeout: DefaultTimestampTimeout}
		}
	}
	return &c
}

// TimestampAuthority is the URL of the timestamp authority seals are
// timestamped by, or "" when they are not.
func (s *Sealer) TimestampAuthority() string { return s.tsaURL }

// RFC 3161 structures.

type messageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

type pkiStatusInfo struct {
	Status       int
	StatusString []asn1.RawValue `asn1:"optional"` // SEQUENCE OF UTF8String
	FailInfo     asn1.BitString  `asn1:"optional"`
}

type timeStampResp struct {
	Status         pkiStatusInfo
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

type accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint messageImprint
	SerialNumber   *big.Int
	GenTime        time.Time     `asn1:"generalized"`
	Accuracy       accuracy      `asn1:"optional"`
	Ordering       bool          `asn1:"optional"`
	Nonce          *big.Int      `asn1:"optional"`
	TSA            asn1.RawValue `asn1:"optional,tag:0"`
	Extensions     asn1.RawValue `asn1:"optional,tag:1"`
}

// timestamp asks the timestamp authority for a token over the SHA-256 of
// sigValue, and checks it.
func (s *Sealer) timestamp(sigValue []byte) ([]byte, error) {
	fail := func(format string, a ...any) error {
		where := s.tsaURL
		if u, err := url.Parse(s.tsaURL); err == nil {
			where = u.Redacted()
		}
		return fmt.Errorf("%w (%s): %s", ErrTimestamp, where, fmt.Sprintf(format, a...))
	}
	sum := sha256.Sum256(sigValue)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fail("%v", err)
	}
	req, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sum[:], Nonce: nonce, Certificates: true}).Marshal()
	if err != nil {
		return nil, fail("%v", err)
	}

	ctx := context.Background()
	if s.tsaClient.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimestampTimeout)
		defer cancel()
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tsaURL, bytes.NewReader(req))
	if err != nil {
		return nil, fail("%v", err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hreq.Header.Set("Accept", "application/timestamp-reply")
	resp, err := s.tsaClient.Do(hreq)
	if err != nil {
		return nil, fail("%v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTimestampReply+1))
	if err != nil {
		return nil, fail("reading the answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fail("HTTP status %s", resp.Status)
	}
	if len(body) > maxTimestampReply {
		return nil, fail("the answer is larger than %d bytes", maxTimestampReply)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/timestamp-reply" &&
		mt != "application/timestamp-response" {
		return nil, fail("the answer is %q, not application/timestamp-reply", resp.Header.Get("Content-Type"))
	}

	var tsr timeStampResp
	if rest, err := asn1.Unmarshal(body, &tsr); err != nil || len(rest) > 0 {
		return nil, fail("the answer is not a TimeStampResp")
	}
	switch st := tsr.Status; st.Status {
	case 0, 1: // granted, grantedWithMods
	default:
		return nil, fail("the request was refused (PKIStatus %d%s)", st.Status, statusText(st))
	}
	token := tsr.TimeStampToken.FullBytes
	if len(token) == 0 {
		return nil, fail("the answer grants a timestamp but holds no token")
	}
	info, err := checkToken(token, sigValue)
	if err != nil {
		return nil, fail("%v", err)
	}
	if info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return nil, fail("the token's nonce does not match the request's")
	}
	return token, nil
}

func statusText(st pkiStatusInfo) string {
	var b bytes.Buffer
	for _, s := range st.StatusString {
		if s.Class == asn1.ClassUniversal && s.Tag == asn1.TagUTF8String && utf8.Valid(s.Bytes) {
			fmt.Fprintf(&b, ": %q", s.Bytes)
		}
	}
	if st.FailInfo.BitLength > 0 {
		var bits []int
		for i := range st.FailInfo.BitLength {
			if st.FailInfo.At(i) == 1 {
				bits = append(bits, i)
			}
		}
		fmt.Fprintf(&b, ", failure bits %v", bits)
	}
	return b.String()
}

// What can be wrong with a timestamp token, as checkToken reports it.
var (
	errTokenDamaged  = errors.New("the token cannot be read")
	errTokenMismatch = errors.New("the token is not over this signature")
	errTokenBadSig   = errors.New("the token's signature does not verify")
	errTokenCert     = errors.New("the token's certificate is not fit for timestamping")
)

// tokenError is a token problem with its detail.
func tokenError(kind error, format string, a ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, a...))
}

// tokenInfo is what a verified timestamp token says.
type tokenInfo struct {
	*tstInfo
	authority string // the TSA certificate's CN, or the token's TSA name
}

// checkToken verifies a timestamp token (a CMS SignedData over a TSTInfo)
// against the signature value it should timestamp: the TSTInfo's message
// imprint must be the hash of sigValue, the token's own signature must verify
// with the certificate it carries, and that certificate must be for
// timestamping. Whether the authority is trusted is not decided here.
func checkToken(token, sigValue []byte) (*tokenInfo, error) {
	eContentType, err := tokenContentType(token)
	if err != nil {
		return nil, err
	}
	if !eContentType.Equal(oidTSTInfo) {
		return nil, tokenError(errTokenDamaged, "it holds %v, not a TSTInfo", eContentType)
	}
	p7, err := parseCMS(token)
	if err != nil {
		return nil, tokenError(errTokenDamaged, "not a CMS SignedData")
	}
	var info tstInfo
	if rest, err := asn1.Unmarshal(p7.Content, &info); err != nil || len(rest) > 0 {
		return nil, tokenError(errTokenDamaged, "its TSTInfo cannot be read")
	}
	var h crypto.Hash
	switch alg := info.MessageImprint.HashAlgorithm.Algorithm; {
	case alg.Equal(oidSHA256):
		h = crypto.SHA256
	case alg.Equal(oidSHA384):
		h = crypto.SHA384
	case alg.Equal(oidSHA512):
		h = crypto.SHA512
	default:
		return nil, tokenError(errTokenDamaged, "its message imprint uses an unsupported hash (%v)", alg)
	}
	d := h.New()
	d.Write(sigValue)
	if !bytes.Equal(info.MessageImprint.HashedMessage, d.Sum(nil)) {
		return nil, tokenError(errTokenMismatch, "its message imprint is not the hash of the signature value")
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, tokenError(errTokenDamaged, "it does not carry the timestamp authority's certificate")
	}
	var ct asn1.ObjectIdentifier
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &ct); err != nil || !ct.Equal(oidTSTInfo) {
		return nil, tokenError(errTokenBadSig, "its signed content-type attribute is not TSTInfo")
	}
	if err := verifyCMS(p7); err != nil {
		return nil, tokenError(errTokenBadSig, "%v", err)
	}
	if !issuerSignatureOK(signer, p7.Certificates) {
		return nil, tokenError(errTokenBadSig, "the certificate's own signature does not verify")
	}
	timestamping := false
	for _, u := range signer.ExtKeyUsage {
		timestamping = timestamping || u == x509.ExtKeyUsageTimeStamping
	}
	if !timestamping {
		return nil, tokenError(errTokenCert, "no extended key usage timeStamping")
	}
	if info.GenTime.Before(signer.NotBefore) || info.GenTime.After(signer.NotAfter) {
		return nil, tokenError(errTokenCert, "the token's time is outside the certificate's validity")
	}
	// The certificate's subject is covered by no signature checked here (its
	// issuer need not be in the token); the TSTInfo's tsa name is signed by
	// the authority, so when there is one the subject must agree with it.
	name, dn := tsaName(info.TSA)
	if dn != nil {
		var subject pkix.RDNSequence
		if _, err := asn1.Unmarshal(signer.RawSubject, &subject); err != nil || subject.String() != dn.String() {
			return nil, tokenError(errTokenCert, "the token's TSA name %q is not its certificate's subject %q", dn, signer.Subject)
		}
	}
	ti := &tokenInfo{tstInfo: &info, authority: signer.Subject.CommonName}
	if ti.authority == "" {
		ti.authority = name
	}
	return ti, nil
}

// verifyCMS is p7.Verify, turning a panic on hostile input into an error.
func verifyCMS(p7 *pkcs7.PKCS7) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("malformed")
		}
	}()
	return p7.Verify()
}

// tokenContentType reads the eContentType of a CMS SignedData.
func tokenContentType(token []byte) (asn1.ObjectIdentifier, error) {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(token, &ci); err != nil || !ci.ContentType.Equal(pkcs7.OIDSignedData) {
		return nil, tokenError(errTokenDamaged, "not a CMS SignedData")
	}
	var sd struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		EncapContentInfo struct {
			EContentType asn1.ObjectIdentifier
			EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
		}
		Rest asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, tokenError(errTokenDamaged, "not a CMS SignedData")
	}
	return sd.EncapContentInfo.EContentType, nil
}

// tsaName reads a TSTInfo's tsa field, [0] EXPLICIT GeneralName. For a
// directory name (the usual case) it returns the name's common name (or the
// whole name) and the name; for a URI, DNS name or e-mail address, that.
func tsaName(raw asn1.RawValue) (string, pkix.RDNSequence) {
	var gn asn1.RawValue
	if len(raw.Bytes) == 0 {
		return "", nil
	}
	if _, err := asn1.Unmarshal(raw.Bytes, &gn); err != nil || gn.Class != asn1.ClassContextSpecific {
		return "", nil
	}
	switch gn.Tag {
	case 4: // directoryName, EXPLICIT Name
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(gn.Bytes, &rdn); err != nil {
			return "", nil
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		if n.CommonName != "" {
			return n.CommonName, rdn
		}
		return n.String(), rdn
	case 1, 2, 6: // rfc822Name, dNSName, URI
		if utf8.Valid(gn.Bytes) {
			return string(gn.Bytes), nil
		}
	}
	return "", nil
}

// splitElements splits b into the DER elements it holds, one after another.
func splitElements(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(b, &rv)
		if err != nil {
			return nil, err
		}
		out = append(out, rv)
		b = rest
	}
	return out, nil
}

// checkTimestamp fills in r's timestamp fields from the unsigned attributes
// of the seal's signer.
func checkTimestamp(p7 *pkcs7.PKCS7, r *Result) {
	if len(p7.Signers) != 1 {
		return
	}
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if !a.Type.Equal(oidTimeStampTokenAttr) {
			continue
		}
		tokens, err := splitElements(a.Value.Bytes)
		if err != nil || len(tokens) != 1 {
			r.TimestampProblem = TimestampProblemDamaged
			return
		}
		info, err := checkToken(tokens[0].FullBytes, si.EncryptedDigest)
		switch {
		case err == nil:
		case errors.Is(err, errTokenMismatch):
			r.TimestampProblem = TimestampProblemMismatch
			return
		case errors.Is(err, errTokenBadSig):
			r.TimestampProblem = TimestampProblemBadSig
			return
		case errors.Is(err, errTokenCert):
			r.TimestampProblem = TimestampProblemNotTSA
			return
		default:
			r.TimestampProblem = TimestampProblemDamaged
			return
		}
		r.Timestamped = true
		r.TimestampAt = info.GenTime
		r.TimestampAuthority = info.authority
		return
	}
}
