package supervision

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
)

// DocumentsFailure is why a fully signed record's documents could not be
// made: the renderer or the sealer crashed on it. Unlike a storage fault
// (documents pending, retried within seconds), a crash is not expected to
// pass by itself: the record is shown as "documents failed" with the reason,
// the crash is logged at ERROR once, and it is retried with a capped
// back-off (a fixed renderer, after an upgrade, then completes it).
type DocumentsFailure struct {
	RecordID string
	Reason   string // for people: what failed, without a stack trace
	Attempts int
	FailedAt time.Time // the first failure
	RetryAt  time.Time // not tried again before this
}

// FailureStore keeps the records whose documents failed.
type FailureStore interface {
	// SetDocumentsFailure stores f, replacing the record's earlier one.
	SetDocumentsFailure(ctx context.Context, f *DocumentsFailure) error
	// DocumentsFailure is a record's failure; ErrNotFound when there is none.
	DocumentsFailure(ctx context.Context, recordID string) (*DocumentsFailure, error)
	// ClearDocumentsFailure forgets a record's failure; none is no error.
	ClearDocumentsFailure(ctx context.Context, recordID string) error
	// DocumentsFailures lists every failure, oldest first.
	DocumentsFailures(ctx context.Context) ([]*DocumentsFailure, error)
}

// Failed documents are tried again after 30 seconds, then a minute, two...
// and at most every hour.
const (
	firstFailureRetry = 30 * time.Second
	maxFailureRetry   = time.Hour
)

// crashError is a panic in the renderer or the sealer, recovered.
type crashError struct {
	stage string // "rendering the PDF", "sealing the PDF"...
	value any
	stack []byte
}

func (e *crashError) Error() string { return fmt.Sprintf("%s crashed: %v", e.stage, e.value) }

// reason is what people are shown: the stage and the first line of what
// the library said, at most 200 characters.
func (e *crashError) reason() string {
	what, _, _ := strings.Cut(fmt.Sprint(e.value), "\n")
	if r := []rune(what); len(r) > 200 {
		what = string(r[:200]) + "…"
	}
	return e.stage + " failed (" + what + ")"
}

// guard runs fn, turning a panic into a *crashError, so that one record
// that crashes a library does not take the service down or wedge the retry.
func guard(stage string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &crashError{stage: stage, value: p, stack: debug.Stack()}
		}
	}()
	return fn()
}

// noteFailure records that making v's documents crashed, logs it (at ERROR
// the first time only) and sets v.DocumentsFailed.
func (s *Records) noteFailure(ctx context.Context, v *RecordView, crash *crashError) {
	now := s.now()
	f := v.DocumentsFailed
	if f == nil {
		f = &DocumentsFailure{RecordID: v.Record.ID, FailedAt: now}
	} else {
		copied := *f
		f = &copied
	}
	f.Attempts++
	f.Reason = crash.reason()
	f.RetryAt = now.Add(min(firstFailureRetry<<min(f.Attempts-1, 20), maxFailureRetry))
	if f.Attempts == 1 {
		s.log.Error("documents failed", "record", v.Record.ID, "reason", f.Reason, "stack", string(crash.stack))
	} else {
		s.log.Warn("documents failed again", "record", v.Record.ID, "attempts", f.Attempts, "reason", f.Reason)
	}
	if err := s.store.SetDocumentsFailure(ctx, f); err != nil {
		s.log.Warn("could not record the documents failure", "record", v.Record.ID, "err", err)
	}
	v.DocumentsFailed = f
}

// FailedRecord is a record whose documents failed, as the administrators
// are told of it: whose file, which form, and why.
type FailedRecord struct {
	Failure    *DocumentsFailure
	Record     *Record
	Supervisee *Staff
	FormTitle  string
}

// FailedDocuments lists the records whose documents failed, for the
// administrators; a record completed since is left out.
func (s *Records) FailedDocuments(ctx context.Context, actor *Staff) ([]*FailedRecord, error) {
	if actor == nil || !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can see records whose documents failed")
	}
	fs, err := s.store.DocumentsFailures(ctx)
	if err != nil {
		return nil, err
	}
	var out []*FailedRecord
	for _, f := range fs {
		r, err := s.store.GetRecord(ctx, f.RecordID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if r.Status != StatusAwaitingSignatures {
			continue
		}
		st, err := s.store.GetStaff(ctx, r.StaffID)
		if err != nil {
			return nil, err
		}
		fr := &FailedRecord{Failure: f, Record: r, Supervisee: st, FormTitle: r.FormID}
		if def, ok := s.forms.GetVersion(r.FormID, r.FormVersion); ok {
			fr.FormTitle = def.Title
		}
		out = append(out, fr)
	}
	return out, nil
}

// documentsFailure loads a pending record's failure, if any.
func (s *Records) documentsFailure(ctx context.Context, v *RecordView) error {
	if !v.DocumentsPending {
		return nil
	}
	f, err := s.store.DocumentsFailure(ctx, v.Record.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		v.DocumentsFailed = nil
	case err != nil:
		return err
	default:
		v.DocumentsFailed = f
	}
	return nil
}
