package storetest

import (
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testGroupRecord: a group supervision record is one record in the lead's
// file naming its attendees (record_parties); each attendee finds it from
// their own id, and each signs it once in their own role.
func testGroupRecord(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	lead := newStaff(t, db, "Lead")
	team := []*supervision.Staff{newStaff(t, db, "Attendee A"), newStaff(t, db, "Attendee B"), newStaff(t, db, "Attendee C")}
	r := &supervision.Record{ID: "rec-group-1", StaffID: lead.ID, FormID: "group-supervision", FormVersion: 1, Version: 1,
		Status: supervision.StatusDraft, Revision: 1, Data: []byte(`{}`), AuthorID: lead.ID, CreatedAt: base, UpdatedAt: base}
	parties := []*supervision.RecordParty{{RecordID: r.ID, StaffID: lead.ID, Role: supervision.PartyLead, AddedBy: lead.ID, AddedAt: base}}
	must(t, db.CreateRecordWithParties(ctx, r, parties, supervision.Event{At: base, ActorID: lead.ID, Action: "created"}), "CreateRecordWithParties")
	for i, st := range team {
		must(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: r.ID, StaffID: st.ID, Role: supervision.PartyAttendee,
			AddedBy: lead.ID, AddedAt: base.Add(time.Duration(i+1) * time.Second)}), "AddRecordParty attendee")
	}
	got, err := db.RecordParties(ctx, r.ID)
	must(t, err, "RecordParties")
	if len(got) != 4 || got[0].Role != supervision.PartyLead || got[3].StaffID != team[2].ID {
		t.Errorf("RecordParties of a group record: %v", got)
	}
	for _, st := range team {
		recs, err := db.PartyRecords(ctx, st.ID, supervision.PartyAttendee)
		must(t, err, "PartyRecords attendee")
		if len(recs) != 1 || recs[0].ID != r.ID || recs[0].StaffID != lead.ID {
			t.Errorf("PartyRecords(%s, attendee) = %v", st.Name, recs)
		}
	}
	if recs, _ := db.PartyRecords(ctx, lead.ID, supervision.PartyAttendee); len(recs) != 0 {
		t.Errorf("the lead attends their own group record: %v", recs)
	}

	// Each attendee signs once, in their own role.
	submit(t, db, r)
	for i, st := range team {
		sig := &supervision.Signature{RecordID: r.ID, SignerID: st.ID, Role: supervision.AttendeeRole(st.ID), Name: st.Name,
			SignedAt: base.Add(time.Duration(i+10) * time.Second)}
		must(t, db.AddSignature(ctx, sig, supervision.Event{RecordID: r.ID, At: sig.SignedAt, ActorID: st.ID, Action: "signed"}), "AddSignature attendee")
	}
	again := &supervision.Signature{RecordID: r.ID, SignerID: team[0].ID, Role: supervision.AttendeeRole(team[0].ID), Name: team[0].Name, SignedAt: base.Add(time.Minute)}
	wantKind(t, db.AddSignature(ctx, again, supervision.Event{RecordID: r.ID, At: again.SignedAt, ActorID: team[0].ID, Action: "signed"}), supervision.ErrConflict, "AddSignature by an attendee again")
	sigs, err := db.Signatures(ctx, r.ID)
	must(t, err, "Signatures")
	if len(sigs) != 3 {
		t.Errorf("%d signatures, want 3", len(sigs))
	}
}
