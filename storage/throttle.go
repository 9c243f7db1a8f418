package storage

import (
	"context"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

// Throttles returns the throttle rows for the keys that have one.
func (db *DB) Throttles(ctx context.Context, keys []string) (map[string]supervision.Throttle, error) {
	out := make(map[string]supervision.Throttle, len(keys))
	for _, k := range keys {
		var t supervision.Throttle
		err := db.read(ctx).QueryRowContext(ctx, `SELECT key, failures, last_failure FROM login_throttle WHERE key = $1`, k).
			Scan(&t.Key, &t.Failures, tsCol(&t.LastFailure))
		if err == nil {
			out[k] = t
			continue
		}
		if isNoRows(err) {
			continue
		}
		return nil, fail("get throttle", err, messages{})
	}
	return out, nil
}

// ThrottleFail counts one failure against key, in one statement so that
// instances sharing the database count together.
func (db *DB) ThrottleFail(ctx context.Context, key string, now, forgetBefore time.Time) (supervision.Throttle, error) {
	t := supervision.Throttle{Key: key}
	if key == "" || len(key) > 300 {
		return t, invalid("A throttle key must be 1 to 300 characters")
	}
	err := db.w.QueryRowContext(ctx, `INSERT INTO login_throttle (key, failures, last_failure) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttle.last_failure < $3 THEN 1 ELSE login_throttle.failures + 1 END,
			last_failure = excluded.last_failure
		RETURNING failures, last_failure`, key, ts(now), ts(forgetBefore)).
		Scan(&t.Failures, tsCol(&t.LastFailure))
	if err != nil {
		return t, fail("count failed sign-in", err, messages{})
	}
	return t, nil
}

// ThrottleClear forgets the failures counted against key.
func (db *DB) ThrottleClear(ctx context.Context, key string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key); err != nil {
		return fail("clear throttle", err, messages{})
	}
	return nil
}

// ThrottlePrune deletes rows whose last failure was before the time.
func (db *DB) ThrottlePrune(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM login_throttle WHERE last_failure < $1`, ts(before))
	if err != nil {
		return 0, fail("prune throttle", err, messages{})
	}
	return res.RowsAffected()
}

// ThrottleCount is how many throttle rows there are.
func (db *DB) ThrottleCount(ctx context.Context) (int, error) {
	var n int
	if err := db.read(ctx).QueryRowContext(ctx, `SELECT count(*) FROM login_throttle`).Scan(&n); err != nil {
		return 0, fail("count throttle", err, messages{})
	}
	return n, nil
}
