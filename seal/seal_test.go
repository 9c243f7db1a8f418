package seal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/doctext"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/supervisionfile/supfile/internal/needs"
)

// makePDF renders a realistic record-like document of roughly the given
// number of pages with maroto, the way the render package does.
func makePDF(t testing.TB, pages int) []byte {
	t.Helper()
	cfg := config.NewBuilder().
		WithTitle("Supervision record", true).
		WithAuthor("Supervision File", true).
		WithCreationDate(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)).
		WithPageNumber().
		Build()
	m := maroto.New(cfg)
	m.AddRows(text.NewRow(12, "Supervision record", props.Text{Size: 18, Style: "B"}))
	para := "The supervisee and supervisor discussed caseload, wellbeing and training needs. " +
		"Actions were agreed and will be reviewed at the next session. "
	// About 40 rows of 6 mm fit on an A4 page.
	for i := 0; i < pages*40-2; i++ {
		m.AddRows(text.NewRow(6, fmt.Sprintf("%d. %s", i+1, para), props.Text{Size: 9}))
	}
	doc, err := m.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return doc.GetBytes()
}

var (
	sealerOnce sync.Once
	sealerRSA  *Sealer
	sealerErr  error
)

// testSealer is a self-signed RSA-2048 sealer shared by the tests, as
// LoadOrCreate makes it.
func testSealer(t testing.TB) *Sealer {
	t.Helper()
	sealerOnce.Do(func() {
		certPEM, keyPEM, err := selfSigned("Test Council", time.Now())
		if err != nil {
			sealerErr = err
			return
		}
		sealerRSA, sealerErr = LoadPEM(certPEM, keyPEM)
	})
	if sealerErr != nil {
		t.Fatal(sealerErr)
	}
	return sealerRSA
}

var testInfo = Info{
	Name:        "Test Council",
	Reason:      "Record 7f3a version 2",
	Location:    "Supervision File",
	ContactInfo: "records@example.org",
	SignedAt:    time.Date(2026, 3, 4, 11, 12, 13, 0, time.FixedZone("", 3600)),
}

// pdfsig runs poppler's pdfsig on pdf and returns one report per signature.
func pdfsig(t *testing.T, pdf []byte) []doctext.SigReport {
	t.Helper()
	needs.Tools(t, "pdfsig")
	reports, out, err := doctext.PDFSig(pdf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pdfsig:\n%s", out)
	return reports
}

func mustVerify(t *testing.T, pdf []byte) *Result {
	t.Helper()
	r, err := Verify(pdf)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

func TestSealIsValidForPdfsig(t *testing.T) {
	s := testSealer(t)
	orig := makePDF(t, 3)
	sealed, err := s.Seal(orig, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, orig) {
		t.Fatal("sealing must only append to the original bytes")
	}

	reports := pdfsig(t, sealed)
	if len(reports) != 1 {
		t.Fatalf("pdfsig found %d signatures, want 1", len(reports))
	}
	if r := reports[0]; r.Validation != "Signature is Valid." || !r.Total || r.CommonName != "Test Council" || r.Type != "ETSI.CAdES.detached" {
		t.Errorf("pdfsig: %+v, want a valid PAdES (ETSI.CAdES.detached) signature over the total document by Test Council", r)
	}
	if qpdf, err := exec.LookPath("qpdf"); err == nil { // a bonus where installed
		name := filepath.Join(t.TempDir(), "sealed.pdf")
		os.WriteFile(name, sealed, 0o644)
		if out, err := exec.Command(qpdf, "--check", name).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, out)
		}
	}

	r := mustVerify(t, sealed)
	want := Result{
		Sealed: true, Intact: true,
		SignerName: "Test Council", CertFingerprint: s.Fingerprint(),
		Reason: testInfo.Reason, Location: testInfo.Location,
		SubFilter: "ETSI.CAdES.detached", SigningCertificateV2: true, Level: "B-B",
	}
	got := *r
	got.SignedAt = time.Time{}
	if got != want {
		t.Errorf("Verify = %+v\nwant %+v", got, want)
	}
	if !r.SignedAt.Equal(testInfo.SignedAt) {
		t.Errorf("SignedAt = %v, want %v", r.SignedAt, testInfo.SignedAt)
	}
	if !s.Trusts(r) {
		t.Error("the sealer does not trust its own seal")
	}
	other, _, err := LoadOrCreate(filepath.Join(t.TempDir(), "c.pem"), filepath.Join(t.TempDir(), "k.pem"), "Other Council")
	if err != nil {
		t.Fatal(err)
	}
	if other.Trusts(r) {
		t.Error("another certificate's sealer trusts the seal")
	}
}

func TestTamperedByteIsDigestMismatch(t *testing.T) {
	s := testSealer(t)
	orig := makePDF(t, 2)
	sealed, err := s.Seal(orig, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	// One byte in the original document (inside a content stream, so the
	// file still parses), and one in the seal's own /Reason.
	streamAt := bytes.Index(sealed, []byte("stream\n")) + len("stream\n") + 10
	reasonAt := bytes.Index(sealed, []byte("Record 7f3a"))
	for name, at := range map[string]int{"document body": streamAt, "seal reason": reasonAt} {
		t.Run(name, func(t *testing.T) {
			if at < 20 {
				t.Fatal("cannot find the byte to change")
			}
			bad := bytes.Clone(sealed)
			bad[at] ^= 0x01
			reports := pdfsig(t, bad)
			if len(reports) != 1 || reports[0].Validation != "Digest Mismatch." {
				t.Errorf("pdfsig: %+v, want Digest Mismatch.", reports)
			}
			r := mustVerify(t, bad)
			if !r.Sealed || r.Intact || r.Problem != ProblemChanged {
				t.Errorf("Verify = %+v, want sealed, not intact, %q", r, ProblemChanged)
			}
		})
	}
}

func TestTamperedSignature(t *testing.T) {
	s := testSealer(t)
	sealed, err := s.Seal(makePDF(t, 1), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a bit near the end of the DER blob: the RSA signature value.
	sig, _ := findSignature(sealed)
	at := sig.contentsStart + 1 + 2*len(sig.contents) - 8
	bad := bytes.Clone(sealed)
	bad[at] = map[bool]byte{true: '1', false: '0'}[bad[at] == '0']
	reports := pdfsig(t, bad)
	if len(reports) != 1 || reports[0].Validation == "Signature is Valid." {
		t.Errorf("pdfsig: %+v, want an invalid signature", reports)
	}
	r := mustVerify(t, bad)
	if !r.Sealed || r.Intact || r.Problem == "" {
		t.Errorf("Verify = %+v, want sealed and not intact", r)
	}
}

func TestAppendedAfterSealIsNotIntact(t *testing.T) {
	s := testSealer(t)
	sealed, err := s.Seal(makePDF(t, 1), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	bad := append(bytes.Clone(sealed), "1 0 obj\n(extra)\nendobj\n"...)
	reports := pdfsig(t, bad)
	if len(reports) != 1 || reports[0].Total {
		t.Errorf("pdfsig: %+v, want a signature not covering the total document", reports)
	}
	r := mustVerify(t, bad)
	if !r.Sealed || r.Intact || r.Problem != ProblemAppended {
		t.Errorf("Verify = %+v, want sealed, not intact, %q", r, ProblemAppended)
	}
	if r.CertFingerprint != s.Fingerprint() {
		t.Errorf("fingerprint %q, want %q", r.CertFingerprint, s.Fingerprint())
	}
}

func TestSealTwice(t *testing.T) {
	s := testSealer(t)
	once, err := s.Seal(makePDF(t, 1), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	info := testInfo
	info.Reason = "Record 7f3a version 3 — amended by Zoë"
	twice, err := s.Seal(once, info)
	if err != nil {
		t.Fatal(err)
	}
	reports := pdfsig(t, twice)
	if len(reports) != 2 {
		t.Fatalf("pdfsig found %d signatures, want 2", len(reports))
	}
	for i, r := range reports {
		if r.Validation != "Signature is Valid." {
			t.Errorf("signature %d: %+v", i+1, r)
		}
	}
	if reports[0].Total || !reports[1].Total {
		t.Errorf("only the second seal should cover the whole file: %+v", reports)
	}
	r := mustVerify(t, twice)
	if !r.Intact || r.Reason != info.Reason {
		t.Errorf("Verify = %+v, want intact with reason %q", r, info.Reason)
	}
}

func TestUnsealedPDF(t *testing.T) {
	r := mustVerify(t, makePDF(t, 1))
	if r.Sealed || r.Intact || r.Problem != ProblemNotSealed {
		t.Errorf("Verify = %+v, want not sealed with %q", r, ProblemNotSealed)
	}
}

func TestGarbage(t *testing.T) {
	s := testSealer(t)
	orig := makePDF(t, 1)
	sealed, err := s.Seal(orig, testInfo)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte{0xff}, 4096)} {
		if _, err := Verify(in); !errors.Is(err, ErrNotPDF) {
			t.Errorf("Verify(%.10q) error = %v, want ErrNotPDF", in, err)
		}
		if _, err := s.Seal(in, testInfo); err == nil {
			t.Errorf("Seal(%.10q) succeeded", in)
		}
	}
	odd := [][]byte{
		[]byte("%PDF-1.4\n/ByteRange [0 5 10 3]"),
		[]byte("%PDF-1.4\n/ByteRange [0 10 20 9999999999999999999999]"),
		[]byte("%PDF-1.4\n/ByteRange [0 12 14 0]<>"),
		[]byte("%PDF-1.4\nstartxref\n999999\n%%EOF"),
		[]byte("%PDF-1.4\nxref\n0 99999999999\ntrailer<<>>\nstartxref\n9\n%%EOF"),
		[]byte("%PDF-1.4\n" + strings.Repeat("[", 10000) + "\nstartxref\n9\n%%EOF"),
	}
	// Truncations and corruptions of a real sealed file.
	for _, n := range []int{10, len(sealed) / 2, len(sealed) - 2000, len(sealed) - 10} {
		odd = append(odd, sealed[:n])
	}
	for i := 0; i < 200; i++ {
		bad := bytes.Clone(sealed)
		at := len(sealed) - 1 - (i*7919)%6000
		bad[at] = byte(i * 31)
		odd = append(odd, bad)
	}
	// Every bit-0 flip in the seal's update section.
	for at := len(orig); at < len(sealed); at++ {
		bad := bytes.Clone(sealed)
		bad[at] ^= 0x01
		odd = append(odd, bad)
	}
	sig, _ := findSignature(sealed)
	for i, in := range odd {
		r, err := Verify(in)
		if i < 200 {
			_, _ = s.Seal(in, testInfo) // must not panic
		}
		if err != nil || !r.Intact || bytes.Equal(in, sealed) {
			continue
		}
		// A change to the signed bytes must always be caught. The signature's
		// hex string holds a CMS structure with parts no signature covers
		// (hex case, algorithm sets, versions), as in every PDF signature;
		// an edit there may leave the seal intact, but must never change
		// what it says. An edit to the embedded certificate changes its
		// fingerprint, so the sealer no longer trusts it.
		d := firstDiffAt(in, sealed)
		if len(in) != len(sealed) || d < sig.contentsStart || d >= sig.contentsEnd {
			t.Errorf("Verify says a corrupted file is intact: %s", firstDiff(in, sealed))
			continue
		}
		if r.Reason != testInfo.Reason || r.SignerName != testInfo.Name || !r.SignedAt.Equal(testInfo.SignedAt) {
			t.Errorf("an edit to the signature changed what it says: %+v (%s)", r, firstDiff(in, sealed))
		}
		if bytes.Contains(in, []byte(hex.EncodeToString(s.Certificate().Raw))) != s.Trusts(r) {
			t.Errorf("an edit to the certificate left it trusted: %+v (%s)", r, firstDiff(in, sealed))
		}
	}
}

func FuzzVerify(f *testing.F) {
	s := testSealer(f)
	sealed, err := s.Seal(makePDF(f, 1), testInfo)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed[len(sealed)-9000:])
	f.Add([]byte("%PDF-1.4\n/ByteRange [0 12 14 0]<>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Verify(append([]byte("%PDF-1.7\n"), b...))
		_, _ = s.Seal(b, testInfo)
	})
}

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	certFile, keyFile := filepath.Join(dir, "seal.crt"), filepath.Join(dir, "seal.key")
	s1, created, err := LoadOrCreate(certFile, keyFile, "Northshire County Council")
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created=%v err=%v", created, err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	c := s1.Certificate()
	if c.Subject.CommonName != "Northshire County Council" {
		t.Errorf("CN = %q", c.Subject.CommonName)
	}
	if years := time.Until(c.NotAfter).Hours() / 24 / 365; years < 9.9 || years > 10.1 {
		t.Errorf("valid for %.1f years, want 10", years)
	}
	if _, ok := s1.key.(*rsa.PrivateKey); !ok || s1.key.(*rsa.PrivateKey).N.BitLen() != 2048 {
		t.Errorf("key is %T, want RSA-2048", s1.key)
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(s1.Fingerprint()) {
		t.Errorf("fingerprint %q is not upper-case hex pairs", s1.Fingerprint())
	}

	s2, created, err := LoadOrCreate(certFile, keyFile, "Northshire County Council")
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	if s2.Fingerprint() != s1.Fingerprint() {
		t.Errorf("reloaded fingerprint %s, want %s", s2.Fingerprint(), s1.Fingerprint())
	}

	// With only one of the two files, nothing is generated or overwritten.
	os.Remove(keyFile)
	if _, _, err := LoadOrCreate(certFile, keyFile, "X"); err == nil {
		t.Error("LoadOrCreate with a certificate but no key succeeded")
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Error("LoadOrCreate wrote a key next to an existing certificate")
	}
}

// testCA makes a CA and a leaf certificate for key issued by it.
func testCA(t *testing.T, leafKey any, pub any) (leaf, ca *x509.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Sealing Service"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, pub, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(leafDER)
	return leaf, ca
}

func TestLoadPEM(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	leaf, ca := testCA(t, rsaKey, &rsaKey.PublicKey)
	certPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	s, err := LoadPEM(certPEM, pkcs1)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.chain) != 1 {
		t.Errorf("chain has %d certificates, want 1", len(s.chain))
	}
	sealed, err := s.Seal(makePDF(t, 1), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if r := mustVerify(t, sealed); !r.Intact || !s.Trusts(r) {
		t.Errorf("Verify = %+v", r)
	}
	if reports := pdfsig(t, sealed); len(reports) != 1 || reports[0].Validation != "Signature is Valid." {
		t.Errorf("pdfsig: %+v", reports)
	}

	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)})
	if _, err := LoadPEM(certPEM, otherPEM); err == nil {
		t.Error("LoadPEM accepted a key that does not match the certificate")
	}
	if _, err := LoadPEM([]byte("not pem"), pkcs1); err == nil {
		t.Error("LoadPEM accepted a file with no certificate")
	}
}

func TestLoadPKCS12(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf, ca := testCA(t, ecKey, &ecKey.PublicKey)
	p12, err := pkcs12.Modern.Encode(ecKey, leaf, []*x509.Certificate{ca}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadPKCS12(p12, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.chain) != 1 || !s.chain[0].Equal(ca) {
		t.Errorf("chain = %v, want the CA", s.chain)
	}
	sealed, err := s.Seal(makePDF(t, 1), testInfo)
	if err != nil {
		t.Fatal(err)
	}
	if r := mustVerify(t, sealed); !r.Intact || !s.Trusts(r) || r.SignerName != "Test Council" {
		t.Errorf("Verify = %+v", r)
	}
	if reports := pdfsig(t, sealed); len(reports) != 1 || reports[0].Validation != "Signature is Valid." ||
		reports[0].CommonName != "Sealing Service" {
		t.Errorf("pdfsig: %+v", reports)
	}
	if _, err := LoadPKCS12(p12, "wrong"); err == nil {
		t.Error("LoadPKCS12 accepted the wrong password")
	}
}

func TestPDFDate(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 7, 2, 23, 4, 5, 0, time.FixedZone("", -(4*3600+30*60))),
	} {
		s := pdfDate(at)
		got, ok := parsePDFDate(s)
		if !ok || !got.Equal(at) {
			t.Errorf("%s: parsed %v, want %v", s, got, at)
		}
	}
}

// BenchmarkSeal seals a two-page maroto PDF with RSA-2048.
func BenchmarkSeal(b *testing.B) {
	s := testSealer(b)
	pdf := makePDF(b, 2)
	b.SetBytes(int64(len(pdf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(pdf, testInfo); err != nil {
			b.Fatal(err)
		}
	}
}

func firstDiffAt(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func firstDiff(a, b []byte) string {
	if i := firstDiffAt(a, b); i < min(len(a), len(b)) {
		return fmt.Sprintf("byte %d: %q, was %q, in %q", i, a[i], b[i], b[max(0, i-20):min(len(b), i+20)])
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

func TestSealRefusesXrefStreams(t *testing.T) {
	pdf := []byte("%PDF-1.5\n1 0 obj\n<< /Type /XRef /Size 2 /W [1 2 1] >>\nstream\n\x01\x00\x09\x00\nendstream\nendobj\nstartxref\n9\n%%EOF\n")
	if _, err := testSealer(t).Seal(pdf, testInfo); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Seal error = %v, want ErrUnsupported", err)
	}
}

func TestSealConcurrently(t *testing.T) {
	s := testSealer(t)
	pdf := makePDF(t, 1)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			sealed, err := s.Seal(pdf, testInfo)
			if err != nil {
				t.Error(err)
				return
			}
			if r, err := Verify(sealed); err != nil || !r.Intact {
				t.Errorf("Verify = %+v, %v", r, err)
			}
		})
	}
	wg.Wait()
}
