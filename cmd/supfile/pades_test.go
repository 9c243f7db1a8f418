package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/supervisionfile/supfile/internal/needs"
)

// newRFC3161 is an RFC 3161 timestamp authority on loopback, made with
// digitorus/timestamp (what pdfsign uses), with its own certificate.
func newRFC3161(t *testing.T) *httptest.Server {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "Loopback Time Authority"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	var serial atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: time.Now(),
			Nonce: req.Nonce, Policy: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2}, SerialNumber: big.NewInt(serial.Add(1)),
			AddTSACertificate: req.Certificates}
		resp, err := ts.CreateResponseWithOpts(cert, key, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// sealingPKI writes a CA-issued sealing certificate (leaf first, then the
// CA, as SUPFILE_SEAL_CERT takes it) and its key, with a CRL distribution
// point served by the returned server; down makes it fail.
func sealingPKI(t *testing.T) (certFile, keyFile string, crlServer *httptest.Server, down *atomic.Bool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Testshire Root CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(24 * time.Hour)}, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	down = &atomic.Bool{}
	crlServer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(crl)
	}))
	t.Cleanup(crlServer.Close)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Testshire County Council"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, CRLDistributionPoints: []string{crlServer.URL + "/ca.crl"}}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(leafKey)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "seal.pem"), filepath.Join(dir, "seal.key")
	certPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})...)
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, crlServer, down
}

// The whole service with a CA-issued certificate and a timestamp
// authority seals PAdES B-LT: pdfsig says ETSI.CAdES.detached and valid,
// and the verify page and API report the level. With the CA's CRL server
// down, the last signature is kept and the documents wait, as for the
// timestamp authority; once it is back, they are made.
func TestSealPAdESBaselineLTEndToEnd(t *testing.T) {
	needs.Tools(t, "pdfsig")
	t.Parallel()
	certFile, keyFile, _, down := sealingPKI(t)
	tsa := newRFC3161(t)
	m := startApp(t, map[string]string{"SUPFILE_SEAL_CERT": certFile, "SUPFILE_SEAL_KEY": keyFile, "SUPFILE_SEAL_TSA_URL": tsa.URL})
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	if r := pdfsigSays(t, pdf); r.Type != "ETSI.CAdES.detached" || r.Validation != "Signature is Valid." || !r.Total || r.CommonName != "Testshire County Council" {
		t.Errorf("pdfsig: %+v", r)
	}
	if v := apiVerify(t, p.supervisee, pdf); !v.TrueCopy || v.Seal.PAdESLevel != "B-LT" || v.Record == nil {
		t.Errorf("API verify: %+v, want a true copy sealed PAdES B-LT", v)
	}
	status, page := p.supervisee.upload("/verify", "file", "agreement.pdf", pdf)
	if status != http.StatusOK || !strings.Contains(page, "PAdES B-LT") || !strings.Contains(page, "Loopback Time Authority") {
		t.Errorf("verify page: %d\n%s", status, mainOf(page))
	}

	// The CRL is cached while fresh; a second service has its own cache, so
	// with the CA's server down its seal waits.
	down.Store(true)
	m2 := startApp(t, map[string]string{"SUPFILE_SEAL_CERT": certFile, "SUPFILE_SEAL_KEY": keyFile, "SUPFILE_SEAL_TSA_URL": tsa.URL})
	p2 := setUpTeam(t, m2.URL)
	var r2 struct {
		recordResp
		DocumentsPending bool `json:"documents_pending"`
	}
	p2.supervisor.call("POST", "/api/v1/staff/"+p2.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &r2)
	p2.supervisor.call("POST", "/api/v1/records/"+r2.ID+"/submit", nil, http.StatusOK, nil)
	p2.supervisee.call("POST", "/api/v1/records/"+r2.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p2.supervisor.call("POST", "/api/v1/records/"+r2.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &r2)
	if !r2.DocumentsPending || len(r2.Signatures) != 2 || len(r2.Documents) != 0 {
		t.Errorf("last signature with the CRL server down: pending %v, %d signatures, %d documents", r2.DocumentsPending, len(r2.Signatures), len(r2.Documents))
	}
	down.Store(false)
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, _ := p2.supervisee.get("/api/v1/records/" + r2.ID + "/document.pdf")
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("documents not made within 60 s of the CRL server coming back (last %d)", status)
		}
		time.Sleep(500 * time.Millisecond)
	}
	pdf2 := p2.supervisee.call("GET", "/api/v1/records/"+r2.ID+"/document.pdf", nil, http.StatusOK, nil)
	if v := apiVerify(t, p2.supervisee, pdf2); !v.TrueCopy || v.Seal.PAdESLevel != "B-LT" {
		t.Errorf("after the CRL server is back: %+v", v)
	}
}
