// Package jobs is the service's durable job queue, on River
// (github.com/riverqueue/river) in the same database as everything else:
// PostgreSQL when DATABASE_URL is set, SQLite otherwise. Several instances
// share one queue (a job queued on one may be worked on another), and a job
// survives a restart: it is a row, not a goroutine.
//
// It implements supervision.Jobs. The jobs:
//
//   - finish_documents {record_id}: write the documents of a record whose
//     last signature could not write them (supervision.FinishDocuments).
//     One per record at a time (unique by its arguments). A storage fault is
//     retried after 1 s, 2, 4… capped at one minute; a crash in the renderer
//     or the sealer waits for the failure's own back-off (30 s doubling to an
//     hour, shown to the administrators), snoozing the job until then.
//   - sweep_pending_documents: every minute, and at start, on the leader
//     instance only, queues a finish job for every pending record (one whose
//     finish job was never queued: the process died between the signature
//     and the queue, or the queue was unreachable then), and a send_email
//     job for every email an event owes that is still in the outbox
//     (supervision.SweepOutbox: the process died between the event and
//     queueing its emails).
//   - send_email {kind, staff_id, record_id, key}: one email notification
//     (supervision.SendNotice), unique by its arguments, whose key names the
//     event and the person; the service settles each key once, so a retried
//     job or a second instance does not send the email again. Retried with
//     River's back-off while the SMTP server is unreachable.
//   - queue_digests: hourly, and at start, on the leader only, when email
//     is on (Options.Digests): queues this week's digest for every
//     supervisor not sent one yet (a send_email job each, keyed by person
//     and ISO week).
//
// River's tables are made by its own migrator, run from storage.Migrate.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/supervisionfile/supfile/supervision"
)

// FinishArgs is the finish_documents job.
type FinishArgs struct {
	RecordID string `json:"record_id" river:"unique"`
}

// Kind names the job in the queue.
func (FinishArgs) Kind() string { return "finish_documents" }

// maxAttempts keeps a finish job going for weeks of outage (at a minute
// apart); past it River discards the job and the sweep queues a new one.
const maxAttempts = 30000

// uniqueStates: one finish job per record while one is waiting or running;
// a completed or discarded one does not stop a new one.
var uniqueStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// InsertOpts are every finish job's options.
func (FinishArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// SweepArgs is the sweep_pending_documents job.
type SweepArgs struct{}

// Kind names the job in the queue.
func (SweepArgs) Kind() string { return "sweep_pending_documents" }

// EmailArgs is the send_email job: one notice.
type EmailArgs struct {
	supervision.Notice
}

// Kind names the job in the queue.
func (EmailArgs) Kind() string { return "send_email" }

// emailAttempts: River's back-off (attempt⁴ seconds) spreads 20 attempts
// over about nine days of an unreachable SMTP server.
const emailAttempts = 20

// InsertOpts are every email job's options: one job per notice while River
// keeps it (completed jobs included); the service's record of sent keys
// covers the time after.
func (EmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: emailAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DigestArgs is the queue_digests job.
type DigestArgs struct{}

// Kind names the job in the queue.
func (DigestArgs) Kind() string { return "queue_digests" }

// Retry back-off of a finish job after a storage fault.
const (
	FirstRetry = time.Second
	MaxRetry   = time.Minute
)

// Backoff is the wait before the n-th retry (n from 1): a second, doubling,
// capped at a minute and staying there.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 10 {
		return MaxRetry
	}
	return min(FirstRetry<<(n-1), MaxRetry)
}

// Finisher is what the jobs do: the domain service's Records.
type Finisher interface {
	FinishDocuments(ctx context.Context, recordID string) error
	PendingDocuments(ctx context.Context) ([]string, error)
	SendNotice(ctx context.Context, n supervision.Notice) error
	DigestNotices(ctx context.Context) ([]supervision.Notice, error)
	SweepOutbox(ctx context.Context) (int, error)
}

// Options tune a queue.
type Options struct {
	// Workers is how many jobs this instance works at once; 0 makes an
	// instance that only queues (another works the jobs).
	Workers int
	// PollInterval is how often an instance looks for new jobs when it is
	// not notified (SQLite has no notifications); River's default (1 s)
	// when zero.
	PollInterval time.Duration
	// SweepInterval is how often the leader sweeps for pending records;
	// a minute when zero.
	SweepInterval time.Duration
	// Digests makes the leader queue the weekly email digests, hourly
	// (DigestInterval when set) and at start: set when email is on.
	Digests        bool
	DigestInterval time.Duration
	Logger         *slog.Logger
}

// Queue is the job queue of one instance.
type Queue struct {
	client   client
	finisher Finisher
	log      *slog.Logger
	workers  int
	started  bool
	count    func(ctx context.Context) (map[rivertype.JobState]int, error)
}

// client is the part of river.Client[TTx] the queue uses, the same for both
// drivers.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

var (
	_ supervision.Jobs        = (*Queue)(nil)
	_ supervision.NoticeQueue = (*Queue)(nil)
)

// NewSQLite makes a queue on a SQLite database (the writer connection).
func NewSQLite(db *sql.DB, opts Options) (*Queue, error) {
	return newQueue(riversqlite.New(db), opts)
}

// NewPostgres makes a queue on PostgreSQL.
func NewPostgres(pool *pgxpool.Pool, opts Options) (*Queue, error) {
	return newQueue(riverpgxv5.New(pool), opts)
}

func newQueue[TTx any](driver riverdriver.Driver[TTx], opts Options) (*Queue, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SweepInterval == 0 {
		opts.SweepInterval = time.Minute
	}
	q := &Queue{log: opts.Logger, workers: opts.Workers}
	cfg := &river.Config{
		// River logs its own housekeeping at INFO; ours says what matters.
		Logger:            slog.New(levelFloor{opts.Logger.Handler(), slog.LevelWarn}),
		FetchPollInterval: opts.PollInterval,
		MaxAttempts:       maxAttempts,
		// A job whose instance was killed is running no more: rescue it
		// for another after this long. While it looks running, no other
		// finish job for its record can be queued (uniqueStates), so a
		// record signed as its instance died waits this long at most
		// (plus the rescuer's 30 s round). A finish job takes well under a
		// second; a job that runs out its time is cut off and retried.
		RescueStuckJobsAfter: time.Minute,
		JobTimeout:           45 * time.Second,
	}
	if opts.Workers > 0 {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &finishWorker{q: q}); err != nil {
			return nil, err
		}
		if err := river.AddWorkerSafely(workers, &sweepWorker{q: q}); err != nil {
			return nil, err
		}
		if err := river.AddWorkerSafely(workers, &emailWorker{q: q}); err != nil {
			return nil, err
		}
		if err := river.AddWorkerSafely(workers, &digestWorker{q: q}); err != nil {
			return nil, err
		}
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}}
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(opts.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				// Not unique: a sweep left "running" by a killed leader
				// would otherwise stop every sweep until it is rescued.
				// Two sweeps at once do no harm (finish jobs are unique).
				return SweepArgs{}, nil
			}, &river.PeriodicJobOpts{ID: "sweep_pending_documents", RunOnStart: true})}
		if opts.Digests {
			every := cmp.Or(opts.DigestInterval, time.Hour)
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) {
					return DigestArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
				}, &river.PeriodicJobOpts{ID: "queue_digests", RunOnStart: true}))
		}
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = c
	q.count = func(ctx context.Context) (map[rivertype.JobState]int, error) {
		return driver.GetExecutor().JobCountByAllStates(ctx, &riverdriver.JobCountByAllStatesParams{Schema: c.Schema()})
	}
	return q, nil
}

// Start starts working jobs with f (nothing to start for a queue with no
// workers). Call Stop when done.
func (q *Queue) Start(ctx context.Context, f Finisher) error {
	q.finisher = f
	if q.workers == 0 {
		return nil
	}
	if err := q.client.Start(ctx); err != nil {
		return err
	}
	q.started = true
	return nil
}

// Stop waits up to the context's end for jobs in hand to finish, then
// cancels them; a cancelled job is worked again later (by any instance).
func (q *Queue) Stop(ctx context.Context) error {
	if !q.started {
		return nil
	}
	q.started = false
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := q.client.Stop(sctx); err == nil {
		return nil
	}
	cctx, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel2()
	return q.client.StopAndCancel(cctx)
}

// FinishLater queues a finish job for a record, to run at or after at.
func (q *Queue) FinishLater(ctx context.Context, recordID string, at time.Time) error {
	opts := FinishArgs{}.InsertOpts()
	if at.After(time.Now()) {
		opts.ScheduledAt = at
	}
	res, err := q.client.Insert(ctx, FinishArgs{RecordID: recordID}, &opts)
	if err != nil {
		return fmt.Errorf("queue finish job for record %s: %w", recordID, err)
	}
	if !res.UniqueSkippedAsDuplicate {
		q.log.Info("finish job queued", "record", recordID, "job", res.Job.ID, "at", res.Job.ScheduledAt)
	}
	return nil
}

// Notify queues one email job per notice (supervision.NoticeQueue); a
// notice queued already (the same key) is not queued again.
func (q *Queue) Notify(ctx context.Context, ns []supervision.Notice) error {
	for _, n := range ns {
		res, err := q.client.Insert(ctx, EmailArgs{n}, nil)
		if err != nil {
			return fmt.Errorf("queue email %s: %w", n.Key, err)
		}
		if !res.UniqueSkippedAsDuplicate {
			q.log.Info("email queued", "kind", n.Kind, "to", n.StaffID, "record", n.RecordID, "job", res.Job.ID)
		}
	}
	return nil
}

// QueueDigests queues the digest job now (the leader does it hourly).
func (q *Queue) QueueDigests(ctx context.Context) error {
	_, err := q.client.Insert(ctx, DigestArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}})
	return err
}

// RetryJob makes a job available to run again now, even a completed one
// (as an operator may, or River does after a failure).
func (q *Queue) RetryJob(ctx context.Context, id int64) error {
	_, err := q.client.JobRetry(ctx, id)
	return err
}

// EmailJobs lists the email jobs, oldest first, in any state.
func (q *Queue) EmailJobs(ctx context.Context) ([]*rivertype.JobRow, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(EmailArgs{}.Kind()).First(10000).
		States(rivertype.JobStates()...).OrderBy(river.JobListOrderByID, river.SortOrderAsc))
	if err != nil {
		return nil, err
	}
	return res.Jobs, nil
}

// Depth counts the jobs by state: available, scheduled, retryable,
// running, and the rest River keeps (completed, discarded, cancelled)
// until it cleans them.
func (q *Queue) Depth(ctx context.Context) (map[string]int, error) {
	m, err := q.count(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for k, v := range m {
		out[string(k)] = v
	}
	return out, nil
}

// FinishJobs lists the finish jobs of a record, oldest first, in any state.
func (q *Queue) FinishJobs(ctx context.Context, recordID string) ([]*rivertype.JobRow, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds(FinishArgs{}.Kind()).First(1000).
		States(rivertype.JobStates()...).OrderBy(river.JobListOrderByID, river.SortOrderAsc))
	if err != nil {
		return nil, err
	}
	var out []*rivertype.JobRow
	for _, j := range res.Jobs {
		if string(j.EncodedArgs) != "" && jobRecord(j) == recordID {
			out = append(out, j)
		}
	}
	return out, nil
}

func jobRecord(j *rivertype.JobRow) string {
	var a FinishArgs
	if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
		return ""
	}
	return a.RecordID
}

type finishWorker struct {
	river.WorkerDefaults[FinishArgs]
	q *Queue
}

func (w *finishWorker) Work(ctx context.Context, job *river.Job[FinishArgs]) error {
	err := w.q.finisher.FinishDocuments(ctx, job.Args.RecordID)
	var later *supervision.RetryLaterError
	if errors.As(err, &later) {
		// Documents failed (a crash): come back when its back-off ends.
		return river.JobSnooze(max(time.Until(later.At), time.Second))
	}
	return err
}

// NextRetry: a second, doubling, capped at a minute.
func (w *finishWorker) NextRetry(job *river.Job[FinishArgs]) time.Time {
	return time.Now().Add(Backoff(len(job.Errors) + 1))
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	q *Queue
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	ids, err := w.q.finisher.PendingDocuments(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.q.FinishLater(ctx, id, time.Time{}); err != nil {
			return err
		}
	}
	// The emails events owe whose jobs were never queued.
	_, err = w.q.finisher.SweepOutbox(ctx)
	return err
}

type emailWorker struct {
	river.WorkerDefaults[EmailArgs]
	q *Queue
}

func (w *emailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	return w.q.finisher.SendNotice(ctx, job.Args.Notice)
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	q *Queue
}

func (w *digestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	ns, err := w.q.finisher.DigestNotices(ctx)
	if err != nil {
		return err
	}
	return w.q.Notify(ctx, ns)
}

// levelFloor drops River's records below a level.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}
func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.min}
}
