package supervision

import (
	"context"
	"time"
)

// systemActor is who the audit trail names for what the service does by
// itself, such as completing a record whose documents were delayed.
var systemActor = &Staff{ID: "system", Name: "Supervision File"}

// FinalizePending writes the documents of every record that all its signers
// have signed but whose documents could not be written when the last
// signature arrived (the document store was unreachable, say). It returns how
// many it completed and how many are still pending.
func (s *Service) FinalizePending(ctx context.Context) (done, pending int, err error) {
	recs, err := s.store.AwaitingSignatures(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return done, pending, err
		}
		v, err := s.view(ctx, r, nil)
		if err != nil {
			return done, pending, err
		}
		if !v.DocumentsPending {
			continue // still waiting for someone to sign
		}
		if v.Supervisor, err = s.CurrentSupervisor(ctx, r.StaffID); err != nil {
			return done, pending, err
		}
		if err := s.finalize(ctx, v, systemActor); err != nil {
			s.log.Warn("documents still pending", "record", r.ID, "err", err)
			pending++
			continue
		}
		s.log.Info("documents written after a delay", "record", r.ID)
		done++
	}
	return done, pending, nil
}

// RetryPending runs FinalizePending until ctx ends: every interval while
// nothing is pending, and with back-off from one second, doubling up to
// interval, while something is.
func (s *Service) RetryPending(ctx context.Context, interval time.Duration) {
	delay := interval
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		_, pending, err := s.FinalizePending(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("retrying pending documents", "err", err)
			fallthrough
		case pending > 0:
			if delay >= interval {
				delay = time.Second
			} else {
				delay = min(2*delay, interval)
			}
		default:
			delay = interval
		}
	}
}
