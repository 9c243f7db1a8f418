package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/internal/clamdtest"
	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// testPDF is a small PDF, as far as its content says.
const testPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

type attachmentResp struct {
	ID, Name, Description, SHA256, URL string
	FileName                           string `json:"file_name"`
	ContentType                        string `json:"content_type"`
	Size                               int64
}

// upload posts a file to a record's attachments through the API, as
// multipart/form-data, and returns the status and the body.
func (c *client) attachUpload(path, fileName string, data []byte, fields map[string]string) (int, []byte) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileName != "" || data != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.base+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// attachOK attaches a file and decodes the answer.
func attachOK(t *testing.T, c *client, rid, fileName string, data []byte, name string) attachmentResp {
	t.Helper()
	status, raw := c.attachUpload("/api/v1/records/"+rid+"/attachments", fileName, data, map[string]string{"name": name, "description": "Used in supervision"})
	if status != http.StatusCreated {
		t.Fatalf("attach %s: status %d: %s", fileName, status, raw)
	}
	var a attachmentResp
	decodeJSON(t, raw, &a)
	return a
}

// signedWithAttachment signs an agreement with a PDF attached to it.
func signedWithAttachment(t *testing.T, p *people) (recordResp, attachmentResp) {
	t.Helper()
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	a := attachOK(t, p.supervisee, rec.ID, "reflective-tool.pdf", []byte(testPDF), "Reflective tool")
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("record not signed: %+v", rec)
	}
	return rec, a
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestAttachmentsAPI: attaching through the API with a real clamd, on
// SQLite and on PostgreSQL with MinIO (Object Lock): wrong types, EICAR,
// empty, odd and oversized uploads are clear 4xx answers, never a 500; the
// download is the file and is logged; someone else's record is a 404; the
// export zip holds the attachment with its hash.
func TestAttachmentsAPI(t *testing.T) {
	needs.Tools(t, "clamd", "PostgreSQL", "MinIO")
	t.Parallel()
	clam := clamdtest.Start(t)
	t.Run("sqlite", func(t *testing.T) {
		testAttachmentsAPI(t, map[string]string{"SUPFILE_CLAMD": clam.Address(), "SUPFILE_ATTACHMENT_MAX_MB": "1", "SUPFILE_ATTACHMENT_MAX_COUNT": "3"})
	})
	t.Run("postgres+minio", func(t *testing.T) {
		mio := miniotest.Start(t)
		env := with(productionEnv(t, mio, mio.NewBucket(t, true), pgtest.Schema(t)),
			"SUPFILE_CLAMD", clam.Address(), "SUPFILE_ATTACHMENT_MAX_MB", "1", "SUPFILE_ATTACHMENT_MAX_COUNT", "3")
		testAttachmentsAPI(t, env)
	})
}

func testAttachmentsAPI(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	path := "/api/v1/records/" + rec.ID + "/attachments"

	refused := func(who *client, fileName string, data []byte, status int, field, wants string) {
		t.Helper()
		got, raw := who.attachUpload(path, fileName, data, nil)
		var e apiErr
		decodeJSON(t, raw, &e)
		if got != status || (field != "" && !strings.Contains(fieldErr(e, field), wants)) || (field == "" && !strings.Contains(e.Error.Message, wants)) {
			t.Errorf("%s: status %d %s; want %d with %q", fileName, got, raw, status, wants)
		}
	}
	refused(p.supervisee, "letter.pdf", append([]byte("MZ\x90\x00\x03"), make([]byte, 200)...), 422, "file", "is a program")
	refused(p.supervisee, "eicar.pdf", []byte(clamdtest.EICAR), 422, "file", "contains a virus (Eicar-Test-Signature")
	refused(p.supervisee, "empty.pdf", []byte{}, 422, "file", "is empty")
	refused(p.supervisee, "notes.txt", []byte("plain words"), 422, "file", "must be a PDF")
	refused(p.supervisee, "big.pdf", append([]byte(testPDF), make([]byte, 1<<20)...), 422, "file", "smaller than 1 MB")
	// Not multipart at all, and a broken multipart body.
	p.supervisee.call("POST", path, map[string]any{"file": "x"}, http.StatusBadRequest, nil)
	req, _ := http.NewRequest("POST", m.URL+path, strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	if resp, err := p.supervisee.http.Do(req); err != nil || resp.StatusCode >= 500 {
		t.Errorf("cut-off multipart: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// A huge body is cut off at the limit, not read to its end.
	req, _ = http.NewRequest("POST", m.URL+path, io.LimitReader(zeroReader{}, 50<<20))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	if resp, err := p.supervisee.http.Do(req); err == nil {
		if resp.StatusCode >= 500 {
			t.Errorf("huge body: status %d", resp.StatusCode)
		}
		resp.Body.Close()
	}

	a := attachOK(t, p.supervisee, rec.ID, "Reflective tool.pdf", []byte(testPDF), "Reflective tool")
	if a.ContentType != "application/pdf" || a.SHA256 != sha256Hex([]byte(testPDF)) || a.FileName != "Reflective-tool.pdf" {
		t.Errorf("attachment = %+v", a)
	}
	png := attachOK(t, p.supervisor, rec.ID, "genogram.png", []byte("\x89PNG\r\n\x1a\nnot really a picture"), "Genogram")
	spare := attachOK(t, p.supervisor, rec.ID, "spare.png", []byte("\x89PNG\r\n\x1a\nspare"), "")
	if spare.Name != "spare.png" {
		t.Errorf("a file attached without a name is named %q", spare.Name)
	}
	refused(p.supervisor, "four.pdf", []byte(testPDF), 422, "file", "at most 3 attachments")
	p.supervisor.call("DELETE", path+"/"+spare.ID, nil, http.StatusNoContent, nil)
	p.supervisor.call("DELETE", path+"/"+spare.ID, nil, http.StatusNotFound, nil)

	// Someone else's record: the admin (no part in any file) and a member
	// of staff in another file get 404; an attachment id through another
	// record is a 404 too.
	other := addStaff(t, p.admin, "Nia Other", "nia.other@testshire.gov.uk", "Social Worker", "social_worker")
	_ = other
	nia := login(t, m.URL, "nia.other@testshire.gov.uk", "a long password 1")
	for _, c := range []*client{p.admin, nia} {
		c.call("GET", path, nil, http.StatusNotFound, nil)
		c.call("GET", path+"/"+a.ID, nil, http.StatusNotFound, nil)
		c.call("DELETE", path+"/"+a.ID, nil, http.StatusNotFound, nil)
		if got, _ := c.attachUpload(path, "x.pdf", []byte(testPDF), nil); got != http.StatusNotFound {
			t.Errorf("upload to someone else's record: %d", got)
		}
	}
	signed := signAgreement(t, p, "")
	p.supervisee.call("GET", "/api/v1/records/"+signed.ID+"/attachments/"+a.ID, nil, http.StatusNotFound, nil)

	var list struct {
		Attachments []attachmentResp
		CanChange   bool `json:"can_change"`
	}
	p.supervisee.call("GET", path, nil, http.StatusOK, &list)
	if len(list.Attachments) != 2 || list.Attachments[0].ID != a.ID || list.Attachments[1].ID != png.ID || !list.CanChange {
		t.Errorf("list = %+v", list)
	}

	// Signed: nothing changes any more; the download is the file, and logged.
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, &rec)
	refused(p.supervisor, "late.pdf", []byte(testPDF), 409, "", "attachments can no longer change")
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	p.supervisee.call("DELETE", path+"/"+a.ID, nil, http.StatusConflict, nil)
	before := logTotal(t, p.admin, p.superviseeID, "download-attachment")
	req, _ = http.NewRequest("GET", m.URL+path+"/"+a.ID, nil)
	resp, err := p.supervisor.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != testPDF || resp.Header.Get("X-Content-SHA256") != a.SHA256 ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "Reflective-tool.pdf") {
		t.Errorf("download: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	if after := logTotal(t, p.admin, p.superviseeID, "download-attachment"); after != before+1 {
		t.Errorf("download-attachment entries: %d then %d", before, after)
	}

	// The export zip holds both, with matching hashes.
	req, _ = http.NewRequest("GET", m.URL+"/api/v1/staff/"+p.superviseeID+"/export.zip?reason=Subject+access+request", nil)
	resp, err = p.admin.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatalf("export: %d %v", resp.StatusCode, err)
	}
	hashes := map[string]string{}
	var sums string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(f.Name, "/attachments/") {
			hashes[f.Name[strings.LastIndexByte(f.Name, '/')+1:]] = sha256Hex(b)
		}
		if strings.HasSuffix(f.Name, "SHA256SUMS") {
			sums = string(b)
		}
	}
	if hashes[a.ID+"-Reflective-tool.pdf"] != a.SHA256 || hashes[png.ID+"-genogram.png"] != png.SHA256 || len(hashes) != 2 {
		t.Errorf("export's attachments: %v", hashes)
	}
	if !strings.Contains(sums, a.SHA256+"  records/"+rec.ID+"/v1/attachments/"+a.ID+"-Reflective-tool.pdf") {
		t.Errorf("SHA256SUMS does not list the attachment:\n%s", sums)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestNoScannerStillRefusesPrograms: with no clamd configured, the admin
// page says so, and programs and archives are still refused.
func TestNoScannerStillRefusesPrograms(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("x")}, http.StatusCreated, &rec)
	for name, data := range map[string][]byte{
		"setup.pdf":   append([]byte("MZ\x90\x00"), make([]byte, 100)...),
		"archive.pdf": {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"tool.png":    []byte("\x7fELF\x02\x01\x01"),
	} {
		if got, raw := p.supervisor.attachUpload("/api/v1/records/"+rec.ID+"/attachments", name, data, nil); got != 422 {
			t.Errorf("%s: %d %s", name, got, raw)
		}
	}
	page := p.admin.call("GET", "/admin/staff", nil, http.StatusOK, nil)
	if !bytes.Contains(page, []byte("not checked for viruses: no virus scanner is configured")) {
		t.Errorf("the admin page does not say there is no virus scanner")
	}
}

func decodeJSON(t *testing.T, raw []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decode %s: %v", truncateForLog(raw), err)
	}
}
