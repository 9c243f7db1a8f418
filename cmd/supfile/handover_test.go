package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/internal/needs"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// handoverTeam is setUpTeam plus the people a handover involves: Bea, a
// team manager who takes over; Lara, a senior manager who supervises Bea
// (so Bea's line manager); a student and a business support officer, who
// cannot supervise; and Ola, a manager with no part in the file.
type handoverTeam struct {
	*people
	bea, lara, ola                        *client
	beaID, laraID, olaID, studentID, bsID string
}

func setUpHandoverTeam(t *testing.T, base string) *handoverTeam {
	t.Helper()
	ht := &handoverTeam{people: setUpTeam(t, base)}
	ht.beaID = addStaff(t, ht.admin, "Bea Nwosu", "bea.nwosu@testshire.gov.uk", "Team Manager", "team_manager")
	ht.laraID = addStaff(t, ht.admin, "Lara Price", "lara.price@testshire.gov.uk", "Service Manager", "senior_manager")
	ht.olaID = addStaff(t, ht.admin, "Ola Berg", "ola.berg@testshire.gov.uk", "Team Manager", "team_manager")
	ht.studentID = addStaff(t, ht.admin, "Sam Student", "sam.student@testshire.gov.uk", "Student Social Worker", "student")
	ht.bsID = addStaff(t, ht.admin, "Bob Clerk", "bob.clerk@testshire.gov.uk", "Business Support Officer", "business_support")
	ht.admin.call("PUT", "/api/v1/staff/"+ht.beaID+"/supervisor", map[string]any{"supervisor_id": ht.laraID, "from": "2025-01-06"}, http.StatusOK, nil)
	ht.bea = login(t, base, "bea.nwosu@testshire.gov.uk", "a long password 1")
	ht.lara = login(t, base, "lara.price@testshire.gov.uk", "a long password 1")
	ht.ola = login(t, base, "ola.berg@testshire.gov.uk", "a long password 1")
	return ht
}

// signRecord has each client sign a record as the named person.
func signRecord(t *testing.T, rid string, signers ...any) recordResp {
	t.Helper()
	var rec recordResp
	for i := 0; i+1 < len(signers); i += 2 {
		signers[i].(*client).call("POST", "/api/v1/records/"+rid+"/signatures",
			map[string]any{"name": signers[i+1].(string), "confirm": true}, http.StatusCreated, &rec)
	}
	return rec
}

// fileAgreementAndRecord files a signed supervision agreement and a signed
// supervision record with two actions, made by the current supervisor.
func fileAgreementAndRecord(t *testing.T, ht *handoverTeam, sup *client, supName string) (agreement, record recordResp) {
	t.Helper()
	ag := validAgreement("We will meet every four weeks.")
	ag["supervisor_name"] = supName
	sup.call("POST", "/api/v1/staff/"+ht.superviseeID+"/records", map[string]any{"form": "supervision-agreement", "data": ag}, http.StatusCreated, &agreement)
	sup.call("POST", "/api/v1/records/"+agreement.ID+"/submit", nil, http.StatusOK, nil)
	agreement = signRecord(t, agreement.ID, ht.supervisee, "Siân Gwŷnedd-Jones", sup, supName)
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)
	sr := map[string]any{
		"supervisee_name": "Siân Gwŷnedd-Jones", "supervisee_job_title": "Social Worker", "supervisor_name": supName,
		"supervision_date": today, "case_holder": "no", "manages_staff": "no",
		"wellbeing_worries": "None raised.", "wellbeing_working_well": "Team support.", "practice_performance": "Good progress on assessments.",
		"learning_development": "Signs of Safety refresher.",
		"actions": []any{
			map[string]any{"action": "Book the Signs of Safety refresher course", "owner": "Siân", "due": "2027-01-15"},
			map[string]any{"action": "Close the two dormant cases on the team list", "owner": supName, "due": "2027-01-29"},
		},
		"next_date": "2027-01-04",
	}
	sup.call("POST", "/api/v1/staff/"+ht.superviseeID+"/records", map[string]any{"form": "supervision-record", "data": sr}, http.StatusCreated, &record)
	sup.call("POST", "/api/v1/records/"+record.ID+"/submit", nil, http.StatusOK, nil)
	record = signRecord(t, record.ID, ht.supervisee, "Siân Gwŷnedd-Jones", sup, supName)
	if agreement.Status != "signed" || record.Status != "signed" {
		t.Fatalf("agreement %s, record %s", agreement.Status, record.Status)
	}
	return agreement, record
}

func mustLondon(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newSupervisorDue are the file's due entries a handover made: a new
// supervision agreement (the file's "due" lists the rest of what is due too).
func newSupervisorDue(f fileResp) []dueEntry {
	var out []dueEntry
	for _, d := range f.Due {
		if d.What == "supervision-agreement" && d.Reason == "new supervisor" {
			out = append(out, d)
		}
	}
	return out
}

type dueEntry struct {
	What, Reason, By string
	OverdueDays      int `json:"overdue_days"`
}

type fileResp struct {
	Due     []dueEntry `json:"due"`
	History []struct {
		SupervisorID string  `json:"supervisor_id"`
		From         string  `json:"from"`
		To           *string `json:"to"`
		Current      bool    `json:"current"`
		HandoverID   string  `json:"handover_id"`
	} `json:"history"`
	Supervisor *struct{ ID string } `json:"supervisor"`
	Records    []recordResp         `json:"records"`
}

type handoverResp struct {
	Handover struct {
		ID               string `json:"id"`
		FromSupervisorID string `json:"from_supervisor_id"`
		ToSupervisorID   string `json:"to_supervisor_id"`
		Effective        string `json:"effective"`
		DraftsMoved      int    `json:"drafts_moved"`
	} `json:"handover"`
	RecordID     string `json:"record_id"`
	AgreementDue string `json:"agreement_due"`
}

// TestHandoverRefusals: every bad handover is a 422 naming the field at
// fault, and only the supervisor, their line manager or an admin may hand
// a file over; nothing changes.
func TestHandoverRefusals(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)
	leaverID := addStaff(t, ht.admin, "Lee Leaver", "lee.leaver@testshire.gov.uk", "Team Manager", "team_manager")
	leaving := addStaff(t, ht.admin, "Len Leaving", "len.leaving@testshire.gov.uk", "Team Manager", "team_manager")
	for id, end := range map[string]time.Time{leaverID: time.Now().AddDate(0, 0, -3), leaving: time.Now().AddDate(0, 0, 10)} {
		ht.admin.call("PATCH", "/api/v1/staff/"+id, map[string]any{"end_date": end.Format(time.DateOnly)}, http.StatusOK, nil)
	}
	good := func() map[string]any {
		return map[string]any{"to_supervisor_id": ht.beaID, "effective": today, "reason": "Siân moves to the east team."}
	}
	with := func(k string, v any) map[string]any { b := good(); b[k] = v; return b }
	tests := []struct {
		name  string
		body  map[string]any
		field string
		says  string
	}{
		{"to oneself", with("to_supervisor_id", ht.superviseeID), "to_supervisor_id", "cannot supervise themselves"},
		{"to the current supervisor", with("to_supervisor_id", ht.supervisorID), "to_supervisor_id", "already the supervisor"},
		{"to a student", with("to_supervisor_id", ht.studentID), "to_supervisor_id", "cannot supervise"},
		{"to business support", with("to_supervisor_id", ht.bsID), "to_supervisor_id", "cannot supervise"},
		{"to a leaver", with("to_supervisor_id", leaverID), "to_supervisor_id", "left on"},
		{"to someone leaving before it takes effect", with("effective", time.Now().AddDate(0, 0, 20).Format(time.DateOnly)), "", ""},
		{"to someone unknown", with("to_supervisor_id", "no-such-person"), "to_supervisor_id", "list of staff"},
		{"to nobody", with("to_supervisor_id", ""), "to_supervisor_id", "Select the new supervisor"},
		{"before the relationship began", with("effective", "2025-01-05"), "effective", "cannot take effect before Ahmed Khan became the supervisor on 6 January 2025"},
		{"on a date that does not exist", with("effective", "2026-02-30"), "effective", "real date"},
		{"with no date", with("effective", ""), "effective", "Enter the date"},
		{"more than a year ahead", with("effective", time.Now().AddDate(1, 1, 0).Format(time.DateOnly)), "effective", "within a year"},
		{"with no reason", with("reason", "   "), "reason", "Enter the reason"},
		{"with a huge reason", with("reason", strings.Repeat("ŵ", 2001)), "reason", "2000 characters or fewer"},
		{"with a reason that cannot be printed", with("reason", "Moved \u0007 team"), "reason", "cannot be printed"},
	}
	for _, tt := range tests {
		if tt.field == "" {
			// Len leaves in ten days: a handover to him in twenty is refused.
			tt.body["to_supervisor_id"], tt.field, tt.says = leaving, "to_supervisor_id", "before the handover takes effect"
		}
		t.Run(tt.name, func(t *testing.T) {
			var e apiErr
			ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", tt.body, http.StatusUnprocessableEntity, &e)
			if !hasFieldErr(e, tt.field) || !strings.Contains(string(mustJSON(t, e)), tt.says) {
				t.Errorf("%s: %+v", tt.name, e)
			}
		})
	}
	// Someone other than the outgoing supervisor cannot write their note.
	var e apiErr
	ht.admin.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", with("note", "Admin's words"), http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "note") {
		t.Errorf("admin's note: %+v", e)
	}
	// An admin cannot make themselves a supervisor.
	var me struct{ ID string }
	ht.admin.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	ht.admin.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", with("to_supervisor_id", me.ID), http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "to_supervisor_id") || !strings.Contains(e.Error.Fields[0].Message, "administrator cannot make themselves") {
		t.Errorf("admin to themselves: %+v", e)
	}
	// Bad JSON, unknown fields and a wrong type are refused before anything.
	ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", `{"to_supervisor_id":`, http.StatusBadRequest, nil)
	ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", `{"to":"x"}`, http.StatusBadRequest, nil)
	ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", `{"effective": 20260101}`, http.StatusUnprocessableEntity, nil)

	// Who may: not the supervisee (they read the history but do not hand
	// over), not a stranger (the file does not exist for them).
	ht.supervisee.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", good(), http.StatusForbidden, nil)
	ht.ola.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", good(), http.StatusNotFound, nil)
	ht.ola.call("GET", "/api/v1/staff/"+ht.superviseeID+"/handovers", nil, http.StatusNotFound, nil)
	ht.bea.call("POST", "/api/v1/staff/no-such-person/handover", good(), http.StatusNotFound, nil)
	// Someone with no supervisor has nothing to hand over.
	ht.admin.call("POST", "/api/v1/staff/"+ht.olaID+"/handover", map[string]any{"to_supervisor_id": ht.beaID, "effective": today, "reason": "x"}, http.StatusUnprocessableEntity, nil)

	var f fileResp
	ht.supervisee.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	if len(f.History) != 1 || f.History[0].SupervisorID != ht.supervisorID || len(newSupervisorDue(f)) != 0 || len(f.Records) != 0 {
		t.Errorf("refused handovers changed the file: %+v", f)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandoverEndToEnd: the supervisor hands Siân's file to Bea from today,
// with a note. In one step the relationship changes, Ahmed's draft becomes
// Bea's, and the handover record lists every signed document with its
// SHA-256 and the open actions. Ahmed, no longer the supervisor, can still
// read and sign it (and nothing else in the file); Bea signs it; its PDF
// and DOCX hold what it lists. A new agreement is due until Bea and Siân
// sign one. Then Bea's line manager hands the file on again.
func TestHandoverEndToEnd(t *testing.T) {
	needs.Tools(t, "pdftotext")
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	testHandoverEndToEnd(t, ht)
}

func testHandoverEndToEnd(t *testing.T, ht *handoverTeam) (agreement recordResp, ho handoverResp) {
	t.Helper()
	needs.Tools(t, "pdftotext")
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)
	agreement, record := fileAgreementAndRecord(t, ht, ht.supervisor, "Ahmed Khan")
	var draft, seeDraft recordResp
	ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/records", map[string]any{"form": "reflective-discussion"}, http.StatusCreated, &draft)
	ht.supervisee.call("POST", "/api/v1/staff/"+ht.superviseeID+"/records", map[string]any{"form": "self-assessment"}, http.StatusCreated, &seeDraft)

	note := "Siân is preparing for her Signs of Safety panel; keep Thursday mornings free for her."
	ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", map[string]any{
		"to_supervisor_id": ht.beaID, "effective": today, "reason": "Siân moves to the east locality team.", "note": note,
	}, http.StatusCreated, &ho)
	due := time.Now().In(mustLondon(t)).AddDate(0, 0, 28).Format(time.DateOnly)
	if ho.Handover.FromSupervisorID != ht.supervisorID || ho.Handover.ToSupervisorID != ht.beaID || ho.Handover.Effective != today ||
		ho.Handover.DraftsMoved != 1 || ho.AgreementDue != due {
		t.Fatalf("handover: %+v", ho)
	}

	// The access log has the handover, by the supervisor, on the record.
	if n := logTotal(t, ht.admin, ht.superviseeID, "handover"); n != 1 {
		t.Errorf("access log has %d handover entries, want 1", n)
	}
	// The file is Bea's now; history keeps Ahmed with his dates.
	var f fileResp
	ht.supervisee.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	if f.Supervisor == nil || f.Supervisor.ID != ht.beaID || len(f.History) != 2 ||
		f.History[0].SupervisorID != ht.supervisorID || f.History[0].From != "2025-01-06" || f.History[0].To == nil || *f.History[0].To != today ||
		f.History[1].SupervisorID != ht.beaID || f.History[1].From != today || !f.History[1].Current || f.History[1].HandoverID != ho.Handover.ID {
		t.Fatalf("file after handover: %+v", f)
	}
	if d := newSupervisorDue(f); len(d) != 1 || d[0].By != due {
		t.Errorf("due after handover: %+v", f.Due)
	}
	// The line manager, the new supervisor and an admin read the history.
	for _, c := range []*client{ht.bea, ht.admin} {
		var h struct {
			History []any `json:"history"`
			Due     []any `json:"due"`
		}
		c.call("GET", "/api/v1/staff/"+ht.superviseeID+"/handovers", nil, http.StatusOK, &h)
		if len(h.History) != 2 || len(h.Due) != 1 {
			t.Errorf("handovers: %+v", h)
		}
	}
	// Ahmed: nothing in the file from today, except the handover record.
	ht.supervisor.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusNotFound, nil)
	ht.supervisor.call("GET", "/api/v1/records/"+agreement.ID, nil, http.StatusNotFound, nil)
	ht.supervisor.call("GET", "/api/v1/records/"+agreement.ID+"/document.pdf", nil, http.StatusNotFound, nil)
	ht.supervisor.call("GET", "/api/v1/records/"+draft.ID, nil, http.StatusNotFound, nil)
	// Bea writes the draft Ahmed started.
	var moved recordResp
	ht.bea.call("GET", "/api/v1/records/"+draft.ID, nil, http.StatusOK, &moved)
	if moved.Status != "draft" || moved.Revision != draft.Revision+1 {
		t.Errorf("moved draft: %+v", moved)
	}
	ht.bea.call("PUT", "/api/v1/records/"+draft.ID, map[string]any{"data": map[string]any{}, "revision": moved.Revision}, http.StatusOK, nil)

	var hr recordResp
	ht.supervisor.call("GET", "/api/v1/records/"+ho.RecordID, nil, http.StatusOK, &hr)
	if hr.Form != "file-handover" || hr.Status != "awaiting_signatures" || len(hr.PendingSigners) != 2 {
		t.Fatalf("handover record: %+v", hr)
	}
	contents, _ := hr.Data["contents"].([]any)
	actions, _ := hr.Data["open_actions"].([]any)
	if len(contents) != 2 || len(actions) != 2 || hr.Data["outgoing_note"] != note || hr.Data["agreement_due"] != due {
		t.Fatalf("handover record data: %+v", hr.Data)
	}
	// It lists the hashes the file holds.
	var pdfSums []string
	for _, r := range []recordResp{record, agreement} {
		for _, d := range r.Documents {
			if d.Kind == "pdf" {
				pdfSums = append(pdfSums, d.SHA256)
			}
		}
	}
	for i, c := range contents {
		if row := c.(map[string]any); row["pdf_sha256"] != pdfSums[i] {
			t.Errorf("contents row %d: %v, want PDF SHA-256 %s", i, row, pdfSums[i])
		}
	}
	// Nobody edits it; the supervisee reads it but does not sign it; the
	// incoming supervisor cannot sign as the outgoing one.
	ht.supervisor.call("PUT", "/api/v1/records/"+ho.RecordID, map[string]any{"data": map[string]any{}, "revision": hr.Revision}, http.StatusConflict, nil)
	ht.supervisee.call("GET", "/api/v1/records/"+ho.RecordID, nil, http.StatusOK, nil)
	ht.supervisee.call("POST", "/api/v1/records/"+ho.RecordID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusForbidden, nil)
	ht.ola.call("GET", "/api/v1/records/"+ho.RecordID, nil, http.StatusNotFound, nil)
	// A handover record is never started by hand.
	ht.bea.call("POST", "/api/v1/staff/"+ht.superviseeID+"/records", map[string]any{"form": "file-handover"}, http.StatusForbidden, nil)

	hr = signRecord(t, ho.RecordID, ht.bea, "Bea Nwosu")
	if len(hr.Signatures) != 1 || hr.Signatures[0].Role != "incoming_supervisor" {
		t.Fatalf("Bea signed as %+v", hr.Signatures)
	}
	ht.bea.call("POST", "/api/v1/records/"+ho.RecordID+"/signatures", map[string]any{"name": "Bea Nwosu", "confirm": true}, http.StatusForbidden, nil)
	hr = signRecord(t, ho.RecordID, ht.supervisor, "Ahmed Khan")
	if hr.Status != "signed" || len(hr.Signatures) != 2 {
		t.Fatalf("after both signed: %+v", hr)
	}
	pdf := ht.supervisor.call("GET", "/api/v1/records/"+ho.RecordID+"/document.pdf", nil, http.StatusOK, nil)
	docx := ht.bea.call("GET", "/api/v1/records/"+ho.RecordID+"/document.docx", nil, http.StatusOK, nil)
	ht.supervisee.call("GET", "/api/v1/records/"+ho.RecordID+"/document.pdf", nil, http.StatusOK, nil)
	pdfText, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	docxText, err := doctext.DOCX(docx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Supervision file handover", "Siân moves to the east locality team.", note, "Book the Signs of Safety refresher course",
		"Supervision agreement", "Supervision record", pdfSums[0], pdfSums[1], "Outgoing supervisor", "Incoming supervisor", "Ahmed Khan", "Bea Nwosu"}
	for _, w := range doctext.Missing(pdfText, want...) {
		t.Errorf("handover PDF lacks %q", w)
	}
	for _, w := range doctext.Missing(docxText, want...) {
		t.Errorf("handover DOCX lacks %q", w)
	}
	// Signed, it is in the file for the supervisee and Bea.
	ht.supervisee.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	var filed bool
	for _, r := range f.Records {
		filed = filed || (r.ID == ho.RecordID && r.Status == "signed" && len(r.Documents) == 3)
	}
	if !filed {
		t.Errorf("the signed handover record is not in the file: %+v", f.Records)
	}

	// Bea's home shows the agreement due; an agreement signed with Bea
	// clears it.
	if _, home := ht.bea.get("/"); !strings.Contains(home, "a new supervision agreement is due by") {
		t.Errorf("Bea's home does not show the agreement due")
	}
	ag := validAgreement("Our first agreement.")
	ag["supervisor_name"], ag["agreement_date"] = "Bea Nwosu", today
	var nag recordResp
	ht.bea.call("POST", "/api/v1/staff/"+ht.superviseeID+"/records", map[string]any{"form": "supervision-agreement", "data": ag}, http.StatusCreated, &nag)
	ht.bea.call("POST", "/api/v1/records/"+nag.ID+"/submit", nil, http.StatusOK, nil)
	signRecord(t, nag.ID, ht.supervisee, "Siân Gwŷnedd-Jones", ht.bea, "Bea Nwosu")
	ht.supervisee.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	if len(newSupervisorDue(f)) != 0 {
		t.Errorf("due after a new agreement: %+v", f.Due)
	}
	if _, home := ht.bea.get("/"); strings.Contains(home, "a new supervision agreement is due by") {
		t.Errorf("Bea's home still shows the agreement due")
	}

	// Bea's line manager hands the file on: the note is the outgoing
	// supervisor's to write, not hers.
	body := map[string]any{"to_supervisor_id": ht.olaID, "effective": today, "reason": "Cover while Bea is seconded."}
	var e apiErr
	body["note"] = "Lara's note"
	ht.lara.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", body, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "note") {
		t.Errorf("line manager's note: %+v", e)
	}
	delete(body, "note")
	var second handoverResp
	ht.lara.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", body, http.StatusCreated, &second)
	if second.Handover.FromSupervisorID != ht.beaID || second.Handover.DraftsMoved != 1 {
		t.Errorf("second handover: %+v", second)
	}
	if n := logTotal(t, ht.admin, ht.superviseeID, "handover"); n != 2 {
		t.Errorf("access log has %d handover entries, want 2", n)
	}
	ht.supervisee.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	if f.Supervisor == nil || f.Supervisor.ID != ht.olaID || len(f.History) != 3 || len(newSupervisorDue(f)) != 1 {
		t.Errorf("after the second handover: %+v", f)
	}
	// Bea now signs the second record from her home page's link.
	if _, home := ht.bea.get("/"); !strings.Contains(home, "/records/"+second.RecordID) {
		t.Errorf("Bea's home does not link the handover she is to sign")
	}
	return agreement, ho
}

// TestHandoverPages: the handover page hands a file over without
// JavaScript, re-shows the form with errors beside the fields, and the
// file page shows the history and what is due.
func TestHandoverPages(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	status, page := ht.supervisor.get("/staff/" + ht.superviseeID + "/file")
	if status != http.StatusOK || !strings.Contains(page, `href="/staff/`+ht.superviseeID+`/handover"`) || !strings.Contains(page, "Supervisors over time") {
		t.Fatalf("file page: %d, handover link or history missing", status)
	}
	status, page = ht.supervisor.get("/staff/" + ht.superviseeID + "/handover")
	if status != http.StatusOK || !strings.Contains(page, "Bea Nwosu") || strings.Contains(page, "Sam Student") || !strings.Contains(page, `name="note"`) {
		t.Fatalf("handover page: %d", status)
	}
	status, page = ht.supervisor.post("/staff/"+ht.superviseeID+"/handover", url.Values{"to_supervisor_id": {ht.studentID}, "effective": {"2026-02-30"}, "reason": {"Team move"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "There is a problem") || !strings.Contains(page, "real date") ||
		!strings.Contains(page, "Team move") || !strings.Contains(page, `href="#f-effective"`) {
		t.Fatalf("handover page with errors: %d", status)
	}
	// The supervisee sees the history but no form; a stranger sees nothing.
	status, page = ht.supervisee.get("/staff/" + ht.superviseeID + "/handover")
	if status != http.StatusOK || strings.Contains(page, `action="/staff/`) {
		t.Errorf("supervisee's handover page: %d", status)
	}
	if status, _ := ht.ola.get("/staff/" + ht.superviseeID + "/handover"); status != http.StatusNotFound {
		t.Errorf("stranger's handover page: %d", status)
	}
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)
	resp, err := ht.supervisor.http.PostForm(m.URL+"/staff/"+ht.superviseeID+"/handover",
		url.Values{"to_supervisor_id": {ht.beaID}, "effective": {today}, "reason": {"Team move"}, "note": {"Over to you."}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/records/") || !strings.HasSuffix(loc, "?done=handover") {
		t.Fatalf("after handing over: %d %s", resp.StatusCode, loc)
	}
	status, page = ht.supervisor.get(loc)
	if status != http.StatusOK || !strings.Contains(page, "File handed over") || !strings.Contains(page, "Over to you.") || !strings.Contains(page, `action="/records/`) {
		t.Errorf("handover record page for the outgoing supervisor: %d", status)
	}
	status, page = ht.supervisee.get("/staff/" + ht.superviseeID + "/file")
	if status != http.StatusOK || !strings.Contains(page, "A new supervision agreement is due by") || !strings.Contains(page, "Ahmed Khan") {
		t.Errorf("file page after handover: %d", status)
	}
	if _, home := ht.supervisor.get("/"); !strings.Contains(home, "Handovers to sign") {
		t.Errorf("Ahmed's home does not list the handover to sign")
	}
	// An admin hands over from the staff page: no note field.
	_, page = ht.admin.get("/admin/staff/" + ht.superviseeID)
	if !strings.Contains(page, "/staff/"+ht.superviseeID+"/handover") {
		t.Errorf("admin staff page has no handover link")
	}
	status, page = ht.admin.get("/staff/" + ht.superviseeID + "/handover")
	if status != http.StatusOK || strings.Contains(page, `name="note"`) || !strings.Contains(page, "adds their note") {
		t.Errorf("admin's handover page: %d", status)
	}
}

// TestHandoverPostgresMinIO runs the handover end to end on PostgreSQL with
// the documents in a MinIO bucket with Object Lock: every document stays
// under the supervisee's key, the handover record's PDF and DOCX join them
// there, and nothing is written under either supervisor.
func TestHandoverPostgresMinIO(t *testing.T) {
	t.Parallel()
	mio := miniotest.Start(t)
	bucket := mio.NewBucket(t, true)
	m := startApp(t, productionEnv(t, mio, bucket, pgtest.Schema(t)))
	ht := setUpHandoverTeam(t, m.URL)
	cl := mio.Client(t)
	list := func(prefix string) map[string]string {
		out := map[string]string{}
		for o := range cl.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			out[o.Key] = o.ETag
		}
		return out
	}
	agreement, ho := testHandoverEndToEnd(t, ht)
	objects := list("files/")
	for key := range objects {
		if !strings.HasPrefix(key, "files/"+ht.superviseeID+"/") {
			t.Errorf("an object outside the supervisee's file: %s", key)
		}
	}
	for _, want := range []string{
		"files/" + ht.superviseeID + "/records/" + agreement.ID + "/v1/supervision-agreement.pdf",
		"files/" + ht.superviseeID + "/records/" + ho.RecordID + "/v1/file-handover.pdf",
		"files/" + ht.superviseeID + "/records/" + ho.RecordID + "/v1/file-handover.docx",
		"files/" + ht.superviseeID + "/records/" + ho.RecordID + "/v1/record.json",
	} {
		if _, ok := objects[want]; !ok {
			t.Errorf("no object %s in the bucket", want)
		}
	}
	// The sealed handover PDF in the bucket is the one the API serves.
	obj, err := cl.GetObject(t.Context(), bucket, "files/"+ht.superviseeID+"/records/"+ho.RecordID+"/v1/file-handover.pdf", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(obj)
	obj.Close()
	if err != nil {
		t.Fatal(err)
	}
	served := ht.bea.call("GET", "/api/v1/records/"+ho.RecordID+"/document.pdf", nil, http.StatusOK, nil)
	if !bytes.Equal(stored, served) {
		t.Error("the handover PDF served is not the one in the bucket")
	}
}

// TestHandoverFromALeaver: a supervisor who has left cannot sign, so their
// supervisees show "handover needed"; an admin hands the file over and the
// leaver's own line manager signs the handover record for them. Without a
// line manager the handover is refused, saying what to do.
func TestHandoverFromALeaver(t *testing.T) {
	needs.Tools(t, "pdftotext")
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	today := time.Now().In(mustLondon(t)).Format(time.DateOnly)
	ht.admin.call("PATCH", "/api/v1/staff/"+ht.supervisorID, map[string]any{"end_date": today}, http.StatusOK, nil)
	body := map[string]any{"to_supervisor_id": ht.beaID, "effective": today, "reason": "Ahmed has left the council."}
	var e apiErr
	ht.admin.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", body, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "to_supervisor_id") || !strings.Contains(e.Error.Fields[0].Message, "no line manager") {
		t.Fatalf("handover from a leaver with no line manager: %+v", e)
	}
	ht.admin.call("PUT", "/api/v1/staff/"+ht.supervisorID+"/supervisor", map[string]any{"supervisor_id": ht.laraID, "from": "2025-01-06"}, http.StatusOK, nil)
	var ho handoverResp
	ht.admin.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", body, http.StatusCreated, &ho)
	if _, home := ht.lara.get("/"); !strings.Contains(home, "/records/"+ho.RecordID) {
		t.Errorf("Lara's home does not link the handover she signs for Ahmed")
	}
	ht.bea.call("POST", "/api/v1/records/"+ho.RecordID+"/signatures", map[string]any{"name": "Bea Nwosu", "confirm": true}, http.StatusCreated, nil)
	rec := signRecord(t, ho.RecordID, ht.lara, "Lara Price")
	if rec.Status != "signed" || len(rec.Signatures) != 2 || rec.Signatures[1].Role != "outgoing_supervisor" || rec.Signatures[1].Name != "Lara Price" {
		t.Fatalf("after Lara signed for Ahmed: %+v", rec)
	}
	pdf := ht.bea.call("GET", "/api/v1/records/"+ho.RecordID+"/document.pdf", nil, http.StatusOK, nil)
	text, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range doctext.Missing(text, "Ahmed Khan (left on", "signed for by their line manager, Lara Price", "Ahmed has left the council.") {
		t.Errorf("handover PDF lacks %q", w)
	}
}

// TestHandoverFutureDate: a handover planned for next week leaves the file
// with its supervisor until then; both supervisors can sign the record now.
func TestHandoverFutureDate(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	ht := setUpHandoverTeam(t, m.URL)
	next := time.Now().In(mustLondon(t)).AddDate(0, 0, 7).Format(time.DateOnly)
	var ho handoverResp
	ht.supervisor.call("POST", "/api/v1/staff/"+ht.superviseeID+"/handover", map[string]any{
		"to_supervisor_id": ht.beaID, "effective": next, "reason": "Planned move to the east team."}, http.StatusCreated, &ho)
	var f fileResp
	ht.supervisor.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusOK, &f)
	if f.Supervisor == nil || f.Supervisor.ID != ht.supervisorID || len(f.History) != 2 || !f.History[0].Current ||
		f.History[1].Current || f.History[1].From != next || len(newSupervisorDue(f)) != 1 {
		t.Fatalf("file before a planned handover: %+v", f)
	}
	ht.bea.call("GET", "/api/v1/staff/"+ht.superviseeID+"/file", nil, http.StatusNotFound, nil)
	signRecord(t, ho.RecordID, ht.bea, "Bea Nwosu")
	if rec := signRecord(t, ho.RecordID, ht.supervisor, "Ahmed Khan"); rec.Status != "signed" {
		t.Errorf("planned handover record: %+v", rec)
	}
}
