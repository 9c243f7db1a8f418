package supervision_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// countingBlobs counts every call on the document store, so a test can say
// that something did not touch it.
type countingBlobs struct {
	supervision.Blobs
	calls atomic.Int64
}

func (c *countingBlobs) Put(ctx context.Context, key string, data []byte, ct string) error {
	c.calls.Add(1)
	return c.Blobs.Put(ctx, key, data, ct)
}

func (c *countingBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	c.calls.Add(1)
	return c.Blobs.Get(ctx, key)
}

func (c *countingBlobs) Exists(ctx context.Context, key string) (bool, error) {
	c.calls.Add(1)
	return c.Blobs.Exists(ctx, key)
}

// handoverFile is a service on db with a supervisee whose file holds n
// signed records (an agreement each, indexed as signed with their three
// documents' hashes; the documents themselves are not written, since a
// handover must not read them), one signed supervision record with two
// actions, and two drafts by the supervisor; and two managers to hand the
// file back and forth between.
type handoverFile struct {
	svc               *supervision.Service
	blobs             *countingBlobs
	admin, supervisee *supervision.Staff
	supA, supB        *supervision.Staff
	effective         string
	current, incoming *supervision.Staff
}

func newHandoverFile(tb testing.TB, db *storage.DB, n int) *handoverFile {
	tb.Helper()
	ctx := context.Background()
	local, err := storage.NewLocalBlobs(filepath.Join(tb.TempDir(), "documents"))
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		tb.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	loc, _ := time.LoadLocation("Europe/London")
	f := &handoverFile{blobs: &countingBlobs{Blobs: local}, effective: "2026-11-30"}
	f.svc = supervision.New(db, f.blobs, cat, r, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council", Location: loc,
		Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler))
	if _, _, err := f.svc.People.EnsureAdmin(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		tb.Fatal(err)
	}
	if _, f.admin, err = f.svc.People.Login(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		tb.Fatal(err)
	}
	add := func(name, email, role string) *supervision.Staff {
		st, err := f.svc.People.CreateStaff(ctx, f.admin, supervision.NewStaff{Name: name, Email: email, JobTitle: "Team Manager",
			Role: role, StartDate: "2024-01-08", Password: "a long password 1"})
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	f.supA = add("Ahmed Khan", "ahmed@testshire.gov.uk", "team_manager")
	f.supB = add("Bea Nwosu", "bea@testshire.gov.uk", "team_manager")
	f.supervisee = add("Siân Jones", "sian@testshire.gov.uk", "social_worker")
	if _, err := f.svc.Admin.SetSupervisor(ctx, f.admin, f.supervisee.ID, f.supA.ID, "2025-01-06"); err != nil {
		tb.Fatal(err)
	}
	f.current, f.incoming = f.supA, f.supB
	agreement, _ := json.Marshal(map[string]any{"supervisee_name": "Siân Jones", "location": "Room 2"})
	record, _ := json.Marshal(map[string]any{"supervisee_name": "Siân Jones", "actions": []any{
		map[string]any{"action": "Book the refresher course", "owner": "Siân", "due": "2027-01-15"},
		map[string]any{"action": "Close two dormant cases", "owner": "Ahmed", "due": "2027-01-29"},
	}})
	file := func(i int, form string, data []byte, signed bool) {
		at := now.Add(-time.Duration(n+10-i) * time.Hour)
		rec := &supervision.Record{ID: fmt.Sprintf("rec-%05d", i), StaffID: f.supervisee.ID, FormID: form, FormVersion: 1, Version: 1,
			Status: supervision.StatusDraft, Revision: 1, Data: data, AuthorID: f.supA.ID, CreatedAt: at, UpdatedAt: at}
		if err := db.CreateRecord(ctx, rec, supervision.Event{At: at, ActorID: f.supA.ID, Action: "created"}); err != nil {
			tb.Fatal(err)
		}
		if !signed {
			return
		}
		rec.Status, rec.DataSHA256 = supervision.StatusAwaitingSignatures, fmt.Sprintf("%064x", i)
		if err := db.SetStatus(ctx, rec, supervision.Event{At: at, ActorID: f.supA.ID, Action: "submitted"}); err != nil {
			tb.Fatal(err)
		}
		rec.SignedAt = &at
		prefix := supervision.RecordPrefix(rec.StaffID, rec.ID, 1)
		docs := []*supervision.Document{
			{RecordID: rec.ID, Version: 1, Kind: "pdf", Key: prefix + form + ".pdf", SHA256: fmt.Sprintf("%064x", i*3), Size: 60000},
			{RecordID: rec.ID, Version: 1, Kind: "docx", Key: prefix + form + ".docx", SHA256: fmt.Sprintf("%064x", i*3+1), Size: 9000},
			{RecordID: rec.ID, Version: 1, Kind: "json", Key: prefix + "record.json", SHA256: fmt.Sprintf("%064x", i*3+2), Size: 4000},
		}
		if err := db.Finalize(ctx, rec, docs, supervision.Event{At: at, ActorID: f.supA.ID, Action: "finalised"}); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 1; i < n; i++ {
		file(i, "supervision-agreement", agreement, true)
	}
	file(n, "supervision-record", record, true)
	file(n+1, "reflective-discussion", []byte(`{}`), false)
	file(n+2, "reflective-discussion", []byte(`{}`), false)
	return f
}

// handOver hands the file to the other manager and back the next time.
func (f *handoverFile) handOver(tb testing.TB) *supervision.HandoverResult {
	res, err := f.svc.Admin.StartHandover(context.Background(), f.admin, f.supervisee.ID, supervision.HandoverInput{
		ToSupervisorID: f.incoming.ID, Effective: f.effective, Reason: "Siân moves to the east locality team."})
	if err != nil {
		tb.Fatal(err)
	}
	f.current, f.incoming = f.incoming, f.current
	return res
}

func newBenchSQLite(tb testing.TB) *storage.DB {
	db, err := storage.OpenSQLite(filepath.Join(tb.TempDir(), "supfile.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

func newBenchPostgres(tb testing.TB) *storage.DB {
	db, err := storage.OpenPostgres(context.Background(), pgtest.Schema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// TestHandoverMovesNoDocument: handing over a 500-record file reads and
// writes nothing in the document store, lists every signed record with its
// documents' hashes, and moves only the outgoing supervisor's drafts.
func TestHandoverMovesNoDocument(t *testing.T) {
	f := newHandoverFile(t, newBenchSQLite(t), 500)
	before := f.blobs.calls.Load()
	res := f.handOver(t)
	if n := f.blobs.calls.Load() - before; n != 0 {
		t.Errorf("a handover made %d calls on the document store, want none", n)
	}
	if res.Handover.DraftsMoved != 2 {
		t.Errorf("drafts moved: %d, want 2", res.Handover.DraftsMoved)
	}
	var stored struct {
		AsOf     string           `json:"contents_as_of"`
		Contents []map[string]any `json:"contents"`
	}
	if err := json.Unmarshal(res.Record.Data, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.AsOf == "" || len(stored.Contents) != 0 {
		t.Errorf("the handover record stores %q and %d rows, want its moment and no rows (they are listed when shown)", stored.AsOf, len(stored.Contents))
	}
	// Shown to the incoming supervisor, it lists every signed record.
	v, err := f.svc.Records.Record(context.Background(), f.supB, res.Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Contents []map[string]any `json:"contents"`
		Actions  []map[string]any `json:"open_actions"`
	}
	raw, _ := json.Marshal(v.Data)
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Contents) != 500 || len(data.Actions) != 2 {
		t.Fatalf("handover record lists %d records and %d actions, want 500 and 2", len(data.Contents), len(data.Actions))
	}
	if first := data.Contents[0]; first["record"] != "Supervision record" || first["pdf_sha256"] != fmt.Sprintf("%064x", 1500) ||
		first["docx_sha256"] != fmt.Sprintf("%064x", 1501) {
		t.Errorf("newest record listed: %v", first)
	}
}

// BenchmarkHandover times a handover (validation, the file's contents read
// in one query, the handover record built and validated, the one
// transaction) of a file of 1 and of 500 signed records. The documents are
// keyed by supervisee, so nothing in the document store moves.
func BenchmarkHandover(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		for _, n := range []int{1, 500} {
			b.Run(fmt.Sprintf("%s/records=%d", dbName, n), func(b *testing.B) {
				db := map[string]func(testing.TB) *storage.DB{"sqlite": newBenchSQLite, "postgres": newBenchPostgres}[dbName](b)
				f := newHandoverFile(b, db, n)
				calls := f.blobs.calls.Load()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					f.handOver(b)
				}
				if f.blobs.calls.Load() != calls {
					b.Fatal("a handover touched the document store")
				}
			})
		}
	}
}

// BenchmarkHandoverTransaction times the store's part alone: the one
// transaction that ends and starts the relationships, moves the drafts and
// stores a handover record of a fixed size, for a file of 1 and of 500
// signed records. It is what a handover costs apart from listing the
// file's contents in its record.
func BenchmarkHandoverTransaction(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		for _, n := range []int{1, 500} {
			b.Run(fmt.Sprintf("%s/records=%d", dbName, n), func(b *testing.B) {
				db := map[string]func(testing.TB) *storage.DB{"sqlite": newBenchSQLite, "postgres": newBenchPostgres}[dbName](b)
				f := newHandoverFile(b, db, n)
				ctx := context.Background()
				effective := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
				i := 0
				b.ResetTimer()
				for b.Loop() {
					i++
					now := time.Date(2026, 11, 30, 10, 0, 0, i, time.UTC)
					rec := &supervision.Record{ID: fmt.Sprintf("ho-%d", i), StaffID: f.supervisee.ID, FormID: supervision.HandoverFormID,
						FormVersion: 1, Version: 1, Status: supervision.StatusAwaitingSignatures, Revision: 1,
						Data: []byte(`{"reason":"Siân moves to the east locality team."}`), AuthorID: f.admin.ID, CreatedAt: now, UpdatedAt: now, DataSHA256: "abc"}
					h := &supervision.Handover{ID: fmt.Sprintf("h-%d", i), SuperviseeID: f.supervisee.ID, FromSupervisorID: f.current.ID,
						ToSupervisorID: f.incoming.ID, Effective: effective, Reason: "Team move", RecordID: rec.ID, CreatedBy: f.admin.ID, CreatedAt: now}
					rel := &supervision.Relationship{ID: fmt.Sprintf("rel-%d", i), SuperviseeID: f.supervisee.ID, SupervisorID: f.incoming.ID, From: effective}
					parties := []*supervision.RecordParty{
						{RecordID: rec.ID, StaffID: f.current.ID, Role: supervision.RoleOutgoingSupervisor, AddedBy: f.admin.ID, AddedAt: now},
						{RecordID: rec.ID, StaffID: f.incoming.ID, Role: supervision.RoleIncomingSupervisor, AddedBy: f.admin.ID, AddedAt: now},
					}
					if err := db.Handover(ctx, h, rel, rec, parties, []supervision.Event{{At: now, ActorID: f.admin.ID, Action: "created"}}); err != nil {
						b.Fatal(err)
					}
					f.current, f.incoming = f.incoming, f.current
				}
			})
		}
	}
}

// BenchmarkHandoverSizes hands over a 1-record and a 500-record file in
// turn, one each an iteration, and reports each one's time and their ratio:
// on a shared, loaded machine the two sizes then see the same load, which
// running them one after the other does not give.
func BenchmarkHandoverSizes(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			newDB := map[string]func(testing.TB) *storage.DB{"sqlite": newBenchSQLite, "postgres": newBenchPostgres}[dbName]
			small, large := newHandoverFile(b, newDB(b), 1), newHandoverFile(b, newDB(b), 500)
			var ts, tl time.Duration
			b.ResetTimer()
			for b.Loop() {
				s := time.Now()
				small.handOver(b)
				m := time.Now()
				large.handOver(b)
				ts, tl = ts+m.Sub(s), tl+time.Since(m)
			}
			n := float64(b.N)
			b.ReportMetric(float64(ts.Microseconds())/n/1000, "ms/1-record")
			b.ReportMetric(float64(tl.Microseconds())/n/1000, "ms/500-record")
			b.ReportMetric(float64(tl)/float64(ts), "ratio")
		})
	}
}
