package supervision

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// systemActor is who the audit trail names for what the service does by
// itself, such as completing a record whose documents were delayed.
var systemActor = &Staff{ID: "system", Name: "Supervision File"}

// Jobs is the durable queue the domain hands work to, to be done later by
// any instance of the service, surviving a restart. Package jobs is the
// implementation (River, on the same database as the store).
type Jobs interface {
	// FinishLater asks for the documents of a fully signed record to be
	// written (FinishDocuments) at or after at, and again with back-off
	// while that fails. Asking again for a record already queued changes
	// nothing.
	FinishLater(ctx context.Context, recordID string, at time.Time) error
}

// minRetry is the first wait after documents could not be written.
const minRetry = time.Second

// RetryLaterError says that a record's documents failed (the renderer or
// the sealer crashed on it) and are not to be tried again before At: the
// failure's own capped back-off, shown to the administrators.
type RetryLaterError struct {
	RecordID string
	At       time.Time
	Reason   string
}

func (e *RetryLaterError) Error() string {
	return fmt.Sprintf("documents of record %s failed (%s); next try at %s", e.RecordID, e.Reason, e.At.Format(time.RFC3339))
}

// FinishDocuments writes the documents of one record that all its signers
// have signed but whose documents could not be written when the last
// signature arrived (the document store was unreachable, say). It is the
// finish job's work, and the one way, other than Sign itself, that
// documents are written. It returns nil once they are written, or when
// there is nothing to do (the record is complete, not yet signed by all,
// or gone); a *RetryLaterError while a crash's back-off runs; any other
// error means "try again soon".
func (s *Records) FinishDocuments(ctx context.Context, recordID string) error {
	r, err := s.store.GetRecord(ctx, recordID)
	if errors.Is(err, ErrNotFound) {
		return nil // purged since
	}
	if err != nil {
		return err
	}
	_, err = s.finishOne(ctx, r)
	return err
}

// finishOne finishes one record if its documents are pending; done says
// whether it wrote them.
func (s *Records) finishOne(ctx context.Context, r *Record) (done bool, err error) {
	if r.Status != StatusAwaitingSignatures {
		return false, nil
	}
	v, err := s.view(ctx, r, nil)
	if err != nil {
		return false, err
	}
	if !v.DocumentsPending {
		return false, nil // still waiting for someone to sign
	}
	if f := v.DocumentsFailed; f != nil && s.now().Before(f.RetryAt) {
		// crashed before: waits for its back-off
		return false, &RetryLaterError{RecordID: r.ID, At: f.RetryAt, Reason: f.Reason}
	}
	if v.Supervisor, err = s.CurrentSupervisor(ctx, r.StaffID); err != nil {
		return false, err
	}
	if err := s.finalize(ctx, v, systemActor); err != nil {
		if errors.As(err, new(*crashError)) && v.DocumentsFailed != nil { // logged by noteFailure
			f := v.DocumentsFailed
			return false, &RetryLaterError{RecordID: r.ID, At: f.RetryAt, Reason: f.Reason}
		}
		s.log.Warn("documents still pending", "record", r.ID, "err", err)
		return false, err
	}
	s.log.Info("documents written after a delay", "record", r.ID)
	return true, nil
}

// PendingDocuments lists the records all their signers have signed whose
// documents are not written yet. The queue's periodic sweep asks for each
// to be finished, so that a record whose finish job was never queued (the
// process died between the signature and the queue) is finished too.
func (s *Records) PendingDocuments(ctx context.Context) ([]string, error) {
	recs, err := s.store.AwaitingSignatures(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range recs {
		v, err := s.view(ctx, r, nil)
		if err != nil {
			return nil, err
		}
		if v.DocumentsPending {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

// FinalizePending tries to finish every pending record now, ignoring none
// but those whose crash back-off still runs. It returns how many it
// completed and how many are still pending. The service itself finishes
// records through the queue (FinishDocuments); this is for tests and tools.
func (s *Records) FinalizePending(ctx context.Context) (done, pending int, err error) {
	recs, err := s.store.AwaitingSignatures(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return done, pending, err
		}
		ok, err := s.finishOne(ctx, r)
		switch {
		case ok:
			done++
		case err != nil:
			pending++
		}
	}
	return done, pending, nil
}

// finishLater queues the finishing of a record whose documents could not
// be written at its last signature. If even the queue cannot be reached,
// the periodic sweep queues it later.
func (s *Records) finishLater(ctx context.Context, v *RecordView) {
	if s.cfg.Jobs == nil {
		s.log.Warn("no job queue: documents stay pending until the service is restarted with one", "record", v.Record.ID)
		return
	}
	at := s.now().Add(minRetry)
	if f := v.DocumentsFailed; f != nil {
		at = f.RetryAt
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.cfg.Jobs.FinishLater(ctx, v.Record.ID, at); err != nil {
		s.log.Warn("could not queue the finishing of the documents; the periodic sweep will", "record", v.Record.ID, "err", err)
	}
}
