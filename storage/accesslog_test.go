package storage_test

import (
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/storage/storetest"
	"github.com/supervisionfile/supfile/supervision"
)

func TestSQLiteAccessLog(t *testing.T) {
	storetest.RunAccessLogTests(t, func(t *testing.T) *storage.DB { return newSQLite(t) })
	t.Run("append-only", func(t *testing.T) { testAppendOnly(t, newSQLite(t)) })
}

func TestPostgresAccessLog(t *testing.T) {
	storetest.RunAccessLogTests(t, func(t *testing.T) *storage.DB { return newPostgres(t) })
	t.Run("append-only", func(t *testing.T) {
		db := newPostgres(t)
		testAppendOnly(t, db)
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
