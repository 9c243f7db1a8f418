package seal

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// LoadPEM reads a certificate (followed by any issuing certificates, leaf
// first) and an unencrypted private key (PKCS#8, PKCS#1 or SEC 1) from PEM.
func LoadPEM(certPEM, keyPEM []byte) (*Sealer, error) {
	var certs []*x509.Certificate
	for rest := certPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("seal: certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("seal: no PEM CERTIFICATE block in the certificate file")
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	return New(certs[0], key, certs[1:])
}

func parseKeyPEM(keyPEM []byte) (crypto.Signer, error) {
	for rest := keyPEM; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("seal: no PEM private key block in the key file")
		}
		var (
			k   any
			err error
		)
		switch block.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("seal: encrypted PEM keys are not supported; use PKCS#12 for a password-protected key")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("seal: private key: %w", err)
		}
		signer, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("seal: unsupported private key type %T", k)
		}
		return signer, nil
	}
}

// LoadPKCS12 reads a PKCS#12 (.p12/.pfx) bundle holding the key, its
// certificate and optionally the issuing certificates.
func LoadPKCS12(data []byte, password string) (*Sealer, error) {
	k, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("seal: PKCS#12: %w", err)
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("seal: unsupported private key type %T", k)
	}
	return New(cert, key, orderChain(cert, chain))
}

// orderChain puts the CA certificates of a PKCS#12 bundle, which are in no
// particular order, into issuing order from cert upwards, dropping any that
// are not on the path.
func orderChain(cert *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	used := make([]bool, len(pool))
	for child := cert; len(chain) < len(pool); {
		if child.CheckSignatureFrom(child) == nil {
			break // self-signed: the top
		}
		next := -1
		for i, c := range pool {
			if !used[i] && child.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		chain = append(chain, pool[next])
		child = pool[next]
	}
	return chain
}

// LoadOrCreate loads the sealing certificate and key from certFile and
// keyFile (PEM). When neither exists it generates a self-signed RSA-2048
// certificate for org (CN = org, valid 10 years), writes both (the key with
// mode 0600) and reports created = true. When only one of them exists it
// fails rather than overwrite anything.
func LoadOrCreate(certFile, keyFile, org string) (s *Sealer, created bool, err error) {
	certPEM, certErr := os.ReadFile(certFile)
	keyPEM, keyErr := os.ReadFile(keyFile)
	switch {
	case certErr == nil && keyErr == nil:
		s, err := LoadPEM(certPEM, keyPEM)
		return s, false, err
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return nil, false, fmt.Errorf("seal: %w", certErr)
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return nil, false, fmt.Errorf("seal: %w", keyErr)
	case certErr != nil:
		return nil, false, fmt.Errorf("seal: key %s exists but certificate %s does not", keyFile, certFile)
	default:
		return nil, false, fmt.Errorf("seal: certificate %s exists but key %s does not", certFile, keyFile)
	}
	if org == "" {
		return nil, false, errors.New("seal: an organisation name is needed to create a certificate")
	}
	certPEM, keyPEM, err = selfSigned(org, time.Now())
	if err != nil {
		return nil, false, err
	}
	// The key first: a certificate without its key would block the next start.
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return nil, false, err
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return nil, false, err
	}
	s, err = LoadPEM(certPEM, keyPEM)
	return s, err == nil, err
}

// selfSigned makes a self-signed RSA-2048 document-signing certificate.
func selfSigned(org string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: org, Organization: []string{org}},
		// An hour's grace for clocks that are slightly behind this one.
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// writeFileAtomic writes through a temporary file and a rename, so a crash
// never leaves half a key behind. The directory is created if need be.
func writeFileAtomic(name string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	f, err := os.CreateTemp(dir, ".seal-*")
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("seal: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("seal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("seal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	return nil
}
