package storetest

import (
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testDocumentFailures: a record's documents failure is stored, replaced,
// read back as written and cleared; none is ErrNotFound.
func testDocumentFailures(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	r := newRecord(t, db, staff, author, "rec-1", base)

	_, err := db.DocumentsFailure(ctx, r.ID)
	wantKind(t, err, supervision.ErrNotFound, "DocumentsFailure before any")
	f := &supervision.DocumentsFailure{RecordID: r.ID, Reason: "making the PDF failed: index out of range", Attempts: 1,
		FailedAt: base.Add(time.Hour + 123456789), RetryAt: base.Add(time.Hour + 30*time.Second)}
	must(t, db.SetDocumentsFailure(ctx, f), "SetDocumentsFailure")
	got, err := db.DocumentsFailure(ctx, r.ID)
	must(t, err, "DocumentsFailure")
	diff(t, "failure", f, got)

	again := *f
	again.Attempts, again.RetryAt, again.Reason = 2, base.Add(2*time.Hour), "sealing the PDF failed: nil map"
	must(t, db.SetDocumentsFailure(ctx, &again), "SetDocumentsFailure again")
	got, err = db.DocumentsFailure(ctx, r.ID)
	must(t, err, "DocumentsFailure after the second")
	diff(t, "failure replaced", &again, got)

	ghost := again
	ghost.RecordID = "missing"
	wantKind(t, db.SetDocumentsFailure(ctx, &ghost), supervision.ErrNotFound, "SetDocumentsFailure of a missing record")
	wantKind(t, db.SetDocumentsFailure(ctx, &supervision.DocumentsFailure{RecordID: r.ID}), supervision.ErrInvalid, "SetDocumentsFailure without a reason")

	other := newRecord(t, db, staff, author, "rec-2", base)
	earlier := &supervision.DocumentsFailure{RecordID: other.ID, Reason: "sealing the PDF failed (nil map)", Attempts: 3,
		FailedAt: base, RetryAt: base.Add(time.Hour)}
	must(t, db.SetDocumentsFailure(ctx, earlier), "SetDocumentsFailure of another record")
	all, err := db.DocumentsFailures(ctx)
	must(t, err, "DocumentsFailures")
	diff(t, "all failures, oldest first", []*supervision.DocumentsFailure{earlier, &again}, all)
	must(t, db.ClearDocumentsFailure(ctx, other.ID), "ClearDocumentsFailure of the other")

	must(t, db.ClearDocumentsFailure(ctx, r.ID), "ClearDocumentsFailure")
	must(t, db.ClearDocumentsFailure(ctx, r.ID), "ClearDocumentsFailure of none")
	_, err = db.DocumentsFailure(ctx, r.ID)
	wantKind(t, err, supervision.ErrNotFound, "DocumentsFailure after clearing")
	all, err = db.DocumentsFailures(ctx)
	must(t, err, "DocumentsFailures when none")
	if len(all) != 0 {
		t.Errorf("DocumentsFailures after clearing: %d", len(all))
	}
}
