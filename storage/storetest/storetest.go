// Package storetest is the contract the metadata store meets on every
// database, as a test suite: RunStoreTests runs the same checks on SQLite
// and PostgreSQL, so the service cannot come to rely on one database's
// quirks.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// RunStoreTests checks the store against the supervision.Store contract.
// newStore must return a fresh, migrated, empty store for each call (the
// subtests run in parallel) and close it when t ends.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) *storage.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *storage.DB)
	}{
		{"Migrate again", testMigrateAgain},
		{"Staff", testStaff},
		{"Staff dates and times", testStaffTimes},
		{"Relationship history", testRelationships},
		{"Relationship refused changes", testRelationshipRefused},
		{"Supervisees", testSupervisees},
		{"Records", testRecords},
		{"SaveDraft and SetStatus", testSaveDraft},
		{"SaveDraft concurrent", testSaveDraftConcurrent},
		{"Signatures", testSignatures},
		{"Finalize", testFinalize},
		{"Finalize all or nothing", testFinalizeAtomic},
		{"ImportRecord", testImportRecord},
		{"Documents failures", testDocumentFailures},
		{"Sessions", testSessions},
		{"Sign-in throttle, sessions and purge", testAuthStore},
		{"Ping and Close", testPingClose},
		{"ReadTogether", testReadTogether},
		{"Access: record parties, cover, audits", testAccess},
		{"Group record: one record, its attendees", testGroupRecord},
		{"Largest document (verify's limit)", testLargestDocument},
		{"Versions, withdrawal, drafts, disagreements", testLiving},
		{"Email notifications sent", testMailSent},
		{"Emails owed, stored with their event", testMailOutbox},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// base is a fixed day, so that the tests do not depend on when they run.
var base = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wantKind fails unless err is a domain error of the kind, with a message
// for the user (the server shows *supervision.Error's message, nothing else).
func wantKind(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: err = %v, want %v", what, err, kind)
	}
	var de *supervision.Error
	if !errors.As(err, &de) || de.Message == "" {
		t.Errorf("%s: %v is not a *supervision.Error with a message", what, err)
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

var seq = struct {
	sync.Mutex
	n int
}{}

func next() int {
	seq.Lock()
	defer seq.Unlock()
	seq.n++
	return seq.n
}

func newStaff(t *testing.T, db *storage.DB, name string) *supervision.Staff {
	t.Helper()
	n := next()
	s := &supervision.Staff{
		ID: fmt.Sprintf("staff-%04d", n), Name: name, Email: fmt.Sprintf("Person.%d@Example.org", n),
		JobTitle: "Social worker", Role: supervision.RoleSocialWorker, StartDate: date(2024, 9, 1),
		PasswordHash: "$2a$10$hash", CreatedAt: base,
	}
	must(t, db.CreateStaff(t.Context(), s), "CreateStaff")
	return s
}

func newRecord(t *testing.T, db *storage.DB, staff, author *supervision.Staff, id string, created time.Time) *supervision.Record {
	t.Helper()
	r := &supervision.Record{
		ID: id, StaffID: staff.ID, FormID: "supervision-agreement", FormVersion: 1, Version: 1,
		Status: supervision.StatusDraft, Revision: 1, Data: []byte(`{"notes": "first", "n": 1}`),
		AuthorID: author.ID, CreatedAt: created, UpdatedAt: created,
	}
	must(t, db.CreateRecord(t.Context(), r, supervision.Event{At: created, ActorID: author.ID, Action: "created"}), "CreateRecord")
	return r
}

// submit moves a draft to awaiting signatures.
func submit(t *testing.T, db *storage.DB, r *supervision.Record) {
	t.Helper()
	r.Status, r.DataSHA256, r.UpdatedAt = supervision.StatusAwaitingSignatures, "abc123", r.UpdatedAt.Add(time.Minute)
	must(t, db.SetStatus(t.Context(), r, supervision.Event{ActorID: r.AuthorID, Action: "submitted"}), "SetStatus")
}

func sameJSON(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want is not JSON: %v", what, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: stored data %q is not JSON: %v", what, got, err)
	}
	diff(t, what, w, g)
}

// getRecord reads a record back and compares it with want; Data is
// compared as JSON, since PostgreSQL's jsonb keeps meaning, not spelling.
func getRecord(t *testing.T, db *storage.DB, want *supervision.Record) *supervision.Record {
	t.Helper()
	got, err := db.GetRecord(t.Context(), want.ID)
	must(t, err, "GetRecord")
	sameJSON(t, "record data", want.Data, got.Data)
	w, g := *want, *got
	w.Data, g.Data = nil, nil
	diff(t, "record", &w, &g)
	return got
}

func actions(t *testing.T, db *storage.DB, recordID string) []string {
	t.Helper()
	evs, err := db.Events(t.Context(), recordID)
	must(t, err, "Events")
	var a []string
	for _, e := range evs {
		if e.RecordID != recordID {
			t.Errorf("event %+v listed for record %s", e, recordID)
		}
		a = append(a, e.Action)
	}
	return a
}

func testMigrateAgain(t *testing.T, db *storage.DB) {
	must(t, db.Migrate(t.Context()), "second Migrate")
	n, err := db.CountStaff(t.Context())
	must(t, err, "CountStaff")
	if n != 0 {
		t.Errorf("a new store has %d staff", n)
	}
}

func testStaff(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	alice := &supervision.Staff{
		ID: "alice", Name: "Alice Smith", Email: " Alice.Smith@Example.ORG", JobTitle: "Senior practitioner",
		Role: supervision.RoleSocialWorker, StartDate: date(2020, 1, 6), PasswordHash: "$2a$10$a", CreatedAt: base,
	}
	must(t, db.CreateStaff(ctx, alice), "CreateStaff")
	if alice.Email != "alice.smith@example.org" {
		t.Errorf("email after create = %q, want it lower-cased", alice.Email)
	}
	got, err := db.GetStaff(ctx, "alice")
	must(t, err, "GetStaff")
	diff(t, "staff", alice, got)

	got, err = db.GetStaffByEmail(ctx, "ALICE.smith@example.org")
	must(t, err, "GetStaffByEmail in another case")
	diff(t, "staff by email", alice, got)

	bob := &supervision.Staff{ID: "bob", Name: "Bob Jones", Email: "alice.smith@EXAMPLE.org", Role: supervision.RoleTeamManager, StartDate: base, CreatedAt: base}
	wantKind(t, db.CreateStaff(ctx, bob), supervision.ErrConflict, "CreateStaff with an email in use in another case")
	bob.Email = "bob@example.org"
	must(t, db.CreateStaff(ctx, bob), "CreateStaff bob")
	dup := *bob
	dup.Email = "other@example.org"
	wantKind(t, db.CreateStaff(ctx, &dup), supervision.ErrConflict, "CreateStaff with an ID in use")
	wantKind(t, db.CreateStaff(ctx, &supervision.Staff{Name: "No ID", Email: "x@example.org", StartDate: base}), supervision.ErrInvalid, "CreateStaff without an ID")

	s, err := db.GetStaff(ctx, "nobody")
	wantKind(t, err, supervision.ErrNotFound, "GetStaff of nobody")
	if s != nil {
		t.Errorf("GetStaff of nobody returned %+v with its error", s)
	}
	s, err = db.GetStaffByEmail(ctx, "nobody@example.org")
	wantKind(t, err, supervision.ErrNotFound, "GetStaffByEmail of nobody")
	if s != nil {
		t.Errorf("GetStaffByEmail of nobody returned %+v with its error", s)
	}

	end := date(2026, 12, 31)
	bob.Name, bob.JobTitle, bob.IsAdmin, bob.EndDate, bob.PasswordHash = "Robert Jones", "Head of service", true, &end, "$2a$10$b"
	bob.Email = "Robert.Jones@example.org"
	must(t, db.UpdateStaff(ctx, bob), "UpdateStaff")
	got, err = db.GetStaff(ctx, "bob")
	must(t, err, "GetStaff after update")
	diff(t, "updated staff", bob, got)
	if _, err := db.GetStaffByEmail(ctx, "bob@example.org"); !errors.Is(err, supervision.ErrNotFound) {
		t.Errorf("old email still finds someone: %v", err)
	}

	taken := *got
	taken.Email = "ALICE.SMITH@example.org"
	wantKind(t, db.UpdateStaff(ctx, &taken), supervision.ErrConflict, "UpdateStaff to an email in use")
	got, err = db.GetStaff(ctx, "bob")
	must(t, err, "GetStaff after refused update")
	diff(t, "staff after refused update", bob, got)

	ghost := *bob
	ghost.ID, ghost.Email = "ghost", "ghost@example.org"
	wantKind(t, db.UpdateStaff(ctx, &ghost), supervision.ErrNotFound, "UpdateStaff of nobody")

	list, err := db.ListStaff(ctx)
	must(t, err, "ListStaff")
	diff(t, "ListStaff", []*supervision.Staff{alice, bob}, list)
	n, err := db.CountStaff(ctx)
	must(t, err, "CountStaff")
	if n != 2 {
		t.Errorf("CountStaff = %d, want 2", n)
	}
}

func testStaffTimes(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	// Local midnight east of UTC is the previous day in UTC: the date
	// meant is the local one.
	auckland := time.FixedZone("NZDT", 13*3600)
	created := time.Date(2026, 3, 2, 9, 30, 15, 123456789, auckland)
	s := &supervision.Staff{
		ID: "tz", Name: "Tee Zed", Email: "tz@example.org", Role: supervision.RoleASYE,
		StartDate: time.Date(2026, 3, 2, 0, 0, 0, 0, auckland), CreatedAt: created,
	}
	must(t, db.CreateStaff(ctx, s), "CreateStaff")
	got, err := db.GetStaff(ctx, "tz")
	must(t, err, "GetStaff")
	if want := date(2026, 3, 2); !got.StartDate.Equal(want) || got.StartDate.Location() != time.UTC {
		t.Errorf("StartDate = %v, want %v (UTC midnight)", got.StartDate, want)
	}
	if want := created.Truncate(time.Microsecond); !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC to the microsecond", got.CreatedAt, want)
	}
	if got.EndDate != nil {
		t.Errorf("EndDate = %v, want nil", got.EndDate)
	}
	diff(t, "staff as normalised in place", s, got)
}

func testRelationships(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	a := newStaff(t, db, "Ann Supervisee")
	s1 := newStaff(t, db, "Sam First")
	s2 := newStaff(t, db, "Sue Second")

	_, err := db.CurrentRelationship(ctx, a.ID, base)
	wantKind(t, err, supervision.ErrNotFound, "CurrentRelationship before any")
	rels, err := db.Relationships(ctx, a.ID)
	must(t, err, "Relationships before any")
	if len(rels) != 0 {
		t.Errorf("Relationships before any = %v", rels)
	}

	r1 := &supervision.Relationship{ID: "rel-1", SuperviseeID: a.ID, SupervisorID: s1.ID, From: date(2026, 1, 1)}
	must(t, db.SetSupervisor(ctx, r1), "SetSupervisor s1")
	r2 := &supervision.Relationship{ID: "rel-2", SuperviseeID: a.ID, SupervisorID: s2.ID, From: date(2026, 3, 1)}
	must(t, db.SetSupervisor(ctx, r2), "SetSupervisor s2")

	closed := date(2026, 3, 1)
	want := []*supervision.Relationship{
		{ID: "rel-1", SuperviseeID: a.ID, SupervisorID: s1.ID, From: date(2026, 1, 1), To: &closed},
		{ID: "rel-2", SuperviseeID: a.ID, SupervisorID: s2.ID, From: date(2026, 3, 1)},
	}
	rels, err = db.Relationships(ctx, a.ID)
	must(t, err, "Relationships")
	diff(t, "history", want, rels)

	for _, c := range []struct {
		on   time.Time
		want *supervision.Relationship
	}{
		{date(2025, 12, 31), nil},
		{date(2026, 1, 1), want[0]},
		{date(2026, 2, 28), want[0]},
		{date(2026, 3, 1), want[1]},
		{date(2030, 1, 1), want[1]},
	} {
		// StaffAndSupervisor is the supervisee and the same supervisor,
		// in one read; nil for the supervisor when there is none.
		wantWho, err := db.GetStaff(ctx, a.ID)
		must(t, err, "GetStaff")
		who, sup, err := db.StaffAndSupervisor(ctx, a.ID, c.on)
		must(t, err, "StaffAndSupervisor")
		diff(t, "StaffAndSupervisor's member of staff on "+c.on.Format(time.DateOnly), wantWho, who)
		if c.want == nil && sup != nil {
			t.Errorf("StaffAndSupervisor on %s: supervisor %s, want none", c.on.Format(time.DateOnly), sup.ID)
		}
		if c.want != nil && (sup == nil || sup.ID != c.want.SupervisorID) {
			t.Errorf("StaffAndSupervisor on %s: supervisor %v, want %s", c.on.Format(time.DateOnly), sup, c.want.SupervisorID)
		}
		got, err := db.CurrentRelationship(ctx, a.ID, c.on)
		if c.want == nil {
			wantKind(t, err, supervision.ErrNotFound, "CurrentRelationship on "+c.on.Format(time.DateOnly))
			continue
		}
		must(t, err, "CurrentRelationship")
		diff(t, "CurrentRelationship on "+c.on.Format(time.DateOnly), c.want, got)
		// SupervisorOn is the same relationship's supervisor, in one read.
		sup, err = db.SupervisorOn(ctx, a.ID, c.on)
		must(t, err, "SupervisorOn")
		wantSup, err := db.GetStaff(ctx, c.want.SupervisorID)
		must(t, err, "GetStaff")
		diff(t, "SupervisorOn "+c.on.Format(time.DateOnly), wantSup, sup)
	}
	_, err = db.SupervisorOn(ctx, a.ID, date(2025, 12, 31))
	wantKind(t, err, supervision.ErrNotFound, "SupervisorOn before any")
	_, err = db.SupervisorOn(ctx, "no-such-person", date(2026, 3, 1))
	wantKind(t, err, supervision.ErrNotFound, "SupervisorOn someone unknown")
	_, _, err = db.StaffAndSupervisor(ctx, "no-such-person", date(2026, 3, 1))
	wantKind(t, err, supervision.ErrNotFound, "StaffAndSupervisor someone unknown")

	// The same supervisor again changes nothing, and says what is stored.
	again := &supervision.Relationship{ID: "rel-3", SuperviseeID: a.ID, SupervisorID: s2.ID, From: date(2026, 4, 1)}
	must(t, db.SetSupervisor(ctx, again), "SetSupervisor to the current supervisor")
	diff(t, "relationship after a no-op", want[1], again)
	rels, err = db.Relationships(ctx, a.ID)
	must(t, err, "Relationships after no-op")
	diff(t, "history after no-op", want, rels)

	// A change on the day the open relationship began keeps it, as an
	// empty interval, and the new one sorts after it.
	s3 := newStaff(t, db, "Sid Third")
	r4 := &supervision.Relationship{ID: "rel-0", SuperviseeID: a.ID, SupervisorID: s3.ID, From: date(2026, 3, 1)}
	must(t, db.SetSupervisor(ctx, r4), "SetSupervisor on the same day")
	rels, err = db.Relationships(ctx, a.ID)
	must(t, err, "Relationships after same-day change")
	same := date(2026, 3, 1)
	want2 := []*supervision.Relationship{
		want[0],
		{ID: "rel-2", SuperviseeID: a.ID, SupervisorID: s2.ID, From: same, To: &same},
		{ID: "rel-0", SuperviseeID: a.ID, SupervisorID: s3.ID, From: same},
	}
	diff(t, "history after same-day change", want2, rels)
	cur, err := db.CurrentRelationship(ctx, a.ID, same)
	must(t, err, "CurrentRelationship after same-day change")
	diff(t, "current after same-day change", want2[2], cur)
}

func testRelationshipRefused(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	a := newStaff(t, db, "Ann Supervisee")
	s1 := newStaff(t, db, "Sam First")
	s2 := newStaff(t, db, "Sue Second")
	must(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: "rel-1", SuperviseeID: a.ID, SupervisorID: s1.ID, From: date(2026, 3, 1)}), "SetSupervisor")
	history := func() []*supervision.Relationship {
		rels, err := db.Relationships(ctx, a.ID)
		must(t, err, "Relationships")
		return rels
	}
	before := history()

	wantKind(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: "rel-2", SuperviseeID: a.ID, SupervisorID: s2.ID, From: date(2026, 2, 1)}),
		supervision.ErrInvalid, "SetSupervisor before the open relationship began")
	wantKind(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: "rel-3", SuperviseeID: a.ID, SupervisorID: a.ID, From: date(2026, 4, 1)}),
		supervision.ErrInvalid, "SetSupervisor to oneself")
	end := date(2026, 5, 1)
	wantKind(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: "rel-4", SuperviseeID: a.ID, SupervisorID: s2.ID, From: date(2026, 4, 1), To: &end}),
		supervision.ErrInvalid, "SetSupervisor with an end date")
	// The open relationship is closed first, then the insert fails: the
	// close must be undone with it.
	wantKind(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: "rel-5", SuperviseeID: a.ID, SupervisorID: "nobody", From: date(2026, 4, 1)}),
		supervision.ErrNotFound, "SetSupervisor to nobody")
	wantKind(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: "rel-1", SuperviseeID: a.ID, SupervisorID: s2.ID, From: date(2026, 4, 1)}),
		supervision.ErrConflict, "SetSupervisor with an ID in use")
	diff(t, "history after refused changes", before, history())
}

func testSupervisees(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	sup := newStaff(t, db, "Sam Supervisor")
	other := newStaff(t, db, "Oli Other")
	zoe := newStaff(t, db, "Zoe Early")
	amy := newStaff(t, db, "Amy Later")
	ben := newStaff(t, db, "Ben Moved")
	set := func(id string, who, to *supervision.Staff, from time.Time) {
		must(t, db.SetSupervisor(ctx, &supervision.Relationship{ID: id, SuperviseeID: who.ID, SupervisorID: to.ID, From: from}), "SetSupervisor")
	}
	set("r-zoe", zoe, sup, date(2026, 1, 1))
	set("r-amy", amy, sup, date(2026, 2, 1))
	set("r-ben", ben, sup, date(2026, 1, 1))
	set("r-ben-2", ben, other, date(2026, 3, 1))

	names := func(on time.Time, who *supervision.Staff) []string {
		list, err := db.Supervisees(ctx, who.ID, on)
		must(t, err, "Supervisees")
		names := []string{}
		for _, s := range list {
			names = append(names, s.Name)
		}
		return names
	}
	for _, c := range []struct {
		on   time.Time
		who  *supervision.Staff
		want []string
	}{
		{date(2025, 12, 31), sup, []string{}},
		{date(2026, 1, 1), sup, []string{"Ben Moved", "Zoe Early"}},
		{date(2026, 2, 1), sup, []string{"Amy Later", "Ben Moved", "Zoe Early"}},
		{date(2026, 2, 28), sup, []string{"Amy Later", "Ben Moved", "Zoe Early"}},
		{date(2026, 3, 1), sup, []string{"Amy Later", "Zoe Early"}},
		{date(2026, 2, 28), other, []string{}},
		{date(2026, 3, 1), other, []string{"Ben Moved"}},
		// A time of day does not move the date.
		{date(2026, 3, 1).Add(23 * time.Hour), other, []string{"Ben Moved"}},
	} {
		diff(t, fmt.Sprintf("Supervisees of %s on %s", c.who.Name, c.on.Format(time.DateOnly)), c.want, names(c.on, c.who))
	}
	list, err := db.Supervisees(ctx, sup.ID, date(2026, 3, 1))
	must(t, err, "Supervisees")
	diff(t, "Supervisees' details", []*supervision.Staff{amy, zoe}, list)
}

func testRecords(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	other := newStaff(t, db, "Oli Other")

	t0 := base.Add(9 * time.Hour)
	r1 := newRecord(t, db, staff, author, "rec-b", t0)
	r2 := newRecord(t, db, staff, author, "rec-a", t0.Add(time.Hour))
	r3 := newRecord(t, db, staff, author, "rec-c", t0.Add(time.Hour)) // same time as r2: the ID decides
	newRecord(t, db, other, author, "rec-other", t0)

	getRecord(t, db, r1)
	list, err := db.ListRecords(ctx, staff.ID)
	must(t, err, "ListRecords")
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	diff(t, "ListRecords order, newest first", []string{r3.ID, r2.ID, r1.ID}, ids)
	list, err = db.ListRecords(ctx, "nobody")
	must(t, err, "ListRecords of nobody")
	if len(list) != 0 {
		t.Errorf("ListRecords of nobody = %d records", len(list))
	}

	r, err := db.GetRecord(ctx, "missing")
	wantKind(t, err, supervision.ErrNotFound, "GetRecord of a missing record")
	if r != nil {
		t.Errorf("GetRecord of a missing record returned %+v", r)
	}
	diff(t, "events of a new record", []string{"created"}, actions(t, db, r1.ID))
	evs, err := db.Events(ctx, r1.ID)
	must(t, err, "Events")
	diff(t, "first event", []*supervision.Event{{RecordID: r1.ID, At: t0, ActorID: author.ID, Action: "created"}}, evs)

	dup := *r1
	wantKind(t, db.CreateRecord(ctx, &dup, supervision.Event{Action: "created"}), supervision.ErrConflict, "CreateRecord with an ID in use")
	diff(t, "events after a refused create", []string{"created"}, actions(t, db, r1.ID))

	bad := func(mod func(r *supervision.Record), kind error, what string) {
		t.Helper()
		r := &supervision.Record{ID: "rec-bad", StaffID: staff.ID, FormID: "f", FormVersion: 1, Version: 1,
			Status: supervision.StatusDraft, Revision: 1, Data: []byte(`{}`), AuthorID: author.ID, CreatedAt: t0, UpdatedAt: t0}
		mod(r)
		wantKind(t, db.CreateRecord(ctx, r, supervision.Event{Action: "created"}), kind, what)
		if _, err := db.GetRecord(ctx, "rec-bad"); !errors.Is(err, supervision.ErrNotFound) {
			t.Errorf("%s: the record was stored anyway (%v)", what, err)
		}
	}
	bad(func(r *supervision.Record) { r.StaffID = "nobody" }, supervision.ErrNotFound, "CreateRecord for nobody's file")
	bad(func(r *supervision.Record) { r.Data = []byte(`{"a":`) }, supervision.ErrInvalid, "CreateRecord with broken JSON")
	bad(func(r *supervision.Record) { r.Data = []byte(`[1, 2]`) }, supervision.ErrInvalid, "CreateRecord with a JSON array")
	bad(func(r *supervision.Record) { r.Status = "lost" }, supervision.ErrInvalid, "CreateRecord with an unknown status")
	bad(func(r *supervision.Record) { r.ID = "" }, supervision.ErrInvalid, "CreateRecord without an ID")

	// Data keeps its meaning whatever its spelling, including text that
	// JSON escapes.
	r4 := newRecord(t, db, other, author, "rec-unicode", t0)
	r4.Data = []byte("{\n  \"text\": \"Line 1\\nLine 2 – café \\u003cb\\u003e\",\n  \"list\": [1, 2.5, true, null],\n  \"nested\": {\"b\": 1, \"a\": [\"x\"]}\n}")
	must(t, db.SaveDraft(ctx, r4, supervision.Event{Action: "saved"}), "SaveDraft")
	got := getRecord(t, db, r4)
	if !json.Valid(got.Data) || bytes.ContainsAny(got.Data, "\n") {
		t.Errorf("stored data is not compact JSON: %q", got.Data)
	}
}

func testSaveDraft(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	r := newRecord(t, db, staff, author, "rec-1", base.Add(9*time.Hour))

	opened := *r // as a second browser tab saw it
	r.Data, r.UpdatedAt = []byte(`{"notes":"second"}`), base.Add(10*time.Hour)
	must(t, db.SaveDraft(ctx, r, supervision.Event{ActorID: author.ID, Action: "saved draft"}), "SaveDraft")
	if r.Revision != 2 {
		t.Errorf("revision after SaveDraft = %d, want 2", r.Revision)
	}
	getRecord(t, db, r)

	stale := opened
	stale.Data, stale.UpdatedAt = []byte(`{"notes":"stale"}`), base.Add(11*time.Hour)
	wantKind(t, db.SaveDraft(ctx, &stale, supervision.Event{ActorID: author.ID, Action: "saved draft"}), supervision.ErrConflict, "stale SaveDraft")
	if stale.Revision != 1 {
		t.Errorf("a refused SaveDraft changed the caller's revision to %d", stale.Revision)
	}
	getRecord(t, db, r) // unchanged
	diff(t, "events after a stale save", []string{"created", "saved draft"}, actions(t, db, r.ID))

	ghost := *r
	ghost.ID = "missing"
	wantKind(t, db.SaveDraft(ctx, &ghost, supervision.Event{Action: "saved draft"}), supervision.ErrNotFound, "SaveDraft of a missing record")
	bad := *r
	bad.Data = []byte(`{"notes":`)
	wantKind(t, db.SaveDraft(ctx, &bad, supervision.Event{Action: "saved draft"}), supervision.ErrInvalid, "SaveDraft of broken JSON")
	getRecord(t, db, r)

	// SetStatus checks the revision the same way.
	staleStatus := opened
	staleStatus.Status = supervision.StatusAwaitingSignatures
	wantKind(t, db.SetStatus(ctx, &staleStatus, supervision.Event{Action: "submitted"}), supervision.ErrConflict, "stale SetStatus")
	getRecord(t, db, r)
	toSigned := *r
	toSigned.Status = supervision.StatusSigned
	wantKind(t, db.SetStatus(ctx, &toSigned, supervision.Event{Action: "signed"}), supervision.ErrInvalid, "SetStatus to signed")
	wantKind(t, db.SetStatus(ctx, &ghost, supervision.Event{Action: "submitted"}), supervision.ErrNotFound, "SetStatus of a missing record")

	r.Status, r.DataSHA256, r.UpdatedAt = supervision.StatusAwaitingSignatures, "0123abcd", base.Add(12*time.Hour)
	must(t, db.SetStatus(ctx, r, supervision.Event{ActorID: author.ID, Action: "submitted for signatures", Detail: "SHA-256 0123abcd"}), "SetStatus")
	if r.Revision != 3 {
		t.Errorf("revision after SetStatus = %d, want 3", r.Revision)
	}
	getRecord(t, db, r)

	// Right revision, but no longer a draft.
	late := *r
	late.Data = []byte(`{"notes":"too late"}`)
	wantKind(t, db.SaveDraft(ctx, &late, supervision.Event{Action: "saved draft"}), supervision.ErrConflict, "SaveDraft of a submitted record")
	getRecord(t, db, r)

	evs, err := db.Events(ctx, r.ID)
	must(t, err, "Events")
	diff(t, "events", []*supervision.Event{
		{RecordID: r.ID, At: base.Add(9 * time.Hour), ActorID: author.ID, Action: "created"},
		{RecordID: r.ID, At: base.Add(10 * time.Hour), ActorID: author.ID, Action: "saved draft"},
		{RecordID: r.ID, At: base.Add(12 * time.Hour), ActorID: author.ID, Action: "submitted for signatures", Detail: "SHA-256 0123abcd"},
	}, evs)

	// Back to draft (a withdrawn submission) is allowed, at the revision.
	r.Status = supervision.StatusDraft
	must(t, db.SetStatus(ctx, r, supervision.Event{ActorID: author.ID, Action: "withdrawn"}), "SetStatus back to draft")
	r.Data = []byte(`{"notes":"after withdrawal"}`)
	must(t, db.SaveDraft(ctx, r, supervision.Event{ActorID: author.ID, Action: "saved draft"}), "SaveDraft after withdrawal")
	getRecord(t, db, r)
}

func testSaveDraftConcurrent(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	r := newRecord(t, db, staff, author, "rec-1", base)
	for round := range 5 {
		cur, err := db.GetRecord(ctx, r.ID)
		must(t, err, "GetRecord")
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  [2]error
			data  [2][]byte
		)
		for i := range 2 {
			data[i] = fmt.Appendf(nil, `{"round":%d,"writer":%d}`, round, i)
			mine := *cur
			mine.Data = data[i]
			wg.Go(func() {
				<-start
				errs[i] = db.SaveDraft(ctx, &mine, supervision.Event{ActorID: author.ID, Action: fmt.Sprintf("writer %d", i)})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: both saves from revision %d succeeded", round, cur.Revision)
			case err == nil:
				winner = i
			case !errors.Is(err, supervision.ErrConflict):
				t.Fatalf("round %d: save %d = %v, want nil or ErrConflict", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: neither save succeeded: %v", round, errs)
		}
		after, err := db.GetRecord(ctx, r.ID)
		must(t, err, "GetRecord")
		if after.Revision != cur.Revision+1 {
			t.Errorf("round %d: revision %d, want %d", round, after.Revision, cur.Revision+1)
		}
		sameJSON(t, fmt.Sprintf("round %d: stored data", round), data[winner], after.Data)
		a := actions(t, db, r.ID)
		if last := a[len(a)-1]; last != fmt.Sprintf("writer %d", winner) || len(a) != round+2 {
			t.Errorf("round %d: events %v, want one per successful save", round, a)
		}
	}
}

func testSignatures(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	r := newRecord(t, db, staff, author, "rec-1", base)
	submit(t, db, r)

	sigs, err := db.Signatures(ctx, r.ID)
	must(t, err, "Signatures before any")
	if len(sigs) != 0 {
		t.Errorf("Signatures before any = %v", sigs)
	}

	png := []byte("\x89PNG\r\n\x1a\n\x00binary\xff")
	s1 := &supervision.Signature{
		RecordID: r.ID, SignerID: staff.ID, Role: "supervisee", Name: "Ann Supervisee", SignedAt: base.Add(time.Hour),
		IP: "192.0.2.1", UserAgent: "Firefox", Comment: "Fine", Disagreement: "About item 3", DrawingPNG: png, DataSHA256: "abc123",
	}
	must(t, db.AddSignature(ctx, s1, supervision.Event{ActorID: staff.ID, Action: "signed", Detail: "as supervisee"}), "AddSignature")
	again := *s1
	again.SignerID, again.Name, again.SignedAt = author.ID, "Sam Supervisor", base.Add(2*time.Hour)
	wantKind(t, db.AddSignature(ctx, &again, supervision.Event{ActorID: author.ID, Action: "signed"}), supervision.ErrConflict, "AddSignature for a role already signed")
	s2 := &supervision.Signature{RecordID: r.ID, SignerID: author.ID, Role: "supervisor", Name: "Sam Supervisor", SignedAt: base.Add(3 * time.Hour), DataSHA256: "abc123"}
	must(t, db.AddSignature(ctx, s2, supervision.Event{ActorID: author.ID, Action: "signed", Detail: "as supervisor"}), "AddSignature supervisor")

	sigs, err = db.Signatures(ctx, r.ID)
	must(t, err, "Signatures")
	diff(t, "signatures", []*supervision.Signature{s1, s2}, sigs)
	diff(t, "events", []string{"created", "submitted", "signed", "signed"}, actions(t, db, r.ID))

	wantKind(t, db.AddSignature(ctx, &supervision.Signature{RecordID: "missing", SignerID: author.ID, Role: "supervisor", Name: "x", SignedAt: base},
		supervision.Event{Action: "signed"}), supervision.ErrNotFound, "AddSignature to a missing record")
	sigs, err = db.Signatures(ctx, "missing")
	must(t, err, "Signatures of a missing record")
	if len(sigs) != 0 {
		t.Errorf("Signatures of a missing record = %v", sigs)
	}
}

func documents(r *supervision.Record) []*supervision.Document {
	prefix := fmt.Sprintf("files/%s/records/%s/v%d/", r.StaffID, r.ID, r.Version)
	return []*supervision.Document{
		{RecordID: r.ID, Version: r.Version, Kind: "docx", Key: prefix + r.FormID + ".docx", SHA256: "d0c", Size: 2048},
		{RecordID: r.ID, Version: r.Version, Kind: "json", Key: prefix + "record.json", SHA256: "150", Size: 512},
		{RecordID: r.ID, Version: r.Version, Kind: "pdf", Key: prefix + r.FormID + ".pdf", SHA256: "9df", Size: 1 << 33},
	}
}

func testFinalize(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	r := newRecord(t, db, staff, author, "rec-1", base)

	draft := *r
	wantKind(t, db.Finalize(ctx, &draft, documents(r), supervision.Event{Action: "finalised"}), supervision.ErrConflict, "Finalize of a draft")
	ghost := *r
	ghost.ID = "missing"
	wantKind(t, db.Finalize(ctx, &ghost, nil, supervision.Event{Action: "finalised"}), supervision.ErrNotFound, "Finalize of a missing record")
	getRecord(t, db, r)

	submit(t, db, r)
	docs := documents(r)
	signedAt := base.Add(5 * time.Hour)
	r.SignedAt, r.UpdatedAt = &signedAt, signedAt
	fin := *r
	must(t, db.Finalize(ctx, &fin, docs, supervision.Event{At: signedAt, ActorID: author.ID, Action: "finalised"}), "Finalize")
	if fin.Status != supervision.StatusSigned || fin.Revision != r.Revision+1 {
		t.Errorf("after Finalize the caller's record has status %s, revision %d", fin.Status, fin.Revision)
	}
	got := getRecord(t, db, &fin)
	if got.SignedAt == nil || !got.SignedAt.Equal(signedAt) {
		t.Errorf("SignedAt = %v, want %v", got.SignedAt, signedAt)
	}
	stored, err := db.Documents(ctx, r.ID)
	must(t, err, "Documents")
	diff(t, "documents", docs, stored)
	diff(t, "events", []string{"created", "submitted", "finalised"}, actions(t, db, r.ID))

	// Signed is final.
	twice := fin
	wantKind(t, db.Finalize(ctx, &twice, nil, supervision.Event{Action: "finalised"}), supervision.ErrConflict, "second Finalize")
	edit := fin
	edit.Data = []byte(`{"notes":"changed"}`)
	wantKind(t, db.SaveDraft(ctx, &edit, supervision.Event{Action: "saved draft"}), supervision.ErrConflict, "SaveDraft of a signed record")
	back := fin
	back.Status = supervision.StatusDraft
	wantKind(t, db.SetStatus(ctx, &back, supervision.Event{Action: "reopened"}), supervision.ErrConflict, "SetStatus of a signed record")
	getRecord(t, db, &fin)
	diff(t, "events after refused changes", []string{"created", "submitted", "finalised"}, actions(t, db, r.ID))
	stored, err = db.Documents(ctx, r.ID)
	must(t, err, "Documents")
	diff(t, "documents after refused changes", docs, stored)

	none, err := db.Documents(ctx, "missing")
	must(t, err, "Documents of a missing record")
	if len(none) != 0 {
		t.Errorf("Documents of a missing record = %v", none)
	}
}

func testFinalizeAtomic(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	first := newRecord(t, db, staff, author, "rec-1", base)
	submit(t, db, first)
	must(t, db.Finalize(ctx, first, documents(first), supervision.Event{ActorID: author.ID, Action: "finalised"}), "Finalize")

	r := newRecord(t, db, staff, author, "rec-2", base)
	submit(t, db, r)
	want := *r
	// The last document's key is taken: the whole Finalize must fail,
	// leaving the record awaiting signatures and without documents.
	docs := documents(r)
	docs[2].Key = documents(first)[2].Key
	try := *r
	wantKind(t, db.Finalize(ctx, &try, docs, supervision.Event{ActorID: author.ID, Action: "finalised"}), supervision.ErrConflict, "Finalize with a key in use")
	getRecord(t, db, &want)
	stored, err := db.Documents(ctx, r.ID)
	must(t, err, "Documents")
	if len(stored) != 0 {
		t.Errorf("a failed Finalize left documents %v", stored)
	}
	diff(t, "events after a failed Finalize", []string{"created", "submitted"}, actions(t, db, r.ID))
}

func testSessions(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	now := base.Add(9 * time.Hour)
	s := &supervision.Session{TokenHash: "hash-1", StaffID: staff.ID, CreatedAt: now, ExpiresAt: now.Add(12 * time.Hour)}
	must(t, db.CreateSession(ctx, s), "CreateSession")
	got, err := db.GetSession(ctx, "hash-1", now.Add(time.Minute))
	must(t, err, "GetSession")
	diff(t, "session", s, got)

	for _, at := range []time.Time{s.ExpiresAt, s.ExpiresAt.Add(time.Microsecond), s.ExpiresAt.Add(24 * time.Hour)} {
		got, err := db.GetSession(ctx, "hash-1", at)
		wantKind(t, err, supervision.ErrNotFound, "GetSession at "+at.String())
		if got != nil {
			t.Errorf("GetSession of an expired session returned %+v", got)
		}
	}
	if _, err := db.GetSession(ctx, "hash-1", s.ExpiresAt.Add(-time.Microsecond)); err != nil {
		t.Errorf("GetSession a microsecond before expiry: %v", err)
	}
	_, err = db.GetSession(ctx, "no-such-hash", now)
	wantKind(t, err, supervision.ErrNotFound, "GetSession of an unknown token")

	// SessionStaff: the session's member of staff, while it lasts.
	who, err := db.SessionStaff(ctx, "hash-1", now.Add(time.Minute))
	must(t, err, "SessionStaff")
	diff(t, "SessionStaff", staff, who)
	if _, err := db.SessionStaff(ctx, "hash-1", s.ExpiresAt.Add(-time.Microsecond)); err != nil {
		t.Errorf("SessionStaff a microsecond before expiry: %v", err)
	}
	for _, at := range []time.Time{s.ExpiresAt, s.ExpiresAt.Add(time.Microsecond)} {
		who, err := db.SessionStaff(ctx, "hash-1", at)
		wantKind(t, err, supervision.ErrNotFound, "SessionStaff at "+at.String())
		if who != nil {
			t.Errorf("SessionStaff of an expired session returned %+v", who)
		}
	}
	_, err = db.SessionStaff(ctx, "no-such-hash", now)
	wantKind(t, err, supervision.ErrNotFound, "SessionStaff of an unknown token")

	dup := *s
	wantKind(t, db.CreateSession(ctx, &dup), supervision.ErrConflict, "CreateSession with a token in use")
	wantKind(t, db.CreateSession(ctx, &supervision.Session{TokenHash: "hash-2", StaffID: "nobody", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}),
		supervision.ErrNotFound, "CreateSession for nobody")

	must(t, db.DeleteSession(ctx, "hash-1"), "DeleteSession")
	_, err = db.GetSession(ctx, "hash-1", now)
	wantKind(t, err, supervision.ErrNotFound, "GetSession after DeleteSession")
	_, err = db.SessionStaff(ctx, "hash-1", now)
	wantKind(t, err, supervision.ErrNotFound, "SessionStaff after DeleteSession")
	must(t, db.DeleteSession(ctx, "hash-1"), "DeleteSession again")

	// Housekeeping removes only expired sessions.
	must(t, db.CreateSession(ctx, &supervision.Session{TokenHash: "old", StaffID: staff.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), "CreateSession old")
	must(t, db.CreateSession(ctx, &supervision.Session{TokenHash: "new", StaffID: staff.ID, CreatedAt: now, ExpiresAt: now.Add(48 * time.Hour)}), "CreateSession new")
	n, err := db.DeleteExpiredSessions(ctx, now.Add(2*time.Hour))
	must(t, err, "DeleteExpiredSessions")
	if n != 1 {
		t.Errorf("DeleteExpiredSessions removed %d, want 1", n)
	}
	if _, err := db.GetSession(ctx, "new", now.Add(2*time.Hour)); err != nil {
		t.Errorf("a live session was removed: %v", err)
	}
}

// testReadTogether: reads inside ReadTogether answer as outside it, and
// once it is ended (also after its context was cancelled mid-read) every
// read sees the latest write: no connection is left holding an old
// snapshot.
func testReadTogether(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	ann := newStaff(t, db, "Ann Reader")
	rctx, done := db.ReadTogether(ctx)
	got, err := db.GetStaff(rctx, ann.ID)
	must(t, err, "GetStaff inside ReadTogether")
	diff(t, "staff inside ReadTogether", ann, got)
	inner, innerDone := db.ReadTogether(rctx) // nested: the same reads
	if _, err := db.GetStaff(inner, ann.ID); err != nil {
		t.Errorf("GetStaff inside a nested ReadTogether: %v", err)
	}
	innerDone()
	if _, err := db.GetStaff(rctx, ann.ID); err != nil {
		t.Errorf("GetStaff after the nested one ended: %v", err)
	}
	_, err = db.GetStaff(rctx, "nobody")
	wantKind(t, err, supervision.ErrNotFound, "GetStaff of nobody inside ReadTogether")
	done()

	for i := range 40 {
		cctx, cancel := context.WithCancel(ctx)
		rctx, done := db.ReadTogether(cctx)
		if i%2 == 0 {
			db.GetStaff(rctx, ann.ID)
		}
		cancel()
		db.GetStaff(rctx, ann.ID) // after the cancel: may fail, must not stick
		done()
		ann.Name = fmt.Sprintf("Ann Reader %d", i)
		must(t, db.UpdateStaff(ctx, ann), "UpdateStaff")
		for range 3 {
			got, err := db.GetStaff(ctx, ann.ID)
			must(t, err, "GetStaff after ReadTogether")
			if got.Name != ann.Name {
				t.Fatalf("round %d: read %q after writing %q: a stale snapshot", i, got.Name, ann.Name)
			}
			rctx, done := db.ReadTogether(ctx)
			got, err = db.GetStaff(rctx, ann.ID)
			done()
			must(t, err, "GetStaff in a new ReadTogether")
			if got.Name != ann.Name {
				t.Fatalf("round %d: read %q in a new ReadTogether after writing %q", i, got.Name, ann.Name)
			}
		}
	}
}

func testPingClose(t *testing.T, db *storage.DB) {
	must(t, db.Ping(t.Context()), "Ping")
	must(t, db.Close(), "Close")
	if err := db.Ping(t.Context()); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

func testImportRecord(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	signed := base.Add(30 * time.Hour)
	r := &supervision.Record{
		ID: "rec-imported", StaffID: staff.ID, FormID: "supervision-agreement", FormVersion: 1, Version: 1,
		Status: supervision.StatusSigned, Revision: 1, Data: []byte(`{"notes":"from the file"}`), AuthorID: author.ID,
		CreatedAt: base, UpdatedAt: signed, SignedAt: &signed, DataSHA256: "feed",
	}
	sigs := []*supervision.Signature{
		{SignerID: staff.ID, Role: "supervisee", Name: "Ann Supervisee", SignedAt: base.Add(time.Hour), DataSHA256: "feed"},
		{SignerID: author.ID, Role: "supervisor", Name: "Sam Supervisor", SignedAt: signed, Comment: "Agreed", DataSHA256: "feed"},
	}
	evs := []*supervision.Event{
		{At: base, ActorID: author.ID, Action: "created"},
		{At: signed, ActorID: author.ID, Action: "finalised"},
	}
	docs := []*supervision.Document{
		{Version: 1, Kind: "pdf", Key: "files/x/records/rec-imported/v1/supervision-agreement.pdf", SHA256: "aa", Size: 10},
		{Version: 1, Kind: "json", Key: "files/x/records/rec-imported/v1/record.json", SHA256: "bb", Size: 5},
	}
	must(t, db.ImportRecord(ctx, r, sigs, evs, docs), "ImportRecord")
	getRecord(t, db, r)
	gotSigs, err := db.Signatures(ctx, r.ID)
	must(t, err, "Signatures")
	diff(t, "imported signatures", sigs, gotSigs)
	gotEvs, err := db.Events(ctx, r.ID)
	must(t, err, "Events")
	diff(t, "imported events", evs, gotEvs)
	gotDocs, err := db.Documents(ctx, r.ID)
	must(t, err, "Documents")
	diff(t, "imported documents", len(docs), len(gotDocs))
	found, err := db.DocumentBySHA256(ctx, "aa")
	must(t, err, "DocumentBySHA256")
	diff(t, "document by SHA-256", docs[0], found)
	_, err = db.DocumentBySHA256(ctx, "no such hash")
	wantKind(t, err, supervision.ErrNotFound, "DocumentBySHA256 of an unknown hash")

	wantKind(t, db.ImportRecord(ctx, r, nil, nil, nil), supervision.ErrConflict, "ImportRecord of an indexed record")
	draft := *r
	draft.ID, draft.Status = "rec-draft", supervision.StatusDraft
	wantKind(t, db.ImportRecord(ctx, &draft, nil, nil, nil), supervision.ErrInvalid, "ImportRecord of a draft")
	// All or nothing: a signature by someone unknown leaves no record behind.
	orphan := *r
	orphan.ID = "rec-orphan"
	err = db.ImportRecord(ctx, &orphan, []*supervision.Signature{{SignerID: "nobody", Role: "supervisee", Name: "X", SignedAt: signed}}, nil, nil)
	if err == nil {
		t.Fatal("ImportRecord with an unknown signer succeeded")
	}
	_, err = db.GetRecord(ctx, "rec-orphan")
	wantKind(t, err, supervision.ErrNotFound, "GetRecord after a failed import")
}
