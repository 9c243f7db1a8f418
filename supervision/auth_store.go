package supervision

import (
	"context"
	"time"
)

// AuthStore is what sign-in, sessions, leavers and purge need from the
// metadata store beyond the core Store.
type AuthStore interface {
	// DeleteSessions ends every session of a member of staff except the one
	// whose token hash is keep ("" ends them all), and says how many ended.
	DeleteSessions(ctx context.Context, staffID, keep string) (int64, error)

	// Throttles returns the throttle rows for the keys that have one.
	Throttles(ctx context.Context, keys []string) (map[string]Throttle, error)
	// ThrottleFail counts a failed sign-in against key at now, starting the
	// count again when the last failure was before forgetBefore, and
	// returns the row as it now is.
	ThrottleFail(ctx context.Context, key string, now, forgetBefore time.Time) (Throttle, error)
	// ThrottleClear forgets the failures counted against key.
	ThrottleClear(ctx context.Context, key string) error
	// ThrottlePrune deletes rows whose last failure was before the time.
	ThrottlePrune(ctx context.Context, before time.Time) (int64, error)
	// ThrottleCount is how many throttle rows there are (for tests and
	// monitoring: it must stay small).
	ThrottleCount(ctx context.Context) (int, error)

	// PurgeCandidates are the leavers whose end date is before the date and
	// whose file has not been purged.
	PurgeCandidates(ctx context.Context, endedBefore time.Time) ([]*Staff, error)
	// FileDocumentKeys are the object keys of every document and attachment
	// in a file.
	FileDocumentKeys(ctx context.Context, staffID string) ([]string, error)
	// PurgeFile deletes a file's records (with their signatures, events and
	// documents rows), relationships as supervisee and sessions, in one
	// transaction. The person's own row goes too, unless other files still
	// name them, in which case it is marked purged. It reports whether the
	// row was deleted.
	PurgeFile(ctx context.Context, staffID string, now time.Time) (staffDeleted bool, err error)
}

// Throttle is the count of recent failed sign-ins for one key.
type Throttle struct {
	Key         string
	Failures    int
	LastFailure time.Time
}
