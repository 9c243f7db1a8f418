package server

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenPages keeps the edit page of every built-in form, as it first
// opens (prefilled), in testdata/golden/<form>.html: a change to a definition, a
// template or the field markup shows up as a diff to review. Run with
// -update to accept it. Generated ids are replaced by fixed names.
func TestGoldenPages(t *testing.T) {
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
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := supervision.New(db, blobs, cat, r, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council", Location: time.UTC,
		Now: func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }}, nil)
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
	see := add("Siân Gwŷnedd-Jones", "sian@testshire.gov.uk", "social_worker")
	if _, err := svc.Admin.SetSupervisor(ctx, admin, see.ID, sup.ID, "2025-01-06"); err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.People.Login(ctx, "ahmed@testshire.gov.uk", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	seeToken, _, err := svc.People.Login(ctx, "sian@testshire.gov.uk", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	// The file audit is started by an auditor assigned to the file.
	aud := add("Grace Okafor", "grace@testshire.gov.uk", "team_manager")
	audToken, _, err := svc.People.Login(ctx, "grace@testshire.gov.uk", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Admin.AssignAuditor(ctx, admin, supervision.AuditInput{SuperviseeID: see.ID, AuditorID: aud.ID, Due: "2026-04-30"}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(svc, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	nonce := regexp.MustCompile(`nonce="[^"]*"`)
	for _, def := range cat.List() {
		if def.Generated {
			continue // the service fills it in: there is no edit page
		}
		t.Run(def.ID, func(t *testing.T) {
			// Prefilled as its author meets it: the supervisor, or the
			// supervisee for a form that is theirs alone.
			author, authorToken := sup, token
			if !supervision.Writes(def, "supervisor") {
				author, authorToken = see, seeToken
			}
			if supervision.IsAudit(def) {
				author, authorToken = aud, audToken
			}
			file := see.ID
			if supervision.IsGroup(def) {
				file = sup.ID // the lead starts it in their own file
			}
			rec, err := svc.Records.StartRecord(ctx, author, file, def.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/records/"+rec.ID+"/edit", nil)
			req.AddCookie(&http.Cookie{Name: cookieName, Value: authorToken})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("GET edit page: %d", w.Code)
			}
			body, _ := io.ReadAll(w.Body)
			page := strings.NewReplacer(rec.ID, "RECORD-ID", see.ID, "SUPERVISEE-ID", sup.ID, "SUPERVISOR-ID", admin.ID, "ADMIN-ID", aud.ID, "AUDITOR-ID").Replace(string(body))
			page = nonce.ReplaceAllString(page, `nonce="NONCE"`)
			golden := filepath.Join("testdata", "golden", def.ID+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o750); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(page), 0o640); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./server -run TestGoldenPages -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), page); diff != "" {
				t.Errorf("%s changed (-golden +now); if this is intended, run with -update:\n%s", golden, diff)
			}
		})
	}
}
