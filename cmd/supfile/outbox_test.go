package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/internal/mailpittest"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
	"github.com/supervisionfile/supfile/supervision"
)

// lostQueue is a notice queue in a process that dies after an event is
// committed and before its emails are queued: nothing reaches the queue.
type lostQueue struct{}

func (lostQueue) Notify(context.Context, []supervision.Notice) error {
	return errors.New("the process died before queueing")
}

// queuedThenLost queues the notices, then dies before the outbox is
// cleared: the jobs exist and the outbox still holds them.
type queuedThenLost struct{ next supervision.NoticeQueue }

func (q queuedThenLost) Notify(ctx context.Context, ns []supervision.Notice) error {
	if err := q.next.Notify(ctx, ns); err != nil {
		return err
	}
	return errors.New("the process died after queueing")
}

// startInstance starts an instance whose notice queue is wrapped; stop
// closes it (once; the cleanup does it otherwise).
func startInstance(t *testing.T, env map[string]string, wrap func(supervision.NoticeQueue) supervision.NoticeQueue) (m *Main, stop func()) {
	t.Helper()
	base := map[string]string{"SUPFILE_ADDR": "127.0.0.1:0", "SUPFILE_ORG_NAME": "Testshire County Council",
		"SUPFILE_ADMIN_EMAIL": "admin@testshire.gov.uk", "SUPFILE_ADMIN_PASSWORD": "correct horse battery"}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := loadConfig(nil, func(k string) string { return base[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	var out bytes.Buffer
	m = NewMain(cfg, &syncWriter{w: &out})
	m.notices = wrap
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			if err := m.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			if t.Failed() {
				t.Logf("service log of %s:\n%s", m.URL, out.String())
			}
		})
	}
	t.Cleanup(stop)
	return m, stop
}

// at is the same signed-in person talking to another instance.
func (c *client) at(base string) *client {
	d := *c
	d.base = base
	return &d
}

// TestEmailOutlivesACrash: the process dies after an event is committed
// and before its emails are queued; the next instance's start-up sweep
// queues them and each arrives once (a real Mailpit). Emails queued but
// left in the outbox (the process died before clearing them: a
// disagreement, a record signed and filed) are swept again and still
// arrive once. On SQLite and on PostgreSQL.
func TestEmailOutlivesACrash(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			env := map[string]string{"SUPFILE_DATA_DIR": t.TempDir()}
			if db == "postgres" {
				env["DATABASE_URL"] = pgtest.Schema(t)
			}
			testEmailOutlivesACrash(t, env)
		})
	}
}

func testEmailOutlivesACrash(t *testing.T, env map[string]string) {
	needs.Tools(t, "Mailpit")
	mp := mailpittest.Start(t)
	env = mailEnv(mp, env)
	const (
		sian  = "sian.jones@testshire.gov.uk"
		ahmed = "ahmed.khan@testshire.gov.uk"
	)

	// Instance a dies (as far as email goes) after every event: it works no
	// jobs, so it sweeps nothing either.
	a, stopA := startInstance(t, with(env, "SUPFILE_JOB_WORKERS", "0"), func(supervision.NoticeQueue) supervision.NoticeQueue { return lostQueue{} })
	p := setUpTeam(t, a.URL)
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	if js, err := a.jobs.EmailJobs(t.Context()); err != nil || len(js) != 0 {
		t.Fatalf("email jobs queued by the dying instance: %d (%v)", len(js), err)
	}
	time.Sleep(time.Second)
	if n := len(mp.Messages()); n != 0 {
		t.Fatalf("%d emails sent before any queue had them", n)
	}
	stopA()

	// The restart: its start-up sweep queues what the events owe.
	b, stopB := startInstance(t, env, nil)
	mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 1)
	emailsSettled(t, b)
	if n, err := b.svc.Records.SweepOutbox(t.Context()); err != nil || n != 0 {
		t.Errorf("sweep after the restart queued %d (%v), want 0: the outbox is cleared", n, err)
	}
	stopB()

	// Queued, then dead before clearing the outbox: swept again, sent once.
	c, stopC := startInstance(t, env, func(q supervision.NoticeQueue) supervision.NoticeQueue { return queuedThenLost{q} })
	p.supervisee.at(c.URL).call("POST", "/api/v1/records/"+rec.ID+"/signatures",
		map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true, "disagreement": "Four weeks is too long."}, http.StatusCreated, nil)
	mailTo(t, mp, ahmed, "Disagreement recorded: Supervision agreement", 1)
	p.supervisor.at(c.URL).call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("not signed: %+v", rec)
	}
	mailTo(t, mp, sian, "Signed and filed: Supervision agreement", 1)
	mailTo(t, mp, ahmed, "Signed and filed: Supervision agreement", 1)
	emailsSettled(t, c)
	stopC()
	// The sweep finds the three still in the outbox and queues them again;
	// then an instance that works jobs starts (and sweeps at start).
	d, _ := startInstance(t, with(env, "SUPFILE_JOB_WORKERS", "0"), nil)
	if n, err := d.svc.Records.SweepOutbox(t.Context()); err != nil || n != 3 {
		t.Errorf("sweep queued %d (%v), want the 3 left in the outbox", n, err)
	}
	if n, err := d.svc.Records.SweepOutbox(t.Context()); err != nil || n != 0 {
		t.Errorf("a second sweep queued %d (%v)", n, err)
	}
	e, _ := startInstance(t, env, nil)
	emailsSettled(t, e)
	time.Sleep(2 * time.Second)
	// Exactly one of each, all told.
	mailTo(t, mp, sian, "Awaiting your signature: Supervision agreement", 1)
	mailTo(t, mp, ahmed, "Disagreement recorded: Supervision agreement", 1)
	mailTo(t, mp, sian, "Signed and filed: Supervision agreement", 1)
	mailTo(t, mp, ahmed, "Signed and filed: Supervision agreement", 1)
	events := 0
	for _, m := range mp.Messages() {
		if !strings.HasPrefix(m.Subject, "Overdue supervision") { // the weekly digest, queued at start
			events++
		}
	}
	if events != 4 {
		t.Errorf("%d emails about the record in all, want 4: %+v", events, mp.Messages())
	}
}
