package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// The HTTP fuzz targets send arbitrary bodies through the whole handler
// (routing, decoding, the service, SQLite, the pages) and hold it to the
// promise that bad input gets an answer, never a 500. `go test` runs the
// seeds in testdata/fuzz; bench/RESULTS.md records the -fuzz runs.

type fuzzApp struct {
	h      http.Handler
	token  string
	record string // a draft supervision agreement the supervisor may edit
}

func newFuzzApp(f *testing.F) *fuzzApp {
	f.Helper()
	ctx := context.Background()
	dir := f.TempDir()
	db, err := storage.OpenSQLite(filepath.Join(dir, "supfile.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	blobs, err := storage.NewLocalBlobs(filepath.Join(dir, "documents"))
	if err != nil {
		f.Fatal(err)
	}
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		f.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		f.Fatal(err)
	}
	svc := supervision.New(db, blobs, cat, r, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council", Location: time.UTC}, nil)
	if _, _, err := svc.People.EnsureAdmin(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		f.Fatal(err)
	}
	_, admin, err := svc.People.Login(ctx, "admin@testshire.gov.uk", "admin password 1")
	if err != nil {
		f.Fatal(err)
	}
	add := func(name, email, role string) *supervision.Staff {
		st, err := svc.People.CreateStaff(ctx, admin, supervision.NewStaff{Name: name, Email: email, JobTitle: "Social Worker",
			Role: role, StartDate: "2024-01-08", Password: "a long password"})
		if err != nil {
			f.Fatal(err)
		}
		return st
	}
	sup := add("Ahmed Khan", "ahmed@testshire.gov.uk", "team_manager")
	see := add("Siân Jones", "sian@testshire.gov.uk", "social_worker")
	if _, err := svc.Admin.SetSupervisor(ctx, admin, see.ID, sup.ID, "2025-01-06"); err != nil {
		f.Fatal(err)
	}
	def, _ := cat.Get("supervision-agreement")
	rec, err := svc.Records.StartRecord(ctx, sup, see.ID, def.ID, forms.Sample(def, sup.ID))
	if err != nil {
		f.Fatal(err)
	}
	token, _, err := svc.People.Login(ctx, "ahmed@testshire.gov.uk", "a long password")
	if err != nil {
		f.Fatal(err)
	}
	srv, err := New(svc, nil, Options{})
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzApp{h: srv.Handler(), token: token, record: rec.ID}
}

func (a *fuzzApp) do(method, path, ctype string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.AddCookie(&http.Cookie{Name: cookieName, Value: a.token})
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	return w
}

func (a *fuzzApp) must(t *testing.T, w *httptest.ResponseRecorder, what string) {
	t.Helper()
	if w.Code >= 500 {
		t.Fatalf("%s: %d\n%s", what, w.Code, w.Body)
	}
}

// revision is the draft's current revision, so a fuzzed save is checked
// rather than refused as stale.
func (a *fuzzApp) revision(t *testing.T) int {
	w := a.do("GET", "/api/v1/records/"+a.record, "", nil)
	var out struct {
		Revision int `json:"revision"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &out) != nil {
		t.Fatalf("read the draft: %d %s", w.Code, w.Body)
	}
	return out.Revision
}

// afterSave reads the draft back through the API and both pages: what was
// saved must show.
func (a *fuzzApp) afterSave(t *testing.T) {
	for _, p := range []string{"/api/v1/records/" + a.record, "/records/" + a.record, "/records/" + a.record + "/edit"} {
		a.must(t, a.do("GET", p, "", nil), "GET "+p)
	}
}

// FuzzSaveJSON: any body to the API's draft save.
func FuzzSaveJSON(f *testing.F) {
	a := newFuzzApp(f)
	f.Add([]byte(`{"supervisee_name":"Siân","times_per_year":13}`))
	f.Add([]byte(`{"actions":[{"action":"\u202e"}],"location":"漢字"}`))
	f.Add([]byte(`{"supervisee_aims":"😀\u0007","content":["casework",1,null],"every_weeks":1e999}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		body := fmt.Appendf(nil, `{"revision":%d,"data":%s}`, a.revision(t), data)
		w := a.do("PUT", "/api/v1/records/"+a.record, "application/json", body)
		a.must(t, w, "PUT draft")
		if w.Code == http.StatusOK {
			a.afterSave(t)
		}
		// The raw body too, whatever it is.
		a.must(t, a.do("PUT", "/api/v1/records/"+a.record, "application/json", data), "PUT raw body")
	})
}

// FuzzSavePage: any form post to the draft's edit page.
func FuzzSavePage(f *testing.F) {
	a := newFuzzApp(f)
	f.Add("supervisee_name=Si%C3%A2n&agreement_date=27%2F3%2F2026&times_per_year=13&content=casework")
	f.Add("action=add-row:planner&planner.0.date=1+2+2026&planner.999999999999.date=x")
	f.Add("action=remove-row:planner:-1&location=%E6%BC%A2&supervisee_aims=%E2%80%AEx")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if strings.Contains(v.Get("action"), "submit") {
			v.Del("action") // keep it a draft, so every run is checked
		}
		v.Set("_revision", fmt.Sprint(a.revision(t)))
		w := a.do("POST", "/records/"+a.record+"/edit", "application/x-www-form-urlencoded", []byte(v.Encode()))
		a.must(t, w, "POST edit page")
		if w.Code == http.StatusSeeOther {
			a.afterSave(t)
		}
	})
}

// FuzzVerify: any bytes to the verify page and API, raw and uploaded.
func FuzzVerify(f *testing.F) {
	a := newFuzzApp(f)
	f.Add([]byte("%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"))
	f.Add([]byte("%PDF-1.4\n/ByteRange [0 10 20 30] /Contents <3082>\nstartxref\n99999999999\n%%EOF"))
	f.Add([]byte("not a pdf"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		a.must(t, a.do("POST", "/api/v1/verify", "application/pdf", pdf), "POST /api/v1/verify")
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "record.pdf")
		fw.Write(pdf)
		mw.Close()
		a.must(t, a.do("POST", "/verify", mw.FormDataContentType(), b.Bytes()), "POST /verify")
	})
}
