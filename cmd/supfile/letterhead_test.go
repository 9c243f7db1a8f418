package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigLetterhead: the letterhead and base DOCX settings name files;
// a missing file stops start-up naming the variable, and a logo that is not
// a PNG or JPEG is refused by the renderer rather than embedded.
func TestConfigLetterhead(t *testing.T) {
	dir := t.TempDir()
	notImage := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(notImage, []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func(env map[string]string) (*Config, error) {
		env["SUPFILE_DATA_DIR"] = dir
		return loadConfig(nil, func(k string) string { return env[k] })
	}
	for _, name := range []string{"SUPFILE_LETTERHEAD_LOGO", "SUPFILE_DOCX_BASE"} {
		if _, err := load(map[string]string{name: filepath.Join(dir, "none")}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s names a missing file: err = %v", name, err)
		}
	}
	c, err := load(map[string]string{"SUPFILE_LETTERHEAD_LOGO": notImage, "SUPFILE_LETTERHEAD_ADDRESS": "County Hall|Testshire"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newRenderer(c); err == nil || !strings.Contains(err.Error(), "PNG or JPEG") {
		t.Errorf("a logo that is not an image: err = %v", err)
	}
	c.LetterheadLogo = ""
	if _, err := newRenderer(c); err != nil {
		t.Errorf("an address alone: %v", err)
	}
	// A base .docx that is not one stops start-up naming the setting.
	notDOCX := filepath.Join(dir, "base.docx")
	if err := os.WriteFile(notDOCX, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.DOCXBase = notDOCX
	if _, err := newRenderer(c); err == nil || !strings.HasPrefix(err.Error(), "SUPFILE_DOCX_BASE: ") {
		t.Errorf("a base DOCX that is not a Word document: err = %v", err)
	}
}
