package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// The schema differs between the databases only in its types, but keeping
// one file set per database lets each use its native ones (jsonb, DATE,
// timestamptz; STRICT tables) rather than the weakest common form.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// migrateLockKey is the pg_advisory_lock key that serialises Migrate across
// instances sharing a database: any constant will do as long as nothing
// else uses it ("supfile" in ASCII).
const migrateLockKey int64 = 0x737570666966

type migration struct {
	version string // the file name without .sql; applied in name order
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := path.Join("migrations", db.dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: strings.TrimSuffix(e.Name(), ".sql"), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate brings the schema up to date, applying each embedded migration not
// yet recorded in schema_migrations in its own transaction. Several instances
// may call it at once: on PostgreSQL they queue on an advisory lock; on
// SQLite on the database's write lock (transactions begin immediate).
func (db *DB) Migrate(ctx context.Context) (err error) {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	// One connection throughout, because PostgreSQL's advisory lock
	// belongs to the session that took it.
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	createTable := `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)`
	if db.dialect == dialectPostgres {
		createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
			return fmt.Errorf("wait for the migration lock: %w", err)
		}
		defer func() {
			// Unlock even if ctx is done; if that fails, discard the
			// connection, since closing the session is what frees the lock.
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, uerr := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, migrateLockKey); uerr != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, fmt.Errorf("release the migration lock: %w", uerr))
			}
		}()
	}
	// Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can
	// still collide on PostgreSQL.
	if _, err := conn.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.version, err)
		}
	}
	// The job queue's tables, by River's own migrator, still under the
	// lock on PostgreSQL. On SQLite the migrator needs the one writer
	// connection, so ours goes back to the pool first.
	if db.dialect == dialectSQLite {
		conn.Close()
	}
	if err := db.migrateJobs(ctx); err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	return nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, m migration) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	// Checked inside the transaction so that, on SQLite, a second
	// instance that waited for the write lock sees the first one's work.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return tx.Rollback()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.version, ts(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}
