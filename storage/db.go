package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/supervisionfile/supfile/supervision"
)

const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
)

// DB is the metadata store on SQLite or PostgreSQL.
type DB struct {
	// w takes every write. On SQLite it is a single connection: SQLite
	// allows one writer at a time anyway, and queueing writers in Go is
	// cheaper and fairer than letting them poll on SQLITE_BUSY.
	w *sql.DB
	// r takes reads. On SQLite it is a separate read-only pool, so reads
	// run beside a write (WAL); on PostgreSQL it is the same pool as w.
	r       *sql.DB
	dialect string
	// alog writes access log entries in batches (accesslog.go).
	alog accessAppender
	// jobs is what the job queue (River) runs on: on SQLite the writer w,
	// on PostgreSQL a pgx pool of its own (river.go).
	jobs jobsConn
}

var _ supervision.Store = (*DB)(nil)

// Open opens the metadata store named by the configuration: a postgres:// or
// postgresql:// URL selects PostgreSQL; an empty URL selects SQLite at
// dataDir/supfile.db, creating the folder. It does not migrate: call Migrate.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return OpenPostgres(ctx, databaseURL)
	case databaseURL != "":
		// Only the scheme: the rest may hold a password.
		scheme, _, _ := strings.Cut(databaseURL, ":")
		return nil, fmt.Errorf("database URL scheme %q is not supported: use postgres:// or leave it empty for the embedded database", scheme)
	}
	if dataDir == "" {
		return nil, errors.New("no data folder for the embedded database")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	return OpenSQLite(filepath.Join(dataDir, "supfile.db"))
}

// OpenSQLite opens (creating if need be) the SQLite database file at path.
func OpenSQLite(path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// A file: URI so that characters such as '?' or '#' in the path are
	// escaped rather than read as the start of the parameters.
	name := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	// busy_timeout still matters with one writer per DB: another process
	// (supfile migrate beside supfile serve) may hold the lock. Immediate
	// transactions take the write lock at BEGIN, so two transactions never
	// both read and then deadlock upgrading to write.
	wq := url.Values{"_pragma": {"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"}, "_txlock": {"immediate"}}
	w := openSQLite(name + "?" + wq.Encode())
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Connect now, before any reader, so that the file exists and is in
	// WAL mode (which persists in the file) when the readers open it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	rq := url.Values{"_pragma": {"busy_timeout(10000)", "query_only(1)"}}
	r := openSQLite(name + "?" + rq.Encode())
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	return &DB{w: w, r: r, dialect: dialectSQLite, jobs: jobsConn{sqlite: w}}, nil
}

// OpenPostgres connects to PostgreSQL at url (postgres://…). Parameters the
// driver does not know, such as search_path, are sent to the server as
// settings.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's parse errors leave out the password.
		return nil, fmt.Errorf("PostgreSQL URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	// Recycle connections so that a failover or a load balancer's change
	// of mind is picked up without a restart.
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d database %s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	pool, err := openJobsPool(ctx, url)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &DB{w: db, r: db, dialect: dialectPostgres, jobs: jobsConn{pool: pool}}, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return err
	}
	if db.r != db.w {
		return db.r.PingContext(ctx)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.alog.stop()
	if db.jobs.pool != nil {
		db.jobs.pool.Close()
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fail("begin transaction", err, messages{})
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fail("commit", err, messages{})
	}
	return nil
}

// execer is what both *sql.DB and *sql.Tx offer, so a helper can run inside
// or outside a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// exactlyOne reports whether a statement changed one row; anything else means
// its WHERE clause (a revision, a status) did not hold.
func exactlyOne(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// Messages for database errors caused by the caller's data. They reach
// users through the server's error pages, so they name no table or column.
type messages struct {
	conflict, notFound, invalid string
}

// fail wraps a database error from op. A constraint the caller's data broke
// becomes a domain error of the matching kind (with a safe message) that
// still wraps the driver's error for the log.
func fail(op string, err error, m messages) error {
	kind, msg := kindOf(err), ""
	switch kind {
	case supervision.ErrConflict:
		msg = cmpOr(m.conflict, "This was changed by someone else")
	case supervision.ErrNotFound:
		msg = cmpOr(m.notFound, "Something this refers to does not exist")
	case supervision.ErrInvalid:
		msg = cmpOr(m.invalid, "The data is not valid")
	case supervision.ErrUnavailable:
		msg = "The database cannot be reached"
	case supervision.ErrFull:
		msg = "The disk is full"
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s: %w: %w", op, supervision.Errorf(kind, "%s", msg), err)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// kindOf maps the constraint errors of both drivers to domain error kinds.
// A foreign key that points nowhere means the thing referred to was not
// found.
func kindOf(err error) error {
	if unreachable(err) {
		return supervision.ErrUnavailable
	}
	if errors.Is(err, syscall.ENOSPC) {
		return supervision.ErrFull
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return supervision.ErrConflict
		case "23503": // foreign_key_violation
			return supervision.ErrNotFound
		case "23502", "23514", "22P02", "22007", "22008", "22003", "22001":
			// not null, check, bad text for a type, bad date/time, out of range, too long
			return supervision.ErrInvalid
		case "53100": // disk_full
			return supervision.ErrFull
		}
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return supervision.ErrConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return supervision.ErrNotFound
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
			return supervision.ErrInvalid
		case sqlite3.SQLITE_FULL:
			return supervision.ErrFull
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return supervision.Errorf(supervision.ErrInvalid, format, args...)
}

func notFound(format string, args ...any) error {
	return supervision.Errorf(supervision.ErrNotFound, format, args...)
}

func conflict(format string, args ...any) error {
	return supervision.Errorf(supervision.ErrConflict, format, args...)
}

// unreachable reports whether err means the database could not be reached
// (stopped, restarting, the network down, or closed), rather than that it
// refused what was asked.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		// 57P01-03: admin shutdown, crash shutdown, cannot connect now;
		// class 08: connection exceptions.
		return pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || strings.HasPrefix(pe.Code, "08")
	case pgconn.SafeToRetry(err) && !strings.Contains(err.Error(), "conn busy"):
		// pgx's "conn closed": the server went away before anything of
		// this statement was sent (a restart cutting pooled connections).
		return true
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED):
		return true
	}
	// database/sql's own "sql: database is closed" has no sentinel.
	return strings.Contains(err.Error(), "sql: database is closed")
}
