// Package pgtest gives each test its own empty schema on the PostgreSQL
// server CI starts (127.0.0.1:5432, database test), or on the one
// SUPFILE_TEST_DATABASE_URL names.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql

	"github.com/supervisionfile/supfile/internal/needs"
)

// defaultURL is where CI starts PostgreSQL.
const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL is the server tests use.
func URL() string {
	if u := os.Getenv("SUPFILE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultURL
}

// Schema creates an empty schema for one test, drops it when the
// test ends, and returns a URL whose connections use it (search_path), so
// tests run in parallel without seeing each other's rows. An unreachable
// server fails the test: CI starts one, and a skipped test would hide that
// it did not.
func Schema(tb testing.TB) string {
	tb.Helper()
	needs.Tools(tb, "PostgreSQL")
	raw := URL()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("SUPFILE_TEST_DATABASE_URL is not a URL: %v", err)
	}
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		tb.Fatalf("PostgreSQL URL %s: %v", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		tb.Fatalf("PostgreSQL is not reachable at %s: %v\n"+
			"The storage tests need a real PostgreSQL: start one there, or set SUPFILE_TEST_DATABASE_URL to one.", u.Redacted(), err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
