package supervision

import (
	"context"
	"errors"
	"time"
)

// systemActor is who the audit trail names for what the service does by
// itself, such as completing a record whose documents were delayed.
var systemActor = &Staff{ID: "system", Name: "Supervision File"}

// FinalizePending writes the documents of every record that all its signers
// have signed but whose documents could not be written when the last
// signature arrived (the document store was unreachable, say). It returns how
// many it completed and how many are still pending. It is the one way, other
// than Sign itself, that documents are written.
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
		if f := v.DocumentsFailed; f != nil && s.now().Before(f.RetryAt) {
			pending++ // crashed before: waits for its back-off
			continue
		}
		if v.Supervisor, err = s.CurrentSupervisor(ctx, r.StaffID); err != nil {
			return done, pending, err
		}
		if err := s.finalize(ctx, v, systemActor); err != nil {
			if !errors.As(err, new(*crashError)) { // logged by noteFailure
				s.log.Warn("documents still pending", "record", r.ID, "err", err)
			}
			pending++
			continue
		}
		s.log.Info("documents written after a delay", "record", r.ID)
		done++
	}
	return done, pending, nil
}

// minRetry is the first wait after documents could not be written.
const minRetry = time.Second

// NudgeRetry tells the background retry that documents are pending, so that
// it tries again within a second instead of at its next interval. It never
// blocks; while the retry is already backing off it changes nothing.
func (s *Service) NudgeRetry() {
	select {
	case s.retry <- struct{}{}:
	default:
	}
}

// RetryPending runs FinalizePending until ctx ends. While nothing is pending
// it looks every interval (and when nudged); while something is, it waits
// with back-off: one second, doubling, capped at interval and staying there
// until nothing is pending.
func (s *Service) RetryPending(ctx context.Context, interval time.Duration) {
	first := min(minRetry, interval)
	delay, backoff := interval, time.Duration(0)
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		var nudged <-chan struct{}
		if backoff == 0 {
			nudged = s.retry // idle: a nudge starts the back-off
		}
		select {
		case <-ctx.Done():
			return
		case <-nudged:
			backoff = first
			timer.Reset(backoff)
			continue
		case <-timer.C:
		}
		_, pending, err := s.FinalizePending(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("retrying pending documents", "err", err)
		}
		if err != nil || pending > 0 {
			backoff = nextBackoff(backoff, first, interval)
			delay = backoff
		} else {
			backoff, delay = 0, interval
		}
		timer.Reset(delay)
	}
}

// nextBackoff doubles the wait from first up to limit, and stays at limit.
func nextBackoff(cur, first, limit time.Duration) time.Duration {
	if cur <= 0 {
		return first
	}
	return min(2*cur, limit)
}
