package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// crashingRenderer panics while crash is set, as gofpdf did on some drawings.
type crashingRenderer struct {
	*render.Renderer
	crash atomic.Bool
}

func (c *crashingRenderer) PDF(ctx context.Context, d printout.Document) ([]byte, error) {
	if c.crash.Load() {
		panic("gofpdf: index out of range")
	}
	return c.Renderer.PDF(ctx, d)
}

// A record whose documents crashed the renderer says so, with the reason,
// in the API answer to the last signature, in a later read and on its page.
func TestDocumentsFailedShown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.OpenSQLite(filepath.Join(dir, "supfile.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := storage.NewLocalBlobs(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	rr, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &crashingRenderer{Renderer: rr}
	var offset atomic.Int64 // moves the service's clock on
	svc := supervision.New(db, blobs, cat, r, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council", Location: time.UTC,
		Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }}, nil)
	if _, _, err := svc.People.EnsureAdmin(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		t.Fatal(err)
	}
	_, admin, err := svc.People.Login(ctx, "admin@testshire.gov.uk", "admin password 1")
	if err != nil {
		t.Fatal(err)
	}
	add := func(name, email, role string) *supervision.Staff {
		st, err := svc.People.CreateStaff(ctx, admin, supervision.NewStaff{Name: name, Email: email, JobTitle: "Social Worker",
			Role: role, StartDate: "2024-01-08", Password: "a long password"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	sup := add("Ahmed Khan", "ahmed@testshire.gov.uk", "team_manager")
	see := add("Siân Jones", "sian@testshire.gov.uk", "social_worker")
	if _, err := svc.Admin.SetSupervisor(ctx, admin, see.ID, sup.ID, "2025-01-06"); err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-agreement")
	rec, err := svc.Records.StartRecord(ctx, sup, see.ID, def.ID, forms.Sample(def, sup.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Records.Submit(ctx, sup, rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Records.Sign(ctx, see, rec.ID, supervision.SignInput{Name: see.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.People.Login(ctx, "ahmed@testshire.gov.uk", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(svc, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.AddCookie(&http.Cookie{Name: cookieName, Value: token})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}

	r.crash.Store(true)
	w := do("POST", "/api/v1/records/"+rec.ID+"/signatures", `{"name":"Ahmed Khan","confirm":true}`)
	var out recordJSON
	if err := json.Unmarshal(w.Body.Bytes(), &out); w.Code != http.StatusCreated || err != nil {
		t.Fatalf("last signature: %d %s", w.Code, w.Body)
	}
	const reason = "making the PDF failed (gofpdf: index out of range)"
	if !out.DocumentsPending || out.DocumentsFailed == nil || out.DocumentsFailed.Reason != reason || out.DocumentsFailed.Attempts != 1 || len(out.Signatures) != 2 {
		t.Fatalf("answer to the last signature: %s", w.Body)
	}
	w = do("GET", "/api/v1/records/"+rec.ID, "")
	if !strings.Contains(w.Body.String(), `"documents_failed":{"reason":"`+reason+`"`) {
		t.Errorf("API read: %s", w.Body)
	}
	w = do("GET", "/records/"+rec.ID, "")
	page := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(page, "Signed, documents failed") || !strings.Contains(page, reason) {
		t.Errorf("record page: %d\n%s", w.Code, page)
	}
	// The administrators are told on their staff page; others may not look.
	adminToken, _, err := svc.People.Login(ctx, "admin@testshire.gov.uk", "admin password 1")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/admin/staff", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: adminToken})
	aw := httptest.NewRecorder()
	h.ServeHTTP(aw, req)
	if aw.Code != http.StatusOK || !strings.Contains(aw.Body.String(), "Signed records whose documents failed (1)") ||
		!strings.Contains(aw.Body.String(), rec.ID) || !strings.Contains(aw.Body.String(), reason) {
		t.Errorf("admin staff page: %d\n%s", aw.Code, aw.Body)
	}
	if _, err := svc.Records.FailedDocuments(ctx, sup); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("FailedDocuments for a supervisor: %v", err)
	}
	// Fixed: the retry completes it and the administrators' list is empty.
	r.crash.Store(false)
	offset.Store(int64(31 * time.Second))
	if done, pending, err := svc.Records.FinalizePending(ctx); err != nil || done != 1 || pending != 0 {
		t.Fatalf("retry after the fix: done %d pending %d err %v", done, pending, err)
	}
	if failed, err := svc.Records.FailedDocuments(ctx, admin); err != nil || len(failed) != 0 {
		t.Errorf("failed documents after the fix: %v %d", err, len(failed))
	}
}
