package mailer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/mailpittest"
	"github.com/supervisionfile/supfile/supervision"
)

var welsh = mail.Address{Name: "Siân Gwŷnedd-Jones", Address: "sian.jones@testshire.gov.uk"}

// A message parses as MIME: headers encoded (RFC 2047) and decoded back to
// the Welsh letters, a plain-text and an HTML part in UTF-8.
func TestMessageBytes(t *testing.T) {
	m := Message{From: mail.Address{Name: "Supervision File", Address: "supervision@testshire.gov.uk"}, To: welsh,
		Subject: "Awaiting your signature: Cytundeb goruchwylio – Tŷ Newydd", Text: "Dear Siân,\n\nA line.\n",
		HTML: "<p>Dear Siân,</p>", Date: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), MessageID: MessageID("k", "supervision@testshire.gov.uk")}
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\r\n") {
		for _, r := range line {
			if r > 127 {
				t.Fatalf("line %d is not 7-bit: %q", i, line)
			}
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d long", i, len(line))
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	to, err := msg.Header.AddressList("To")
	if subj != m.Subject || err != nil || to[0].Name != welsh.Name || to[0].Address != welsh.Address {
		t.Errorf("headers decode to %q, %v %v", subj, to, err)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(m.Date) {
		t.Errorf("Date %v %v", d, err)
	}
	if id := msg.Header.Get("Message-ID"); id != m.MessageID || !strings.HasSuffix(id, "@testshire.gov.uk>") || id != MessageID("k", "x@testshire.gov.uk") {
		t.Errorf("Message-ID %q", id)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q %v", mt, err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		parts = append(parts, p.Header.Get("Content-Type")+"|"+string(body))
	}
	want := []string{"text/plain; charset=utf-8|Dear Siân,\r\n\r\nA line.\r\n", "text/html; charset=utf-8|<p>Dear Siân,</p>"}
	if strings.Join(parts, "\n") != strings.Join(want, "\n") {
		t.Errorf("parts\n%q\nwant\n%q", parts, want)
	}
	// No header injection.
	bad := m
	bad.Subject = "Hello\r\nBcc: someone@example.com"
	if _, err := bad.Bytes(); err == nil {
		t.Error("a subject with a line break was built")
	}
}

// Sent to a real SMTP server, Mailpit, the email arrives as built: the
// names, subject and both parts read back through Mailpit's API.
func TestSendToMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	s := New(Config{Host: mp.SMTPHost, Port: mp.SMTPPort, From: mail.Address{Name: "Gwasanaeth Goruchwylio", Address: "supervision@testshire.gov.uk"}})
	e := &supervision.Email{Key: "sign:r1:1:s1", ToName: welsh.Name, ToAddress: welsh.Address, Subject: "Awaiting your signature: Supervision agreement",
		Text: "Dear Siân Gwŷnedd-Jones,\n\nOpen the record: https://sup.example/records/r1\n", HTML: "<p>Dear Siân Gwŷnedd-Jones,</p>"}
	if err := s.Send(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	ms := mp.WaitFor(1, 10*time.Second)
	m := mp.Message(ms[0].ID)
	if m.Subject != e.Subject || len(m.To) != 1 || m.To[0].Name != welsh.Name || m.To[0].Address != welsh.Address ||
		m.From.Name != "Gwasanaeth Goruchwylio" || m.MessageID+">" != strings.TrimPrefix(MessageID(e.Key, "a@testshire.gov.uk"), "<") {
		t.Errorf("received %+v", m)
	}
	if !strings.Contains(m.Text, "Siân Gwŷnedd-Jones") || !strings.Contains(m.HTML, "<p>Dear Siân Gwŷnedd-Jones,</p>") {
		t.Errorf("bodies %q %q", m.Text, m.HTML)
	}
	// STARTTLS required but not offered: refused before anything is sent.
	tls := New(Config{Host: mp.SMTPHost, Port: mp.SMTPPort, From: mail.Address{Address: "supervision@testshire.gov.uk"}, StartTLS: true})
	if err := tls.Send(t.Context(), e); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("STARTTLS not offered: %v", err)
	}
	// Nobody listening: an error, for the job to retry.
	down := New(Config{Host: "127.0.0.1", Port: 1, From: mail.Address{Address: "supervision@testshire.gov.uk"}, Timeout: 2 * time.Second})
	if err := down.Send(t.Context(), e); err == nil {
		t.Error("sent to a closed port")
	}
	if n := len(mp.Messages()); n != 1 {
		t.Errorf("Mailpit has %d messages, want 1", n)
	}
}

// With STARTTLS on, the connection is upgraded (the server's certificate
// checked against the roots given) before signing in and sending.
func TestSendWithSTARTTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	mp := mailpittest.Start(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls", "--smtp-auth-accept-any")
	cfg := Config{Host: mp.SMTPHost, Port: mp.SMTPPort, From: mail.Address{Address: "supervision@testshire.gov.uk"},
		StartTLS: true, Username: "supfile", Password: "a long password 1", TLS: &tls.Config{RootCAs: pool, ServerName: mp.SMTPHost, MinVersion: tls.VersionTLS12}}
	e := &supervision.Email{Key: "k", ToName: welsh.Name, ToAddress: welsh.Address, Subject: "Signed and filed: Supervision agreement", Text: "Dear Siân,\n"}
	if err := New(cfg).Send(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if m := mp.Message(mp.WaitFor(1, 10*time.Second)[0].ID); m.Subject != e.Subject {
		t.Errorf("received %+v", m)
	}
	// A certificate not from the roots given is refused.
	cfg.TLS = &tls.Config{RootCAs: x509.NewCertPool(), ServerName: mp.SMTPHost, MinVersion: tls.VersionTLS12}
	if err := New(cfg).Send(t.Context(), e); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("untrusted certificate: %v", err)
	}
	// STARTTLS off while the server requires it: refused by the server.
	cfg.StartTLS, cfg.Username, cfg.Password = false, "", ""
	if err := New(cfg).Send(t.Context(), e); err == nil {
		t.Error("sent without STARTTLS to a server that requires it")
	}
	if n := len(mp.Messages()); n != 1 {
		t.Errorf("Mailpit has %d messages, want 1", n)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
