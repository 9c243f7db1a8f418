package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// jobsConn is what the job queue (River, package jobs) runs on, in the
// same database as everything else: its tables (river_job, river_leader,
// river_queue…) are made by River's own migrator from Migrate.
type jobsConn struct {
	// sqlite is the writer: River's SQLite driver wants one connection,
	// and sharing ours queues its writes with the service's in Go rather
	// than on SQLITE_BUSY.
	sqlite *sql.DB
	// pool is a pgx pool, which River's PostgreSQL driver needs (it uses
	// LISTEN/NOTIFY on one of its connections).
	pool *pgxpool.Pool
}

func openJobsPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL URL: %w", err)
	}
	cfg.MaxConns = 5
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect the job queue to PostgreSQL: %w", err)
	}
	return pool, nil
}

// JobsSQLite is the connection the job queue uses on SQLite; nil on
// PostgreSQL.
func (db *DB) JobsSQLite() *sql.DB { return db.jobs.sqlite }

// JobsPool is the pool the job queue uses on PostgreSQL; nil on SQLite.
func (db *DB) JobsPool() *pgxpool.Pool { return db.jobs.pool }

// migrateJobs brings River's tables up to date with its own migrator.
func (db *DB) migrateJobs(ctx context.Context) error {
	var err error
	if db.jobs.pool != nil {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(db.jobs.pool), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		// In one transaction, which on SQLite begins by taking the write
		// lock: instances migrating at once queue there, and each then sees
		// what the one before it applied.
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(db.jobs.sqlite), nil); err != nil {
			return err
		}
		var tx *sql.Tx
		if tx, err = db.jobs.sqlite.BeginTx(ctx, nil); err != nil {
			return err
		}
		//lint:ignore SA1019 one transaction on purpose (above); River's migrations to date all run in one
		if _, err = m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
			tx.Rollback()
			return err
		}
		err = tx.Commit()
	}
	return err
}
