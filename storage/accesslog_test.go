package storage_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/storage/storetest"
	"github.com/supervisionfile/supfile/supervision"
)

func TestSQLiteAccessLog(t *testing.T) {
	storetest.RunAccessLogTests(t, func(t *testing.T) *storage.DB { return newSQLite(t) })
	t.Run("append-only", func(t *testing.T) { testAppendOnly(t, newSQLite(t)) })
	t.Run("after close", func(t *testing.T) { testAppendAfterClose(t, newSQLite(t)) })
}

// testAppendAfterClose: once the store is closed an entry is refused as
// unavailable, not lost and not hung.
func testAppendAfterClose(t *testing.T, db *storage.DB) {
	e := &supervision.AccessEntry{ActorID: "a", Action: supervision.ActViewFile}
	if err := db.AppendAccess(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAccess(t.Context(), e); !errors.Is(err, supervision.ErrUnavailable) {
		t.Errorf("append after close: %v, want unavailable", err)
	}
}

func TestPostgresAccessLog(t *testing.T) {
	storetest.RunAccessLogTests(t, func(t *testing.T) *storage.DB { return newPostgres(t) })
	t.Run("append-only", func(t *testing.T) {
		db := newPostgres(t)
		testAppendOnly(t, db)
		defer testAppendAfterClose(t, newPostgres(t))
		if err := db.ExecRaw(t.Context(), `TRUNCATE access_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("TRUNCATE of the access log: err = %v, want it refused as append-only", err)
		}
	})
}

// testAppendOnly shows that the database itself refuses to change or
// remove an entry, whatever code asks.
func testAppendOnly(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	e := &supervision.AccessEntry{ActorID: "a", Action: supervision.ActViewFile, FileID: "f"}
	if err := db.AppendAccess(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE access_log SET actor_id = 'someone else'`,
		`DELETE FROM access_log`,
		`DELETE FROM access_log WHERE id = 1`,
	} {
		if err := db.ExecRaw(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want it refused as append-only", q, err)
		}
	}
	got, err := db.AccessEntries(ctx, supervision.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ActorID != "a" {
		t.Errorf("after refused changes the log holds %+v", got)
	}
}

// BenchmarkAppendAccess is what every logged read adds: one entry, from
// many requests at once.
func BenchmarkAppendAccess(b *testing.B) {
	for name, open := range map[string]func(testing.TB) *storage.DB{"sqlite": newSQLite, "postgres": newPostgres} {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			b.SetParallelism(16) // 32 requests at once on 2 cores
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					e := &supervision.AccessEntry{ActorID: "a", ActorName: "Ahmed Khan", ActorRole: "supervisor", Action: supervision.ActViewRecord,
						FileID: "f", RecordID: "r", IP: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"}
					if err := db.AppendAccess(b.Context(), e); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
