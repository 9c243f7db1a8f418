package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// RunHandoverTests checks the store against the supervision.HandoverStore
// contract; newStore is as for RunStoreTests.
func RunHandoverTests(t *testing.T, newStore func(t *testing.T) *storage.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *storage.DB)
	}{
		{"Handover", testHandover},
		{"Handover refused", testHandoverRefused},
		{"Handover all or nothing", testHandoverAtomic},
		{"FiledRecords", testFiledRecords},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// handoverTeam is a supervisee supervised by from since 2025-01-06, and to,
// who takes over.
func handoverTeam(t *testing.T, db *storage.DB) (see, from, to *supervision.Staff) {
	t.Helper()
	see, from, to = newStaff(t, db, "Ann Supervisee"), newStaff(t, db, "Sam Outgoing"), newStaff(t, db, "Tara Incoming")
	must(t, db.SetSupervisor(t.Context(), &supervision.Relationship{ID: fmt.Sprintf("rel-%d", next()), SuperviseeID: see.ID,
		SupervisorID: from.ID, From: date(2025, 1, 6)}), "SetSupervisor")
	return see, from, to
}

func newHandover(see, from, to *supervision.Staff, effective time.Time) (*supervision.Handover, *supervision.Relationship, *supervision.Record, []*supervision.RecordParty, []supervision.Event) {
	n := next()
	rec := &supervision.Record{
		ID: fmt.Sprintf("handover-rec-%d", n), StaffID: see.ID, FormID: supervision.HandoverFormID, FormVersion: 1, Version: 1,
		Status: supervision.StatusAwaitingSignatures, Revision: 1, Data: []byte(`{"reason":"Team move"}`), AuthorID: from.ID,
		CreatedAt: base.Add(time.Hour), UpdatedAt: base.Add(time.Hour), DataSHA256: "abc",
	}
	h := &supervision.Handover{ID: fmt.Sprintf("handover-%d", n), SuperviseeID: see.ID, FromSupervisorID: from.ID,
		ToSupervisorID: to.ID, Effective: effective, Reason: "Team move", RecordID: rec.ID, CreatedBy: from.ID, CreatedAt: base.Add(time.Hour)}
	rel := &supervision.Relationship{ID: fmt.Sprintf("rel-%d", n), SuperviseeID: see.ID, SupervisorID: to.ID, From: effective}
	evs := []supervision.Event{{At: rec.CreatedAt, ActorID: from.ID, Action: "created"}, {At: rec.CreatedAt, ActorID: from.ID, Action: "submitted for signatures"}}
	parties := []*supervision.RecordParty{
		{RecordID: rec.ID, StaffID: from.ID, Role: supervision.RoleOutgoingSupervisor, AddedBy: from.ID, AddedAt: rec.CreatedAt},
		{RecordID: rec.ID, StaffID: to.ID, Role: supervision.RoleIncomingSupervisor, AddedBy: from.ID, AddedAt: rec.CreatedAt},
	}
	return h, rel, rec, parties, evs
}

func testHandover(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	see, from, to := handoverTeam(t, db)
	byFrom := newRecord(t, db, see, from, "draft-by-outgoing", base)
	bySee := newRecord(t, db, see, see, "draft-by-supervisee", base)
	sent := newRecord(t, db, see, from, "sent-by-outgoing", base)
	submit(t, db, sent)

	h, rel, rec, ps, evs := newHandover(see, from, to, date(2026, 3, 2))
	must(t, db.Handover(ctx, h, rel, rec, ps, evs), "Handover")
	if h.DraftsMoved != 1 {
		t.Errorf("DraftsMoved = %d, want 1", h.DraftsMoved)
	}

	rels, err := db.Relationships(ctx, see.ID)
	must(t, err, "Relationships")
	if len(rels) != 2 || rels[0].SupervisorID != from.ID || rels[0].To == nil || !rels[0].To.Equal(date(2026, 3, 2)) ||
		rels[1].SupervisorID != to.ID || !rels[1].From.Equal(date(2026, 3, 2)) || rels[1].To != nil {
		t.Fatalf("history after handover: %+v %+v", rels[0], rels[len(rels)-1])
	}
	cur, err := db.CurrentRelationship(ctx, see.ID, date(2026, 3, 1))
	must(t, err, "CurrentRelationship the day before")
	if cur.SupervisorID != from.ID {
		t.Errorf("the day before the handover the supervisor is %s", cur.SupervisorID)
	}
	cur, err = db.CurrentRelationship(ctx, see.ID, date(2026, 3, 2))
	must(t, err, "CurrentRelationship on the day")
	if cur.SupervisorID != to.ID {
		t.Errorf("on the effective date the supervisor is %s", cur.SupervisorID)
	}

	moved, err := db.GetRecord(ctx, byFrom.ID)
	must(t, err, "GetRecord")
	if moved.AuthorID != to.ID || moved.Revision != byFrom.Revision+1 {
		t.Errorf("the outgoing supervisor's draft: author %s revision %d", moved.AuthorID, moved.Revision)
	}
	diff(t, "events of the moved draft", []string{"created", "handed over"}, actions(t, db, byFrom.ID))
	if r, _ := db.GetRecord(ctx, bySee.ID); r.AuthorID != see.ID || r.Revision != bySee.Revision {
		t.Errorf("the supervisee's own draft changed: %+v", r)
	}
	if r, _ := db.GetRecord(ctx, sent.ID); r.AuthorID != from.ID {
		t.Errorf("a record awaiting signatures moved: %+v", r)
	}

	got := getRecord(t, db, rec)
	if got.Status != supervision.StatusAwaitingSignatures {
		t.Errorf("handover record status %s", got.Status)
	}
	diff(t, "events of the handover record", []string{"created", "submitted for signatures"}, actions(t, db, rec.ID))
	named, err := db.RecordParties(ctx, rec.ID)
	must(t, err, "RecordParties")
	if len(named) != 2 {
		t.Errorf("people named on the handover record: %v", named)
	}

	hs, err := db.Handovers(ctx, see.ID)
	must(t, err, "Handovers")
	diff(t, "handovers", []*supervision.Handover{h}, hs)
	byRec, err := db.HandoverByRecord(ctx, rec.ID)
	must(t, err, "HandoverByRecord")
	diff(t, "handover by record", h, byRec)
	_, err = db.HandoverByRecord(ctx, byFrom.ID)
	wantKind(t, err, supervision.ErrNotFound, "HandoverByRecord of another record")

	for _, who := range []*supervision.Staff{from, to} {
		list, err := db.HandoversToSign(ctx, who.ID)
		must(t, err, "HandoversToSign")
		diff(t, "handovers to sign for "+who.Name, []*supervision.Handover{h}, list)
	}
	if list, _ := db.HandoversToSign(ctx, see.ID); len(list) != 0 {
		t.Errorf("the supervisee has handovers to sign: %v", list)
	}
	must(t, db.Finalize(ctx, rec, documents(rec), supervision.Event{ActorID: to.ID, Action: "finalised"}), "Finalize")
	if list, _ := db.HandoversToSign(ctx, to.ID); len(list) != 0 {
		t.Errorf("a signed handover is still to sign: %v", list)
	}

	// A second handover, later, from the incoming supervisor on.
	third := newStaff(t, db, "Una Third")
	h2, rel2, rec2, ps2, evs2 := newHandover(see, to, third, date(2026, 6, 1))
	h2.CreatedAt = base.Add(48 * time.Hour)
	must(t, db.Handover(ctx, h2, rel2, rec2, ps2, evs2), "second Handover")
	if h2.DraftsMoved != 1 {
		t.Errorf("second handover moved %d drafts, want 1 (the one the first moved)", h2.DraftsMoved)
	}
	hs, err = db.Handovers(ctx, see.ID)
	must(t, err, "Handovers")
	if len(hs) != 2 || hs[0].ID != h.ID || hs[1].ID != h2.ID {
		t.Errorf("handovers, oldest first: %v", hs)
	}
}

func testHandoverRefused(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	see, from, to := handoverTeam(t, db)
	draft := newRecord(t, db, see, from, "draft", base)
	before, err := db.Relationships(ctx, see.ID)
	must(t, err, "Relationships")

	other := newStaff(t, db, "Not The Supervisor")
	h, rel, rec, ps, evs := newHandover(see, other, to, date(2026, 3, 2))
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrConflict, "Handover from someone who is not the supervisor")
	h, rel, rec, ps, evs = newHandover(see, from, to, date(2024, 12, 31))
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrInvalid, "Handover before the current relationship began")
	h, rel, rec, ps, evs = newHandover(see, from, from, date(2026, 3, 2))
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrInvalid, "Handover to the current supervisor")
	h, rel, rec, ps, evs = newHandover(see, from, see, date(2026, 3, 2))
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrInvalid, "Handover to the supervisee")
	lone := newStaff(t, db, "No Supervisor")
	h, rel, rec, ps, evs = newHandover(lone, from, to, date(2026, 3, 2))
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrConflict, "Handover of someone with no supervisor")
	ghost := &supervision.Staff{ID: "ghost"}
	h, rel, rec, ps, evs = newHandover(see, from, ghost, date(2026, 3, 2))
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrNotFound, "Handover to someone who does not exist")

	after, err := db.Relationships(ctx, see.ID)
	must(t, err, "Relationships")
	diff(t, "relationships after refused handovers", before, after)
	if hs, _ := db.Handovers(ctx, see.ID); len(hs) != 0 {
		t.Errorf("refused handovers were stored: %v", hs)
	}
	getRecord(t, db, draft)
	diff(t, "events of the draft", []string{"created"}, actions(t, db, draft.ID))
}

func testHandoverAtomic(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	see, from, to := handoverTeam(t, db)
	draft := newRecord(t, db, see, from, "draft", base)
	before, err := db.Relationships(ctx, see.ID)
	must(t, err, "Relationships")
	// The handover record's id is taken: the last step fails, so nothing
	// before it may stay.
	h, rel, rec, ps, evs := newHandover(see, from, to, date(2026, 3, 2))
	rec.ID, h.RecordID = draft.ID, draft.ID
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrConflict, "Handover with a record id in use")
	after, err := db.Relationships(ctx, see.ID)
	must(t, err, "Relationships")
	diff(t, "relationships after a failed handover", before, after)
	getRecord(t, db, draft)
	diff(t, "events of the draft after a failed handover", []string{"created"}, actions(t, db, draft.ID))
	// Naming someone who does not exist fails the whole handover too.
	h, rel, rec, ps, evs = newHandover(see, from, to, date(2026, 3, 2))
	ps[1].StaffID = "ghost"
	wantKind(t, db.Handover(ctx, h, rel, rec, ps, evs), supervision.ErrNotFound, "Handover naming someone unknown")
	after, err = db.Relationships(ctx, see.ID)
	must(t, err, "Relationships")
	diff(t, "relationships after a failed handover", before, after)
}

func testFiledRecords(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	see, from, _ := handoverTeam(t, db)
	none, err := db.FiledRecords(ctx, see.ID, time.Time{})
	must(t, err, "FiledRecords of an empty file")
	if len(none) != 0 {
		t.Errorf("FiledRecords of an empty file = %v", none)
	}
	newRecord(t, db, see, from, "a-draft", base)
	var want []*supervision.FiledRecord
	for i := range 3 {
		r := newRecord(t, db, see, from, fmt.Sprintf("signed-%d", i), base)
		submit(t, db, r)
		at := base.Add(time.Duration(i+1) * time.Hour)
		r.SignedAt = &at
		must(t, db.Finalize(ctx, r, documents(r), supervision.Event{ActorID: from.ID, Action: "finalised"}), "Finalize")
		want = append([]*supervision.FiledRecord{{RecordID: r.ID, FormID: r.FormID, FormVersion: 1, Version: 1, SignedAt: at,
			PDFSHA256: "9df", DOCXSHA256: "d0c"}}, want...)
	}
	got, err := db.FiledRecords(ctx, see.ID, time.Time{})
	must(t, err, "FiledRecords")
	diff(t, "filed records, newest first", want, got)
	// As of a moment: what was signed then, to the microsecond.
	got, err = db.FiledRecords(ctx, see.ID, base.Add(2*time.Hour))
	must(t, err, "FiledRecords as of")
	diff(t, "filed records as of the second signature", want[1:], got)
	last, err := db.LastSigned(ctx, see.ID, "supervision-agreement")
	must(t, err, "LastSigned")
	if last.ID != "signed-2" {
		t.Errorf("LastSigned = %s, want signed-2", last.ID)
	}
	_, err = db.LastSigned(ctx, see.ID, "supervision-record")
	wantKind(t, err, supervision.ErrNotFound, "LastSigned of a form with none signed")
}
