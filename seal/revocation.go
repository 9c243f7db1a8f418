package seal

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/digitorus/pdfsign/revocation"
	"github.com/digitorus/pdfsign/sign"
)

// ErrRevocation is wrapped by the error Seal returns when the certificate
// has an issuer and its revocation data (a CRL) cannot be fetched or does not
// check out. No seal is made then: a PAdES B-LT seal carries the revocation
// data valid when it was made. Retry later, as for a storage fault.
var ErrRevocation = errors.New("seal: no revocation data for the sealing certificate")

// DefaultRevocationTimeout bounds one request for a CRL.
const DefaultRevocationTimeout = 10 * time.Second

// maxCRL bounds a fetched CRL.
const maxCRL = 16 << 20

// revocationCache keeps the revocation data gathered for the chain until
// the earliest next update of its CRLs, so that sealing does not fetch them
// for every record.
type revocationCache struct {
	mu      sync.Mutex
	info    *revocation.InfoArchival
	expires time.Time
}

// WithRevocation returns a copy of s that gathers the revocation data for
// its DSS with fn, called for the certificate and each issuing certificate in
// turn (issuer nil for the last), as pdfsign does. The default fetches the
// CRL at each certificate's first CRL distribution point over HTTP, with a
// DefaultRevocationTimeout timeout, and checks it is signed by the issuer
// and does not list the certificate; sign.DefaultEmbedRevocationStatusFunction
// (OCSP first, then CRL, no timeout, no checks) can be given instead.
// It matters only when the certificate has an issuer.
func (s *Sealer) WithRevocation(fn sign.RevocationFunction) *Sealer {
	c := *s
	c.revocation = &revocationCache{}
	c.revocationFn = fn
	if fn == nil {
		c.revocationFn = c.fetchCRL
	}
	return &c
}

// revocationData is the revocation data for the chain: from the cache while
// it is fresh, gathered again otherwise.
func (s *Sealer) revocationData() (*revocation.InfoArchival, error) {
	rc := s.revocation
	rc.mu.Lock()
	defer rc.mu.Unlock()
	now := time.Now()
	if rc.info != nil && now.Before(rc.expires) {
		return rc.info, nil
	}
	info := &revocation.InfoArchival{}
	chain := append([]*x509.Certificate{s.cert}, s.chain...)
	for i, c := range chain {
		var issuer *x509.Certificate
		if i+1 < len(chain) {
			issuer = chain[i+1]
		}
		if err := s.revocationFn(c, issuer, info); err != nil {
			if errors.Is(err, ErrRevocation) {
				return nil, err
			}
			return nil, fmt.Errorf("%w (%s): %v", ErrRevocation, c.Subject.CommonName, err)
		}
	}
	// Fresh until the earliest next update of a CRL, re-fetched at most
	// once a minute; an hour when no CRL says.
	expires := now.Add(time.Hour)
	for _, raw := range info.CRL {
		if crl, err := x509.ParseRevocationList(raw.FullBytes); err == nil && !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(expires) {
			expires = crl.NextUpdate
		}
	}
	if floor := now.Add(time.Minute); expires.Before(floor) {
		expires = floor
	}
	rc.info, rc.expires = info, expires
	return info, nil
}

// fetchCRL is the default revocation function: the CRL at cert's first
// http(s) CRL distribution point, checked against issuer (when known) and
// for cert's serial number. A certificate without a distribution point adds
// nothing (a root, or a CA that publishes none).
func (s *Sealer) fetchCRL(cert, issuer *x509.Certificate, info *revocation.InfoArchival) error {
	var url string
	for _, u := range cert.CRLDistributionPoints {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			url = u
			break
		}
	}
	if url == "" {
		return nil
	}
	client := &http.Client{Timeout: DefaultRevocationTimeout}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("fetching the CRL: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching the CRL %s: HTTP %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCRL+1))
	if err != nil {
		return fmt.Errorf("fetching the CRL %s: %w", url, err)
	}
	if len(body) > maxCRL {
		return fmt.Errorf("the CRL at %s is larger than %d bytes", url, maxCRL)
	}
	if b, _ := pem.Decode(body); b != nil && b.Type == "X509 CRL" {
		body = b.Bytes
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return fmt.Errorf("the CRL at %s: %w", url, err)
	}
	if issuer != nil {
		if err := crl.CheckSignatureFrom(issuer); err != nil {
			return fmt.Errorf("the CRL at %s is not signed by %q: %w", url, issuer.Subject.CommonName, err)
		}
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return fmt.Errorf("%w: %q is revoked (CRL %s)", ErrRevocation, cert.Subject.CommonName, url)
		}
	}
	return info.AddCRL(body)
}
