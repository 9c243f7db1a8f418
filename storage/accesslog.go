package storage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.AccessLogStore = (*DB)(nil)

// AppendAccess adds an entry to the access log and sets its ID, returning
// once the entry is committed. The table takes inserts only: there is
// deliberately no method here to change or remove an entry, and the
// database's triggers refuse one.
//
// Every logged read writes one entry. On SQLite, whose one writer would
// otherwise take them one commit at a time, entries from concurrent
// requests are written together: one goroutine takes whatever has queued
// while it wrote the last batch and inserts it with one statement (a group
// commit). PostgreSQL takes them in parallel over its pool and groups the
// commits itself, which measured faster than batching here.
func (db *DB) AppendAccess(ctx context.Context, e *supervision.AccessEntry) error {
	if e.Action == "" {
		return invalid("An access log entry needs an action")
	}
	stamp(&e.At)
	if db.dialect == dialectPostgres {
		w := &accessWrite{e: e}
		return db.writeAccess(ctx, []*accessWrite{w})
	}
	return db.alog.append(ctx, db, e)
}

// accessAppender is the access log's batching writer; its zero value is
// ready, and it starts its goroutine on first use.
type accessAppender struct {
	once    sync.Once
	mu      sync.Mutex
	closed  bool
	queue   chan *accessWrite
	done    chan struct{} // closed when the goroutine has ended
	stopped chan struct{} // closed by stop
}

type accessWrite struct {
	e   *supervision.AccessEntry
	err chan error
}

// maxAccessBatch bounds one transaction.
const maxAccessBatch = 256

// maxAccessYields is how many times the writer gives way to other
// goroutines, for more entries to arrive, before it writes a batch.
const maxAccessYields = 2

func (a *accessAppender) start(db *DB) {
	a.once.Do(func() {
		a.queue = make(chan *accessWrite, maxAccessBatch)
		a.done = make(chan struct{})
		a.stopped = make(chan struct{})
		go a.run(db)
	})
}

func (a *accessAppender) append(ctx context.Context, db *DB, e *supervision.AccessEntry) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return fail("append to the access log", errors.New("sql: database is closed"), messages{})
	}
	a.start(db)
	a.mu.Unlock()
	w := &accessWrite{e: e, err: make(chan error, 1)}
	select {
	case a.queue <- w:
	case <-a.stopped:
		return fail("append to the access log", errors.New("sql: database is closed"), messages{})
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the entry is written whatever happens to the request:
	// wait for it, so that the caller never goes on unlogged.
	return <-w.err
}

// run writes batches until stop; what is queued when it stops is still
// written (or failed) before it ends.
func (a *accessAppender) run(db *DB) {
	defer close(a.done)
	for {
		var first *accessWrite
		select {
		case first = <-a.queue:
		case <-a.stopped:
			for {
				select {
				case w := <-a.queue:
					w.err <- db.writeBatch([]*accessWrite{w})
				default:
					return
				}
			}
		}
		batch := []*accessWrite{first}
		for yields := 0; ; yields++ {
			before := len(batch)
		more:
			for len(batch) < maxAccessBatch {
				select {
				case w := <-a.queue:
					batch = append(batch, w)
				default:
					break more
				}
			}
			// Give way to the requests that are ready to run, so that
			// those about to log join this batch rather than each taking
			// a commit of its own: on a busy machine a batch grows from
			// under two entries to about six, and a form page costs a
			// fifth less (bench/RESULTS.md, 2026-12-02). When nothing is
			// waiting to run, Gosched returns at once, and a yield that
			// brought nothing ends the wait.
			if yields == maxAccessYields || len(batch) >= maxAccessBatch || (yields > 0 && len(batch) == before) {
				break
			}
			runtime.Gosched()
		}
		err := db.writeBatch(batch)
		for _, w := range batch {
			w.err <- err
		}
	}
}

// stop ends the writer after the entries already queued; appends after it
// fail as on a closed database.
func (a *accessAppender) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	if a.queue == nil {
		return
	}
	close(a.stopped)
	<-a.done
}

// writeBatch is writeAccess for the batching goroutine, on no request's
// context: a queued entry is written even if its request has gone.
func (db *DB) writeBatch(batch []*accessWrite) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return db.writeAccess(ctx, batch)
}

// writeAccess inserts a batch with one statement (one round trip, one
// commit); all or none.
func (db *DB) writeAccess(ctx context.Context, batch []*accessWrite) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO access_log
		(at, actor_id, actor_name, actor_email, actor_role, action, file_id, record_id, detail, ip, user_agent) VALUES `)
	args := make([]any, 0, len(batch)*11)
	for i, w := range batch {
		e := w.e
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j := range 11 {
			if j > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "$%d", len(args)+j+1)
		}
		q.WriteByte(')')
		args = append(args, ts(e.At), e.ActorID, e.ActorName, e.ActorEmail, e.ActorRole, string(e.Action),
			e.FileID, e.RecordID, e.Detail, e.IP, e.UserAgent)
	}
	q.WriteString(" RETURNING id")
	ids := make([]int64, 0, len(batch))
	err := func() error {
		rows, err := db.w.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) != len(batch) {
			return fmt.Errorf("%d entries written, %d ids returned", len(batch), len(ids))
		}
		return nil
	}()
	// The ids are given in the order the rows are inserted, which is the
	// order of VALUES; RETURNING need not list them in that order.
	slices.Sort(ids)
	if err != nil {
		return fail("append to the access log", err, messages{})
	}
	for i, w := range batch {
		w.e.ID = ids[i]
	}
	return nil
}

// where builds the WHERE clause of a query and its arguments.
func (q accessQuery) where(withPaging bool) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	switch {
	case q.ActorID != "" && q.ActorEmail != "":
		conds = append(conds, "(actor_id = "+arg(q.ActorID)+" OR actor_email = "+arg(strings.ToLower(q.ActorEmail))+")")
	case q.ActorID != "":
		conds = append(conds, "actor_id = "+arg(q.ActorID))
	case q.ActorEmail != "":
		conds = append(conds, "actor_email = "+arg(strings.ToLower(q.ActorEmail)))
	}
	if q.ExceptActorID != "" {
		conds = append(conds, "actor_id <> "+arg(q.ExceptActorID))
	}
	if q.FileID != "" {
		conds = append(conds, "file_id = "+arg(q.FileID))
	}
	if len(q.Actions) > 0 {
		var in []string
		for _, a := range q.Actions {
			in = append(in, arg(string(a)))
		}
		conds = append(conds, "action IN ("+strings.Join(in, ", ")+")")
	}
	if !q.From.IsZero() {
		conds = append(conds, "at >= "+arg(ts(q.From)))
	}
	if !q.To.IsZero() {
		conds = append(conds, "at < "+arg(ts(q.To)))
	}
	if withPaging && q.BeforeID > 0 {
		conds = append(conds, "id < "+arg(q.BeforeID))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

type accessQuery supervision.AccessQuery

// AccessEntries returns the entries the query selects, newest first.
func (db *DB) AccessEntries(ctx context.Context, sq supervision.AccessQuery) ([]*supervision.AccessEntry, error) {
	q := accessQuery(sq)
	where, args := q.where(true)
	query := `SELECT id, at, actor_id, actor_name, actor_email, actor_role, action, file_id, record_id, detail, ip, user_agent
		FROM access_log` + where + ` ORDER BY id DESC`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
		if q.Offset > 0 {
			query += fmt.Sprintf(" OFFSET %d", q.Offset)
		}
	}
	rows, err := db.read(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fail("read the access log", err, messages{})
	}
	defer rows.Close()
	var out []*supervision.AccessEntry
	for rows.Next() {
		var e supervision.AccessEntry
		var action string
		if err := rows.Scan(&e.ID, tsCol(&e.At), &e.ActorID, &e.ActorName, &e.ActorEmail, &e.ActorRole, &action,
			&e.FileID, &e.RecordID, &e.Detail, &e.IP, &e.UserAgent); err != nil {
			return nil, fail("read the access log", err, messages{})
		}
		e.Action = supervision.AccessAction(action)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read the access log", err, messages{})
	}
	return out, nil
}

// CountAccess counts the entries the query selects, ignoring its paging.
func (db *DB) CountAccess(ctx context.Context, sq supervision.AccessQuery) (int, error) {
	where, args := accessQuery(sq).where(false)
	var n int
	if err := db.read(ctx).QueryRowContext(ctx, `SELECT count(*) FROM access_log`+where, args...).Scan(&n); err != nil {
		return 0, fail("count the access log", err, messages{})
	}
	return n, nil
}
