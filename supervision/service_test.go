package supervision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/seal"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// world is a service on a real SQLite database in a temporary folder.
type world struct {
	svc                           *supervision.Service
	blobs                         *flakyBlobs
	renderer                      *flakyRenderer
	store                         *countingStore
	clock                         *testClock
	logs                          *logCapture
	jobs                          *fakeJobs
	admin, supervisor, supervisee *supervision.Staff
	dir                           string // the database and the documents folder
}

// fakeJobs stands in for the queue: it keeps what the service asked for.
// The queue itself (River) is tested in package jobs and cmd/supfile.
type fakeJobs struct {
	mu     sync.Mutex
	queued []queuedFinish
}

type queuedFinish struct {
	recordID string
	at       time.Time
}

func (j *fakeJobs) FinishLater(_ context.Context, recordID string, at time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.queued = append(j.queued, queuedFinish{recordID, at})
	return nil
}

func (j *fakeJobs) list() []queuedFinish {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]queuedFinish(nil), j.queued...)
}

// flakyBlobs wraps the real local store and can be told to fail, standing
// in for an unreachable object store.
type flakyBlobs struct {
	supervision.Blobs
	mu   sync.Mutex
	down bool
	n    int // objects written
}

func (f *flakyBlobs) puts() int { f.mu.Lock(); defer f.mu.Unlock(); return f.n }

func (f *flakyBlobs) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *flakyBlobs) Put(ctx context.Context, key string, data []byte, ct string) error {
	f.mu.Lock()
	down := f.down
	f.mu.Unlock()
	if down {
		return errors.New("object store unreachable")
	}
	err := f.Blobs.Put(ctx, key, data, ct)
	if err == nil {
		f.mu.Lock()
		f.n++
		f.mu.Unlock()
	}
	return err
}

// List lets reindex and export list the real store through the wrapper.
func (f *flakyBlobs) List(ctx context.Context, prefix string) ([]string, error) {
	return f.Blobs.(supervision.BlobLister).List(ctx, prefix)
}

// flakyRenderer wraps the real renderer and can be told to panic, standing
// in for a PDF library that crashes on a record.
type flakyRenderer struct {
	supervision.Renderer
	crash atomic.Bool
}

func (f *flakyRenderer) PDF(ctx context.Context, d printout.Document) ([]byte, error) {
	if f.crash.Load() {
		var trns []int
		_ = trns[1] // what gofpdf did with an empty tRNS chunk
	}
	return f.Renderer.PDF(ctx, d)
}

// countingStore counts the reads that make up a record's view, to check
// that a command loads the record once.
type countingStore struct {
	supervision.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingStore) count(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[name]++
}

// reads returns the counts so far and starts again.
func (c *countingStore) reads() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.calls
	c.calls = nil
	return m
}

func (c *countingStore) GetRecord(ctx context.Context, id string) (*supervision.Record, error) {
	c.count("GetRecord")
	return c.Store.GetRecord(ctx, id)
}

func (c *countingStore) Signatures(ctx context.Context, id string) ([]*supervision.Signature, error) {
	c.count("Signatures")
	return c.Store.Signatures(ctx, id)
}

func (c *countingStore) Events(ctx context.Context, id string) ([]*supervision.Event, error) {
	c.count("Events")
	return c.Store.Events(ctx, id)
}

func (c *countingStore) Series(ctx context.Context, root string) ([]*supervision.Record, error) {
	c.count("Series")
	return c.Store.Series(ctx, root)
}

func (c *countingStore) Documents(ctx context.Context, id string) ([]*supervision.Document, error) {
	c.count("Documents")
	return c.Store.Documents(ctx, id)
}

// testClock is the real clock, moved on by later.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time        { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) later(d time.Duration) { c.offset.Add(int64(d)) }

// logCapture keeps what the service logs, to count it, and prints it as
// the default logger would.
type logCapture struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCapture) WithGroup(string) slog.Handler            { return l }
func (l *logCapture) Handle(ctx context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Clone())
	l.mu.Unlock()
	return nil
}

// count is how many records were logged at level with the message.
func (l *logCapture) count(level slog.Level, msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Level == level && r.Message == msg {
			n++
		}
	}
	return n
}

func newWorld(tb testing.TB) *world { return newWorldWith(tb, nil, nil) }

// newWorldWith is newWorld on a given document store (nil: a local folder)
// and with a sealer (nil: none).
func newWorldWith(tb testing.TB, blobs supervision.Blobs, sealer supervision.Sealer, configure ...func(*supervision.Config)) *world {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	db, err := storage.OpenSQLite(filepath.Join(dir, "supfile.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if blobs == nil {
		local, err := storage.NewLocalBlobs(filepath.Join(dir, "documents"))
		if err != nil {
			tb.Fatal(err)
		}
		blobs = local
	}
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		tb.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	w := &world{blobs: &flakyBlobs{Blobs: blobs}, renderer: &flakyRenderer{Renderer: r}, store: &countingStore{Store: db},
		clock: &testClock{}, logs: &logCapture{}, jobs: &fakeJobs{}, dir: dir}
	cfg := supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council", Location: loc, Seal: sealer, Now: w.clock.now, Jobs: w.jobs}
	for _, f := range configure {
		f(&cfg)
	}
	w.svc = supervision.New(w.store, w.blobs, cat, w.renderer, cfg, slog.New(w.logs))
	if _, _, err := w.svc.People.EnsureAdmin(ctx, "admin@testshire.gov.uk", "admin password 1"); err != nil {
		tb.Fatal(err)
	}
	_, w.admin, err = w.svc.People.Login(ctx, "admin@testshire.gov.uk", "admin password 1")
	if err != nil {
		tb.Fatal(err)
	}
	add := func(name, email, role string) *supervision.Staff {
		st, err := w.svc.People.CreateStaff(ctx, w.admin, supervision.NewStaff{Name: name, Email: email, JobTitle: "Social Worker",
			Role: role, StartDate: "2024-01-08", Password: "a long password"})
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	w.supervisor = add("Ahmed Khan", "ahmed@testshire.gov.uk", "team_manager")
	w.supervisee = add("Siân Jones", "sian@testshire.gov.uk", "social_worker")
	if _, err := w.svc.Admin.SetSupervisor(ctx, w.admin, w.supervisee.ID, w.supervisor.ID, "2025-01-06"); err != nil {
		tb.Fatal(err)
	}
	return w
}

func agreement() map[string]any {
	long := strings.Repeat("We reflect on practice and on what is working well for children. ", 30)
	return map[string]any{
		"supervisee_name": "Siân Jones", "supervisee_job_title": "Social Worker",
		"supervisor_name": "Ahmed Khan", "supervisor_job_title": "Team Manager",
		"agreement_date": "2026-11-20", "supervisee_aims": long, "supervisor_aims": long,
		"times_per_year": 13.0, "every_weeks": 4.0, "session_hours": 1.5,
		"location": "Room 2", "booking_arrangements": long, "interruptions": "Only emergencies.",
		"recorded_by": "supervisor", "copy_to_supervisee": "yes", "copy_within_days": 2.0,
		"case_recording": long, "content": []any{"casework", "caseload", "career", "care"},
		"cpd_time": long, "supervisor_responsibilities": long, "supervisee_responsibilities": long,
		"organisation_responsibilities": long, "equality_diversity_power": long, "confidentiality": long,
		"feedback": long, "disagreements": long, "review_arrangements": long, "review_date": "2027-11-01",
	}
}

// submitted makes an agreement awaiting signatures.
func (w *world) submitted(tb testing.TB) *supervision.Record {
	tb.Helper()
	ctx := context.Background()
	r, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", agreement())
	if err != nil {
		tb.Fatal(err)
	}
	v, err := w.svc.Records.Submit(ctx, w.supervisor, r.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return v.Record
}

func TestSignedDocumentsPendingWhenStoreIsDown(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.submitted(t)
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: "Siân Jones", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	w.blobs.setDown(true)
	v, err := w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: "Ahmed Khan", Confirm: true})
	if err != nil {
		t.Fatalf("the last signature must be kept even when documents cannot be written: %v", err)
	}
	if !v.DocumentsPending || v.Record.Status != supervision.StatusAwaitingSignatures || len(v.Signatures) != 2 {
		t.Fatalf("want signed, documents pending; got status %s pending %v signatures %d", v.Record.Status, v.DocumentsPending, len(v.Signatures))
	}
	if _, err := w.svc.Records.OpenDocument(ctx, w.supervisee, r.ID, "pdf"); !errors.Is(err, supervision.ErrNotFound) {
		t.Fatalf("document before it is written: %v", err)
	}
	// The store comes back. Reading the record does not write it: it is
	// still pending, and nothing is in the file.
	w.blobs.setDown(false)
	v, err = w.svc.Records.Record(ctx, w.supervisee, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.DocumentsPending || len(v.Documents) != 0 || w.blobs.puts() != 0 {
		t.Fatalf("a read wrote: pending %v documents %d puts %d", v.DocumentsPending, len(v.Documents), w.blobs.puts())
	}
	// The failed finalise queued one finish job, due a second later; the
	// job (what the queue's worker runs) completes it.
	q := w.jobs.list()
	if len(q) != 1 || q[0].recordID != r.ID || !within(q[0].at.Sub(w.clock.now()), time.Second) {
		t.Fatalf("queued after the failed finalise: %+v, want one finish job for %s a second from now", q, r.ID)
	}
	if err := w.svc.Records.FinishDocuments(ctx, r.ID); err != nil {
		t.Fatalf("finish job: %v", err)
	}
	if v, err = w.svc.Records.Record(ctx, w.supervisee, r.ID); err != nil {
		t.Fatal(err)
	}
	// Run again (a duplicate delivery), it has nothing to do.
	if err := w.svc.Records.FinishDocuments(ctx, r.ID); err != nil {
		t.Fatalf("finish job again: %v", err)
	}
	if v.Record.Status != supervision.StatusSigned || v.DocumentsPending || len(v.Documents) != 3 {
		t.Fatalf("after retry: status %s pending %v documents %d", v.Record.Status, v.DocumentsPending, len(v.Documents))
	}
	f, err := w.svc.Records.OpenDocument(ctx, w.supervisee, r.ID, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Body.Close()
	head := make([]byte, 5)
	if _, err := io.ReadFull(f.Body, head); err != nil || !bytes.Equal(head, []byte("%PDF-")) {
		t.Fatalf("document: %q %v", head, err)
	}
}

func TestSigningRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.submitted(t)
	var ve *supervision.ValidationError
	_, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: "Ahmed Khan", Confirm: true})
	if !errors.As(err, &ve) || ve.Fields[0].Field != "name" {
		t.Fatalf("signing with someone else's name: %v", err)
	}
	_, err = w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: "siân  JONES", Confirm: true, Comment: "Fine 😀"})
	if !errors.As(err, &ve) || ve.Fields[0].Field != "comment" || !strings.Contains(ve.Fields[0].Message, "😀") {
		t.Fatalf("emoji in a comment: %v", err)
	}
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: "siân  JONES", Confirm: true, Comment: "Diolch ŵ ŷ"}); err != nil {
		t.Fatalf("name compared without case or spacing: %v", err)
	}
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: "Siân Jones", Confirm: true}); !errors.Is(err, supervision.ErrForbidden) {
		t.Fatalf("second signature by the same person: %v", err)
	}
	outsider, err := w.svc.People.CreateStaff(ctx, w.admin, supervision.NewStaff{Name: "Olwen Price", Email: "olwen@testshire.gov.uk",
		JobTitle: "Social Worker", Role: "social_worker", StartDate: "2024-01-08", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.Sign(ctx, outsider, r.ID, supervision.SignInput{Name: "Olwen Price", Confirm: true}); !errors.Is(err, supervision.ErrNotFound) {
		t.Fatalf("an outsider signing: %v", err)
	}
}

// BenchmarkFinalize measures what happens when the last signer signs:
// render the PDF and the DOCX, seal the PDF, hash them, and write them with
// record.json, to the local store and to a real MinIO server on loopback.
func BenchmarkFinalize(b *testing.B) {
	sl, _, err := seal.LoadOrCreate(filepath.Join(b.TempDir(), "cert.pem"), filepath.Join(b.TempDir(), "key.pem"), "Testshire County Council")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("local", func(b *testing.B) { benchFinalize(b, newWorldWith(b, nil, nil)) })
	b.Run("local-sealed", func(b *testing.B) { benchFinalize(b, newWorldWith(b, nil, sl.ForService())) })
	b.Run("minio-sealed", func(b *testing.B) {
		mio := miniotest.Start(b)
		s3, err := storage.OpenS3(context.Background(), storage.S3Config{Endpoint: mio.Endpoint, Bucket: mio.NewBucket(b, true),
			AccessKey: mio.AccessKey, SecretKey: mio.SecretKey, PathStyle: true})
		if err != nil {
			b.Fatal(err)
		}
		benchFinalize(b, newWorldWith(b, s3, sl.ForService()))
	})
}

func benchFinalize(b *testing.B, w *world) {
	ctx := context.Background()
	r := w.submitted(b)
	v, err := w.svc.Records.Record(ctx, w.supervisor, r.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copyRec := *v.Record
		copyRec.ID = fmt.Sprintf("bench%08d", i) // a fresh folder each time: objects are written once
		vv := *v
		vv.Record = &copyRec
		if _, err := w.svc.Records.WriteDocuments(ctx, &vv, w.supervisor); err != nil {
			b.Fatal(err)
		}
	}
}

// A new forward planner starts with the year ahead's dates: at the policy's
// frequency for the supervisee's role (four-weekly for a social worker) until
// an agreement is signed, then at the agreement's.
func TestPlannerPrefilledWithTheYearAhead(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	dates := func() []time.Time {
		t.Helper()
		r, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "forward-planner", nil)
		if err != nil {
			t.Fatal(err)
		}
		var data struct{ Dates []struct{ Date string } }
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		var out []time.Time
		for _, row := range data.Dates {
			d, err := time.Parse("2006-01-02", row.Date)
			if err != nil {
				t.Fatalf("row date %q: %v", row.Date, err)
			}
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				t.Errorf("%s is at a weekend", row.Date)
			}
			out = append(out, d)
		}
		return out
	}
	check := func(got []time.Time, n, weeks int) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%d dates, want %d", len(got), n)
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		for i, d := range got {
			want := today.AddDate(0, 0, 7*weeks*(i+1))
			if gap := d.Sub(want); gap < 0 || gap > 48*time.Hour {
				t.Errorf("date %d is %s, want %s or the Monday after", i+1, d.Format("2006-01-02"), want.Format("2006-01-02"))
			}
		}
	}
	check(dates(), 13, 4)

	data := agreement()
	data["times_per_year"], data["every_weeks"] = 26.0, 2.0
	r, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.Submit(ctx, w.supervisor, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		who  *supervision.Staff
		name string
	}{{w.supervisee, "Siân Jones"}, {w.supervisor, "Ahmed Khan"}} {
		if _, err := w.svc.Records.Sign(ctx, p.who, r.ID, supervision.SignInput{Name: p.name, Confirm: true}); err != nil {
			t.Fatal(err)
		}
	}
	check(dates(), 26, 2)
}

// within says whether d is want, give or take the half second a test takes.
func within(d, want time.Duration) bool { return d > want-500*time.Millisecond && d <= want }
