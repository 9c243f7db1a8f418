package main

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGroupExportOverHTTP: a group record with a file attached, led by the
// supervisor and signed by three attendees, is in each attendee's export
// zip (GET /api/v1/staff/{id}/export.zip) with its documents and the
// attachment, each file's SHA-256 matching SHA256SUMS and the hashes the
// record and the upload gave.
func TestGroupExportOverHTTP(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	ids := []string{p.superviseeID,
		addStaff(t, p.admin, "Bea Lewis", "bea.lewis@testshire.gov.uk", "Social Worker", "social_worker"),
		addStaff(t, p.admin, "Cai Morgan", "cai.morgan@testshire.gov.uk", "Social Worker", "asye")}
	attendees := []*client{p.supervisee,
		login(t, m.URL, "bea.lewis@testshire.gov.uk", "a long password 1"),
		login(t, m.URL, "cai.morgan@testshire.gov.uk", "a long password 1")}
	names := []string{"Siân Gwŷnedd-Jones", "Bea Lewis", "Cai Morgan"}

	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.supervisorID+"/records", map[string]any{"form": "group-supervision", "data": map[string]any{
		"session_date": time.Now().Format(time.DateOnly), "lead_name": "Ahmed Khan", "focus": "case", "case_reference": "LL-1234567",
		"worried": "Neglect.", "working_well": "Grandmother helps.", "needs_to_happen": "A danger statement.",
	}}, http.StatusCreated, &rec)
	for _, id := range ids {
		p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/parties", map[string]any{"staff_id": id, "role": "attendee"}, http.StatusCreated, nil)
	}
	a := attachOK(t, p.supervisor, rec.ID, "mapping.pdf", []byte(testPDF), "The group's mapping")

	// Each attendee writes their own learning.
	for i, c := range attendees { // the first one's save is the first of the table
		c.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, &rec)
		rows, _ := rec.Data["learning"].([]any)
		if len(rows) != len(ids) {
			t.Fatalf("%s reads a draft with %d rows of learning, want one for each of the %d attendees", names[i], len(rows), len(ids))
		}
		for _, r := range rows {
			if cells := r.(map[string]any); cells["attendee"] == ids[i] {
				cells["learning"] = "What " + names[i] + " learnt"
			}
		}
		c.call("PUT", "/api/v1/records/"+rec.ID, map[string]any{"data": rec.Data, "revision": rec.Revision}, http.StatusOK, &rec)
		if got := learningOf(rec.Data, ids[i]); got != "What "+names[i]+" learnt" {
			t.Errorf("after %s saved, their learning reads %q", names[i], got)
		}
	}
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	for i, c := range attendees {
		c.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": names[i], "confirm": true}, http.StatusCreated, &rec)
	}
	if rec.Status != "signed" || len(rec.Signatures) != 4 || len(rec.Documents) == 0 {
		t.Fatalf("after everyone signed: %s, %d signatures, %d documents", rec.Status, len(rec.Signatures), len(rec.Documents))
	}

	for i, id := range ids {
		req, _ := http.NewRequest("GET", m.URL+"/api/v1/staff/"+id+"/export.zip?reason=Subject+access+request", nil)
		resp, err := p.admin.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		zipped, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
		if err != nil {
			t.Fatalf("%s's export: %d %v", names[i], resp.StatusCode, err)
		}
		hashes := map[string]string{} // file name → SHA-256 of its bytes
		var sums string
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if strings.HasSuffix(f.Name, "SHA256SUMS") {
				sums = string(b)
				continue
			}
			hashes[f.Name] = sha256Hex(b)
		}
		var docs, attached int
		for name, h := range hashes {
			if !strings.Contains(name, rec.ID) {
				continue
			}
			if !strings.Contains(sums, h) {
				t.Errorf("%s's export: %s (SHA-256 %s) is not in SHA256SUMS", names[i], name, h)
			}
			switch {
			case strings.Contains(name, "/attachments/"):
				attached++
				if h != a.SHA256 {
					t.Errorf("%s's export: the attachment's SHA-256 is %s, uploaded as %s", names[i], h, a.SHA256)
				}
			case strings.HasSuffix(name, ".pdf") || strings.HasSuffix(name, ".docx"):
				docs++
				var known bool
				for _, d := range rec.Documents {
					known = known || d.SHA256 == h
				}
				if !known {
					t.Errorf("%s's export: %s has SHA-256 %s, which no document of the record has", names[i], name, h)
				}
			}
		}
		if docs < 2 || attached != 1 {
			t.Errorf("%s's export holds %d of the group record's documents and %d attachments: %v", names[i], docs, attached, keysOf(hashes))
		}
	}
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// learningOf is the learning a group record's data holds for an attendee.
func learningOf(data map[string]any, id string) string {
	rows, _ := data["learning"].([]any)
	for _, r := range rows {
		if cells, _ := r.(map[string]any); cells["attendee"] == id {
			s, _ := cells["learning"].(string)
			return s
		}
	}
	return ""
}
