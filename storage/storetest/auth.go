package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testAuthStore checks sessions ended in bulk, the sign-in throttle and
// purging a leaver's file.
func testAuthStore(t *testing.T, db *storage.DB) {
	t.Run("DeleteSessions", func(t *testing.T) { testDeleteSessions(t, db) })
	t.Run("Throttle", func(t *testing.T) { testThrottle(t, db) })
	t.Run("Purge", func(t *testing.T) { testPurge(t, db) })
}

func testDeleteSessions(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	a, b := newStaff(t, db, "Ann"), newStaff(t, db, "Bea")
	now := base.Add(9 * time.Hour)
	for i, st := range []*supervision.Staff{a, a, a, b} {
		must(t, db.CreateSession(ctx, &supervision.Session{TokenHash: fmt.Sprintf("%s-%d", st.ID, i), StaffID: st.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), "CreateSession")
	}
	keep := a.ID + "-1"
	n, err := db.DeleteSessions(ctx, a.ID, keep)
	must(t, err, "DeleteSessions")
	if n != 2 {
		t.Errorf("DeleteSessions ended %d, want 2", n)
	}
	if _, err := db.GetSession(ctx, keep, now); err != nil {
		t.Errorf("the kept session was ended: %v", err)
	}
	if _, err := db.GetSession(ctx, a.ID+"-0", now); err == nil {
		t.Error("another session of Ann survived")
	}
	if _, err := db.GetSession(ctx, b.ID+"-3", now); err != nil {
		t.Errorf("Bea's session was ended: %v", err)
	}
	n, err = db.DeleteSessions(ctx, a.ID, "")
	must(t, err, "DeleteSessions all")
	if n != 1 {
		t.Errorf("DeleteSessions with nothing kept ended %d, want 1", n)
	}
}

func testThrottle(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	now := base.Add(10 * time.Hour)
	key := fmt.Sprintf("addr:192.0.2.%d", next()%250)
	got, err := db.Throttles(ctx, []string{key, "acct:none"})
	must(t, err, "Throttles")
	if len(got) != 0 {
		t.Fatalf("Throttles before any failure = %v", got)
	}
	for i := 1; i <= 3; i++ {
		th, err := db.ThrottleFail(ctx, key, now.Add(time.Duration(i)*time.Second), now.Add(-time.Hour))
		must(t, err, "ThrottleFail")
		if th.Failures != i || !th.LastFailure.Equal(now.Add(time.Duration(i)*time.Second)) {
			t.Errorf("after %d failures: %+v", i, th)
		}
	}
	got, err = db.Throttles(ctx, []string{key})
	must(t, err, "Throttles")
	if got[key].Failures != 3 {
		t.Errorf("Throttles = %+v, want 3 failures", got)
	}
	// A failure after the forget time starts again at 1.
	later := now.Add(48 * time.Hour)
	th, err := db.ThrottleFail(ctx, key, later, later.Add(-24*time.Hour))
	must(t, err, "ThrottleFail after a day")
	if th.Failures != 1 {
		t.Errorf("failure after the forget time counted %d, want 1", th.Failures)
	}
	// Concurrent failures (two instances) all count.
	ckey := key + "-c"
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := db.ThrottleFail(ctx, ckey, now, now.Add(-time.Hour)); err != nil {
				t.Errorf("concurrent ThrottleFail: %v", err)
			}
		})
	}
	wg.Wait()
	got, err = db.Throttles(ctx, []string{ckey})
	must(t, err, "Throttles")
	if got[ckey].Failures != 20 {
		t.Errorf("20 concurrent failures counted %d", got[ckey].Failures)
	}
	n0, err := db.ThrottleCount(ctx)
	must(t, err, "ThrottleCount")
	must(t, db.ThrottleClear(ctx, ckey), "ThrottleClear")
	pruned, err := db.ThrottlePrune(ctx, later.Add(-time.Second))
	must(t, err, "ThrottlePrune")
	n1, err := db.ThrottleCount(ctx)
	must(t, err, "ThrottleCount")
	if pruned < 0 || n1 > n0-1 {
		t.Errorf("rows before %d, after clear and prune %d (pruned %d)", n0, n1, pruned)
	}
	if got, _ := db.Throttles(ctx, []string{key}); got[key].Failures != 1 {
		t.Errorf("prune removed a recent row: %+v", got)
	}
	wantKind(t, func() error { _, err := db.ThrottleFail(ctx, "", now, now); return err }(), supervision.ErrInvalid, "ThrottleFail with no key")
}

func testPurge(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	leaver := newStaff(t, db, "Lee Leaver")
	other := newStaff(t, db, "Oli Other")
	sup := newStaff(t, db, "Sam Supervisor")
	gone := date(2018, 3, 1)
	leaver.EndDate = &gone
	must(t, db.UpdateStaff(ctx, leaver), "UpdateStaff end date")
	must(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: fmt.Sprintf("rel-%d", next()), SuperviseeID: leaver.ID, SupervisorID: sup.ID, From: date(2017, 1, 1)}), "SetSupervisor")

	r := newRecord(t, db, leaver, sup, fmt.Sprintf("rec-p-%d", next()), base)
	submit(t, db, r)
	signedAt := base.Add(time.Hour)
	r.SignedAt, r.UpdatedAt = &signedAt, signedAt
	must(t, db.AddSignature(ctx, &supervision.Signature{RecordID: r.ID, SignerID: leaver.ID, Role: "supervisee", Name: leaver.Name, SignedAt: signedAt}, supervision.Event{ActorID: leaver.ID, Action: "signed"}), "AddSignature")
	must(t, db.Finalize(ctx, r, documents(r), supervision.Event{At: signedAt, ActorID: sup.ID, Action: "finalised"}), "Finalize")
	must(t, db.CreateSession(ctx, &supervision.Session{TokenHash: "purge-" + leaver.ID, StaffID: leaver.ID, CreatedAt: base, ExpiresAt: base.Add(time.Hour)}), "CreateSession")

	// Another file the leaver signed in keeps their name.
	or := newRecord(t, db, other, leaver, fmt.Sprintf("rec-o-%d", next()), base)

	cands, err := db.PurgeCandidates(ctx, date(2024, 3, 2))
	must(t, err, "PurgeCandidates")
	if !hasStaff(cands, leaver.ID) || hasStaff(cands, other.ID) {
		t.Fatalf("PurgeCandidates = %v, want the leaver only", names(cands))
	}
	if c, _ := db.PurgeCandidates(ctx, date(2018, 3, 1)); hasStaff(c, leaver.ID) {
		t.Error("a leaver is a candidate before their date")
	}
	keys, err := db.FileDocumentKeys(ctx, leaver.ID)
	must(t, err, "FileDocumentKeys")
	if len(keys) != 3 {
		t.Errorf("FileDocumentKeys = %v, want 3", keys)
	}

	deleted, err := db.PurgeFile(ctx, leaver.ID, base)
	must(t, err, "PurgeFile")
	if deleted {
		t.Error("PurgeFile deleted a person still named in another file")
	}
	if recs, _ := db.ListRecords(ctx, leaver.ID); len(recs) != 0 {
		t.Errorf("records left after purge: %d", len(recs))
	}
	if docs, _ := db.Documents(ctx, r.ID); len(docs) != 0 {
		t.Errorf("documents left after purge: %d", len(docs))
	}
	if rels, _ := db.Relationships(ctx, leaver.ID); len(rels) != 0 {
		t.Errorf("relationships left after purge: %d", len(rels))
	}
	if _, err := db.GetSession(ctx, "purge-"+leaver.ID, base); err == nil {
		t.Error("session left after purge")
	}
	if _, err := db.GetRecord(ctx, or.ID); err != nil {
		t.Errorf("the other file's record went: %v", err)
	}
	if c, _ := db.PurgeCandidates(ctx, date(2024, 3, 2)); hasStaff(c, leaver.ID) {
		t.Error("a purged file is still a candidate")
	}

	// Someone nobody else refers to goes entirely.
	alone := newStaff(t, db, "Al Alone")
	alone.EndDate = &gone
	must(t, db.UpdateStaff(ctx, alone), "UpdateStaff")
	deleted, err = db.PurgeFile(ctx, alone.ID, base)
	must(t, err, "PurgeFile alone")
	if !deleted {
		t.Error("PurgeFile kept a person nothing refers to")
	}
	_, err = db.GetStaff(ctx, alone.ID)
	wantKind(t, err, supervision.ErrNotFound, "GetStaff after purge")
	_, err = db.PurgeFile(ctx, alone.ID, base)
	wantKind(t, err, supervision.ErrNotFound, "PurgeFile of nobody")
}

func hasStaff(list []*supervision.Staff, id string) bool {
	for _, s := range list {
		if s.ID == id {
			return true
		}
	}
	return false
}

func names(list []*supervision.Staff) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}
