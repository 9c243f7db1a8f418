package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// RunAttachmentTests checks the AttachmentStore contract (issue 14).
func RunAttachmentTests(t *testing.T, newStore func(t *testing.T) *storage.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *storage.DB)
	}{
		{"Add, list, delete", testAttachments},
		{"Refused once signed", testAttachmentsFixed},
		{"At most max, under concurrency", testAttachmentsMax},
		{"Import, purge and delete draft", testAttachmentsImport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func newAttachment(r *supervision.Record, n int, at time.Time) *supervision.Attachment {
	id := fmt.Sprintf("%s-att-%02d", r.ID, n)
	return &supervision.Attachment{
		ID: id, RecordID: r.ID, Name: fmt.Sprintf("Worksheet %d", n), Description: "Used in the discussion",
		FileName: "worksheet.pdf", ContentType: "application/pdf", Size: int64(1000 + n),
		SHA256: strings.Repeat(fmt.Sprintf("%x", n%16), 64), Key: supervision.RecordPrefix(r.StaffID, r.ID, r.Version) + "attachments/" + id + "-worksheet.pdf",
		UploadedBy: r.AuthorID, UploadedAt: at,
	}
}

func testAttachments(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	sup, sw := newStaff(t, db, "Supervisor"), newStaff(t, db, "Worker")
	r := newRecord(t, db, sw, sup, "rec-att-1", base)
	other := newRecord(t, db, sw, sup, "rec-att-2", base)

	list, err := db.Attachments(ctx, r.ID)
	must(t, err, "Attachments")
	if list == nil || len(list) != 0 {
		t.Fatalf("no attachments: got %#v, want an empty list", list)
	}
	a1 := newAttachment(r, 1, base.Add(time.Hour+123456789*time.Nanosecond))
	a2 := newAttachment(r, 2, base.Add(2*time.Hour))
	a2.Description = ""
	must(t, db.AddAttachment(ctx, a1, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file", Detail: a1.Name}), "AddAttachment 1")
	must(t, db.AddAttachment(ctx, a2, 20, supervision.Event{ActorID: sw.ID, Action: "attached a file", Detail: a2.Name}), "AddAttachment 2")
	// The same id again, or the same key, is a conflict.
	dup := *a1
	wantKind(t, db.AddAttachment(ctx, &dup, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file"}), supervision.ErrConflict, "same attachment again")
	// A record that does not exist.
	ghost := newAttachment(&supervision.Record{ID: "no-such-record", StaffID: sw.ID, Version: 1}, 1, base)
	wantKind(t, db.AddAttachment(ctx, ghost, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file"}), supervision.ErrNotFound, "attachment to no record")

	list, err = db.Attachments(ctx, r.ID)
	must(t, err, "Attachments")
	diff(t, "attachments", []*supervision.Attachment{a1, a2}, list)
	if a1.UploadedAt.Nanosecond()%1000 != 0 {
		t.Errorf("UploadedAt %v was not normalised to what the database keeps", a1.UploadedAt)
	}
	if got, _ := db.Attachments(ctx, other.ID); len(got) != 0 {
		t.Errorf("another record lists %d attachments", len(got))
	}
	diff(t, "events", []string{"created", "attached a file", "attached a file"}, actions(t, db, r.ID))

	// Deleting: only this record's, and only once.
	wantKind(t, db.DeleteAttachment(ctx, other.ID, a1.ID, supervision.Event{ActorID: sup.ID, Action: "removed an attachment"}), supervision.ErrNotFound, "delete through another record")
	must(t, db.DeleteAttachment(ctx, r.ID, a1.ID, supervision.Event{ActorID: sup.ID, Action: "removed an attachment"}), "DeleteAttachment")
	wantKind(t, db.DeleteAttachment(ctx, r.ID, a1.ID, supervision.Event{ActorID: sup.ID, Action: "removed an attachment"}), supervision.ErrNotFound, "delete again")
	list, err = db.Attachments(ctx, r.ID)
	must(t, err, "Attachments")
	diff(t, "attachments after delete", []*supervision.Attachment{a2}, list)
	diff(t, "events", []string{"created", "attached a file", "attached a file", "removed an attachment"}, actions(t, db, r.ID))

	// The keys of the file include the attachments'.
	keys, err := db.FileDocumentKeys(ctx, sw.ID)
	must(t, err, "FileDocumentKeys")
	diff(t, "file keys", []string{a2.Key}, keys)
}

func testAttachmentsFixed(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	sup, sw := newStaff(t, db, "Supervisor"), newStaff(t, db, "Worker")
	r := newRecord(t, db, sw, sup, "rec-fixed", base)
	a1 := newAttachment(r, 1, base.Add(time.Hour))
	must(t, db.AddAttachment(ctx, a1, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file"}), "AddAttachment on a draft")
	submit(t, db, r)
	// Awaiting signatures, nobody has signed: it may still change.
	a2 := newAttachment(r, 2, base.Add(2*time.Hour))
	must(t, db.AddAttachment(ctx, a2, 20, supervision.Event{ActorID: sw.ID, Action: "attached a file"}), "AddAttachment awaiting signatures")
	must(t, db.AddSignature(ctx, &supervision.Signature{RecordID: r.ID, SignerID: sw.ID, Role: "supervisee", Name: "Worker",
		SignedAt: base.Add(3 * time.Hour), DataSHA256: "abc123"}, supervision.Event{ActorID: sw.ID, Action: "signed"}), "AddSignature")
	// Once someone has signed, it may not.
	a3 := newAttachment(r, 3, base.Add(4*time.Hour))
	wantKind(t, db.AddAttachment(ctx, a3, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file"}), supervision.ErrConflict, "add after a signature")
	wantKind(t, db.DeleteAttachment(ctx, r.ID, a1.ID, supervision.Event{ActorID: sup.ID, Action: "removed an attachment"}), supervision.ErrConflict, "delete after a signature")
	list, err := db.Attachments(ctx, r.ID)
	must(t, err, "Attachments")
	diff(t, "attachments kept", []*supervision.Attachment{a1, a2}, list)
	// Nor once it is signed.
	must(t, db.Finalize(ctx, r, documents(r), supervision.Event{ActorID: sup.ID, Action: "finalised"}), "Finalize")
	wantKind(t, db.AddAttachment(ctx, a3, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file"}), supervision.ErrConflict, "add when signed")
	wantKind(t, db.DeleteAttachment(ctx, r.ID, a2.ID, supervision.Event{ActorID: sup.ID, Action: "removed an attachment"}), supervision.ErrConflict, "delete when signed")
	// The refused changes left no events.
	got := actions(t, db, r.ID)
	slices.Sort(got)
	diff(t, "events", []string{"attached a file", "attached a file", "created", "finalised", "signed", "submitted"}, got)
}

func testAttachmentsMax(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	sup, sw := newStaff(t, db, "Supervisor"), newStaff(t, db, "Worker")
	r := newRecord(t, db, sw, sup, "rec-max", base)
	const max, tries = 5, 12
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.AddAttachment(ctx, newAttachment(r, i, base.Add(time.Duration(i)*time.Minute)), max,
				supervision.Event{ActorID: sup.ID, Action: "attached a file"})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			wantKind(t, err, supervision.ErrConflict, fmt.Sprintf("attachment %d", i))
		}
	}
	list, err := db.Attachments(ctx, r.ID)
	must(t, err, "Attachments")
	if ok != max || len(list) != max {
		t.Errorf("%d adds succeeded and %d are listed, want %d", ok, len(list), max)
	}
}

func testAttachmentsImport(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	sup, sw := newStaff(t, db, "Supervisor"), newStaff(t, db, "Worker")
	r := newRecord(t, db, sw, sup, "rec-import", base)
	a1, a2 := newAttachment(r, 1, base.Add(time.Hour)), newAttachment(r, 2, base.Add(2*time.Hour))
	must(t, db.ImportAttachments(ctx, []*supervision.Attachment{a1}), "ImportAttachments")
	// Again, with one more: the first is left as it is.
	changed := *a1
	changed.Name = "Changed"
	must(t, db.ImportAttachments(ctx, []*supervision.Attachment{&changed, a2}), "ImportAttachments again")
	must(t, db.ImportAttachments(ctx, nil), "ImportAttachments of none")
	list, err := db.Attachments(ctx, r.ID)
	must(t, err, "Attachments")
	diff(t, "imported", []*supervision.Attachment{a1, a2}, list)

	// Deleting the draft deletes its attachments' rows.
	must(t, db.DeleteDraft(ctx, r.ID), "DeleteDraft")
	if list, err := db.Attachments(ctx, r.ID); err != nil || len(list) != 0 {
		t.Errorf("after DeleteDraft: %d attachments, %v", len(list), err)
	}

	// Purging the file deletes the rest.
	r2 := newRecord(t, db, sw, sup, "rec-import-2", base)
	a3 := newAttachment(r2, 3, base.Add(time.Hour))
	must(t, db.AddAttachment(ctx, a3, 20, supervision.Event{ActorID: sup.ID, Action: "attached a file"}), "AddAttachment")
	keys, err := db.FileDocumentKeys(ctx, sw.ID)
	must(t, err, "FileDocumentKeys")
	diff(t, "file keys", []string{a3.Key}, keys)
	_, err = db.PurgeFile(ctx, sw.ID, base.AddDate(7, 0, 0))
	must(t, err, "PurgeFile")
	if list, err := db.Attachments(ctx, r2.ID); err != nil || len(list) != 0 {
		t.Errorf("after PurgeFile: %d attachments, %v", len(list), err)
	}
}
