package seal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	pdfverify "github.com/digitorus/pdfsign/verify"
	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// sealCMS returns the CMS blob of pdf's newest seal, parsed.
func sealCMS(t *testing.T, sealed []byte) *pkcs7.PKCS7 {
	t.Helper()
	sig, found := findSignature(sealed)
	if !found || sig == nil {
		t.Fatal("no signature in the sealed PDF")
	}
	p7, err := pkcs7.Parse(sig.contents)
	if err != nil {
		t.Fatal(err)
	}
	return p7
}

// signingCertV2Hash digs the certHash of the first ESSCertIDv2 out of the
// signed attribute signing-certificate-v2, independently of Verify.
func signingCertV2Hash(t *testing.T, p7 *pkcs7.PKCS7) []byte {
	t.Helper()
	for _, a := range p7.Signers[0].AuthenticatedAttributes {
		if !a.Type.Equal(oidSigningCertificateV2) {
			continue
		}
		// a.Value is the attribute's SET OF; its one element is the
		// SigningCertificateV2 SEQUENCE.
		in := cryptobyte.String(a.Value.Bytes)
		var scv2, certs, id cryptobyte.String
		var hash []byte
		if !in.ReadASN1(&scv2, cbasn1.SEQUENCE) || !scv2.ReadASN1(&certs, cbasn1.SEQUENCE) ||
			!certs.ReadASN1(&id, cbasn1.SEQUENCE) || !id.ReadASN1Bytes(&hash, cbasn1.OCTET_STRING) {
			t.Fatalf("signing-certificate-v2 is malformed: %x", a.Value.Bytes)
		}
		return hash
	}
	t.Fatal("the CMS has no signing-certificate-v2 signed attribute")
	return nil
}

// pdfsignSays cross-checks a seal with pdfsign's own verifier, trusting the
// certificates the PDF carries (it has no trust store of ours).
func pdfsignSays(t *testing.T, sealed []byte) pdfverify.Signer {
	t.Helper()
	opts := pdfverify.DefaultVerifyOptions()
	opts.AllowUntrustedRoots = true
	opts.RequiredEKUs = nil
	resp, err := pdfverify.VerifyWithOptions(bytes.NewReader(sealed), int64(len(sealed)), opts)
	if err != nil {
		t.Fatalf("pdfsign verify: %v", err)
	}
	if len(resp.Signers) != 1 {
		t.Fatalf("pdfsign verify found %d signers, want 1 (%s)", len(resp.Signers), resp.Error)
	}
	return resp.Signers[0]
}

func TestPAdESBaselineB(t *testing.T) {
	s := testSealer(t)
	sealed, err := s.Seal(makePDF(t, 2), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	reports := pdfsig(t, sealed)
	if len(reports) != 1 || reports[0].Type != "ETSI.CAdES.detached" || reports[0].Validation != "Signature is Valid." || !reports[0].Total {
		t.Fatalf("pdfsig: %+v, want one valid ETSI.CAdES.detached signature over the whole document", reports)
	}
	p7 := sealCMS(t, sealed)
	sum := sha256.Sum256(s.cert.Raw)
	if got := signingCertV2Hash(t, p7); !bytes.Equal(got, sum[:]) {
		t.Errorf("signing-certificate-v2 hash %x, want the SHA-256 of the sealing certificate %x", got, sum)
	}
	r := mustVerify(t, sealed)
	if !r.Intact || r.SubFilter != "ETSI.CAdES.detached" || !r.SigningCertificateV2 || r.Level != "B-B" || r.DSSCerts != 0 {
		t.Errorf("Verify: %+v, want an intact PAdES B-B seal without a DSS (self-signed)", r)
	}
	if sg := pdfsignSays(t, sealed); !sg.ValidSignature || sg.Name != "Test Council" || sg.Reason != testInfo.Reason {
		t.Errorf("pdfsign verify: %+v", sg)
	}
}

func TestPAdESBaselineT(t *testing.T) {
	tsa := newTestTSA(t, "ok")
	s := testSealer(t).WithTimestamps(tsa.URL, nil)
	sealed, err := s.Seal(makePDF(t, 1), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	reports := pdfsig(t, sealed)
	if len(reports) != 1 || reports[0].Type != "ETSI.CAdES.detached" || reports[0].Validation != "Signature is Valid." {
		t.Fatalf("pdfsig: %+v", reports)
	}
	r := mustVerify(t, sealed)
	if !r.Intact || !r.Timestamped || r.Level != "B-T" {
		t.Errorf("Verify: %+v, want an intact, timestamped PAdES B-T seal", r)
	}
	if sg := pdfsignSays(t, sealed); !sg.ValidSignature || sg.TimeStamp == nil || !sg.TimeStamp.Time.Equal(tsaTime) {
		t.Errorf("pdfsign verify: valid %v, timestamp %+v, want a valid signature timestamped at %v", sg.ValidSignature, sg.TimeStamp, tsaTime)
	}
}

// testPKI is a root CA and a sealing certificate it issued, with a CRL
// distribution point served by crlServer.
type testPKI struct {
	ca, leaf   *x509.Certificate
	caKey      *ecdsa.PrivateKey
	leafKey    *ecdsa.PrivateKey
	crl        []byte // what the server serves
	crlServer  *httptest.Server
	crlFetches atomic.Int32
	down       atomic.Bool
}

func newTestPKI(t testing.TB, revokeLeaf bool) *testPKI {
	t.Helper()
	p := &testPKI{}
	p.crlServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.crlFetches.Add(1)
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.Write(p.crl)
	}))
	t.Cleanup(p.crlServer.Close)
	var err error
	if p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if p.leafKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Council Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242), Subject: pkix.Name{CommonName: "Test Council Seal"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		CRLDistributionPoints: []string{p.crlServer.URL + "/root.crl"},
	}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, p.ca, &p.leafKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.leaf, _ = x509.ParseCertificate(der)
	crlTmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(24 * time.Hour)}
	if revokeLeaf {
		crlTmpl.RevokedCertificateEntries = []x509.RevocationListEntry{{SerialNumber: big.NewInt(4242), RevocationTime: now.Add(-time.Minute)}}
	}
	if p.crl, err = x509.CreateRevocationList(rand.Reader, crlTmpl, p.ca, p.caKey); err != nil {
		t.Fatal(err)
	}
	return p
}

// dssStreams returns the decoded streams the DSS's key array refers to,
// read with pdfsign's PDF reader (github.com/digitorus/pdf), not ours.
func dssStreams(t *testing.T, sealed []byte, key string) [][]byte {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(sealed), int64(len(sealed)))
	if err != nil {
		t.Fatal(err)
	}
	dss := rdr.Trailer().Key("Root").Key("DSS")
	if dss.IsNull() {
		t.Fatal("the catalog has no /DSS")
	}
	arr := dss.Key(key)
	var out [][]byte
	for i := 0; i < arr.Len(); i++ {
		var b bytes.Buffer
		rc := arr.Index(i).Reader()
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		out = append(out, b.Bytes())
	}
	return out
}

func TestPAdESBaselineLT(t *testing.T) {
	pki := newTestPKI(t, false)
	tsa := newTestTSA(t, "ok")
	base, err := New(pki.leaf, pki.leafKey, []*x509.Certificate{pki.ca})
	if err != nil {
		t.Fatal(err)
	}
	s := base.WithTimestamps(tsa.URL, nil)
	orig := makePDF(t, 2)
	sealed, err := s.Seal(orig, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, orig) {
		t.Fatal("sealing must only append")
	}
	reports := pdfsig(t, sealed)
	if len(reports) != 1 || reports[0].Type != "ETSI.CAdES.detached" || reports[0].Validation != "Signature is Valid." ||
		!reports[0].Total || reports[0].CommonName != "Test Council Seal" {
		t.Fatalf("pdfsig: %+v", reports)
	}
	certs := dssStreams(t, sealed, "Certs")
	if len(certs) != 2 || !bytes.Equal(certs[0], pki.leaf.Raw) || !bytes.Equal(certs[1], pki.ca.Raw) {
		t.Errorf("DSS /Certs holds %d certificates, want the sealing certificate and its CA", len(certs))
	}
	crls := dssStreams(t, sealed, "CRLs")
	if len(crls) != 1 || !bytes.Equal(crls[0], pki.crl) {
		t.Errorf("DSS /CRLs holds %d CRLs, want the one the CA serves", len(crls))
	}
	r := mustVerify(t, sealed)
	if !r.Intact || r.Level != "B-LT" || r.DSSCerts != 2 || r.DSSCRLs != 1 || !r.SigningCertificateV2 {
		t.Errorf("Verify: %+v, want an intact PAdES B-LT seal with 2 certificates and 1 CRL in the DSS", r)
	}
	if sg := pdfsignSays(t, sealed); !sg.ValidSignature || len(sg.Certificates) != 2 {
		t.Errorf("pdfsign verify: valid %v, %d certificates, want a valid signature with its chain of 2", sg.ValidSignature, len(sg.Certificates))
	}

	// The CRL is fetched once while fresh, not for every seal; a reseal
	// keeps the DSS's entries and adds its own.
	if _, err := s.Seal(orig, testInfo); err != nil {
		t.Fatal(err)
	}
	resealed, err := s.Seal(sealed, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if n := pki.crlFetches.Load(); n != 1 {
		t.Errorf("the CRL was fetched %d times for three seals, want once", n)
	}
	if r := mustVerify(t, resealed); !r.Intact || r.Level != "B-LT" || r.DSSCerts != 4 || r.DSSCRLs != 2 {
		t.Errorf("reseal: %+v", r)
	}

	// B-LT without a timestamp authority is B-B with a DSS.
	plain, err := base.Seal(orig, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if r := mustVerify(t, plain); !r.Intact || r.Level != "B-B" || r.DSSCRLs != 1 {
		t.Errorf("without a TSA: %+v", r)
	}
}

func TestPAdESRevocationFailures(t *testing.T) {
	t.Run("revoked", func(t *testing.T) {
		pki := newTestPKI(t, true)
		s, err := New(pki.leaf, pki.leafKey, []*x509.Certificate{pki.ca})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Seal(makePDF(t, 1), testInfo)
		if !errors.Is(err, ErrRevocation) || !strings.Contains(err.Error(), "revoked") {
			t.Errorf("sealing with a revoked certificate: %v, want ErrRevocation naming the revocation", err)
		}
	})
	t.Run("CRL server down", func(t *testing.T) {
		pki := newTestPKI(t, false)
		pki.down.Store(true)
		s, err := New(pki.leaf, pki.leafKey, []*x509.Certificate{pki.ca})
		if err != nil {
			t.Fatal(err)
		}
		if _, err = s.Seal(makePDF(t, 1), testInfo); !errors.Is(err, ErrRevocation) {
			t.Errorf("CRL server down: %v, want ErrRevocation", err)
		}
		pki.down.Store(false)
		if _, err = s.Seal(makePDF(t, 1), testInfo); err != nil {
			t.Errorf("after the CRL server is back: %v", err)
		}
	})
	t.Run("CRL from another CA", func(t *testing.T) {
		pki, other := newTestPKI(t, false), newTestPKI(t, false)
		pki.crl = other.crl
		s, err := New(pki.leaf, pki.leafKey, []*x509.Certificate{pki.ca})
		if err != nil {
			t.Fatal(err)
		}
		if _, err = s.Seal(makePDF(t, 1), testInfo); !errors.Is(err, ErrRevocation) || !strings.Contains(err.Error(), "not signed by") {
			t.Errorf("a CRL signed by another CA: %v, want ErrRevocation", err)
		}
	})
	t.Run("library revocation function", func(t *testing.T) {
		pki := newTestPKI(t, false)
		s, err := New(pki.leaf, pki.leafKey, []*x509.Certificate{pki.ca})
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := s.WithRevocation(sign.DefaultEmbedRevocationStatusFunction).Seal(makePDF(t, 1), testInfo)
		if err != nil {
			t.Fatal(err)
		}
		if r := mustVerify(t, sealed); !r.Intact || r.DSSCRLs != 1 {
			t.Errorf("with pdfsign's revocation function: %+v", r)
		}
	})
}

// A PDF signed with pdfsign by another certificate (an adbe.pkcs7.detached
// signature, as many tools make) verifies as sealed and intact, but is not
// this Sealer's, and is not PAdES.
func TestForeignSignature(t *testing.T) {
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "Someone Else"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &otherKey.PublicKey, otherKey)
	other, _ := x509.ParseCertificate(der)
	foreign := signWithPdfsign(t, makePDF(t, 1), other, otherKey, "Record 7f3a, version 2")

	if reports := pdfsig(t, foreign); len(reports) != 1 || reports[0].Validation != "Signature is Valid." || reports[0].Type != "adbe.pkcs7.detached" {
		t.Fatalf("pdfsig on pdfsign's output: %+v", reports)
	}
	r := mustVerify(t, foreign)
	if !r.Sealed || !r.Intact || r.SignerName != "Someone Else" || r.Level != "" {
		t.Errorf("Verify: %+v, want an intact non-PAdES signature by Someone Else", r)
	}
	if testSealer(t).Trusts(r) {
		t.Error("a signature by another certificate is trusted")
	}
}

// signWithPdfsign signs pdf with pdfsign's sign package, as another
// organisation's tool would.
func signWithPdfsign(t testing.TB, in []byte, cert *x509.Certificate, key *ecdsa.PrivateKey, reason string) []byte {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(in), &out, rdr, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			Info:     sign.SignDataSignatureInfo{Name: "Someone Else", Reason: reason, Date: time.Now()},
			CertType: sign.ApprovalSignature,
		},
		Signer: key, DigestAlgorithm: 0, Certificate: cert,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// BenchmarkSealLT is a B-LT seal: an ECDSA P-256 certificate issued by a CA,
// the chain and its CRL (fetched once, then cached) in the DSS, and a
// timestamp from the in-test TSA on loopback.
func BenchmarkSealLT(b *testing.B) {
	pki := newTestPKI(b, false)
	tsa := newTestTSA(b, "ok")
	base, err := New(pki.leaf, pki.leafKey, []*x509.Certificate{pki.ca})
	if err != nil {
		b.Fatal(err)
	}
	s := base.WithTimestamps(tsa.URL, nil)
	pdf := makePDF(b, 2)
	b.SetBytes(int64(len(pdf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(pdf, testInfo); err != nil {
			b.Fatal(err)
		}
	}
}
