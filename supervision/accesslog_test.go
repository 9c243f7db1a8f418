package supervision_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/render"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// lastEntries is the newest n entries of the whole log, read as an admin.
func (w *world) lastEntries(t *testing.T, n int) []*supervision.AccessEntry {
	t.Helper()
	p, err := w.svc.Files.AccessLog(context.Background(), w.admin, supervision.AccessFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) < n {
		t.Fatalf("the log holds %d entries, want at least %d", len(p.Entries), n)
	}
	return p.Entries[:n]
}

func (w *world) logTotal(t *testing.T) int {
	t.Helper()
	p, err := w.svc.Files.AccessLog(context.Background(), w.admin, supervision.AccessFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

type wantEntry struct {
	actor      *supervision.Staff
	role       string
	action     supervision.AccessAction
	file, rec  string
	detailLike string
}

func checkEntry(t *testing.T, what string, got *supervision.AccessEntry, want wantEntry) {
	t.Helper()
	actorID := ""
	if want.actor != nil {
		actorID = want.actor.ID
	}
	if got.Action != want.action || got.ActorID != actorID || got.ActorRole != want.role || got.FileID != want.file || got.RecordID != want.rec ||
		!strings.Contains(got.Detail, want.detailLike) {
		t.Errorf("%s: logged %+v, want %+v", what, *got, want)
	}
	if got.IP != "192.0.2.7" || got.UserAgent != "TestAgent/1.0" {
		t.Errorf("%s: logged from %q %q, want the request's address and user agent", what, got.IP, got.UserAgent)
	}
}

func TestEveryReadAndCommandIsLogged(t *testing.T) {
	w := newWorld(t)
	ctx := supervision.WithRequestInfo(context.Background(), supervision.RequestInfo{IP: "192.0.2.7", UserAgent: "TestAgent/1.0"})
	r := w.signed(t, "")
	sid := w.supervisee.ID

	reads := []struct {
		name string
		do   func() error
		want wantEntry
	}{
		{"file", func() error { _, err := w.svc.Files.File(ctx, w.supervisor, sid); return err },
			wantEntry{w.supervisor, "supervisor", supervision.ActViewFile, sid, "", ""}},
		{"record", func() error { _, err := w.svc.Records.Record(ctx, w.supervisee, r.ID); return err },
			wantEntry{w.supervisee, "supervisee", supervision.ActViewRecord, sid, r.ID, ""}},
		{"PDF", func() error {
			f, err := w.svc.Records.OpenDocument(ctx, w.supervisor, r.ID, "pdf")
			if err == nil {
				f.Body.Close()
			}
			return err
		}, wantEntry{w.supervisor, "supervisor", supervision.ActDownloadPDF, sid, r.ID, ".pdf"}},
		{"DOCX", func() error {
			f, err := w.svc.Records.OpenDocument(ctx, w.supervisee, r.ID, "docx")
			if err == nil {
				f.Body.Close()
			}
			return err
		}, wantEntry{w.supervisee, "supervisee", supervision.ActDownloadDOCX, sid, r.ID, ".docx"}},
		{"front page", func() error { _, err := w.svc.Files.FrontPagePDF(ctx, w.supervisee, sid); return err },
			wantEntry{w.supervisee, "supervisee", supervision.ActDownloadFrontPage, sid, "", ""}},
		{"export", func() error { return w.svc.Files.Export(ctx, w.admin, sid, "Subject access request", io.Discard) },
			wantEntry{w.admin, "administrator", supervision.ActExport, sid, "", "Subject access request"}},
		{"password reset", func() error { return w.svc.People.SetPassword(ctx, w.admin, sid, "another long password") },
			wantEntry{w.admin, "administrator", supervision.ActPasswordReset, sid, "", ""}},
		{"relationship", func() error {
			_, err := w.svc.Admin.SetSupervisor(ctx, w.admin, sid, w.supervisor.ID, "2026-01-05")
			return err
		}, wantEntry{w.admin, "administrator", supervision.ActRelationship, sid, "", w.supervisor.ID}},
	}
	for _, c := range reads {
		before := w.logTotal(t)
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := w.logTotal(t) - before; got != 1 {
			t.Errorf("%s wrote %d log entries, want 1", c.name, got)
			continue
		}
		checkEntry(t, c.name, w.lastEntries(t, 1)[0], c.want)
	}

	// Verify names the record of a PDF from the file.
	f, err := w.svc.Records.OpenDocument(ctx, w.supervisee, r.ID, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(f.Body)
	f.Body.Close()
	if _, err := w.svc.Records.Verify(ctx, w.supervisor, pdf); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "verify", w.lastEntries(t, 1)[0], wantEntry{w.supervisor, "", supervision.ActVerify, sid, r.ID, "SHA-256"})

	// Commands log what they do, not a read of the record they load.
	r2, err := w.svc.Records.StartRecord(ctx, w.supervisor, sid, "supervision-agreement", agreement())
	if err != nil {
		t.Fatal(err)
	}
	before := w.logTotal(t)
	if _, err := w.svc.Records.SaveDraft(ctx, w.supervisor, r2.ID, agreement(), r2.Revision); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.Submit(ctx, w.supervisor, r2.ID); err != nil {
		t.Fatal(err)
	}
	if n := w.logTotal(t) - before; n != 0 {
		t.Errorf("saving and submitting wrote %d log entries, want none", n)
	}
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r2.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	if n := w.logTotal(t) - before; n != 1 {
		t.Errorf("signing wrote %d log entries, want 1", n)
	}
	checkEntry(t, "sign", w.lastEntries(t, 1)[0], wantEntry{w.supervisee, "supervisee", supervision.ActSign, sid, r2.ID, "as supervisee"})

	// Refused reads are not logged as reads (and reveal nothing).
	before = w.logTotal(t)
	if _, err := w.svc.Records.Record(ctx, w.admin, r.ID); !errors.Is(err, supervision.ErrNotFound) {
		t.Errorf("admin reading a record: %v", err)
	}
	if n := w.logTotal(t) - before; n != 0 {
		t.Errorf("a refused read wrote %d entries", n)
	}
}

func TestSignInsAreLogged(t *testing.T) {
	w := newWorld(t)
	ctx := supervision.WithRequestInfo(context.Background(), supervision.RequestInfo{IP: "192.0.2.7", UserAgent: "TestAgent/1.0"})
	if _, _, err := w.svc.People.Login(ctx, "Nobody@Example.org", "whatever it is"); !errors.Is(err, supervision.ErrAuth) {
		t.Fatal(err)
	}
	checkEntry(t, "unknown address", w.lastEntries(t, 1)[0], wantEntry{nil, "", supervision.ActSignInFailed, "", "", "no such account"})
	if got := w.lastEntries(t, 1)[0].ActorEmail; got != "nobody@example.org" {
		t.Errorf("failed sign-in logged the address %q", got)
	}
	if _, _, err := w.svc.People.Login(ctx, "sian@testshire.gov.uk", "not the password"); !errors.Is(err, supervision.ErrAuth) {
		t.Fatal(err)
	}
	checkEntry(t, "wrong password", w.lastEntries(t, 1)[0], wantEntry{w.supervisee, "", supervision.ActSignInFailed, "", "", "wrong password"})
	if _, _, err := w.svc.People.Login(ctx, "sian@testshire.gov.uk", "a long password"); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "sign-in", w.lastEntries(t, 1)[0], wantEntry{w.supervisee, "", supervision.ActSignIn, "", "", ""})

	// The person filter finds the failed sign-ins to their address too.
	p, err := w.svc.Files.AccessLog(ctx, w.admin, supervision.AccessFilter{Person: w.supervisee.ID, Action: string(supervision.ActSignInFailed)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 1 {
		t.Errorf("failed sign-ins of the supervisee: %d, want 1", p.Total)
	}
}

func TestReadingTheAccessLog(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.signed(t, "")
	sid := w.supervisee.ID
	for _, actor := range []*supervision.Staff{w.supervisor, w.supervisee} {
		if _, err := w.svc.Records.Record(ctx, actor, r.ID); err != nil {
			t.Fatal(err)
		}
	}

	// Only admins read the whole log.
	if _, err := w.svc.Files.AccessLog(ctx, w.supervisor, supervision.AccessFilter{}); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("supervisor reading the log: %v", err)
	}
	// A bad filter names its fields.
	_, err := w.svc.Files.AccessLog(ctx, w.admin, supervision.AccessFilter{Action: "dance", From: "2026-02-30", To: "yesterday"})
	var ve *supervision.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Errorf("bad filter: %v", err)
	}
	_, err = w.svc.Files.AccessLog(ctx, w.admin, supervision.AccessFilter{From: "2026-03-02", To: "2026-03-01"})
	if !errors.As(err, &ve) || ve.Fields[0].Field != "to" {
		t.Errorf("to before from: %v", err)
	}
	p, err := w.svc.Files.AccessLog(ctx, w.admin, supervision.AccessFilter{File: sid, Action: string(supervision.ActViewRecord)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2 || p.Pages != 1 || p.Page != 1 {
		t.Errorf("views of the record: total %d pages %d page %d", p.Total, p.Pages, p.Page)
	}

	// The supervisee sees who read their file, without their own reading.
	fp, err := w.svc.Files.FileAccessLog(ctx, w.supervisee, sid, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fp.Entries {
		if e.ActorID == sid {
			t.Errorf("the supervisee's own read is listed: %+v", e)
		}
		if e.Action == supervision.ActSign {
			t.Errorf("a signature is listed as a read: %+v", e)
		}
	}
	if fp.Total != 1 || fp.Entries[0].ActorName != w.supervisor.Name || fp.Entries[0].ActorRole != "supervisor" {
		t.Errorf("who read the file: %d entries, first %+v", fp.Total, fp.Entries)
	}
	// Nobody else does; to them the file does not exist.
	if _, err := w.svc.Files.FileAccessLog(ctx, w.supervisor, sid, 1); !errors.Is(err, supervision.ErrNotFound) {
		t.Errorf("supervisor reading who read the file: %v", err)
	}
	if _, err := w.svc.Files.FileAccessLog(ctx, w.admin, sid, 1); err != nil {
		t.Errorf("admin reading who read the file: %v", err)
	}
}

func TestExportNeedsAReason(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, reason := range []string{"", "   ", strings.Repeat("x", supervision.MaxExportReason+1)} {
		err := w.svc.Files.Export(ctx, w.admin, w.supervisee.ID, reason, io.Discard)
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "reason" {
			t.Errorf("export with reason %q: %v", reason, err)
		}
	}
}

func TestAccessLogCSVIsSafeInASpreadsheet(t *testing.T) {
	w := newWorld(t)
	ctx := supervision.WithRequestInfo(context.Background(), supervision.RequestInfo{IP: "192.0.2.7", UserAgent: "@SUM(1+1)*cmd|' /C calc'!A0"})
	if err := w.svc.Files.Export(ctx, w.admin, w.supervisee.ID, "=HYPERLINK(\"http://evil.example\")", io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.People.Login(ctx, "-2+3@example.org", "whatever it is"); err == nil {
		t.Fatal("signed in with a made-up address")
	}
	if err := w.svc.Files.AccessLogCSV(ctx, w.supervisor, supervision.AccessFilter{}, io.Discard); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("supervisor downloading the log: %v", err)
	}
	var buf bytes.Buffer
	if err := w.svc.Files.AccessLogCSV(ctx, w.admin, supervision.AccessFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 || rows[0][0] != "id" {
		t.Fatalf("CSV has %d rows: %q", len(rows), rows)
	}
	found := 0
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
			if strings.HasPrefix(cell, "'=HYPERLINK") || strings.HasPrefix(cell, "'-2+3@") || strings.HasPrefix(cell, "'@SUM") {
				found++
			}
		}
	}
	if found < 3 {
		t.Errorf("the dangerous cells are not in the CSV, defused (found %d):\n%q", found, rows)
	}
}

// brokenLog is the real store with an access log that cannot be written.
type brokenLog struct{ *storage.DB }

func (brokenLog) AppendAccess(context.Context, *supervision.AccessEntry) error {
	return errors.New("disk full")
}

// TestNothingIsReadUnlogged: when the entry cannot be written, the read
// fails and hands nothing back.
func TestNothingIsReadUnlogged(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.signed(t, "")
	db, err := storage.OpenSQLite(filepath.Join(w.dir, "supfile.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := supervision.New(brokenLog{db}, w.blobs, cat, rd, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council"}, nil)
	sid := w.supervisee.ID
	for name, read := range map[string]func() (any, error){
		"file":       func() (any, error) { return svc.Files.File(ctx, w.supervisee, sid) },
		"record":     func() (any, error) { return svc.Records.Record(ctx, w.supervisor, r.ID) },
		"PDF":        func() (any, error) { return svc.Records.OpenDocument(ctx, w.supervisee, r.ID, "pdf") },
		"front page": func() (any, error) { return svc.Files.FrontPagePDF(ctx, w.supervisee, sid) },
		"export":     func() (any, error) { return nil, svc.Files.Export(ctx, w.admin, sid, "Audit", io.Discard) },
		"sign-in": func() (any, error) {
			tok, _, err := svc.People.Login(ctx, "sian@testshire.gov.uk", "a long password")
			return tok, err
		},
	} {
		got, err := read()
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s with the log unwritable: err = %v", name, err)
		}
		if got != nil && !reflect.ValueOf(got).IsZero() {
			t.Errorf("%s with the log unwritable handed back %T", name, got)
		}
	}
}

// TestArrangementsAndLeaversAreLogged: audit assignments, cover, invitations
// onto a record, end dates and purges each leave an entry.
func TestArrangementsAndLeaversAreLogged(t *testing.T) {
	w := newWorld(t)
	ctx := supervision.WithRequestInfo(context.Background(), supervision.RequestInfo{IP: "192.0.2.7", UserAgent: "TestAgent/1.0"})
	sid := w.supervisee.ID
	aud := w.addStaff(t, "Priya Auditor", "priya@testshire.gov.uk", "team_manager")
	obs := w.addStaff(t, "Olu Observer", "olu@testshire.gov.uk", "social_worker")
	stand := w.addStaff(t, "Sam Standin", "sam@testshire.gov.uk", "team_manager")
	leaver := w.addStaff(t, "Lee Leaver", "lee@testshire.gov.uk", "social_worker")

	a, err := w.svc.Admin.AssignAuditor(ctx, w.admin, supervision.AuditInput{SuperviseeID: sid, AuditorID: aud.ID, Due: "2099-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "audit assignment", w.lastEntries(t, 1)[0], wantEntry{w.admin, "administrator", supervision.ActAssignment, sid, "", "auditor " + aud.ID})
	if err := w.svc.Admin.EndAuditAssignment(ctx, w.admin, a.ID); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "audit assignment ended", w.lastEntries(t, 1)[0], wantEntry{w.admin, "administrator", supervision.ActAssignment, sid, "", "ended"})

	c, err := w.svc.Admin.ArrangeCover(ctx, w.admin, supervision.CoverInput{SupervisorID: w.supervisor.ID, StandInID: stand.ID,
		From: time.Now().Format(time.DateOnly), To: time.Now().AddDate(0, 0, 30).Format(time.DateOnly), Reason: "Annual leave"})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	checkEntry(t, "cover", w.lastEntries(t, 1)[0], wantEntry{w.admin, "administrator", supervision.ActRelationship, "", "", stand.ID + " stands in for " + w.supervisor.ID})
	if err := w.svc.Admin.EndCover(ctx, w.admin, c.ID); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "cover ended", w.lastEntries(t, 1)[0], wantEntry{w.admin, "administrator", supervision.ActRelationship, "", "", "no longer stands in"})

	r, err := w.svc.Records.StartRecord(ctx, w.supervisor, sid, "practice-observation", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.InviteToRecord(ctx, w.supervisor, r.ID, obs.ID, "observer"); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "invitation", w.lastEntries(t, 1)[0], wantEntry{w.supervisor, "supervisor", supervision.ActAssignment, sid, r.ID, obs.ID + " invited as observer"})
	if err := w.svc.Records.RemoveFromRecord(ctx, w.supervisor, r.ID, obs.ID, "observer"); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "taken off", w.lastEntries(t, 1)[0], wantEntry{w.supervisor, "supervisor", supervision.ActAssignment, sid, r.ID, "taken off"})

	end := "2024-06-28"
	if _, err := w.svc.People.EditStaff(ctx, w.admin, leaver.ID, supervision.StaffPatch{EndDate: &end}); err != nil {
		t.Fatal(err)
	}
	checkEntry(t, "end date", w.lastEntries(t, 1)[0], wantEntry{w.admin, "administrator", supervision.ActEndDate, leaver.ID, "", "end date 2024-06-28"})
	before := w.logTotal(t)
	job := "Leaver"
	if _, err := w.svc.People.EditStaff(ctx, w.admin, leaver.ID, supervision.StaffPatch{JobTitle: &job}); err != nil {
		t.Fatal(err)
	}
	if n := w.logTotal(t) - before; n != 0 {
		t.Errorf("an edit that leaves the end date alone wrote %d entries", n)
	}

	// Seven years on, the purge is logged.
	db, err := storage.OpenSQLite(filepath.Join(w.dir, "supfile.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := storage.NewLocalBlobs(filepath.Join(w.dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := forms.Load(forms.Builtin(), "")
	rd, _ := render.New(render.Options{})
	later := supervision.New(db, blobs, cat, rd, supervision.Config{PasswordCost: bcrypt.MinCost, OrgName: "Testshire County Council",
		Now: func() time.Time { return time.Date(2031, 7, 1, 9, 0, 0, 0, time.UTC) }}, nil)
	items, err := later.Admin.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !items[0].Done {
		t.Fatalf("purge: %+v", items)
	}
	e := w.lastEntries(t, 1)[0]
	if e.Action != supervision.ActPurge || e.FileID != leaver.ID || e.ActorName != "supfile purge" || !strings.Contains(e.Detail, "kept until 2030-06-28") {
		t.Errorf("purge logged as %+v", *e)
	}
}
