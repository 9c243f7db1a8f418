package storetest

import (
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testAccess: people named on records, cover arrangements and audit
// assignments (supervision.AccessStore).
func testAccess(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	sup, see, obs, other := newStaff(t, db, "Supervisor"), newStaff(t, db, "Supervisee"), newStaff(t, db, "Observer"), newStaff(t, db, "Other")
	r := newRecord(t, db, see, sup, "rec-access-1", base)

	// record_parties: named once per role, listed, found from the person.
	p := &supervision.RecordParty{RecordID: r.ID, StaffID: obs.ID, Role: "observer", AddedBy: sup.ID, AddedAt: base.Add(time.Second)}
	must(t, db.AddRecordParty(ctx, p), "AddRecordParty")
	must(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: r.ID, StaffID: obs.ID, Role: "observer", AddedAt: base}), "AddRecordParty again")
	must(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: r.ID, StaffID: other.ID, Role: "senior_manager", AddedBy: sup.ID, AddedAt: base.Add(2 * time.Second)}), "AddRecordParty senior manager")
	wantKind(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: "no-such-record", StaffID: obs.ID, Role: "observer", AddedAt: base}), supervision.ErrNotFound, "AddRecordParty to no record")
	wantKind(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: r.ID, StaffID: obs.ID, Role: "", AddedAt: base}), supervision.ErrInvalid, "AddRecordParty with no role")
	got, err := db.RecordParties(ctx, r.ID)
	must(t, err, "RecordParties")
	diff(t, "RecordParties", []*supervision.RecordParty{p,
		{RecordID: r.ID, StaffID: other.ID, Role: "senior_manager", AddedBy: sup.ID, AddedAt: base.Add(2 * time.Second)}}, got)
	recs, err := db.PartyRecords(ctx, obs.ID, "")
	must(t, err, "PartyRecords")
	if len(recs) != 1 || recs[0].ID != r.ID {
		t.Errorf("PartyRecords(observer) = %v", recs)
	}
	if recs, _ := db.PartyRecords(ctx, obs.ID, "senior_manager"); len(recs) != 0 {
		t.Errorf("PartyRecords(observer, senior_manager) = %v", recs)
	}
	must(t, db.RemoveRecordParty(ctx, r.ID, "observer", obs.ID), "RemoveRecordParty")
	wantKind(t, db.RemoveRecordParty(ctx, r.ID, "observer", obs.ID), supervision.ErrNotFound, "RemoveRecordParty again")

	// A record and its parties in one transaction: a bad party leaves neither.
	r2 := &supervision.Record{ID: "rec-access-2", StaffID: sup.ID, FormID: "file-audit", FormVersion: 1, Version: 1,
		Status: supervision.StatusDraft, Revision: 1, Data: []byte(`{}`), AuthorID: other.ID, CreatedAt: base, UpdatedAt: base}
	bad := []*supervision.RecordParty{{RecordID: r2.ID, StaffID: other.ID, Role: "auditor", AddedAt: base}, {RecordID: r2.ID, StaffID: "nobody", Role: "subject", AddedAt: base}}
	wantKind(t, db.CreateRecordWithParties(ctx, r2, bad, supervision.Event{At: base, ActorID: other.ID, Action: "created"}), supervision.ErrNotFound, "CreateRecordWithParties naming nobody")
	_, err = db.GetRecord(ctx, r2.ID)
	wantKind(t, err, supervision.ErrNotFound, "the record of a failed CreateRecordWithParties")
	bad[1].StaffID = see.ID
	must(t, db.CreateRecordWithParties(ctx, r2, bad, supervision.Event{At: base, ActorID: other.ID, Action: "created"}), "CreateRecordWithParties")
	if recs, _ := db.PartyRecords(ctx, see.ID, "subject"); len(recs) != 1 || recs[0].ID != r2.ID {
		t.Errorf("PartyRecords(subject) = %v", recs)
	}

	// Cover: listed while not ended and not over, by supervisor or stand-in.
	c := &supervision.Cover{ID: "cover-1", SupervisorID: sup.ID, StandInID: other.ID, From: date(2026, 3, 1), To: date(2026, 3, 14),
		Reason: "Annual leave", CreatedBy: see.ID, CreatedAt: base}
	must(t, db.CreateCover(ctx, c), "CreateCover")
	wantKind(t, db.CreateCover(ctx, &supervision.Cover{ID: "cover-2", SupervisorID: sup.ID, StandInID: sup.ID, From: base, To: base, Reason: "x", CreatedBy: see.ID}), supervision.ErrInvalid, "CreateCover for oneself")
	wantKind(t, db.CreateCover(ctx, &supervision.Cover{ID: "cover-3", SupervisorID: sup.ID, StandInID: other.ID, From: base, To: base.AddDate(0, 0, -1), Reason: "x", CreatedBy: see.ID}), supervision.ErrInvalid, "CreateCover ending before it starts")
	gc, err := db.GetCover(ctx, c.ID)
	must(t, err, "GetCover")
	diff(t, "GetCover", c, gc)
	for _, q := range []struct {
		sup, stand string
		since      time.Time
		n          int
	}{{sup.ID, "", date(2026, 3, 14), 1}, {"", other.ID, date(2026, 3, 2), 1}, {sup.ID, other.ID, date(2026, 3, 15), 0}, {see.ID, "", base, 0}} {
		list, err := db.Covers(ctx, q.sup, q.stand, q.since)
		must(t, err, "Covers")
		if len(list) != q.n {
			t.Errorf("Covers(%q, %q, %s) = %d, want %d", q.sup, q.stand, q.since.Format(time.DateOnly), len(list), q.n)
		}
	}
	must(t, db.EndCover(ctx, c.ID, base), "EndCover")
	wantKind(t, db.EndCover(ctx, c.ID, base), supervision.ErrConflict, "EndCover again")
	wantKind(t, db.EndCover(ctx, "no-such-cover", base), supervision.ErrNotFound, "EndCover of nothing")
	if list, _ := db.Covers(ctx, sup.ID, "", base); len(list) != 0 {
		t.Errorf("an ended cover is listed: %v", list)
	}

	// Audit assignments.
	a := &supervision.AuditAssignment{ID: "audit-1", SuperviseeID: see.ID, AuditorID: other.ID, Due: date(2026, 4, 30), CreatedBy: sup.ID, CreatedAt: base}
	must(t, db.CreateAuditAssignment(ctx, a), "CreateAuditAssignment")
	wantKind(t, db.CreateAuditAssignment(ctx, &supervision.AuditAssignment{ID: "audit-2", SuperviseeID: see.ID, AuditorID: see.ID, Due: base, CreatedBy: sup.ID}), supervision.ErrInvalid, "auditing one's own file")
	wantKind(t, db.CreateAuditAssignment(ctx, &supervision.AuditAssignment{ID: "audit-1", SuperviseeID: see.ID, AuditorID: other.ID, Due: base, CreatedBy: sup.ID}), supervision.ErrConflict, "the same id again")
	ga, err := db.GetAuditAssignment(ctx, a.ID)
	must(t, err, "GetAuditAssignment")
	diff(t, "GetAuditAssignment", a, ga)
	if list, _ := db.AuditAssignments(ctx, see.ID, other.ID); len(list) != 1 {
		t.Errorf("AuditAssignments = %v", list)
	}
	if list, _ := db.AuditAssignments(ctx, "", obs.ID); len(list) != 0 {
		t.Errorf("AuditAssignments(observer) = %v", list)
	}
	must(t, db.EndAuditAssignment(ctx, a.ID, base), "EndAuditAssignment")
	wantKind(t, db.EndAuditAssignment(ctx, a.ID, base), supervision.ErrConflict, "EndAuditAssignment again")
	if list, _ := db.AuditAssignments(ctx, see.ID, ""); len(list) != 0 {
		t.Errorf("an ended assignment is listed: %v", list)
	}

	// Purging a file takes its records' parties and its audit assignments
	// with it; the person stays (marked purged) while another file's record
	// names them.
	must(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: r.ID, StaffID: obs.ID, Role: "observer", AddedAt: base}), "AddRecordParty before purge")
	if _, err := db.PurgeFile(ctx, see.ID, base); err != nil {
		t.Fatalf("PurgeFile of a file whose records name people: %v", err)
	}
	if recs, _ := db.PartyRecords(ctx, obs.ID, ""); len(recs) != 0 {
		t.Errorf("after the purge the observer is named on %v", recs)
	}
}
