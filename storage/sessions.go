package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

// CreateSession stores a session; a token hash already in use is ErrConflict.
func (db *DB) CreateSession(ctx context.Context, s *supervision.Session) error {
	if s.TokenHash == "" {
		return invalid("A session needs a token")
	}
	if s.ExpiresAt.IsZero() {
		return invalid("A session needs an expiry time")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		s.TokenHash, s.StaffID, stamp(&s.CreatedAt), stamp(&s.ExpiresAt))
	if err != nil {
		return fail("create session", err, messages{conflict: "This session already exists", notFound: "No such member of staff"})
	}
	return nil
}

// GetSession returns the session if it has not expired by now; an expired
// session is ErrNotFound, the same as one that never existed, since to the
// caller both mean "sign in again".
func (db *DB) GetSession(ctx context.Context, tokenHash string, now time.Time) (*supervision.Session, error) {
	var s supervision.Session
	err := db.read(ctx).QueryRowContext(ctx, `SELECT token_hash, staff_id, created_at, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, ts(now)).
		Scan(&s.TokenHash, &s.StaffID, tsCol(&s.CreatedAt), tsCol(&s.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such session, or it has expired")
	}
	if err != nil {
		return nil, fail("get session", err, messages{})
	}
	return &s, nil
}

// SessionStaff returns the member of staff whose session tokenHash is, if
// it has not expired by now: GetSession and GetStaff in one query, as each
// request signs in. No such session, an expired one and one whose staff is
// gone are all ErrNotFound.
func (db *DB) SessionStaff(ctx context.Context, tokenHash string, now time.Time) (*supervision.Staff, error) {
	st, err := scanStaff(db.read(ctx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM sessions x JOIN staff s ON s.id = x.staff_id
		WHERE x.token_hash = $1 AND x.expires_at > $2`, tokenHash, ts(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such session, or it has expired")
	}
	if err != nil {
		return nil, fail("get session", err, messages{})
	}
	return st, nil
}

// DeleteSession ends a session. Ending one that does not exist is not an
// error, so signing out twice (two tabs) is harmless.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fail("delete session", err, messages{})
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now, which
// GetSession already ignores, so that the table does not grow forever.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, ts(now))
	if err != nil {
		return 0, fail("delete expired sessions", err, messages{})
	}
	return res.RowsAffected()
}
