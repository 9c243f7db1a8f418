package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// RunAccessLogTests checks the access log part of the store
// (supervision.AccessLogStore) on a fresh, migrated store per subtest.
func RunAccessLogTests(t *testing.T, newStore func(t *testing.T) *storage.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *storage.DB)
	}{
		{"Append and read back", testAccessAppend},
		{"Filters", testAccessFilters},
		{"Paging", testAccessPaging},
		{"Refused entry", testAccessRefused},
		{"Concurrent appends", testAccessConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func testAccessAppend(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	e := &supervision.AccessEntry{
		At: base.Add(90*time.Minute + 1234567*time.Nanosecond), ActorID: "staff-a", ActorName: "Siân Gwŷnedd-Jones",
		ActorRole: "supervisee", Action: supervision.ActViewRecord, FileID: "staff-a", RecordID: "rec-1",
		Detail: "=cmd|' /C calc'!A0", IP: "2001:db8::1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
	}
	must(t, db.AppendAccess(ctx, e), "AppendAccess")
	if e.ID == 0 {
		t.Fatal("AppendAccess did not set the ID")
	}
	f := &supervision.AccessEntry{At: base.Add(2 * time.Hour), ActorEmail: "nobody@example.org", Action: supervision.ActSignInFailed, Detail: "no such account"}
	must(t, db.AppendAccess(ctx, f), "AppendAccess failed sign-in")
	if f.ID <= e.ID {
		t.Errorf("IDs not in the order written: %d then %d", e.ID, f.ID)
	}
	got, err := db.AccessEntries(ctx, supervision.AccessQuery{})
	must(t, err, "AccessEntries")
	// Newest first; times kept to the microsecond, in UTC.
	diff(t, "entries", []*supervision.AccessEntry{f, e}, got)
	if e.At.Nanosecond()%1000 != 0 {
		t.Errorf("AppendAccess did not normalise the time to microseconds: %v", e.At)
	}
	n, err := db.CountAccess(ctx, supervision.AccessQuery{})
	must(t, err, "CountAccess")
	if n != 2 {
		t.Errorf("CountAccess = %d, want 2", n)
	}
}

func testAccessFilters(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	add := func(at time.Time, actor, email string, action supervision.AccessAction, file string) *supervision.AccessEntry {
		t.Helper()
		e := &supervision.AccessEntry{At: at, ActorID: actor, ActorEmail: email, Action: action, FileID: file}
		must(t, db.AppendAccess(ctx, e), "AppendAccess")
		return e
	}
	day1, day2, day3 := base, base.AddDate(0, 0, 1), base.AddDate(0, 0, 2)
	a1 := add(day1.Add(time.Hour), "a", "", supervision.ActViewFile, "s1")
	a2 := add(day2.Add(time.Hour), "a", "", supervision.ActDownloadPDF, "s1")
	b1 := add(day2.Add(2*time.Hour), "b", "", supervision.ActViewRecord, "s2")
	f1 := add(day3.Add(time.Hour), "", "a@example.org", supervision.ActSignInFailed, "")
	s1 := add(day3.Add(2*time.Hour), "s1", "", supervision.ActViewRecord, "s1")
	ids := func(es []*supervision.AccessEntry) []int64 {
		out := []int64{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    supervision.AccessQuery
		want []*supervision.AccessEntry
	}{
		{"all", supervision.AccessQuery{}, []*supervision.AccessEntry{s1, f1, b1, a2, a1}},
		{"person", supervision.AccessQuery{ActorID: "a"}, []*supervision.AccessEntry{a2, a1}},
		{"person or their address", supervision.AccessQuery{ActorID: "a", ActorEmail: "A@Example.org"}, []*supervision.AccessEntry{f1, a2, a1}},
		{"address", supervision.AccessQuery{ActorEmail: "a@example.org"}, []*supervision.AccessEntry{f1}},
		{"file", supervision.AccessQuery{FileID: "s1"}, []*supervision.AccessEntry{s1, a2, a1}},
		{"file except its owner", supervision.AccessQuery{FileID: "s1", ExceptActorID: "s1"}, []*supervision.AccessEntry{a2, a1}},
		{"one action", supervision.AccessQuery{Actions: []supervision.AccessAction{supervision.ActViewRecord}}, []*supervision.AccessEntry{s1, b1}},
		{"two actions", supervision.AccessQuery{Actions: []supervision.AccessAction{supervision.ActViewFile, supervision.ActDownloadPDF}}, []*supervision.AccessEntry{a2, a1}},
		{"from", supervision.AccessQuery{From: day2}, []*supervision.AccessEntry{s1, f1, b1, a2}},
		{"to (exclusive)", supervision.AccessQuery{To: day2.Add(time.Hour)}, []*supervision.AccessEntry{a1}},
		{"one day", supervision.AccessQuery{From: day2, To: day3}, []*supervision.AccessEntry{b1, a2}},
		{"all together", supervision.AccessQuery{ActorID: "a", FileID: "s1", Actions: []supervision.AccessAction{supervision.ActDownloadPDF}, From: day2, To: day3}, []*supervision.AccessEntry{a2}},
		{"nothing", supervision.AccessQuery{FileID: "nobody"}, nil},
	} {
		got, err := db.AccessEntries(ctx, c.q)
		must(t, err, c.name)
		diff(t, c.name, ids(c.want), ids(got))
		n, err := db.CountAccess(ctx, c.q)
		must(t, err, c.name+" count")
		if n != len(c.want) {
			t.Errorf("%s: CountAccess = %d, want %d", c.name, n, len(c.want))
		}
	}
}

func testAccessPaging(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	var all []int64
	for i := range 25 {
		e := &supervision.AccessEntry{At: base.Add(time.Duration(i) * time.Minute), ActorID: fmt.Sprint(i % 3), Action: supervision.ActViewFile, FileID: "f"}
		must(t, db.AppendAccess(ctx, e), "AppendAccess")
		all = append([]int64{e.ID}, all...) // newest first
	}
	page := func(q supervision.AccessQuery) []int64 {
		t.Helper()
		got, err := db.AccessEntries(ctx, q)
		must(t, err, "AccessEntries")
		out := []int64{}
		for _, e := range got {
			out = append(out, e.ID)
		}
		return out
	}
	diff(t, "first page", all[:10], page(supervision.AccessQuery{Limit: 10}))
	diff(t, "third page", all[20:], page(supervision.AccessQuery{Limit: 10, Offset: 20}))
	diff(t, "keyset", all[10:20], page(supervision.AccessQuery{Limit: 10, BeforeID: all[9]}))
	n, err := db.CountAccess(ctx, supervision.AccessQuery{Limit: 10, Offset: 20, BeforeID: all[9]})
	must(t, err, "CountAccess")
	if n != 25 {
		t.Errorf("CountAccess ignores paging: got %d, want 25", n)
	}
}

func testAccessRefused(t *testing.T, db *storage.DB) {
	err := db.AppendAccess(t.Context(), &supervision.AccessEntry{At: base, ActorID: "a"})
	wantKind(t, err, supervision.ErrInvalid, "an entry without an action")
}

// testAccessConcurrent: entries appended at once are all kept, each with
// its own ID, and each ID is the entry it was given for (writers may
// batch them).
func testAccessConcurrent(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	const n = 300
	entries := make([]*supervision.AccessEntry, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		entries[i] = &supervision.AccessEntry{At: base.Add(time.Duration(i) * time.Second), ActorID: fmt.Sprint("actor-", i),
			Action: supervision.ActViewRecord, FileID: "f", Detail: fmt.Sprint(i)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.AppendAccess(ctx, entries[i])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err, "AppendAccess")
	}
	got, err := db.AccessEntries(ctx, supervision.AccessQuery{})
	must(t, err, "AccessEntries")
	if len(got) != n {
		t.Fatalf("%d entries kept, want %d", len(got), n)
	}
	byID := map[int64]*supervision.AccessEntry{}
	for _, e := range got {
		byID[e.ID] = e
	}
	for i, e := range entries {
		stored := byID[e.ID]
		if stored == nil || stored.Detail != fmt.Sprint(i) || stored.ActorID != e.ActorID {
			t.Fatalf("entry %d was given ID %d, which holds %+v", i, e.ID, stored)
		}
	}
}
