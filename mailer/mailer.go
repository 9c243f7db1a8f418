// Package mailer sends the service's email notifications over SMTP with the
// standard library (net/smtp): one plain-text and one simple HTML part,
// UTF-8 throughout, names and subjects encoded for the headers (RFC 2047),
// bodies quoted-printable. It implements supervision.Mailer.
package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

// Config is how to reach the SMTP server.
type Config struct {
	Host     string // SUPFILE_SMTP_HOST
	Port     int    // SUPFILE_SMTP_PORT (587 by default)
	Username string // SUPFILE_SMTP_USERNAME (with PASSWORD, or neither)
	Password string // SUPFILE_SMTP_PASSWORD
	From     mail.Address
	// StartTLS requires the server to offer STARTTLS and upgrades the
	// connection before authenticating or sending anything.
	StartTLS bool
	// TLS is the client's TLS settings for STARTTLS; nil checks the
	// server's certificate against Host and the system roots.
	TLS *tls.Config
	// Timeout bounds one message from dialling to QUIT; 30 s when zero.
	Timeout time.Duration
}

// Sender sends messages through one SMTP server.
type Sender struct {
	cfg Config
}

var _ supervision.Mailer = (*Sender)(nil)

// New returns a sender for a configuration.
func New(cfg Config) *Sender {
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg}
}

// Send sends one email (supervision.Mailer).
func (s *Sender) Send(ctx context.Context, e *supervision.Email) error {
	msg := Message{
		From: s.cfg.From, To: mail.Address{Name: e.ToName, Address: e.ToAddress},
		Subject: e.Subject, Text: e.Text, HTML: e.HTML, Date: time.Now(),
		MessageID: MessageID(e.Key, s.cfg.From.Address),
	}
	return s.SendMessage(ctx, &msg)
}

// SendMessage sends a built message to its one recipient.
func (s *Sender) SendMessage(ctx context.Context, m *Message) error {
	body, err := m.Bytes()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("SMTP server %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return fmt.Errorf("SMTP server %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(helloName(s.cfg.From.Address)); err != nil {
		return fmt.Errorf("SMTP HELO: %w", err)
	}
	if s.cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("SMTP server %s does not offer STARTTLS (SUPFILE_SMTP_STARTTLS is on)", addr)
		}
		tc := s.cfg.TLS
		if tc == nil {
			tc = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("SMTP sign-in as %s: %w", s.cfg.Username, err)
		}
	}
	if err := c.Mail(m.From.Address); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To.Address); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	// The message is accepted; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// helloName is the name the client gives in EHLO: the sender's domain.
func helloName(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		return from[i+1:]
	}
	return "localhost"
}

// MessageID is the Message-ID of the email with a key: the same for every
// attempt at the same email, so a copy sent twice is one message to a mail
// client.
func MessageID(key, from string) string {
	if key == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		key = hex.EncodeToString(b[:])
	}
	sum := sha256.Sum256([]byte(key))
	return "<" + hex.EncodeToString(sum[:16]) + ".supfile@" + helloName(from) + ">"
}

// Message is one email to one person.
type Message struct {
	From, To   mail.Address
	Subject    string
	Text, HTML string // HTML may be empty: a plain-text email
	Date       time.Time
	MessageID  string // with its angle brackets
}

// headerSafe refuses line breaks in a header value (header injection).
func headerSafe(name, v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("email %s has a line break", name)
	}
	return nil
}

// Bytes is the message in Internet Message Format (RFC 5322) with MIME,
// lines ending CRLF.
func (m *Message) Bytes() ([]byte, error) {
	for _, h := range []struct{ n, v string }{{"From", m.From.Name}, {"From", m.From.Address}, {"To", m.To.Name},
		{"To", m.To.Address}, {"Subject", m.Subject}, {"Message-ID", m.MessageID}} {
		if err := headerSafe(h.n, h.v); err != nil {
			return nil, err
		}
	}
	if m.From.Address == "" || m.To.Address == "" {
		return nil, errors.New("email needs a From and a To address")
	}
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("From", m.From.String()) // net/mail encodes a non-ASCII name (RFC 2047)
	hdr("To", m.To.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	if m.MessageID != "" {
		hdr("Message-ID", m.MessageID)
	}
	hdr("MIME-Version", "1.0")
	hdr("Auto-Submitted", "auto-generated") // RFC 3834: no out-of-office replies
	if m.HTML == "" {
		hdr("Content-Type", "text/plain; charset=utf-8")
		hdr("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := qp(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	boundary := "supfile-" + hex.EncodeToString(rnd[:])
	hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		b.WriteString("--" + boundary + "\r\n")
		hdr("Content-Type", part.typ+"; charset=utf-8")
		hdr("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := qp(&b, part.body); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// qp writes text quoted-printable with CRLF line ends.
func qp(b *bytes.Buffer, text string) error {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	w := quotedprintable.NewWriter(b)
	if _, err := w.Write([]byte(text)); err != nil {
		return err
	}
	return w.Close()
}
