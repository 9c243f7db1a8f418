package supervision_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
)

func (w *world) addStaff(tb testing.TB, name, email, role string) *supervision.Staff {
	tb.Helper()
	st, err := w.svc.People.CreateStaff(context.Background(), w.admin, supervision.NewStaff{Name: name, Email: email, JobTitle: "Manager",
		Role: role, StartDate: "2024-01-08", Password: "a long password"})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func wantErr(tb testing.TB, err, kind error, what string) {
	tb.Helper()
	if !errors.Is(err, kind) {
		tb.Errorf("%s: err = %v, want %v", what, err, kind)
	}
}

// TestFileAuditByAuditor: the assigned auditor (not the supervisor) starts
// the file audit, which is kept in the supervisor's file naming the
// supervisee; the auditor signs as auditor and the supervisor acknowledges.
func TestFileAuditByAuditor(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	aud := w.addStaff(t, "Grace Okafor", "grace@testshire.gov.uk", "senior_manager")
	// The supervisor cannot start it, and nobody can before an assignment.
	_, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "file-audit", nil)
	wantErr(t, err, supervision.ErrForbidden, "supervisor starts a file audit")
	_, err = w.svc.Records.StartRecord(ctx, aud, w.supervisee.ID, "file-audit", nil)
	wantErr(t, err, supervision.ErrNotFound, "unassigned auditor starts a file audit")

	// Assignment refusals: the supervisor, the supervisee, an admin naming themselves.
	for _, in := range []supervision.AuditInput{
		{SuperviseeID: w.supervisee.ID, AuditorID: w.supervisor.ID, Due: "2099-01-01"},
		{SuperviseeID: w.supervisee.ID, AuditorID: w.supervisee.ID, Due: "2099-01-01"},
		{SuperviseeID: w.supervisee.ID, AuditorID: w.admin.ID, Due: "2099-01-01"},
		{SuperviseeID: w.supervisee.ID, AuditorID: aud.ID, Due: "2001-01-01"},
		{SuperviseeID: w.supervisee.ID, AuditorID: aud.ID, Due: "not a date"},
	} {
		_, err := w.svc.Admin.AssignAuditor(ctx, w.admin, in)
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("AssignAuditor(%+v) = %v, want a validation error", in, err)
		}
	}
	_, err = w.svc.Admin.AssignAuditor(ctx, w.supervisor, supervision.AuditInput{SuperviseeID: w.supervisee.ID, AuditorID: aud.ID, Due: "2099-01-01"})
	wantErr(t, err, supervision.ErrForbidden, "the supervisor assigns their own auditor")
	a, err := w.svc.Admin.AssignAuditor(ctx, w.admin, supervision.AuditInput{SuperviseeID: w.supervisee.ID, AuditorID: aud.ID, Due: "2099-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	fv, err := w.svc.Files.File(ctx, aud, w.supervisee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(fv.Forms) != 1 || fv.Forms[0].ID != "file-audit" {
		t.Errorf("the auditor may start %v, want the file audit only", fv.Forms)
	}
	cat, _ := forms.Load(forms.Builtin(), "")
	def, _ := cat.Get("file-audit")
	r, err := w.svc.Records.StartRecord(ctx, aud, w.supervisee.ID, "file-audit", forms.Sample(def, aud.ID))
	if err != nil {
		t.Fatal(err)
	}
	if r.StaffID != w.supervisor.ID {
		t.Errorf("the file audit is in %s's file, want the supervisor's", r.StaffID)
	}
	links, err := w.svc.Files.AuditLinks(ctx, w.supervisee, w.supervisee.ID)
	if err != nil || len(links) != 0 {
		t.Errorf("the supervisee sees audit links %v, %v; the audit is the supervisor's", links, err)
	}
	links, err = w.svc.Files.AuditLinks(ctx, aud, w.supervisee.ID)
	if err != nil || len(links) != 1 || links[0].Record.ID != r.ID {
		t.Errorf("the auditor's links from the supervisee's file = %v, %v", links, err)
	}
	// The supervisor reads it (their own file) but does not write it.
	v, err := w.svc.Records.Record(ctx, w.supervisor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.CanEdit {
		t.Error("the audited supervisor can edit the audit")
	}
	if _, err := w.svc.Records.Submit(ctx, aud, r.ID); err != nil {
		t.Fatal(err)
	}
	if v, _ := w.svc.Records.Record(ctx, w.supervisor, r.ID); v.SignAs != "" {
		t.Errorf("the supervisor may sign as %q before the auditor", v.SignAs)
	}
	v, err = w.svc.Records.Sign(ctx, aud, r.ID, supervision.SignInput{Name: aud.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Signatures[0].Role != "auditor" || v.Signatures[0].SignerID != aud.ID {
		t.Errorf("first signature %+v, want the auditor's", v.Signatures[0])
	}
	if v.SignAs != "" {
		t.Errorf("the auditor may sign again as %q", v.SignAs)
	}
	v, err = w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Record.Status != supervision.StatusSigned || v.Signatures[1].Role != "supervisor" {
		t.Errorf("after the supervisor: %s %+v", v.Record.Status, v.Signatures)
	}
	// record.json names the parties, so that reindex restores them.
	for _, d := range v.Documents {
		if d.Kind != "json" {
			continue
		}
		rc, err := w.blobs.Get(ctx, d.Key)
		if err != nil {
			t.Fatal(err)
		}
		var rj supervision.RecordJSON
		err = json.NewDecoder(rc).Decode(&rj)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]string{}
		for _, p := range rj.Parties {
			roles[p.Role] = p.Person.ID
		}
		if roles["auditor"] != aud.ID || roles["subject"] != w.supervisee.ID || roles["supervisor"] != w.supervisor.ID {
			t.Errorf("record.json parties %v", roles)
		}
	}
	// Reindexed into an empty database, the audit names its parties again.
	rebuilt, db := serviceOn(t, w.blobs)
	if rep, err := rebuilt.Admin.Reindex(ctx); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("reindex: %+v, %v", rep, err)
	}
	parties, err := db.RecordParties(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range parties {
		got[p.Role] = p.StaffID
	}
	if got["auditor"] != aud.ID || got["subject"] != w.supervisee.ID || got["supervisor"] != w.supervisor.ID {
		t.Errorf("parties after reindex: %v", got)
	}
	// Ended, the assignment gives nothing: the auditor still reads the
	// audit they are named on, but not the file.
	if err := w.svc.Admin.EndAuditAssignment(ctx, w.admin, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Files.File(ctx, aud, w.supervisee.ID)
	wantErr(t, err, supervision.ErrNotFound, "the auditor after the assignment ended")
	if _, err := w.svc.Records.Record(ctx, aud, r.ID); err != nil {
		t.Errorf("the auditor reads their signed audit: %v", err)
	}
}

// TestInvitedObserverAndSeniorManager: an invited observer fills and signs
// the observer's part of one observation and nothing else; a named senior
// manager reads the (confidential) plan and nothing else.
func TestInvitedObserverAndSeniorManager(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	obs := w.addStaff(t, "Olu Bello", "olu@testshire.gov.uk", "social_worker")
	sm := w.addStaff(t, "Sara Malik", "sara@testshire.gov.uk", "senior_manager")
	r, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "practice-observation", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Records.Record(ctx, obs, r.ID)
	wantErr(t, err, supervision.ErrNotFound, "observer before the invitation")
	_, err = w.svc.Records.InviteToRecord(ctx, w.supervisee, r.ID, obs.ID, "observer")
	wantErr(t, err, supervision.ErrForbidden, "the supervisee invites")
	_, err = w.svc.Records.InviteToRecord(ctx, w.supervisor, r.ID, obs.ID, "senior_manager")
	var ve *supervision.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("a senior manager on an observation: %v", err)
	}
	if _, err := w.svc.Records.InviteToRecord(ctx, w.supervisor, r.ID, obs.ID, "observer"); err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Records.Record(ctx, obs, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.CanEdit || !v.CanSubmit || !v.Access.WritesSection("") || v.Access.WritesSection("observee") {
		t.Errorf("observer: edit %v submit %v", v.CanEdit, v.CanSubmit)
	}
	if v, _ := w.svc.Records.Record(ctx, w.supervisor, r.ID); v.CanEdit {
		t.Error("the supervisor still writes the observer's part after inviting an observer")
	}
	_, err = w.svc.Files.File(ctx, obs, w.supervisee.ID)
	wantErr(t, err, supervision.ErrNotFound, "the observer opens the file")
	other, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "practice-observation", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Records.Record(ctx, obs, other.ID)
	wantErr(t, err, supervision.ErrNotFound, "the observer reads another observation")

	// The whole observation: the observer and the observee fill their parts,
	// the observer submits, each signs their own role, the supervisor none.
	cat, _ := forms.Load(forms.Builtin(), "")
	def, _ := cat.Get("practice-observation")
	sample := forms.Sample(def, obs.ID)
	v, err = w.svc.Records.SaveDraft(ctx, obs, r.ID, sample, v.Record.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = w.svc.Records.SaveDraft(ctx, w.supervisee, r.ID, sample, v.Record.Revision); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Records.Submit(ctx, w.supervisor, r.ID)
	wantErr(t, err, supervision.ErrForbidden, "the supervisor submits the invited observer's observation")
	if _, err := w.svc.Records.Submit(ctx, obs, r.ID); err != nil {
		t.Fatal(err)
	}
	if v, _ := w.svc.Records.Record(ctx, w.supervisor, r.ID); v.SignAs != "" {
		t.Errorf("the supervisor may sign the observation as %q", v.SignAs)
	}
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	v, err = w.svc.Records.Sign(ctx, obs, r.ID, supervision.SignInput{Name: obs.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Record.Status != supervision.StatusSigned || v.Signatures[1].Role != "observer" || v.Signatures[1].SignerID != obs.ID {
		t.Errorf("after both: %s %+v", v.Record.Status, v.Signatures)
	}
	err = w.svc.Records.RemoveFromRecord(ctx, w.supervisor, r.ID, obs.ID, "observer")
	wantErr(t, err, supervision.ErrConflict, "taking the observer off a signed observation")
	plan, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "serious-incident-support", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.InviteToRecord(ctx, w.supervisor, plan.ID, sm.ID, ""); err != nil {
		t.Fatal(err)
	}
	v, err = w.svc.Records.Record(ctx, sm, plan.ID)
	if err != nil {
		t.Fatalf("the named senior manager reads the plan: %v", err)
	}
	if v.CanEdit || v.SignAs != "" {
		t.Error("the senior manager can write or sign the plan")
	}
	_, err = w.svc.Records.Record(ctx, sm, r.ID)
	wantErr(t, err, supervision.ErrNotFound, "the senior manager reads the observation")
	named, err := w.svc.Files.NamedRecords(ctx, sm)
	if err != nil || len(named) != 1 || named[0].Record.ID != plan.ID {
		t.Errorf("senior manager's named records = %v, %v", named, err)
	}
}

// TestStandInLineManagerFormerAdmin: cover gives the supervisor's rights
// while it lasts; the line manager reads all but confidential records; a
// former supervisor and an admin read nothing; an admin cannot make
// themselves a supervisor.
func TestStandInLineManagerFormerAdmin(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	lm := w.addStaff(t, "Lin Manager", "lin@testshire.gov.uk", "senior_manager")
	cover := w.addStaff(t, "Cal Cover", "cal@testshire.gov.uk", "team_manager")
	if _, err := w.svc.Admin.SetSupervisor(ctx, w.admin, w.supervisor.ID, lm.ID, "2025-01-06"); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Admin.SetSupervisor(ctx, w.admin, w.supervisee.ID, w.admin.ID, "")
	wantErr(t, err, supervision.ErrInvalid, "an admin makes themselves a supervisor")

	conf, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-record", nil)
	if err != nil {
		t.Fatal(err)
	}
	open, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The line manager: the file and the open record, not the confidential one.
	fv, err := w.svc.Files.File(ctx, lm, w.supervisee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(fv.Records) != 1 || fv.Records[0].Record.ID != open.ID || len(fv.Forms) != 0 {
		t.Errorf("the line manager's file lists %d records and %d forms", len(fv.Records), len(fv.Forms))
	}
	_, err = w.svc.Records.Record(ctx, lm, conf.ID)
	wantErr(t, err, supervision.ErrNotFound, "the line manager reads a confidential record")
	if v, err := w.svc.Records.Record(ctx, lm, open.ID); err != nil || v.CanEdit {
		t.Errorf("the line manager reads the agreement: %v, edit %v", err, v != nil && v.CanEdit)
	}
	if fa, _ := w.svc.FileAccess(ctx, lm, w.supervisee.ID); !fa.CanHandOver() {
		t.Error("the line manager cannot start a handover")
	}

	// Cover: refused from someone who may not arrange it, then arranged.
	in := supervision.CoverInput{SupervisorID: w.supervisor.ID, StandInID: cover.ID, From: time.Now().AddDate(0, 0, -1).Format(time.DateOnly),
		To: time.Now().AddDate(0, 0, 14).Format(time.DateOnly), Reason: "Sickness absence"}
	_, err = w.svc.Admin.ArrangeCover(ctx, w.supervisee, in)
	wantErr(t, err, supervision.ErrForbidden, "the supervisee arranges cover")
	_, err = w.svc.Records.Record(ctx, cover, conf.ID)
	wantErr(t, err, supervision.ErrNotFound, "the stand-in before the cover")
	c, err := w.svc.Admin.ArrangeCover(ctx, lm, in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Records.Record(ctx, cover, conf.ID)
	if err != nil || !v.CanEdit {
		t.Fatalf("the stand-in reads and writes the confidential record: %v", err)
	}
	if list, _ := w.svc.Admin.Covering(ctx, cover); len(list) != 1 || list[0].ID != w.supervisee.ID {
		t.Errorf("the stand-in covers %v", list)
	}
	if err := w.svc.Admin.EndCover(ctx, lm, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Records.Record(ctx, cover, conf.ID)
	wantErr(t, err, supervision.ErrNotFound, "the stand-in after the cover ended")

	// A new supervisor: the former one reads nothing.
	next := w.addStaff(t, "Nia Next", "nia@testshire.gov.uk", "team_manager")
	if _, err := w.svc.Admin.SetSupervisor(ctx, w.admin, w.supervisee.ID, next.ID, ""); err != nil {
		t.Fatal(err)
	}
	fa, err := w.svc.FileAccess(ctx, w.supervisor, w.supervisee.ID)
	if err != nil || fa.Standing() != supervision.StandingFormer {
		t.Errorf("former supervisor's standing %v, %v", fa.Standing(), err)
	}
	for _, id := range []string{conf.ID, open.ID} {
		_, err = w.svc.Records.Record(ctx, w.supervisor, id)
		wantErr(t, err, supervision.ErrNotFound, "the former supervisor reads a record")
		_, err = w.svc.Records.Record(ctx, w.admin, id)
		wantErr(t, err, supervision.ErrNotFound, "an admin reads a record")
	}
	_, err = w.svc.Files.File(ctx, w.admin, w.supervisee.ID)
	wantErr(t, err, supervision.ErrNotFound, "an admin opens a file")
}
