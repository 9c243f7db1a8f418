package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/supervisionfile/supfile/seal"
)

// openSealer loads the organisation's sealing certificate the configuration
// names: a PKCS#12 bundle, a PEM certificate and key, or by default a
// self-signed certificate kept under the data folder, made on first start.
// created reports that it was just made.
func (m *Main) openSealer() (s *seal.Sealer, created bool, err error) {
	cfg := m.Config
	switch {
	case cfg.SealP12 != "":
		data, err := os.ReadFile(cfg.SealP12)
		if err != nil {
			return nil, false, &configError{"SUPFILE_SEAL_P12", err.Error()}
		}
		s, err := seal.LoadPKCS12(data, cfg.SealP12Password)
		if err != nil {
			return nil, false, &configError{"SUPFILE_SEAL_P12", fmt.Sprintf("%s: %v (is SUPFILE_SEAL_P12_PASSWORD right?)", cfg.SealP12, err)}
		}
		return s, false, nil
	case cfg.SealCert != "":
		certPEM, err := os.ReadFile(cfg.SealCert)
		if err != nil {
			return nil, false, &configError{"SUPFILE_SEAL_CERT", err.Error()}
		}
		keyPEM, err := os.ReadFile(cfg.SealKey)
		if err != nil {
			return nil, false, &configError{"SUPFILE_SEAL_KEY", err.Error()}
		}
		s, err := seal.LoadPEM(certPEM, keyPEM)
		if err != nil {
			return nil, false, &configError{"SUPFILE_SEAL_CERT", fmt.Sprintf("%s with key %s: %v", cfg.SealCert, cfg.SealKey, err)}
		}
		return s, false, nil
	}
	dir := filepath.Join(cfg.DataDir, "seal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, &configError{"SUPFILE_DATA_DIR", err.Error()}
	}
	s, created, err = seal.LoadOrCreate(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), cfg.OrgName)
	if err != nil {
		return nil, false, fmt.Errorf("sealing certificate in %s: %w", dir, errors.Unwrap(err))
	}
	return s, created, nil
}
