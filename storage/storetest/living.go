package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testLiving: versions filed under their first version (one version 2
// however many start it at once), withdrawal clearing signatures but not
// after the last, draft deletion, waiting on a party, and responses to
// disagreements.
func testLiving(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	see := newStaff(t, db, "Ann Supervisee")
	sup := newStaff(t, db, "Sam Supervisor")

	// A signed first version.
	v1 := newRecord(t, db, see, sup, "rec-v1", base)
	submit(t, db, v1)
	at := base.Add(time.Hour)
	must(t, db.AddSignature(ctx, &supervision.Signature{RecordID: v1.ID, SignerID: see.ID, Role: "supervisee", Name: see.Name, SignedAt: at,
		Disagreement: "Not item 2"}, supervision.Event{ActorID: see.ID, Action: "signed"}), "AddSignature")
	v1.SignedAt, v1.UpdatedAt = &at, at
	must(t, db.Finalize(ctx, v1, documents(v1), supervision.Event{At: at, ActorID: sup.ID, Action: "finalised"}), "Finalize")
	wantKind(t, db.AddSignature(ctx, &supervision.Signature{RecordID: v1.ID, SignerID: sup.ID, Role: "supervisor", Name: sup.Name, SignedAt: at},
		supervision.Event{ActorID: sup.ID, Action: "signed"}), supervision.ErrConflict, "AddSignature to a signed record")

	got1, err := db.GetRecord(ctx, v1.ID)
	must(t, err, "GetRecord v1")
	if got1.SeriesID != "" || got1.Series() != v1.ID || got1.WaitingOn != "" {
		t.Errorf("v1 read back in series %q (%q), waiting on %q", got1.SeriesID, got1.Series(), got1.WaitingOn)
	}

	// A senior manager named on version 1 is named on version 2 with it.
	sm := newStaff(t, db, "Sara Senior")
	must(t, db.AddRecordParty(ctx, &supervision.RecordParty{RecordID: v1.ID, StaffID: sm.ID, Role: supervision.PartySeniorManager, AddedBy: sup.ID, AddedAt: at}), "AddRecordParty")

	// Version 2, started by several at once: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &supervision.Record{ID: "rec-v2-" + string(rune('a'+i)), StaffID: see.ID, FormID: v1.FormID, FormVersion: 1, Version: 2,
				Status: supervision.StatusDraft, Revision: 1, Data: v1.Data, AuthorID: sup.ID, CreatedAt: at, UpdatedAt: at, SeriesID: v1.ID}
			parties := []*supervision.RecordParty{{RecordID: r.ID, StaffID: sm.ID, Role: supervision.PartySeniorManager, AddedBy: sup.ID, AddedAt: at}}
			errs[i] = db.CreateVersion(ctx, r, parties, supervision.Event{At: at, ActorID: sup.ID, Action: "created"})
		}()
	}
	wg.Wait()
	won := ""
	for i, err := range errs {
		if err == nil {
			if won != "" {
				t.Errorf("two versions 2: %s and %d", won, i)
			}
			won = "rec-v2-" + string(rune('a'+i))
		} else {
			wantKind(t, err, supervision.ErrConflict, "CreateVersion again")
		}
	}
	if won == "" {
		t.Fatal("no version 2 was made")
	}
	wantKind(t, db.CreateVersion(ctx, &supervision.Record{ID: "rec-x", StaffID: see.ID, FormID: v1.FormID, FormVersion: 1, Version: 3,
		Status: supervision.StatusDraft, Revision: 1, Data: v1.Data, AuthorID: sup.ID, CreatedAt: at, UpdatedAt: at, SeriesID: "missing"}, nil,
		supervision.Event{ActorID: sup.ID, Action: "created"}), supervision.ErrNotFound, "CreateVersion of a missing record")
	series, err := db.Series(ctx, v1.ID)
	must(t, err, "Series")
	if len(series) != 2 || series[0].ID != v1.ID || series[1].ID != won || series[1].SeriesID != v1.ID || series[0].Status != supervision.StatusSigned {
		t.Errorf("Series = %+v", series)
	}
	named, err := db.RecordParties(ctx, won)
	must(t, err, "RecordParties v2")
	if len(named) != 1 || named[0].StaffID != sm.ID || named[0].Role != supervision.PartySeniorManager {
		t.Errorf("parties of version 2 = %+v, want the senior manager", named)
	}
	for i := range errs {
		if id := "rec-v2-" + string(rune('a'+i)); id != won {
			if lost, _ := db.RecordParties(ctx, id); len(lost) != 0 {
				t.Errorf("the losing version %s left parties %+v", id, lost)
			}
		}
	}
	wantKind(t, db.CreateVersion(ctx, &supervision.Record{ID: "rec-y", StaffID: see.ID, FormID: v1.FormID, FormVersion: 1, Version: 3,
		Status: supervision.StatusDraft, Revision: 1, Data: v1.Data, AuthorID: sup.ID, CreatedAt: at, UpdatedAt: at, SeriesID: v1.ID},
		[]*supervision.RecordParty{{RecordID: v1.ID, StaffID: sm.ID, Role: supervision.PartySeniorManager, AddedBy: sup.ID, AddedAt: at}},
		supervision.Event{ActorID: sup.ID, Action: "created"}), supervision.ErrInvalid, "CreateVersion naming someone on another record")
	if _, err := db.GetRecord(ctx, "rec-y"); err == nil {
		t.Errorf("a version refused for its parties was stored")
	}
	// Every read of a record gives its series: one record, a list, the series.
	got2, err := db.GetRecord(ctx, won)
	must(t, err, "GetRecord v2")
	if got2.SeriesID != v1.ID || got2.Series() != v1.ID {
		t.Errorf("v2 read back in series %q, want %q", got2.SeriesID, v1.ID)
	}
	listed, err := db.ListRecords(ctx, see.ID)
	must(t, err, "ListRecords")
	for _, r := range listed {
		if want := map[string]string{v1.ID: "", won: v1.ID}[r.ID]; r.SeriesID != want {
			t.Errorf("listed %s in series %q, want %q", r.ID, r.SeriesID, want)
		}
	}

	// Waiting on a party, then withdrawal.
	v2, err := db.GetRecord(ctx, won)
	must(t, err, "GetRecord v2")
	must(t, db.SetWaitingOn(ctx, v2.ID, "supervisee", supervision.Event{At: at, ActorID: sup.ID, Action: "sent to supervisee"}), "SetWaitingOn")
	if r, _ := db.GetRecord(ctx, v2.ID); r == nil || r.WaitingOn != "supervisee" {
		t.Errorf("waiting on %+v", r)
	}
	submit(t, db, v2)
	wantKind(t, db.SetWaitingOn(ctx, v2.ID, "supervisor", supervision.Event{ActorID: sup.ID, Action: "sent"}), supervision.ErrConflict, "SetWaitingOn a submitted record")
	must(t, db.AddSignature(ctx, &supervision.Signature{RecordID: v2.ID, SignerID: see.ID, Role: "supervisee", Name: see.Name, SignedAt: at},
		supervision.Event{At: at.Add(2 * time.Minute), ActorID: see.ID, Action: "signed"}), "AddSignature v2")
	w := *v2
	w.UpdatedAt = at.Add(3 * time.Minute)
	wantKind(t, db.WithdrawRecord(ctx, &w, 1, supervision.Event{ActorID: sup.ID, Action: "withdrawn"}), supervision.ErrConflict, "WithdrawRecord when everyone has signed")
	must(t, db.WithdrawRecord(ctx, &w, 2, supervision.Event{ActorID: sup.ID, Action: "withdrawn"}), "WithdrawRecord")
	got, err := db.GetRecord(ctx, v2.ID)
	must(t, err, "GetRecord after withdrawal")
	if got.Status != supervision.StatusDraft || got.DataSHA256 != "" || got.Revision != w.Revision {
		t.Errorf("after withdrawal: %+v (want revision %d)", got, w.Revision)
	}
	if sigs, _ := db.Signatures(ctx, v2.ID); len(sigs) != 0 {
		t.Errorf("signatures after withdrawal: %v", sigs)
	}
	if got.WaitingOn != "" {
		t.Errorf("still waiting on %q after withdrawal", got.WaitingOn)
	}
	wantKind(t, db.WithdrawRecord(ctx, &w, 2, supervision.Event{ActorID: sup.ID, Action: "withdrawn"}), supervision.ErrConflict, "WithdrawRecord a draft")
	wantKind(t, db.AddSignature(ctx, &supervision.Signature{RecordID: v2.ID, SignerID: see.ID, Role: "supervisee", Name: see.Name, SignedAt: at},
		supervision.Event{ActorID: see.ID, Action: "signed"}), supervision.ErrConflict, "AddSignature to a draft")
	diff(t, "events", []string{"created", "sent to supervisee", "submitted", "signed", "withdrawn"}, actions(t, db, v2.ID))

	// Deleting the draft; a signed record cannot be.
	wantKind(t, db.DeleteDraft(ctx, v1.ID), supervision.ErrConflict, "DeleteDraft of a signed record")
	must(t, db.DeleteDraft(ctx, v2.ID), "DeleteDraft")
	_, err = db.GetRecord(ctx, v2.ID)
	wantKind(t, err, supervision.ErrNotFound, "GetRecord of a deleted draft")
	wantKind(t, db.DeleteDraft(ctx, v2.ID), supervision.ErrNotFound, "DeleteDraft again")
	if series, _ := db.Series(ctx, v1.ID); len(series) != 1 {
		t.Errorf("Series after deletion: %d records", len(series))
	}

	// Disagreements.
	open, err := db.OpenDisagreements(ctx)
	must(t, err, "OpenDisagreements")
	if len(open) != 1 || open[0].ID != v1.ID {
		t.Errorf("OpenDisagreements = %v", open)
	}
	_, err = db.DisagreementResponse(ctx, v1.ID)
	wantKind(t, err, supervision.ErrNotFound, "DisagreementResponse before any")
	resp := &supervision.DisagreementResponse{RecordID: v1.ID, ResponderID: sup.ID, At: at.Add(2 * time.Hour), Response: "We will review item 2 next time."}
	must(t, db.AddDisagreementResponse(ctx, resp, supervision.Event{ActorID: sup.ID, Action: "responded to disagreement"}), "AddDisagreementResponse")
	wantKind(t, db.AddDisagreementResponse(ctx, resp, supervision.Event{ActorID: sup.ID, Action: "responded"}), supervision.ErrConflict, "AddDisagreementResponse again")
	gotResp, err := db.DisagreementResponse(ctx, v1.ID)
	must(t, err, "DisagreementResponse")
	diff(t, "response", resp, gotResp)
	if open, _ := db.OpenDisagreements(ctx); len(open) != 0 {
		t.Errorf("OpenDisagreements after the response = %v", open)
	}

	// Reindex files an imported later version under its first.
	must(t, db.SetSeries(ctx, v1.ID, v1.ID), "SetSeries to itself")
	wantKind(t, db.SetSeries(ctx, "missing", v1.ID), supervision.ErrNotFound, "SetSeries of a missing record")
}
