package storage

import (
	"context"
	"strings"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.MailStore = (*DB)(nil)

// MailSent says whether the email with this key was settled: sent, or found
// to have nobody to go to.
func (db *DB) MailSent(ctx context.Context, key string) (bool, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM mail_sent WHERE key = $1`, key).Scan(&n); err != nil {
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
