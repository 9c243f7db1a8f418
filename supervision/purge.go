package supervision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// BlobDeleter is a Blobs that can delete an object. Deleting a missing
// object is not an error. An object still under Object Lock is refused with
// a *LockedError.
type BlobDeleter interface {
	Delete(ctx context.Context, key string) error
}

// BlobRetention is a Blobs that can say until when an object is locked
// (zero time: not locked).
type BlobRetention interface {
	Retention(ctx context.Context, key string) (mode string, until time.Time, err error)
}

// LockedError is an object that cannot be deleted yet: Object Lock keeps it
// until Until.
type LockedError struct {
	Key   string
	Until time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is under Object Lock until %s", e.Key, e.Until.UTC().Format(time.RFC3339))
}

// PurgeItem is one leaver's file past its retention date.
type PurgeItem struct {
	Staff          *Staff
	RetentionUntil time.Time
	Keys           []string // the file's objects
	// LockedUntil is the latest Object Lock date among the objects when
	// it is still to come; the file cannot be purged before it.
	LockedUntil time.Time
	LockedKey   string
	// Done: the file was deleted (database rows and objects).
	Done bool
	// StaffKept: the person's own row was kept (marked purged) because
	// other files still name them.
	StaffKept bool
	Err       error
}

// PurgeDue lists the files past retention: leavers whose end date plus the
// retention period is before today, with their objects and any Object Lock
// still holding them.
func (s *Admin) PurgeDue(ctx context.Context) ([]*PurgeItem, error) {
	today := s.today()
	list, err := s.store.PurgeCandidates(ctx, today.AddDate(-s.cfg.RetentionYears, 0, 0))
	if err != nil {
		return nil, err
	}
	var out []*PurgeItem
	for _, st := range list {
		until := s.RetentionUntil(st)
		if until == nil || !until.Before(today) {
			continue
		}
		it := &PurgeItem{Staff: st, RetentionUntil: *until}
		if it.Keys, err = s.fileKeys(ctx, st.ID); err != nil {
			return nil, err
		}
		if err := s.checkLocks(ctx, it); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// fileKeys is every object of a file: those the database lists and any
// other under the file's prefix.
func (s *Admin) fileKeys(ctx context.Context, staffID string) ([]string, error) {
	keys, err := s.store.FileDocumentKeys(ctx, staffID)
	if err != nil {
		return nil, err
	}
	if l, ok := s.blobs.(BlobLister); ok {
		more, err := l.List(ctx, "files/"+staffID+"/")
		if err != nil {
			return nil, err
		}
		keys = append(keys, more...)
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

func (s *Admin) checkLocks(ctx context.Context, it *PurgeItem) error {
	r, ok := s.blobs.(BlobRetention)
	if !ok {
		return nil
	}
	now := s.now()
	for _, k := range it.Keys {
		_, until, err := r.Retention(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if until.After(now) && until.After(it.LockedUntil) {
			it.LockedUntil, it.LockedKey = until, k
		}
	}
	return nil
}

// Purge deletes every file past retention, objects first and then the
// database rows, so that an interrupted purge is finished by running it
// again. A file with an object still under Object Lock is left whole and
// reported with the date the lock ends.
func (s *Admin) Purge(ctx context.Context) ([]*PurgeItem, error) {
	items, err := s.PurgeDue(ctx)
	if err != nil {
		return nil, err
	}
	del, ok := s.blobs.(BlobDeleter)
	if !ok {
		return nil, errors.New("the document store cannot delete objects")
	}
	for _, it := range items {
		if !it.LockedUntil.IsZero() {
			continue
		}
		it.Err = s.purgeOne(ctx, del, it)
	}
	return items, nil
}

func (s *Admin) purgeOne(ctx context.Context, del BlobDeleter, it *PurgeItem) error {
	for _, k := range it.Keys {
		if err := del.Delete(ctx, k); err != nil {
			var le *LockedError
			if errors.As(err, &le) {
				it.LockedUntil, it.LockedKey = le.Until, le.Key
			}
			return err
		}
	}
	deleted, err := s.store.PurgeFile(ctx, it.Staff.ID, s.now())
	if err != nil {
		return err
	}
	it.Done, it.StaffKept = true, !deleted
	detail := fmt.Sprintf("%s (left %s, kept until %s): %d documents deleted", it.Staff.Name,
		it.Staff.EndDate.Format(time.DateOnly), it.RetentionUntil.Format(time.DateOnly), len(it.Keys))
	if err := s.logAccess(ctx, AccessEntry{Action: ActPurge, ActorName: "supfile purge", ActorRole: "command line", FileID: it.Staff.ID, Detail: detail}); err != nil {
		return err
	}
	s.log.Info("purged file", "staff", it.Staff.ID, "objects", len(it.Keys), "retention_until", it.RetentionUntil.Format(time.DateOnly))
	return nil
}
