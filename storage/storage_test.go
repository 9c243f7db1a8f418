package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/storage/blobtest"
	"github.com/supervisionfile/supfile/storage/storetest"
	"github.com/supervisionfile/supfile/supervision"
)

func TestSQLite(t *testing.T) {
	storetest.RunStoreTests(t, func(t *testing.T) *storage.DB { return newSQLite(t) })
}

func TestPostgres(t *testing.T) {
	storetest.RunStoreTests(t, func(t *testing.T) *storage.DB { return newPostgres(t) })
}

func TestLocalBlobs(t *testing.T) {
	dir := t.TempDir()
	b, err := storage.NewLocalBlobs(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	blobtest.RunBlobTests(t, b)
	t.Run("List", func(t *testing.T) { blobtest.RunListTests(t, b) })

	// What only the local folder can show: where the file is, its
	// permissions, and that no temporary file is left behind.
	key := "files/staff-1/records/rec-1/v1/supervision-agreement.pdf"
	if err := b.Put(t.Context(), key, []byte("pdf"), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "documents", filepath.FromSlash(key))
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatalf("the object is not at %s: %v", name, err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("file mode %v, want 0640", fi.Mode().Perm())
	}
	di, err := os.Stat(filepath.Dir(name))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm()&^0o750 != 0 {
		t.Errorf("folder mode %v, want at most 0750", di.Mode().Perm())
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	db, err := storage.Open(ctx, "", dir)
	if err != nil {
		t.Fatalf("Open with no URL: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "supfile.db")); err != nil {
		t.Errorf("no SQLite file in the data folder: %v", err)
	}

	if _, err := storage.Open(ctx, "mysql://user:secret@host/db", dir); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open of an unsupported URL = %v, want an error that does not show the password", err)
	}
	if _, err := storage.Open(ctx, "", ""); err == nil {
		t.Error("Open with no URL and no data folder succeeded")
	}

	// Both spellings of the PostgreSQL scheme.
	u := pgtest.Schema(t)
	for _, scheme := range []string{"postgres", "postgresql"} {
		pu, _ := url.Parse(u)
		pu.Scheme = scheme
		db, err := storage.Open(ctx, pu.String(), "")
		if err != nil {
			t.Fatalf("Open %s://: %v", scheme, err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Errorf("Ping %s://: %v", scheme, err)
		}
		db.Close()
	}
}

// TestMigrateConcurrently starts several instances at once on one database,
// as a rolling deploy does.
func TestMigrateConcurrently(t *testing.T) {
	open := map[string]func(t *testing.T) func() (*storage.DB, error){
		"sqlite": func(t *testing.T) func() (*storage.DB, error) {
			path := filepath.Join(t.TempDir(), "supfile.db")
			return func() (*storage.DB, error) { return storage.OpenSQLite(path) }
		},
		"postgres": func(t *testing.T) func() (*storage.DB, error) {
			u := pgtest.Schema(t)
			return func() (*storage.DB, error) { return storage.OpenPostgres(t.Context(), u) }
		},
	}
	for name, opener := range open {
		t.Run(name, func(t *testing.T) {
			openDB := opener(t)
			const n = 4
			dbs := make([]*storage.DB, n)
			for i := range dbs {
				db, err := openDB()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i, db := range dbs {
				wg.Go(func() { errs[i] = db.Migrate(t.Context()) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("concurrent Migrate: %v", err)
			}
			for _, db := range dbs {
				if _, err := db.CountStaff(t.Context()); err != nil {
					t.Errorf("after Migrate: %v", err)
				}
			}
		})
	}
}

func newSQLite(tb testing.TB) *storage.DB {
	tb.Helper()
	db, err := storage.OpenSQLite(filepath.Join(tb.TempDir(), "supfile.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return db
}

func newPostgres(tb testing.TB) *storage.DB {
	tb.Helper()
	u := pgtest.Schema(tb)
	db, err := storage.OpenPostgres(context.Background(), u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return db
}

func BenchmarkSaveDraft(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkSaveDraft(b, newSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkSaveDraft(b, newPostgres(b)) })
}

// benchmarkSaveDraft saves drafts of a fixed set of records from parallel
// goroutines, each reading the record first as the service does; a save that
// loses a race is counted, not failed.
func benchmarkSaveDraft(b *testing.B, db *storage.DB) {
	ctx := context.Background()
	const records = 32
	now := time.Now()
	people := make([]*supervision.Staff, 2)
	for i := range people {
		people[i] = &supervision.Staff{ID: fmt.Sprintf("staff-%d", i), Name: "Bench", Email: fmt.Sprintf("bench%d@example.org", i),
			Role: supervision.RoleSocialWorker, StartDate: now, CreatedAt: now}
		if err := db.CreateStaff(ctx, people[i]); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]string, records)
	for i := range ids {
		ids[i] = fmt.Sprintf("rec-%03d", i)
		r := &supervision.Record{ID: ids[i], StaffID: people[0].ID, FormID: "supervision-record", FormVersion: 1, Version: 1,
			Status: supervision.StatusDraft, Revision: 1, Data: []byte(`{}`), AuthorID: people[1].ID, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateRecord(ctx, r, supervision.Event{ActorID: people[1].ID, Action: "created"}); err != nil {
			b.Fatal(err)
		}
	}
	data := []byte(`{"date":"2026-03-02","discussion":"` + strings.Repeat("Case discussion. ", 100) + `","actions":[{"what":"Visit","by":"2026-03-09"}]}`)
	var next, conflicts atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := db.GetRecord(ctx, ids[next.Add(1)%records])
			if err != nil {
				b.Error(err)
				return
			}
			r.Data, r.UpdatedAt = data, time.Now()
			err = db.SaveDraft(ctx, r, supervision.Event{ActorID: people[1].ID, Action: "saved draft"})
			if errors.Is(err, supervision.ErrConflict) {
				conflicts.Add(1)
			} else if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/op")
}
