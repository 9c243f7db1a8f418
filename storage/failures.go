package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.FailureStore = (*DB)(nil)

// SetDocumentsFailure stores a record's documents failure, replacing the
// one before it.
func (db *DB) SetDocumentsFailure(ctx context.Context, f *supervision.DocumentsFailure) error {
	if f.RecordID == "" || f.Reason == "" || f.Attempts < 1 {
		return invalid("A documents failure needs a record, a reason and a count of attempts")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO document_failures (record_id, reason, attempts, failed_at, retry_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (record_id) DO UPDATE SET reason = excluded.reason, attempts = excluded.attempts,
			failed_at = excluded.failed_at, retry_at = excluded.retry_at`,
		f.RecordID, f.Reason, f.Attempts, stamp(&f.FailedAt), stamp(&f.RetryAt))
	if err != nil {
		return fail("set documents failure", err, messages{notFound: "No such record"})
	}
	return nil
}

// DocumentsFailure returns a record's documents failure, or ErrNotFound.
func (db *DB) DocumentsFailure(ctx context.Context, recordID string) (*supervision.DocumentsFailure, error) {
	f := supervision.DocumentsFailure{RecordID: recordID}
	err := db.read(ctx).QueryRowContext(ctx, `SELECT reason, attempts, failed_at, retry_at FROM document_failures WHERE record_id = $1`, recordID).
		Scan(&f.Reason, &f.Attempts, tsCol(&f.FailedAt), tsCol(&f.RetryAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("The record's documents have not failed")
	}
	if err != nil {
		return nil, fail("documents failure", err, messages{})
	}
	return &f, nil
}

// DocumentsFailures lists every documents failure, oldest first.
func (db *DB) DocumentsFailures(ctx context.Context) ([]*supervision.DocumentsFailure, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT record_id, reason, attempts, failed_at, retry_at FROM document_failures
		ORDER BY failed_at, record_id`)
	if err != nil {
		return nil, fail("documents failures", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.DocumentsFailure
	for rows.Next() {
		var f supervision.DocumentsFailure
		if err := rows.Scan(&f.RecordID, &f.Reason, &f.Attempts, tsCol(&f.FailedAt), tsCol(&f.RetryAt)); err != nil {
			return nil, fail("documents failures", err, messages{})
		}
		list = append(list, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("documents failures", err, messages{})
	}
	return list, nil
}

// ClearDocumentsFailure forgets a record's documents failure.
func (db *DB) ClearDocumentsFailure(ctx context.Context, recordID string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM document_failures WHERE record_id = $1`, recordID); err != nil {
		return fail("clear documents failure", err, messages{})
	}
	return nil
}
