package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/seal"
)

// pdfsigSays runs pdfsig on pdf and returns its one signature's report.
func pdfsigSays(t *testing.T, pdf []byte) doctext.SigReport {
	t.Helper()
	needs.Tools(t, "pdfsig")
	reports, out, err := doctext.PDFSig(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 {
		t.Fatalf("pdfsig found %d signatures, want 1:\n%s", len(reports), out)
	}
	return reports[0]
}

// A signed record's PDF is sealed with the organisation's certificate:
// pdfsig, which knows nothing of this service, says the seal is valid and
// covers the whole document, and says "Digest Mismatch" after one byte of
// the document is changed. The verify page says the same in plain words.
func TestSignedPDFIsSealed(t *testing.T) {
	needs.Tools(t, "pdfsig")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)

	r := pdfsigSays(t, pdf)
	if r.Validation != "Signature is Valid." || !r.Total || r.CommonName != "Testshire County Council" {
		t.Errorf("pdfsig on the signed PDF: %+v", r)
	}
	// The certificate was made on first start, under the data folder, and
	// the About page shows its fingerprint.
	stored, err := seal.LoadPEM(mustRead(t, filepath.Join(m.Config.DataDir, "seal", "cert.pem")),
		mustRead(t, filepath.Join(m.Config.DataDir, "seal", "key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	fp := m.svc.Records.SealFingerprint()
	if fp == "" || fp != stored.Fingerprint() {
		t.Errorf("seal fingerprint %q is not the stored certificate's", fp)
	}
	admin := login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	if page := string(admin.call("GET", "/about", nil, http.StatusOK, nil)); !strings.Contains(page, fp) {
		t.Errorf("the About page does not show the seal fingerprint %s", fp)
	}

	// One byte of the document, in the first half (inside the sealed range).
	bad := bytes.Clone(pdf)
	at := bytes.Index(bad, []byte("stream\n")) + len("stream\n") + 5
	bad[at] ^= 0x01
	if r := pdfsigSays(t, bad); r.Validation != "Digest Mismatch." {
		t.Errorf("pdfsig on a changed PDF: %+v, want Digest Mismatch.", r)
	}

	status, page := admin.upload("/verify", "file", "agreement.pdf", pdf)
	if status != http.StatusOK || !strings.Contains(page, "Seal: intact, made by Testshire County Council") {
		t.Errorf("verify of the sealed copy: %d\n%s", status, page)
	}
	status, page = admin.upload("/verify", "file", "agreement.pdf", bad)
	if status != http.StatusOK || !strings.Contains(page, "Seal: broken.") || !strings.Contains(page, "changed since it was sealed") {
		t.Errorf("verify of a changed copy: %d\n%s", status, page)
	}
}

// The same certificate seals after a restart; one given as PEM or PKCS#12
// is used instead of a generated one; a bad one stops start-up with one
// line naming the setting.
func TestSealCertificateFromConfiguration(t *testing.T) {
	needs.Tools(t, "pdfsig")
	t.Parallel()
	dir := t.TempDir()
	made, _, err := seal.LoadOrCreate(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), "Borough of Exampleton")
	if err != nil {
		t.Fatal(err)
	}

	data := t.TempDir()
	first := startApp(t, map[string]string{"SUPFILE_DATA_DIR": data})
	fp := first.svc.Records.SealFingerprint()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	first.httpSrv, first.db = nil, nil
	if again := startApp(t, map[string]string{"SUPFILE_DATA_DIR": data}); again.svc.Records.SealFingerprint() != fp {
		t.Error("a restart made a new sealing certificate")
	}

	pemApp := startApp(t, map[string]string{"SUPFILE_SEAL_CERT": filepath.Join(dir, "cert.pem"), "SUPFILE_SEAL_KEY": filepath.Join(dir, "key.pem")})
	if pemApp.svc.Records.SealFingerprint() != made.Fingerprint() {
		t.Error("SUPFILE_SEAL_CERT/KEY not used")
	}
	if _, err := os.Stat(filepath.Join(pemApp.Config.DataDir, "seal")); !os.IsNotExist(err) {
		t.Error("a certificate was generated although one was configured")
	}
	p := setUpTeam(t, pemApp.URL)
	rec := signAgreement(t, p, "")
	pdf := p.supervisor.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	if r := pdfsigSays(t, pdf); r.Validation != "Signature is Valid." || r.CommonName != "Borough of Exampleton" {
		t.Errorf("pdfsig with the configured certificate: %+v", r)
	}

	p12, err := pkcs12.Modern.Encode(keyOf(t, filepath.Join(dir, "key.pem")), made.Certificate(), nil, "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	p12File := filepath.Join(dir, "seal.p12")
	if err := os.WriteFile(p12File, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	if app := startApp(t, map[string]string{"SUPFILE_SEAL_P12": p12File, "SUPFILE_SEAL_P12_PASSWORD": "s3cret-pass"}); app.svc.Records.SealFingerprint() != made.Fingerprint() {
		t.Error("SUPFILE_SEAL_P12 not used")
	}

	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SUPFILE_SEAL_P12": p12File, "SUPFILE_SEAL_P12_PASSWORD": "wrong"}, "SUPFILE_SEAL_P12: "},
		{map[string]string{"SUPFILE_SEAL_P12": filepath.Join(dir, "missing.p12")}, "SUPFILE_SEAL_P12: "},
		{map[string]string{"SUPFILE_SEAL_CERT": filepath.Join(dir, "key.pem"), "SUPFILE_SEAL_KEY": filepath.Join(dir, "key.pem")}, "SUPFILE_SEAL_CERT: "},
		{map[string]string{"SUPFILE_SEAL_CERT": filepath.Join(dir, "cert.pem")}, "SUPFILE_SEAL_KEY: "},
		{map[string]string{"SUPFILE_SEAL_TSA_URL": "ftp://tsa.example/"}, "SUPFILE_SEAL_TSA_URL: "},
		{map[string]string{"SUPFILE_SEAL_TSA_URL": "tsa.example"}, "SUPFILE_SEAL_TSA_URL: "},
	} {
		var out bytes.Buffer
		cfg, err := loadConfig(nil, envOf(t, c.env))
		if err == nil {
			app := NewMain(cfg, &out)
			if err = app.Run(t.Context()); err == nil {
				_ = app.Close()
			}
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("start with %v: %v, want one line starting %q", c.env, err, c.want)
		}
	}
}

func envOf(t *testing.T, env map[string]string) func(string) string {
	base := map[string]string{"SUPFILE_ADDR": "127.0.0.1:0", "SUPFILE_DATA_DIR": t.TempDir(), "SUPFILE_ORG_NAME": "Testshire County Council"}
	for k, v := range env {
		base[k] = v
	}
	return func(k string) string { return base[k] }
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyOf reads the PKCS#8 PEM key seal.LoadOrCreate writes.
func keyOf(t *testing.T, name string) any {
	t.Helper()
	block, _ := pem.Decode(mustRead(t, name))
	if block == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// With a timestamp authority configured, no PDF is sealed without its
// timestamp: when the authority fails, the last signature is kept and the
// documents wait, as for a storage fault. (A seal with a real token is
// tested against an RFC 3161 authority in the seal package.)
func TestTimestampAuthorityDown(t *testing.T) {
	tsa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	defer tsa.Close()
	m := startApp(t, map[string]string{"SUPFILE_SEAL_TSA_URL": tsa.URL + "/tsr"})
	p := setUpTeam(t, m.URL)
	var rec struct {
		recordResp
		DocumentsPending bool `json:"documents_pending"`
	}
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if !rec.DocumentsPending || len(rec.Signatures) != 2 || len(rec.Documents) != 0 {
		t.Errorf("last signature with the timestamp authority down: pending %v, %d signatures, %d documents",
			rec.DocumentsPending, len(rec.Signatures), len(rec.Documents))
	}
	p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusNotFound, nil)
}
