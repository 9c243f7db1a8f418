package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/seal"
)

type verifyJSON struct {
	TrueCopy       bool   `json:"true_copy"`
	InFile         bool   `json:"in_file"`
	OwnSeal        bool   `json:"own_seal"`
	RecordWithheld bool   `json:"record_withheld"`
	Summary        string `json:"summary"`
	Details        []string
	Seal           struct {
		Trusted    bool   `json:"trusted"`
		Intact     bool   `json:"intact"`
		PAdESLevel string `json:"pades_level"`
	} `json:"seal"`
	Record *struct {
		ID string `json:"id"`
	} `json:"record"`
}

func apiVerify(t *testing.T, c *client, pdf []byte) verifyJSON {
	t.Helper()
	status, body := c.upload("/api/v1/verify", "file", "doc.pdf", pdf)
	var v verifyJSON
	if err := json.Unmarshal([]byte(body), &v); err != nil || status != http.StatusOK {
		t.Fatalf("API verify: %d %.500s", status, body)
	}
	return v
}

// A PDF sealed by another certificate is "not sealed by this organisation",
// and tells nobody anything about the record its seal names, not even the
// record's own supervisee. A PDF with this organisation's intact seal that
// is not the copy in the file names its record only to those who may read
// it.
func TestVerifyForeignSealAndAccess(t *testing.T) {
	needs.Tools(t, "pdfsig")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	if r := pdfsigSays(t, pdf); r.Type != "ETSI.CAdES.detached" || r.Validation != "Signature is Valid." {
		t.Errorf("pdfsig on the signed PDF: %+v, want a valid ETSI.CAdES.detached (PAdES) seal", r)
	}
	reason := fmt.Sprintf("Record %s, version 1", rec.ID)

	other, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "c.pem"), filepath.Join(t.TempDir(), "k.pem"), "Elsewhere Borough Council")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.Seal(pdf, seal.Info{Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{p.supervisee, p.supervisor, p.admin} {
		status, page := c.upload("/verify", "file", "agreement.pdf", foreign)
		page = mainOf(page) // the header names who is signed in
		if status != http.StatusOK || !strings.Contains(page, "not sealed by this organisation") || strings.Contains(page, "True copy") ||
			strings.Contains(page, "Ahmed Khan") || strings.Contains(page, "Siân") || strings.Contains(page, "Supervision agreement,") || strings.Contains(page, rec.ID) {
			t.Errorf("verify page of a foreign seal: %d\n%s", status, page)
		}
		if _, body := c.upload("/api/v1/verify", "file", "agreement.pdf", foreign); strings.Contains(body, rec.ID) {
			t.Errorf("API verify of a foreign seal names the record id: %s", body)
		}
		v := apiVerify(t, c, foreign)
		if v.Record != nil || v.OwnSeal || v.TrueCopy || v.RecordWithheld || v.Seal.Trusted || !strings.Contains(v.Summary, "not sealed by this organisation") {
			t.Errorf("API verify of a foreign seal: %+v", v)
		}
		for _, d := range v.Details {
			if strings.Contains(d, "Ahmed Khan") || strings.HasPrefix(d, "Record") || strings.HasPrefix(d, "Signed by") {
				t.Errorf("API verify of a foreign seal gives a record detail: %q", d)
			}
		}
	}
	var out bytes.Buffer
	name := filepath.Join(t.TempDir(), "foreign.pdf")
	os.WriteFile(name, foreign, 0o600)
	getenv := cliEnv(m)
	if err := run(context.Background(), []string{"verify", name}, getenv, &out, io.Discard); err == nil ||
		!strings.Contains(out.String(), "not sealed by this organisation") || strings.Contains(out.String(), "Ahmed Khan") {
		t.Errorf("supfile verify of a foreign seal: %v\n%s", err, out.String())
	}

	// Our own certificate, resealed: intact and ours, not the stored copy.
	own, err := seal.LoadPEM(mustRead(t, filepath.Join(m.Config.DataDir, "seal", "cert.pem")),
		mustRead(t, filepath.Join(m.Config.DataDir, "seal", "key.pem")))
	if err != nil {
		t.Fatal(err)
	}
	resealed, err := own.Seal(pdf, seal.Info{Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	v := apiVerify(t, p.supervisee, resealed)
	if !v.OwnSeal || v.InFile || v.Record == nil || v.Record.ID != rec.ID || v.Seal.PAdESLevel != "B-B" {
		t.Errorf("own seal, not the stored copy, checked by the supervisee: %+v", v)
	}
	v = apiVerify(t, p.admin, resealed)
	if !v.OwnSeal || v.Record != nil || !v.RecordWithheld {
		t.Errorf("own seal checked by an administrator, who does not read records: %+v", v)
	}
	for _, d := range v.Details {
		if strings.Contains(d, "Ahmed Khan") || strings.Contains(d, rec.ID) {
			t.Errorf("an administrator is told a record detail: %q", d)
		}
	}
}

// A record with large tables makes a PDF far larger than verify's old
// limit (7 MB) and its floor (16 MB): a council's worker's details form with
// seven contact tables of 2,000 rows each (the most a table may have). Verify
// accepts it on the page, the API and the command line, because its limit
// is the largest PDF the service has made.
func TestVerifyLargeRecord(t *testing.T) {
	t.Parallel()
	builtin, err := fs.ReadFile(forms.Builtin(), "workers-details.yaml")
	if err != nil {
		t.Fatal(err)
	}
	council := strings.Replace(string(builtin), "version: 1\n", "version: 2\n", 1)
	start := strings.Index(council, "      - id: emergency_contacts\n")
	end := strings.Index(council, "\nrules:")
	if start < 0 || end < start {
		t.Fatal("workers-details.yaml has changed: no emergency_contacts table before its rules")
	}
	table := strings.Replace(council[start:end], "        kind: table\n", "        kind: table\n        max_rows: 2000\n", 1)
	tables := table
	const nTables, nRows = 7, 2000
	for i := 2; i <= nTables; i++ {
		tables += "\n" + strings.Replace(table, "id: emergency_contacts\n", fmt.Sprintf("id: emergency_contacts_%d\n", i), 1)
	}
	council = council[:start] + tables + council[end:]
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "workers-details.yaml"), []byte(council), 0o600); err != nil {
		t.Fatal(err)
	}
	m := startApp(t, map[string]string{"FORMS_DIR": dir})
	p := setUpTeam(t, m.URL)
	def, ok := m.svc.Forms().Get("workers-details")
	if !ok || def.Version != 2 {
		t.Fatal("the council's workers-details form is not loaded")
	}
	data := forms.Sample(def, p.supervisorID)
	for i := 1; i <= nTables; i++ {
		var rows []any
		for r := 0; r < nRows; r++ {
			rows = append(rows, map[string]any{"name": fmt.Sprintf("Contact number %d of a long list", r),
				"relationship": "Friend of the family", "phone": fmt.Sprintf("0115 %07d", r)})
		}
		id := "emergency_contacts"
		if i > 1 {
			id = fmt.Sprintf("emergency_contacts_%d", i)
		}
		data[id] = rows
	}
	var rec recordResp
	p.supervisee.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "workers-details", "data": data}, http.StatusCreated, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
		map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, &rec)
	pdf := p.supervisee.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	t.Logf("the record's PDF is %.1f MB", float64(len(pdf))/(1<<20))
	if len(pdf) <= 16<<20 {
		t.Fatalf("the record's PDF is %d bytes, want more than verify's 16 MB floor", len(pdf))
	}
	status, page := p.supervisee.upload("/verify", "file", "details.pdf", pdf)
	if status != http.StatusOK || !strings.Contains(page, "True copy") || !strings.Contains(page, rec.ID) {
		t.Errorf("verify page of the large record: %d\n%.2000s", status, page)
	}
	if v := apiVerify(t, p.supervisee, pdf); !v.TrueCopy || v.Record == nil || v.Record.ID != rec.ID {
		t.Errorf("API verify of the large record: %+v", v)
	}
	name := filepath.Join(t.TempDir(), "large.pdf")
	os.WriteFile(name, pdf, 0o600)
	var out bytes.Buffer
	getenv := cliEnv(m)
	if err := run(context.Background(), []string{"verify", name}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "true copy") {
		t.Errorf("supfile verify of the large record: %v\n%s", err, out.String())
	}
	// A file larger than any document is refused, saying the limit beside
	// the field; one far larger is refused before it is read (413).
	big := append(bytes.Clone(pdf), bytes.Repeat([]byte{' '}, 1024)...)
	status, page = p.supervisee.upload("/verify", "file", "big.pdf", big)
	if want := fmt.Sprintf("must be %d MB or smaller", (len(pdf)+(1<<20)-1)>>20); status != http.StatusUnprocessableEntity || !strings.Contains(page, want) {
		t.Errorf("verify of a file just larger than any document: %d, want 422 with %q\n%.1000s", status, want, mainOf(page))
	}
	huge := append(bytes.Clone(pdf), bytes.Repeat([]byte{' '}, 2<<20)...)
	status, page = p.supervisee.upload("/verify", "file", "huge.pdf", huge)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "too large") {
		t.Errorf("verify of a file far larger than any document: %d\n%.1000s", status, mainOf(page))
	}
}

// cliEnv is the environment of a supfile command run beside m, on its data.
func cliEnv(m *Main) func(string) string {
	env := map[string]string{
		"SUPFILE_DATA_DIR": m.Config.DataDir, "SUPFILE_ORG_NAME": "Testshire County Council",
		"SUPFILE_ADMIN_EMAIL": "admin@testshire.gov.uk", "SUPFILE_ADMIN_PASSWORD": "correct horse battery",
		"FORMS_DIR": m.Config.FormsDir,
	}
	return func(k string) string { return env[k] }
}

// mainOf is the page's <main> element, without the header and footer.
func mainOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return page
}
