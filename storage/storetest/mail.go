package storetest

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testMailSent: an email's key is settled once; settling it again, even
// from many at once, changes nothing; a bad key is refused.
func testMailSent(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	key := "sign:rec-1:1764553600000000000:staff-1"
	sent, err := db.MailSent(ctx, key)
	must(t, err, "MailSent before")
	if sent {
		t.Fatal("a key never marked is sent")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { must(t, db.MarkMailSent(ctx, key, base, "sent"), "MarkMailSent") })
	}
	wg.Wait()
	if sent, err = db.MailSent(ctx, key); err != nil || !sent {
		t.Fatalf("after marking: %v %v", sent, err)
	}
	if sent, _ := db.MailSent(ctx, key+"x"); sent {
		t.Error("another key is sent too")
	}
	wantKind(t, db.MarkMailSent(ctx, " ", base, "sent"), supervision.ErrInvalid, "empty key")
	wantKind(t, db.MarkMailSent(ctx, strings.Repeat("k", 501), base, "sent"), supervision.ErrInvalid, "long key")
	wantKind(t, db.MarkMailSent(ctx, "k", base, ""), supervision.ErrInvalid, "no outcome")

	// Switching someone's email off and on, twice each, changes only theirs.
	a, b := newStaff(t, db, "Siân Gwŷnedd-Jones"), newStaff(t, db, "Ahmed Khan")
	for _, off := range []bool{true, true, false, false, true} {
		must(t, db.SetEmailOff(ctx, a.ID, off, base), "SetEmailOff")
		if got, err := db.EmailOff(ctx, a.ID); err != nil || got != off {
			t.Fatalf("EmailOff after setting %v: %v %v", off, got, err)
		}
		if got, _ := db.EmailOff(ctx, b.ID); got {
			t.Fatal("someone else's email is off too")
		}
	}
	wantKind(t, db.SetEmailOff(ctx, "nobody", true, base), supervision.ErrNotFound, "off for nobody")
}

// testMailOutbox: the emails an event owes are stored with the event, in
// its transaction (an event refused leaves none), listed oldest first,
// written once per key, and cleared once queued.
func testMailOutbox(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	see, sup := newStaff(t, db, "Siân Gwŷnedd-Jones"), newStaff(t, db, "Ahmed Khan")
	r := newRecord(t, db, see, sup, "rec-outbox", base)
	if ns, err := db.Outbox(ctx, 10); err != nil || len(ns) != 0 {
		t.Fatalf("outbox at first: %v %v", ns, err)
	}
	owed := []supervision.Notice{
		{Kind: supervision.NoticeSign, StaffID: see.ID, RecordID: r.ID, Key: "sign:rec-outbox:1:" + see.ID},
		{Kind: supervision.NoticeSign, StaffID: sup.ID, RecordID: r.ID, Key: "sign:rec-outbox:1:" + sup.ID},
	}
	sub := *r
	sub.Status, sub.DataSHA256, sub.UpdatedAt = supervision.StatusAwaitingSignatures, "abc123", base.Add(time.Minute)
	must(t, db.SetStatus(ctx, &sub, supervision.Event{At: sub.UpdatedAt, ActorID: sup.ID, Action: "submitted", Notices: owed}), "SetStatus")
	got, err := db.Outbox(ctx, 10)
	must(t, err, "Outbox")
	if len(got) != 2 || got[0] != owed[0] && got[0] != owed[1] || got[1] != owed[0] && got[1] != owed[1] || got[0] == got[1] {
		t.Fatalf("outbox = %+v, want %+v", got, owed)
	}
	if one, _ := db.Outbox(ctx, 1); len(one) != 1 {
		t.Errorf("Outbox(1) gave %d", len(one))
	}

	// An event refused (the record changed meanwhile) owes nothing.
	stale := *r
	stale.Status, stale.UpdatedAt = supervision.StatusAwaitingSignatures, base.Add(2*time.Minute)
	late := []supervision.Notice{{Kind: supervision.NoticeSign, StaffID: see.ID, RecordID: r.ID, Key: "sign:rec-outbox:2:" + see.ID}}
	if err := db.SetStatus(ctx, &stale, supervision.Event{At: stale.UpdatedAt, ActorID: sup.ID, Action: "submitted", Notices: late}); err == nil {
		t.Fatal("a stale change was stored")
	}
	if got, _ := db.Outbox(ctx, 10); len(got) != 2 {
		t.Errorf("a refused event left emails owed: %+v", got)
	}
	// A bad key refuses the event with it.
	bad := []supervision.Notice{{Kind: supervision.NoticeSign, StaffID: see.ID, RecordID: r.ID, Key: " "}}
	wantKind(t, db.AddSignature(ctx, &supervision.Signature{RecordID: r.ID, SignerID: see.ID, Role: "supervisee", Name: see.Name, SignedAt: base.Add(3 * time.Minute)},
		supervision.Event{ActorID: see.ID, Action: "signed", Notices: bad}), supervision.ErrInvalid, "an email owed with no key")
	if sigs, _ := db.Signatures(ctx, r.ID); len(sigs) != 0 {
		t.Errorf("the signature refused with its email was stored: %+v", sigs)
	}

	must(t, db.ClearOutbox(ctx, []string{owed[0].Key, "never-owed"}), "ClearOutbox")
	if got, _ := db.Outbox(ctx, 10); len(got) != 1 || got[0] != owed[1] {
		t.Errorf("after clearing one: %+v", got)
	}
	must(t, db.ClearOutbox(ctx, []string{owed[1].Key}), "ClearOutbox")
	if got, _ := db.Outbox(ctx, 10); len(got) != 0 {
		t.Errorf("after clearing all: %+v", got)
	}

	// A signature is asked what it owes inside its transaction, given the
	// roles signed by then, its own included; what it owes is stored with
	// its event, after the event's own.
	var asked map[string]bool
	own := supervision.Notice{Kind: supervision.NoticeDisagreement, StaffID: sup.ID, RecordID: r.ID, Key: "disagreement:rec-outbox:4:" + sup.ID}
	tell := supervision.Notice{Kind: supervision.NoticeSign, StaffID: sup.ID, RecordID: r.ID, Key: "sign:rec-outbox:4:" + sup.ID}
	must(t, db.AddSignatureOwing(ctx, &supervision.Signature{RecordID: r.ID, SignerID: see.ID, Role: "supervisee", Name: see.Name, SignedAt: base.Add(4 * time.Minute)},
		supervision.Event{At: base.Add(4 * time.Minute), ActorID: see.ID, Action: "signed", Notices: []supervision.Notice{own}},
		func(signed map[string]bool) []supervision.Notice { asked = signed; return []supervision.Notice{tell} }), "AddSignatureOwing")
	if !maps.Equal(asked, map[string]bool{"supervisee": true}) {
		t.Errorf("the first signature was told the roles %v", asked)
	}
	if got, _ := db.Outbox(ctx, 10); len(got) != 2 || !slices.Contains(got, own) || !slices.Contains(got, tell) {
		t.Errorf("emails owed by the signature: %+v", got)
	}
	must(t, db.AddSignatureOwing(ctx, &supervision.Signature{RecordID: r.ID, SignerID: sup.ID, Role: "supervisor", Name: sup.Name, SignedAt: base.Add(5 * time.Minute)},
		supervision.Event{At: base.Add(5 * time.Minute), ActorID: sup.ID, Action: "signed"},
		func(signed map[string]bool) []supervision.Notice { asked = signed; return nil }), "AddSignatureOwing")
	if !maps.Equal(asked, map[string]bool{"supervisee": true, "supervisor": true}) {
		t.Errorf("the second signature was told the roles %v", asked)
	}
	must(t, db.ClearOutbox(ctx, []string{own.Key, tell.Key}), "ClearOutbox")
}
