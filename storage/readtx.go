package storage

import (
	"context"
	"database/sql"
)

// A command or a page makes a dozen small reads of one record (the record,
// who may see it, its signatures, documents, versions…). On SQLite each read
// on its own is an implicit transaction on a pooled connection: taking the
// connection and the WAL's read lock (fcntl on its shared memory) and
// letting them go again, about a tenth of a save's CPU under load.
// ReadTogether makes such reads share one read transaction on one
// connection. On PostgreSQL it does nothing: there a transaction would add
// two round trips (BEGIN, COMMIT) to save none.

// reader is what the read methods query: the read pool, or the read
// transaction a context carries.
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTxKey keys a read transaction in a context, by store, so that a
// context carrying one store's transaction never reaches another's.
type readTxKey struct{ db *DB }

// read returns where a read method queries: ctx's read transaction on this
// store, if it carries one, or the read pool.
func (db *DB) read(ctx context.Context) reader {
	if tx, ok := ctx.Value(readTxKey{db}).(*sql.Tx); ok {
		return tx
	}
	return db.r
}

// ReadTogether returns a context in which this store's reads share one read
// transaction (on SQLite), and the function that ends it, which the caller
// must call once its reads are done (and before it reads what it writes:
// the transaction sees the database as it was at its first read). Writes
// are unaffected: they go through the writer. If the transaction cannot be
// begun, the reads go through the pool as usual.
func (db *DB) ReadTogether(ctx context.Context) (context.Context, func()) {
	if db.dialect != dialectSQLite {
		return ctx, func() {}
	}
	if _, ok := ctx.Value(readTxKey{db}).(*sql.Tx); ok {
		return ctx, func() {} // already inside one
	}
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return ctx, func() {}
	}
	// Rollback: nothing was written (the read connections are query_only);
	// if ctx is cancelled first, database/sql has rolled it back already.
	return context.WithValue(ctx, readTxKey{db}, tx), func() { tx.Rollback() }
}
