package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// DeleteSessions ends every session of a member of staff but keep.
func (db *DB) DeleteSessions(ctx context.Context, staffID, keep string) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2`, staffID, keep)
	if err != nil {
		return 0, fail("delete sessions", err, messages{})
	}
	return res.RowsAffected()
}

// PurgeCandidates are the leavers whose end date is before the date and
// whose file has not been purged yet.
func (db *DB) PurgeCandidates(ctx context.Context, endedBefore time.Time) ([]*supervision.Staff, error) {
	return db.queryStaff(ctx, "purge candidates", `SELECT `+staffColumns+` FROM staff s
		WHERE s.end_date IS NOT NULL AND s.end_date < $1 AND s.purged_at IS NULL ORDER BY s.end_date, s.name, s.id`, dayOf(endedBefore))
}

// FileDocumentKeys are the object keys of every document and attachment in
// a file.
func (db *DB) FileDocumentKeys(ctx context.Context, staffID string) ([]string, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT d.key FROM documents d JOIN records r ON r.id = d.record_id
		WHERE r.staff_id = $1
		UNION SELECT a.key FROM attachments a JOIN records r ON r.id = a.record_id WHERE r.staff_id = $1
		ORDER BY 1`, staffID)
	if err != nil {
		return nil, fail("file documents", err, messages{})
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fail("file documents", err, messages{})
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("file documents", err, messages{})
	}
	return keys, nil
}

// PurgeFile deletes a leaver's file from the database in one transaction.
// Their own row goes too unless something else still refers to it (a
// record they wrote or signed in another file, someone they supervised, or
// another table's reference), in which case it is kept, marked purged.
func (db *DB) PurgeFile(ctx context.Context, staffID string, now time.Time) (bool, error) {
	deleted := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE id = $1`, staffID).Scan(&n); err != nil {
			return fail("purge file", err, messages{})
		}
		if n == 0 {
			return notFound("No such member of staff")
		}
		for _, q := range []string{
			`DELETE FROM signatures WHERE record_id IN (SELECT id FROM records WHERE staff_id = $1)`,
			`DELETE FROM events WHERE record_id IN (SELECT id FROM records WHERE staff_id = $1)`,
			`DELETE FROM documents WHERE record_id IN (SELECT id FROM records WHERE staff_id = $1)`,
			`DELETE FROM record_parties WHERE record_id IN (SELECT id FROM records WHERE staff_id = $1)`,
			`DELETE FROM disagreement_responses WHERE record_id IN (SELECT id FROM records WHERE staff_id = $1)`,
			`DELETE FROM attachments WHERE record_id IN (SELECT id FROM records WHERE staff_id = $1)`,
			`DELETE FROM audit_assignments WHERE supervisee_id = $1`,
			`DELETE FROM records WHERE staff_id = $1`,
			`DELETE FROM relationships WHERE supervisee_id = $1`,
			`DELETE FROM sessions WHERE staff_id = $1`,
			`DELETE FROM login_throttle WHERE key = 'acct:' || $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, staffID); err != nil {
				return fail("purge file", err, messages{})
			}
		}
		// Try to delete the person; a reference from elsewhere keeps them.
		if _, err := tx.ExecContext(ctx, `SAVEPOINT purge_staff`); err != nil {
			return fail("purge file", err, messages{})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff WHERE id = $1`, staffID); err == nil {
			deleted = true
			_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT purge_staff`)
			if err != nil {
				return fail("purge file", err, messages{})
			}
			return nil
		} else if !errors.Is(kindOf(err), supervision.ErrNotFound) {
			return fail("purge file", err, messages{})
		}
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT purge_staff`); err != nil {
			return fail("purge file", err, messages{})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET purged_at = $1 WHERE id = $2`, ts(now), staffID); err != nil {
			return fail("purge file", err, messages{})
		}
		return nil
	})
	return deleted, err
}
