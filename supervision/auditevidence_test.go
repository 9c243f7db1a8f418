package supervision_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
)

// signed puts a signed record in w's file at the moment given, with its
// signatures, and returns its id.
func (w *dueWorld) signed(t *testing.T, form string, data map[string]any, at time.Time, sigs ...*supervision.Signature) string {
	t.Helper()
	w.n++
	raw, _ := json.Marshal(data)
	r := &supervision.Record{ID: fmt.Sprintf("rec-%d", w.n), StaffID: w.see.ID, FormID: form, FormVersion: 1, Version: 1, Status: supervision.StatusSigned,
		Data: raw, AuthorID: w.sup.ID, CreatedAt: at, UpdatedAt: at, SignedAt: &at}
	for _, sg := range sigs {
		sg.SignedAt = at
	}
	if err := w.db.ImportRecord(context.Background(), r, sigs, nil, nil); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// TestAuditEvidenceRemainingQuestions: the file's evidence for questions
// 5, 6, 9 and 11 of the file audit, from what the file holds: the
// supervisee's disagreements and the supervisor's responses, concerns for
// escalation in case supervision, the worker's details and a
// serious-incident plan, the forward planner's postponed sessions, and
// direct work noted in case supervision and observed. Confidential records
// (the supervision record, the worker's details, the plan) are counted and
// dated, never linked or read; questions 10 and 12 have none; nothing is
// answered; each call is a logged read of the supervisee's file.
func TestAuditEvidenceRemainingQuestions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 11, 0, 0, 0, time.UTC)
	w := newDueWorld(t, "manchester", "social_worker", "2024-01-08", now)
	at := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(10 * time.Hour)
	}
	see := func(disagreement string) *supervision.Signature {
		return &supervision.Signature{Role: "supervisee", SignerID: w.see.ID, Name: w.see.Name, Disagreement: disagreement}
	}
	sup := &supervision.Signature{Role: "supervisor", SignerID: w.sup.ID, Name: w.sup.Name}

	// Two supervision records (confidential) the supervisee disagreed
	// with; the supervisor responded to the first.
	answered := w.signed(t, "supervision-record", map[string]any{"supervision_date": "2026-03-02", "wellbeing_worries": "Secret worry"}, at("2026-03-04"), see("The actions are not what we agreed"), sup)
	open := w.signed(t, "supervision-record", map[string]any{"supervision_date": "2026-05-01"}, at("2026-05-04"), see("I did not say that"), sup)
	if err := w.db.AddDisagreementResponse(ctx, &supervision.DisagreementResponse{RecordID: answered, ResponderID: w.sup.ID, At: at("2026-03-06"), Response: "Agreed: corrected"},
		supervision.Event{RecordID: answered, At: at("2026-03-06"), ActorID: w.sup.ID, Action: "responded to disagreement"}); err != nil {
		t.Fatal(err)
	}
	details := w.signed(t, "workers-details", map[string]any{"dbs_number": "001234567890", "dbs_date": "2019-02-01"}, at("2025-09-01"), see(""))
	plan := w.signed(t, "serious-incident-support", map[string]any{"incident_summary": "Private", "off_sick": "yes"}, at("2026-02-10"), see(""), sup)
	planner := w.signed(t, "forward-planner", map[string]any{"dates": []any{
		map[string]any{"date": "2025-03-03", "status": "postponed", "rescheduled": "2025-03-10", "comments": "Too old to count"},
		map[string]any{"date": "2026-02-02", "status": "completed"},
		map[string]any{"date": "2026-03-02", "status": "postponed", "rescheduled": "2026-03-09", "comments": "Sickness"},
		map[string]any{"date": "2026-04-06", "status": "postponed"},
	}}, at("2026-01-05"), sup)
	// Case supervision: two cases with direct work on 10 May (one with
	// concerns for escalation), one without on 1 June.
	caseA := w.signed(t, "case-supervision", map[string]any{"supervision_date": "2026-05-10", "case_reference": "CS-1001", "direct_work": "Drew her three houses", "escalation": "yes", "escalation_details": "Named worry"}, at("2026-05-11"), see(""), sup)
	caseB := w.signed(t, "case-supervision", map[string]any{"supervision_date": "2026-05-10", "case_reference": "CS-1002", "direct_work": "Spoke about school", "escalation": "no"}, at("2026-05-11"), see(""), sup)
	w.signed(t, "case-supervision", map[string]any{"supervision_date": "2026-06-01", "case_reference": "CS-1003", "direct_work": "  ", "escalation": "no"}, at("2026-06-02"), see(""), sup)
	obs := w.signed(t, "practice-observation", map[string]any{"observation_date": "2026-04-20", "activity": "direct_work"}, at("2026-04-21"), see(""),
		&supervision.Signature{Role: "observer", SignerID: w.sup.ID, Name: w.sup.Name})

	// The auditor and their draft audit.
	if _, err := w.svc.Admin.AssignAuditor(ctx, w.admin, supervision.AuditInput{SuperviseeID: w.see.ID, AuditorID: w.other.ID, Due: "2099-01-01"}); err != nil {
		t.Fatal(err)
	}
	audit, err := w.svc.Records.StartRecord(ctx, w.other, w.see.ID, "file-audit", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Records.Record(ctx, w.other, audit.ID)
	if err != nil {
		t.Fatal(err)
	}
	reads := func() int {
		t.Helper()
		p, err := w.svc.Files.AccessLog(ctx, w.admin, supervision.AccessFilter{File: w.see.ID, Action: string(supervision.ActViewFile)})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	before := reads()
	ev, err := w.svc.Files.AuditEvidence(ctx, w.other, v, "")
	if err != nil {
		t.Fatal(err)
	}
	if reads() != before+1 {
		t.Errorf("the evidence is not one logged read of the supervisee's file")
	}

	type line struct{ text, record string }
	want := map[string][]line{
		"q5": {
			{"Disagreements recorded by the supervisee when signing: 2; the supervisor responded to 1", ""},
			{"Disagreement recorded when signing the supervision record of 4 March 2026: the supervisor responded on 6 March 2026", ""},
			{"Disagreement recorded when signing the supervision record of 4 May 2026: no response from the supervisor yet", ""},
			{"Case supervision records in the last 12 months with concerns for escalation to a senior manager: 1", ""},
			{"Case CS-1001, discussed on 10 May 2026", caseA},
		},
		"q6": {
			{"Worker's details (registration and DBS): signed on 1 September 2025", ""},
			{"Serious-incident support plans: 1 signed, the latest on 10 February 2026", ""},
			{"Supervision records of the last 12 months you may not open, so not read here: 2, the latest signed on 4 May 2026", ""},
		},
		"q9": {
			{"Sessions postponed in the last 12 months: 2; rescheduled: 1; with a reason: 1", ""},
			{"Session of 2 March 2026 postponed to 9 March 2026; reason given", ""},
			{"Session of 6 April 2026 postponed, no date rescheduled; no reason given", ""},
			{"Forward planner: signed on 5 January 2026", planner},
		},
		"q11": {
			{"Case supervision sessions in the last 12 months: 2; with direct work noted for two cases or more: 1", ""},
			{"Case supervision on 10 May 2026: direct work noted for 2 of 2 cases", ""},
			{"Case supervision on 1 June 2026: direct work noted for 0 of 1 cases", ""},
			{"Case CS-1001 on 10 May 2026: direct work noted", caseA},
			{"Case CS-1002 on 10 May 2026: direct work noted", caseB},
			{"Practice observations of direct work with children: 1, the latest on 20 April 2026", obs},
		},
	}
	for sec, lines := range want {
		var got []line
		for _, l := range ev.BySection[sec] {
			got = append(got, line{l.Text, l.RecordID})
			if l.RecordID != "" && !strings.HasPrefix(l.LinkLabel, "Open the ") {
				t.Errorf("%s: link %q", sec, l.LinkLabel)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(lines) {
			t.Errorf("%s evidence:\n got %q\nwant %q", sec, got, lines)
		}
	}
	// Nothing confidential is linked or read; no answer's words appear.
	for sec, lines := range ev.BySection {
		for _, l := range lines {
			switch l.RecordID {
			case answered, open, details, plan:
				t.Errorf("%s links the confidential record %s", sec, l.RecordID)
			}
			for _, secret := range []string{"Secret worry", "I did not say", "not what we agreed", "Agreed: corrected", "001234567890", "2019", "Private", "Sickness", "Named worry", "three houses"} {
				if strings.Contains(l.Text, secret) {
					t.Errorf("%s evidence quotes a record: %q", sec, l.Text)
				}
			}
		}
	}
	for _, sec := range []string{"q10", "q12", "details", "summary", "completion"} {
		if ev.BySection[sec] != nil {
			t.Errorf("%s has evidence: %+v", sec, ev.BySection[sec])
		}
	}
	if ev, err := w.svc.Files.AuditEvidence(ctx, w.other, v, "q10"); ev != nil || err != nil {
		t.Errorf("evidence for question 10: %+v, %v", ev, err)
	}
	if ev, err := w.svc.Files.AuditEvidence(ctx, w.other, v, "q11"); err != nil || ev == nil || len(ev.BySection["q11"]) == 0 {
		t.Errorf("evidence for question 11 alone: %+v, %v", ev, err)
	}
	// Nothing was answered.
	after, err := w.svc.Records.Record(ctx, w.other, audit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Record.Revision != v.Record.Revision {
		t.Errorf("gathering evidence saved the audit (revision %d to %d)", v.Record.Revision, after.Record.Revision)
	}
	for _, f := range []string{"concerns_acted_on", "content_covered", "attendance_managed", "permanence_planning", "direct_work_evidenced", "supervisor_observation_needed"} {
		if a, ok := after.Data[f]; ok {
			t.Errorf("question %s answered %v", f, a)
		}
	}
}

// TestAuditEvidenceEmptyFile: a file with nothing in it says so for each
// question the file bears on, rather than leaving the question bare.
func TestAuditEvidenceEmptyFile(t *testing.T) {
	ctx := context.Background()
	w := newDueWorld(t, "manchester", "social_worker", "2024-01-08", time.Date(2026, 6, 15, 11, 0, 0, 0, time.UTC))
	if _, err := w.svc.Admin.AssignAuditor(ctx, w.admin, supervision.AuditInput{SuperviseeID: w.see.ID, AuditorID: w.other.ID, Due: "2099-01-01"}); err != nil {
		t.Fatal(err)
	}
	audit, err := w.svc.Records.StartRecord(ctx, w.other, w.see.ID, "file-audit", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Records.Record(ctx, w.other, audit.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := w.svc.Files.AuditEvidence(ctx, w.other, v, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"q5":  {"No disagreement recorded by the supervisee when signing a record.", "Case supervision records in the last 12 months with concerns for escalation to a senior manager: 0"},
		"q6":  {"Worker's details (registration and DBS): none signed"},
		"q9":  {"No signed forward planner in the file."},
		"q11": {"Case supervision sessions in the last 12 months: 0; with direct work noted for two cases or more: 0"},
	}
	for sec, lines := range want {
		var got []string
		for _, l := range ev.BySection[sec] {
			got = append(got, l.Text)
		}
		if fmt.Sprint(got) != fmt.Sprint(lines) {
			t.Errorf("%s evidence:\n got %q\nwant %q", sec, got, lines)
		}
	}
}

// TestAuditEvidenceConfidentialCaseSupervision: where a council made case
// supervision confidential, the auditor (who may not open those records)
// is told how many there are and when the latest was signed, never a case
// reference, a concern for escalation or direct work read from them.
func TestAuditEvidenceConfidentialCaseSupervision(t *testing.T) {
	raw, err := fs.ReadFile(forms.Builtin(), "case-supervision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	yaml := strings.Replace(string(raw), "\nversion: 1\n", "\nversion: 1\nconfidential: true\n", 1)
	if yaml == string(raw) {
		t.Fatal("no version line in case-supervision.yaml")
	}
	if err := os.WriteFile(filepath.Join(dir, "case-supervision.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := newDueWorldForms(t, dir, "manchester", "social_worker", "2024-01-08", time.Date(2026, 6, 15, 11, 0, 0, 0, time.UTC))
	signedAt := time.Date(2026, 5, 11, 10, 0, 0, 0, time.UTC)
	w.signed(t, "case-supervision", map[string]any{"supervision_date": "2026-05-10", "case_reference": "LL-40417", "direct_work": "Drew her three houses", "escalation": "yes"}, signedAt)
	w.signed(t, "case-supervision", map[string]any{"supervision_date": "2026-05-10", "case_reference": "LL-555", "direct_work": "Spoke about school"}, signedAt)
	if _, err := w.svc.Admin.AssignAuditor(ctx, w.admin, supervision.AuditInput{SuperviseeID: w.see.ID, AuditorID: w.other.ID, Due: "2099-01-01"}); err != nil {
		t.Fatal(err)
	}
	audit, err := w.svc.Records.StartRecord(ctx, w.other, w.see.ID, "file-audit", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.svc.Records.Record(ctx, w.other, audit.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := w.svc.Files.AuditEvidence(ctx, w.other, v, "")
	if err != nil {
		t.Fatal(err)
	}
	hidden := "Case supervision records you may not open, so not read here: 2, the latest signed on 11 May 2026"
	want := map[string][]string{
		"q5":  {"No disagreement recorded by the supervisee when signing a record.", hidden},
		"q7":  {"A case: last discussed 10 May 2026, next due 3 July 2026", "A case: last discussed 10 May 2026, next due 3 July 2026"},
		"q11": {hidden},
	}
	for sec, lines := range want {
		var got []string
		for _, l := range ev.BySection[sec] {
			got = append(got, l.Text)
			if l.RecordID != "" {
				t.Errorf("%s links %s, a record the auditor may not open", sec, l.RecordID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(lines) {
			t.Errorf("%s evidence:\n got %q\nwant %q", sec, got, lines)
		}
	}
}
