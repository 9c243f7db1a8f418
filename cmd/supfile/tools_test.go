package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/internal/needs"
)

// copyTree copies a folder, as a backup of the bucket would.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o750)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o640)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type fileListing struct {
	Records []struct {
		ID         string `json:"id"`
		Form       string `json:"form"`
		Status     string `json:"status"`
		Version    int    `json:"version"`
		Signatures []struct {
			Role, Name string
		} `json:"signatures"`
		Documents []struct {
			Kind, SHA256 string
		} `json:"documents"`
	} `json:"records"`
}

// The database is lost; the documents folder (the bucket) is all that is
// left. supfile reindex rebuilds the index, the people come back, and the
// file lists the same records with the same document hashes.
func TestReindexAndExportCommands(t *testing.T) {
	needs.Tools(t, "sha256sum")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	signAgreement(t, p, "First.")
	signAgreement(t, p, "Second — diolch.")
	var before fileListing
	p.supervisee.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusOK, &before)

	newDir := t.TempDir()
	// What a restore has: the document store and the sealing certificate
	// (backed up with the configuration), not the database.
	copyTree(t, filepath.Join(m.Config.DataDir, "documents"), filepath.Join(newDir, "documents"))
	copyTree(t, filepath.Join(m.Config.DataDir, "seal"), filepath.Join(newDir, "seal"))
	env := map[string]string{
		"SUPFILE_DATA_DIR": newDir, "SUPFILE_ORG_NAME": "Testshire County Council",
		"SUPFILE_ADMIN_EMAIL": "admin@testshire.gov.uk", "SUPFILE_ADMIN_PASSWORD": "correct horse battery",
	}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"reindex"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("supfile reindex: %v\n%s", err, out.String())
	}
	for _, want := range []string{"record.json objects found: 2", "records added to the index: 2", "Siân Gwŷnedd-Jones", "Ahmed Khan"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("reindex output lacks %q:\n%s", want, out.String())
		}
	}

	// A new service on the rebuilt database: a new admin (the old one was
	// not in the file), who sets the supervisee's password.
	m2 := startApp(t, map[string]string{"SUPFILE_DATA_DIR": newDir})
	admin := login(t, m2.URL, "admin@testshire.gov.uk", "correct horse battery")
	admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": "restored password"}, http.StatusNoContent, nil)
	see := login(t, m2.URL, "sian.jones@testshire.gov.uk", "restored password")
	var after fileListing
	see.call("GET", "/api/v1/staff/"+p.superviseeID+"/file", nil, http.StatusOK, &after)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("file after reindex (-before +after):\n%s", diff)
	}
	// The documents still download, and are the same bytes.
	pdf := see.call("GET", "/api/v1/records/"+after.Records[0].ID+"/document.pdf", nil, http.StatusOK, nil)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Error("PDF after reindex is not a PDF")
	}

	// supfile export writes the file as a zip that sha256sum -c accepts.
	zipPath := filepath.Join(t.TempDir(), "file.zip")
	out.Reset()
	if err := run(context.Background(), []string{"export", p.superviseeID, zipPath}, getenv, &out, io.Discard); err == nil || !strings.Contains(err.Error(), "--reason") {
		t.Errorf("supfile export without a reason: %v", err)
	}
	if err := run(context.Background(), []string{"export", p.superviseeID, zipPath, "--reason", "Tribunal bundle"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("supfile export: %v", err)
	}
	if err := run(context.Background(), []string{"export", p.superviseeID, zipPath, "--reason=Again"}, getenv, &out, io.Discard); err == nil {
		t.Error("export overwrote an existing zip")
	}
	var logged struct {
		Entries []struct {
			Detail    string
			ActorName string `json:"actor_name"`
		}
	}
	admin.call("GET", "/api/v1/access-log?action=export&file="+p.superviseeID, nil, http.StatusOK, &logged)
	if len(logged.Entries) == 0 || logged.Entries[0].Detail != "Tribunal bundle" || logged.Entries[0].ActorName != "supfile export" {
		t.Errorf("the command line's export in the access log: %+v", logged.Entries)
	}
	unpacked := t.TempDir()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		dst := filepath.Join(unpacked, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			t.Fatal(err)
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	needs.Tools(t, "sha256sum")
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = filepath.Join(unpacked, "supervision-file-"+p.superviseeID)
	res, err := cmd.CombinedOutput()
	if err != nil || strings.Count(string(res), ": OK") != 7 {
		t.Errorf("sha256sum -c: %v\n%s", err, res)
	}
	// supfile verify: the downloaded PDF is a true copy; a changed one is not.
	good := filepath.Join(t.TempDir(), "good.pdf")
	bad := filepath.Join(t.TempDir(), "bad.pdf")
	os.WriteFile(good, pdf, 0o600)
	changed := bytes.Clone(pdf)
	changed[len(changed)/3] ^= 1
	os.WriteFile(bad, changed, 0o600)
	out.Reset()
	if err := run(context.Background(), []string{"verify", good}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "true copy") {
		t.Errorf("supfile verify of the true copy: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"verify", bad}, getenv, &out, io.Discard); err == nil {
		t.Errorf("supfile verify of a changed copy succeeded:\n%s", out.String())
	}

	var staff map[string]any
	b, _ := os.ReadFile(filepath.Join(cmd.Dir, "staff.json"))
	if json.Unmarshal(b, &staff) != nil || staff["name"] != "Siân Gwŷnedd-Jones" {
		t.Errorf("staff.json = %s", b)
	}
}
