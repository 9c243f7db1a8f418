package seal

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"

	"github.com/digitorus/pkcs7"
)

// tsaTime is the time the test TSA puts in its tokens.
var tsaTime = time.Date(2026, 3, 4, 10, 20, 30, 0, time.UTC)

var (
	tsaKeyOnce sync.Once
	tsaKey     *rsa.PrivateKey
	tsaCert    *x509.Certificate
	tsaKeyErr  error
)

// testTSACert is a self-signed RSA-2048 timestamping certificate, CN "Test
// TSA", with the critical extended key usage timeStamping RFC 3161 asks for.
func testTSACert(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	tsaKeyOnce.Do(func() {
		tsaKey, tsaKeyErr = rsa.GenerateKey(rand.Reader, 2048)
		if tsaKeyErr != nil {
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(77),
			Subject:      pkix.Name{CommonName: "Test TSA", Organization: []string{"Test Timestamps Ltd"}},
			NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:     time.Now().AddDate(5, 0, 0),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		}
		var der []byte
		der, tsaKeyErr = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &tsaKey.PublicKey, tsaKey)
		if tsaKeyErr == nil {
			tsaCert, tsaKeyErr = x509.ParseCertificate(der)
		}
	})
	if tsaKeyErr != nil {
		t.Fatal(tsaKeyErr)
	}
	return tsaCert, tsaKey
}

// tlv encodes a constructed DER element from its children's encodings.
func tlv(class, tag int, parts ...[]byte) []byte {
	b, err := asn1.Marshal(asn1.RawValue{Class: class, Tag: tag, IsCompound: true, Bytes: bytes.Join(parts, nil)})
	if err != nil {
		panic(err)
	}
	return b
}

func mustMarshal(v any, params ...string) []byte {
	b, err := asn1.MarshalWithParams(v, strings.Join(params, ","))
	if err != nil {
		panic(err)
	}
	return b
}

// makeToken builds an RFC 3161 timestamp token: a CMS SignedData whose
// eContentType is id-ct-TSTInfo, signed over the signed attributes
// content-type and message-digest, with the TSA certificate embedded.
func makeToken(cert *x509.Certificate, key *rsa.PrivateKey, info tstInfo) []byte {
	tst := mustMarshal(info)
	digest := sha256.Sum256(tst)
	attr := func(oid asn1.ObjectIdentifier, value []byte) []byte {
		return mustMarshal(struct {
			Type   asn1.ObjectIdentifier
			Values []asn1.RawValue `asn1:"set"`
		}{oid, []asn1.RawValue{{FullBytes: value}}})
	}
	attrs := [][]byte{
		attr(pkcs7.OIDAttributeContentType, mustMarshal(oidTSTInfo)),
		attr(pkcs7.OIDAttributeMessageDigest, mustMarshal(digest[:])),
	}
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 })
	signedAttrs := tlv(asn1.ClassUniversal, asn1.TagSet, attrs...)
	h := sha256.Sum256(signedAttrs)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	sha256Alg := mustMarshal(pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue})
	signerInfo := tlv(asn1.ClassUniversal, asn1.TagSequence,
		mustMarshal(1),
		tlv(asn1.ClassUniversal, asn1.TagSequence, cert.RawIssuer, mustMarshal(cert.SerialNumber)),
		sha256Alg,
		tlv(asn1.ClassContextSpecific, 0, attrs...),
		mustMarshal(pkix.AlgorithmIdentifier{Algorithm: pkcs7.OIDEncryptionAlgorithmRSA, Parameters: asn1.NullRawValue}),
		mustMarshal(sig),
	)
	signedData := tlv(asn1.ClassUniversal, asn1.TagSequence,
		mustMarshal(3),
		tlv(asn1.ClassUniversal, asn1.TagSet, sha256Alg),
		tlv(asn1.ClassUniversal, asn1.TagSequence,
			mustMarshal(oidTSTInfo),
			tlv(asn1.ClassContextSpecific, 0, mustMarshal(tst))),
		tlv(asn1.ClassContextSpecific, 0, cert.Raw),
		tlv(asn1.ClassUniversal, asn1.TagSet, signerInfo),
	)
	return tlv(asn1.ClassUniversal, asn1.TagSequence,
		mustMarshal(pkcs7.OIDSignedData),
		tlv(asn1.ClassContextSpecific, 0, signedData))
}

// testTSA is an RFC 3161 timestamp authority over HTTP. mode says how it
// answers: "ok", or one of the faults in TestTimestampAuthorityFailures.
type testTSA struct {
	*httptest.Server
	mode string

	mu       sync.Mutex
	requests []timeStampReq
	tokens   [][]byte
}

// timeStampReq is RFC 3161's TimeStampReq, as the test authority reads it.
type timeStampReq struct {
	Version        int
	MessageImprint messageImprint
	ReqPolicy      asn1.ObjectIdentifier `asn1:"optional"`
	Nonce          *big.Int              `asn1:"optional"`
	CertReq        bool                  `asn1:"optional"`
}

func newTestTSA(t testing.TB, mode string) *testTSA {
	t.Helper()
	cert, key := testTSACert(t)
	tsa := &testTSA{mode: mode}
	signCert, signKey := cert, key
	if mode == "not a TSA" { // tokens signed by a certificate without timeStamping
		signCert, signKey = testSealer(t).cert, testSealer(t).key.(*rsa.PrivateKey)
	}
	serial := int64(1000)
	tsa.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "want a POSTed application/timestamp-query", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req timeStampReq
		if rest, err := asn1.Unmarshal(body, &req); err != nil || len(rest) > 0 {
			http.Error(w, "not a TimeStampReq", http.StatusBadRequest)
			return
		}
		tsa.mu.Lock()
		tsa.requests = append(tsa.requests, req)
		serial++
		sn := serial
		tsa.mu.Unlock()

		status := pkiStatusInfo{Status: 0}
		imprint := req.MessageImprint
		nonce := req.Nonce
		switch tsa.mode {
		case "500":
			http.Error(w, "database on fire", http.StatusInternalServerError)
			return
		case "garbage":
			w.Header().Set("Content-Type", "application/timestamp-reply")
			w.Write([]byte("<html>hello</html>"))
			return
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>hello</html>"))
			return
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		case "rejection":
			status = pkiStatusInfo{Status: 2, StatusString: []asn1.RawValue{{Tag: asn1.TagUTF8String, Bytes: []byte("unaccepted policy")}},
				FailInfo: asn1.BitString{Bytes: []byte{0x01, 0x00}, BitLength: 16}}
		case "wrong imprint":
			imprint.HashedMessage = bytes.Clone(imprint.HashedMessage)
			imprint.HashedMessage[0] ^= 0xff
		case "wrong nonce":
			nonce = new(big.Int).Add(nonce, big.NewInt(1))
		}
		resp := timeStampResp{Status: status}
		if status.Status == 0 {
			info := tstInfo{
				Version:        1,
				Policy:         asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1},
				MessageImprint: imprint,
				SerialNumber:   big.NewInt(sn),
				GenTime:        tsaTime,
				Accuracy:       accuracy{Seconds: 1},
				Nonce:          nonce,
				TSA: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
					Bytes: tlv(asn1.ClassContextSpecific, 4, cert.RawSubject)},
			}
			token := makeToken(signCert, signKey, info)
			if tsa.mode == "bad signature" {
				token[len(token)-5] ^= 0x01 // inside the TSA's signature value
			}
			resp.TimeStampToken = asn1.RawValue{FullBytes: token}
			tsa.mu.Lock()
			tsa.tokens = append(tsa.tokens, token)
			tsa.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(mustMarshal(resp))
	}))
	t.Cleanup(tsa.Close)
	return tsa
}

func (tsa *testTSA) lastToken(t *testing.T) []byte {
	t.Helper()
	tsa.mu.Lock()
	defer tsa.mu.Unlock()
	if len(tsa.tokens) == 0 {
		t.Fatal("the TSA issued no token")
	}
	return tsa.tokens[len(tsa.tokens)-1]
}

func TestSealWithTimestamp(t *testing.T) {
	needs.Tools(t, "pdfsig")
	tsa := newTestTSA(t, "ok")
	plain := testSealer(t)
	s := plain.WithTimestamps(tsa.URL, nil)
	if plain.TimestampAuthority() != "" || s.TimestampAuthority() != tsa.URL {
		t.Fatal("WithTimestamps must return a new Sealer and leave the old one as it was")
	}
	if s.reserve != plain.reserve+timestampReserve || s.tsaClient == nil || s.tsaClient.Timeout != DefaultTimestampTimeout {
		t.Errorf("reserve %d, want %d; client %+v, want a %v timeout", s.reserve, plain.reserve+timestampReserve,
			s.tsaClient, DefaultTimestampTimeout)
	}
	if off := s.WithTimestamps("", nil); off.TimestampAuthority() != "" || off.reserve != plain.reserve {
		t.Errorf("WithTimestamps(\"\") left timestamps on: %q, reserve %d", off.TimestampAuthority(), off.reserve)
	}
	orig := makePDF(t, 2)
	sealed, err := s.Seal(orig, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, orig) {
		t.Fatal("sealing must only append to the original bytes")
	}

	// The request: version 1, SHA-256 imprint, a nonce, certReq.
	if len(tsa.requests) != 1 {
		t.Fatalf("the TSA got %d requests, want 1", len(tsa.requests))
	}
	req := tsa.requests[0]
	if req.Version != 1 || !req.MessageImprint.HashAlgorithm.Algorithm.Equal(oidSHA256) ||
		len(req.MessageImprint.HashedMessage) != 32 || req.Nonce == nil || req.Nonce.Sign() == 0 || !req.CertReq {
		t.Errorf("TimeStampReq = %+v", req)
	}

	// The token sits in the signer's unsigned attributes, over the SHA-256
	// of the signature value, and the signature still verifies.
	sig, _ := findSignature(sealed)
	p7, err := pkcs7.Parse(sig.contents)
	if err != nil {
		t.Fatal(err)
	}
	si := p7.Signers[0]
	if len(si.UnauthenticatedAttributes) != 1 || !si.UnauthenticatedAttributes[0].Type.Equal(oidTimeStampTokenAttr) {
		t.Fatalf("unsigned attributes: %+v", si.UnauthenticatedAttributes)
	}
	token := si.UnauthenticatedAttributes[0].Value.Bytes
	if !bytes.Equal(token, tsa.lastToken(t)) {
		t.Error("the seal does not hold the token the TSA issued")
	}
	tp7, err := pkcs7.Parse(token)
	if err != nil {
		t.Fatal(err)
	}
	var info tstInfo
	if _, err := asn1.Unmarshal(tp7.Content, &info); err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256(si.EncryptedDigest); !bytes.Equal(info.MessageImprint.HashedMessage, want[:]) {
		t.Errorf("token imprint %x, want SHA-256 of the signature value %x", info.MessageImprint.HashedMessage, want)
	}
	if !bytes.Equal(req.MessageImprint.HashedMessage, info.MessageImprint.HashedMessage) {
		t.Error("the request's imprint is not the token's")
	}
	p7.Content = append(append([]byte(nil), sealed[:sig.contentsStart]...), sealed[sig.contentsEnd:]...)
	if err := p7.Verify(); err != nil {
		t.Errorf("the seal's signature no longer verifies: %v", err)
	}

	// poppler accepts it, and says nothing bad about the timestamp.
	reports, out, err := doctext.PDFSig(sealed)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pdfsig:\n%s", out)
	if len(reports) != 1 {
		t.Fatalf("pdfsig found %d signatures, want 1", len(reports))
	}
	if r := reports[0]; r.Validation != "Signature is Valid." || !r.Total || r.CommonName != "Test Council" {
		t.Errorf("pdfsig: %+v, want a valid signature over the total document by Test Council", r)
	}
	if lower := strings.ToLower(out); strings.Contains(lower, "error") || strings.Contains(lower, "invalid") {
		t.Errorf("pdfsig complains:\n%s", out)
	}

	r := mustVerify(t, sealed)
	if !r.Intact || !s.Trusts(r) || r.Problem != "" || r.Reason != testInfo.Reason || !r.SignedAt.Equal(testInfo.SignedAt) {
		t.Errorf("Verify = %+v, want intact and trusted", r)
	}
	if !r.Timestamped || !r.TimestampAt.Equal(tsaTime) || r.TimestampAuthority != "Test TSA" || r.TimestampProblem != "" {
		t.Errorf("Verify = %+v, want timestamped at %v by Test TSA", r, tsaTime)
	}

	// Without timestamps nothing changes.
	r = mustVerify(t, mustSeal(t, plain, orig))
	if !r.Intact || r.Timestamped || r.TimestampProblem != "" || !r.TimestampAt.IsZero() || r.TimestampAuthority != "" {
		t.Errorf("Verify of a seal without a timestamp = %+v", r)
	}
	if len(tsa.requests) != 1 {
		t.Error("a Sealer without timestamps asked the TSA")
	}

	// A second seal over a timestamped one is timestamped too, and both
	// signatures stay valid.
	twice := mustSeal(t, s, sealed)
	reports = pdfsig(t, twice)
	if len(reports) != 2 || reports[0].Validation != "Signature is Valid." || reports[1].Validation != "Signature is Valid." {
		t.Errorf("pdfsig: %+v", reports)
	}
	if r := mustVerify(t, twice); !r.Intact || !r.Timestamped {
		t.Errorf("Verify = %+v", r)
	}
}

func mustSeal(t *testing.T, s *Sealer, pdf []byte) []byte {
	t.Helper()
	sealed, err := s.Seal(pdf, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func TestTimestampAuthorityFailures(t *testing.T) {
	pdf := makePDF(t, 1)
	for _, mode := range []string{"rejection", "garbage", "html", "500", "wrong imprint", "wrong nonce", "bad signature", "not a TSA", "slow", "down"} {
		t.Run(mode, func(t *testing.T) {
			tsa := newTestTSA(t, mode)
			client := &http.Client{Timeout: 300 * time.Millisecond}
			if mode == "down" {
				tsa.Close()
			}
			s := testSealer(t).WithTimestamps(tsa.URL, client)
			start := time.Now()
			out, err := s.Seal(pdf, testInfo)
			if !errors.Is(err, ErrTimestamp) || out != nil {
				t.Fatalf("Seal = %d bytes, %v; want ErrTimestamp", len(out), err)
			}
			t.Log(err)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Seal took %v despite the client's timeout", d)
			}
		})
	}
	// The error says what went wrong.
	tsa := newTestTSA(t, "rejection")
	_, err := testSealer(t).WithTimestamps(tsa.URL, nil).Seal(pdf, testInfo)
	if err == nil || !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "unaccepted policy") {
		t.Errorf("error %v does not say the TSA refused", err)
	}
}

func TestVerifyBadTimestamp(t *testing.T) {
	tsa := newTestTSA(t, "ok")
	s := testSealer(t).WithTimestamps(tsa.URL, nil)
	sealed := mustSeal(t, s, makePDF(t, 1))
	token := tsa.lastToken(t)
	at := bytes.Index(sealed, []byte(strings.ToUpper(hex.EncodeToString(token))))
	if at < 0 {
		at = bytes.Index(sealed, []byte(hex.EncodeToString(token)))
	}
	if at < 0 {
		t.Fatal("cannot find the token in the sealed PDF")
	}
	for name, off := range map[string]int{
		"token signature": 2*len(token) - 9,                            // the TSA's signature value
		"TSTInfo":         2*(bytes.Index(token, tsaTimeDER(t))+5) + 1, // 2026 → 2020 in the TSTInfo
	} {
		t.Run(name, func(t *testing.T) {
			bad := bytes.Clone(sealed)
			i := at + off
			bad[i] = map[bool]byte{true: '1', false: '0'}[bad[i] == '0']
			r := mustVerify(t, bad)
			if !r.Intact || r.Timestamped || r.TimestampProblem != TimestampProblemBadSig {
				t.Errorf("Verify = %+v, want intact, not timestamped, with a timestamp problem", r)
			}
			t.Log(r.TimestampProblem)
		})
	}

	// A token over another signature value does not count either. Swap in
	// another seal's token of the same length (the nonce's length varies).
	var otherToken []byte
	info := testInfo
	info.Reason = "another record" // another signature value
	for range 50 {
		if _, err := s.Seal(makePDF(t, 1), info); err != nil {
			t.Fatal(err)
		}
		if otherToken = tsa.lastToken(t); len(otherToken) == len(token) {
			break
		}
	}
	if len(otherToken) != len(token) {
		t.Fatal("no token of the same length")
	}
	swapped := bytes.Replace(sealed, sealed[at:at+2*len(token)], []byte(hex.EncodeToString(otherToken)), 1)
	r := mustVerify(t, swapped)
	if !r.Intact || r.Timestamped || r.TimestampProblem != TimestampProblemMismatch {
		t.Errorf("Verify with another seal's token = %+v", r)
	}
	t.Log(r.TimestampProblem)
}

// TestVerifyCorruptTimestamp changes bytes all over the token of a sealed
// PDF: Verify must not panic, and whenever it still accepts the timestamp,
// the timestamp must say what the authority signed.
func TestVerifyCorruptTimestamp(t *testing.T) {
	tsa := newTestTSA(t, "ok")
	sealed := mustSeal(t, testSealer(t).WithTimestamps(tsa.URL, nil), makePDF(t, 1))
	token := tsa.lastToken(t)
	at := bytes.Index(sealed, []byte(hex.EncodeToString(token)))
	if at < 0 {
		t.Fatal("cannot find the token in the sealed PDF")
	}
	accepted, problems := 0, 0
	for i := 0; i < 2*len(token); i += 5 {
		bad := bytes.Clone(sealed)
		bad[at+i] = map[bool]byte{true: '1', false: '0'}[bad[at+i] == '0']
		r := mustVerify(t, bad)
		if r.Timestamped {
			accepted++
			if !r.TimestampAt.Equal(tsaTime) || r.TimestampAuthority != "Test TSA" || r.TimestampProblem != "" {
				t.Errorf("hex digit %d: accepted a changed timestamp: %+v", i, r)
			}
		} else if r.TimestampProblem != "" {
			problems++
		}
	}
	t.Logf("%d edits left the timestamp accepted (unsigned parts), %d gave a timestamp problem", accepted, problems)
	if problems == 0 {
		t.Error("no edit to the token was noticed")
	}
}

// tsaTimeDER is the GeneralizedTime the test TSA writes.
func tsaTimeDER(t *testing.T) []byte {
	b, err := asn1.MarshalWithParams(tsaTime, "generalized")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// With timestamps, the seal's one signer carries exactly one unsigned
// attribute, id-aa-timeStampToken, holding the token the authority issued
// (byte for byte) over the SHA-256 of the signer's signature value; the
// signed attributes and the signature are those of a seal without one
// (content-type, message-digest, signing-time, signing-certificate-v2), and
// still verify.
func TestTimestampIsTheSignersUnsignedAttribute(t *testing.T) {
	tsa := newTestTSA(t, "ok")
	s := testSealer(t).WithTimestamps(tsa.URL, nil)
	content := []byte("some signed bytes")
	der, err := s.sign(content)
	if err != nil {
		t.Fatal(err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(p7.Signers) != 1 {
		t.Fatalf("%d signers, want 1", len(p7.Signers))
	}
	si := p7.Signers[0]
	if len(si.UnauthenticatedAttributes) != 1 || !si.UnauthenticatedAttributes[0].Type.Equal(oidTimeStampTokenAttr) {
		t.Fatalf("unsigned attributes %+v, want one id-aa-timeStampToken", si.UnauthenticatedAttributes)
	}
	tokens, err := splitElements(si.UnauthenticatedAttributes[0].Value.Bytes)
	if err != nil || len(tokens) != 1 || !bytes.Equal(tokens[0].FullBytes, tsa.lastToken(t)) {
		t.Fatalf("the attribute does not hold exactly the token the authority issued (%v)", err)
	}
	tsa.mu.Lock()
	imprint := tsa.requests[len(tsa.requests)-1].MessageImprint.HashedMessage
	tsa.mu.Unlock()
	if sum := sha256.Sum256(si.EncryptedDigest); !bytes.Equal(imprint, sum[:]) {
		t.Error("the authority was asked to timestamp something other than the SHA-256 of the signature value")
	}
	var types []string
	for _, a := range si.AuthenticatedAttributes {
		types = append(types, a.Type.String())
	}
	slices.Sort(types) // a SET OF, in DER order
	if want := "1.2.840.113549.1.9.16.2.47 1.2.840.113549.1.9.3 1.2.840.113549.1.9.4 1.2.840.113549.1.9.5"; strings.Join(types, " ") != want {
		t.Errorf("signed attributes %v, want %s", types, want)
	}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		t.Errorf("the signature does not verify: %v", err)
	}
}

// BenchmarkSealWithTimestamp seals a two-page maroto PDF with RSA-2048 and a
// timestamp from the in-test TSA (over loopback HTTP).
func BenchmarkSealWithTimestamp(b *testing.B) {
	tsa := newTestTSA(b, "ok")
	s := testSealer(b).WithTimestamps(tsa.URL, nil)
	pdf := makePDF(b, 2)
	b.SetBytes(int64(len(pdf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(pdf, testInfo); err != nil {
			b.Fatal(err)
		}
	}
}
