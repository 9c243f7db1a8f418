package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.MailStore = (*DB)(nil)

// MailSent says whether the email with this key was settled: sent, or found
// to have nobody to go to.
func (db *DB) MailSent(ctx context.Context, key string) (bool, error) {
	var n int
	if err := db.read(ctx).QueryRowContext(ctx, `SELECT count(*) FROM mail_sent WHERE key = $1`, key).Scan(&n); err != nil {
		return false, fail("mail sent", err, messages{})
	}
	return n > 0, nil
}

// MarkMailSent records that the email with this key is settled, with a
// word on how ("sent", "left", …); marking it again changes nothing.
func (db *DB) MarkMailSent(ctx context.Context, key string, at time.Time, outcome string) error {
	if strings.TrimSpace(key) == "" || len(key) > 500 || outcome == "" {
		return invalid("A sent email needs a key of up to 500 characters and an outcome")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO mail_sent (key, sent_at, outcome) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING`, key, stamp(&at), outcome)
	if err != nil {
		return fail("mark mail sent", err, messages{})
	}
	return nil
}

// EmailOff says whether a member of staff switched their email
// notifications off.
func (db *DB) EmailOff(ctx context.Context, staffID string) (bool, error) {
	var n int
	if err := db.read(ctx).QueryRowContext(ctx, `SELECT count(*) FROM mail_off WHERE staff_id = $1`, staffID).Scan(&n); err != nil {
		return false, fail("email off", err, messages{})
	}
	return n > 0, nil
}

// SetEmailOff switches a member of staff's email notifications off or on.
func (db *DB) SetEmailOff(ctx context.Context, staffID string, off bool, at time.Time) error {
	var err error
	if off {
		_, err = db.w.ExecContext(ctx, `INSERT INTO mail_off (staff_id, since) VALUES ($1, $2) ON CONFLICT (staff_id) DO NOTHING`, staffID, stamp(&at))
	} else {
		_, err = db.w.ExecContext(ctx, `DELETE FROM mail_off WHERE staff_id = $1`, staffID)
	}
	if err != nil {
		return fail("set email off", err, messages{notFound: "No such member of staff"})
	}
	return nil
}

// insertOutbox writes the emails an event owes in the event's transaction;
// a key written already (the same event stored twice) changes nothing.
func insertOutbox(ctx context.Context, tx *sql.Tx, at time.Time, ns []supervision.Notice) error {
	for _, n := range ns {
		if strings.TrimSpace(n.Key) == "" || len(n.Key) > 500 {
			return invalid("An email owed needs a key of up to 500 characters")
		}
		raw, err := json.Marshal(n)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_outbox (key, notice, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO NOTHING`, n.Key, string(raw), stamp(&at)); err != nil {
			return fail("mail outbox", err, messages{})
		}
	}
	return nil
}

// Outbox lists the emails owed whose jobs may not be queued yet, oldest
// first, at most limit.
func (db *DB) Outbox(ctx context.Context, limit int) ([]supervision.Notice, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT notice FROM mail_outbox ORDER BY created_at, key LIMIT $1`, limit)
	if err != nil {
		return nil, fail("mail outbox", err, messages{})
	}
	defer rows.Close()
	var out []supervision.Notice
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fail("mail outbox", err, messages{})
		}
		var n supervision.Notice
		if err := json.Unmarshal([]byte(raw), &n); err != nil {
			return nil, fail("mail outbox", err, messages{})
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("mail outbox", err, messages{})
	}
	return out, nil
}

// ClearOutbox deletes the emails owed whose jobs are queued.
func (db *DB) ClearOutbox(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if _, err := db.w.ExecContext(ctx, `DELETE FROM mail_outbox WHERE key = $1`, k); err != nil {
			return fail("clear mail outbox", err, messages{})
		}
	}
	return nil
}
