package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// addLiving adds the records issue 11's routes are tried on in the access
// table:
//
//	wd    a supervision record awaiting signatures, started by the supervisor (withdrawn)
//	del   a draft supervision record started by the supervisor (deleted through the API)
//	delp  another (deleted through the page)
//	dis   a signed agreement with a disagreement waiting for the supervisor's response
func (w *accessWorld) addLiving(t *testing.T, p *people) {
	t.Helper()
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-record")
	see := p.superviseeID
	var r recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+see+"/records", map[string]any{"form": "supervision-record", "data": forms.Sample(def, p.supervisorID)}, http.StatusCreated, &r)
	p.supervisee.call("PUT", "/api/v1/records/"+r.ID, map[string]any{"data": forms.Sample(def, p.supervisorID), "revision": r.Revision}, http.StatusOK, &r)
	p.supervisor.call("POST", "/api/v1/records/"+r.ID+"/submit", nil, http.StatusOK, nil)
	w.rec["wd"] = r.ID
	for _, name := range []string{"del", "delp"} {
		p.supervisor.call("POST", "/api/v1/staff/"+see+"/records", map[string]any{"form": "supervision-record"}, http.StatusCreated, &r)
		w.rec[name] = r.ID
	}
	w.rec["dis"] = signWithDisagreement(t, p).ID
}

// signWithDisagreement signs an agreement, the supervisee recording a disagreement.
func signWithDisagreement(t *testing.T, p *people) recordResp {
	t.Helper()
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records",
		map[string]any{"form": "supervision-agreement", "data": validAgreement("We will meet every four weeks.")}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, &rec)
	p.supervisee.call("POST", "/api/v1/records/"+rec.ID+"/signatures",
		map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true, "disagreement": "Four weeks is too long between sessions in my first year."}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &rec)
	return rec
}

// livingRecord is a record's JSON with what issue 11 adds.
type livingRecord struct {
	recordResp
	Errors []struct {
		Field, Message string
	} `json:"errors"`
	Series    string `json:"series"`
	WaitingOn string `json:"waiting_on"`
	Versions  []struct {
		ID        string
		Version   int
		Status    string
		Documents []struct{ Kind, Name, SHA256 string }
	} `json:"versions"`
	DisagreementResponse *struct{ Response string } `json:"disagreement_response"`
}

type taskResp struct {
	Kind, Title, URL string
	RecordID         string `json:"record_id"`
	SuperviseeID     string `json:"supervisee_id"`
}

func tasksOf(t *testing.T, c *client) []taskResp {
	t.Helper()
	var out []taskResp
	c.call("GET", "/api/v1/me/tasks", nil, http.StatusOK, &out)
	return out
}

func hasTask(ts []taskResp, kind, recordID string) bool {
	for _, x := range ts {
		if x.Kind == kind && x.RecordID == recordID {
			return true
		}
	}
	return false
}

// TestLivingRecords: versions, withdrawal, draft deletion, hand-over of a
// two-party draft, disagreements and the task list, through the API and
// the pages, on SQLite and on PostgreSQL.
func TestLivingRecords(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { testLivingRecords(t, nil) })
	t.Run("postgres", func(t *testing.T) { testLivingRecords(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)}) })
}

func testLivingRecords(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	see, sup := p.supervisee, p.supervisor

	// Version 1, signed; version 2 from it.
	v1 := signAgreement(t, p, "")
	var v2 livingRecord
	see.call("POST", "/api/v1/records/"+v1.ID+"/versions", nil, http.StatusForbidden, nil) // the supervisee does not start agreements
	sup.call("POST", "/api/v1/records/"+v1.ID+"/versions", nil, http.StatusCreated, &v2)
	if v2.Version != 2 || v2.Status != "draft" || v2.Series != v1.ID || v2.ID == v1.ID {
		t.Fatalf("version 2: %+v", v2)
	}
	if v2.Data["location"] != validAgreement("")["location"] || v2.Data["every_weeks"] != 4.0 {
		t.Errorf("version 2 is not prefilled from version 1: %v", v2.Data)
	}
	var e apiErr
	sup.call("POST", "/api/v1/records/"+v1.ID+"/versions", nil, http.StatusConflict, &e)
	if !strings.Contains(e.Error.Message, "Version 2") {
		t.Errorf("second update: %+v", e)
	}
	// A draft cannot be versioned; a reflective discussion never can.
	sup.call("POST", "/api/v1/records/"+v2.ID+"/versions", nil, http.StatusConflict, nil)

	// Version 2 changes, is signed, and is kept under version 1's folder.
	v2.Data["location"] = "The quiet room on the second floor."
	sup.call("PUT", "/api/v1/records/"+v2.ID, map[string]any{"data": v2.Data, "revision": v2.Revision}, http.StatusOK, &v2)
	sup.call("POST", "/api/v1/records/"+v2.ID+"/submit", nil, http.StatusOK, nil)
	see.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	sup.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, &v2)
	if v2.Status != "signed" || len(v2.Versions) != 2 || v2.Versions[0].ID != v1.ID || v2.Versions[1].ID != v2.ID {
		t.Fatalf("signed version 2: %+v", v2)
	}
	var again livingRecord
	see.call("GET", "/api/v1/records/"+v1.ID, nil, http.StatusOK, &again)
	if again.Data["location"] != validAgreement("")["location"] || again.Status != "signed" || len(again.Versions) != 2 || len(again.Versions[1].Documents) != 3 {
		t.Errorf("version 1 changed, or lists no version 2: %+v", again)
	}
	for _, ver := range []*livingRecord{&again, &v2} {
		if len(ver.Documents) != 3 {
			t.Errorf("version %d documents: %+v", ver.Version, ver.Documents)
		}
	}
	// The objects: files/<staff>/records/<v1>/v2/.
	for _, key := range []string{
		"files/" + p.superviseeID + "/records/" + v1.ID + "/v1/supervision-agreement.pdf",
		"files/" + p.superviseeID + "/records/" + v1.ID + "/v2/supervision-agreement.pdf",
		"files/" + p.superviseeID + "/records/" + v1.ID + "/v2/record.json",
	} {
		if _, err := os.Stat(filepath.Join(m.Config.DataDir, "documents", filepath.FromSlash(key))); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
	// Both versions' PDFs download, and differ.
	_, pdf1 := see.get("/records/" + v1.ID + "/document.pdf")
	_, pdf2 := see.get("/records/" + v2.ID + "/document.pdf")
	if !strings.HasPrefix(pdf1, "%PDF") || !strings.HasPrefix(pdf2, "%PDF") || pdf1 == pdf2 {
		t.Errorf("version PDFs: %d and %d bytes", len(pdf1), len(pdf2))
	}
	// The file page lists both versions; the record page links them.
	_, page := sup.get("/staff/" + p.superviseeID + "/file")
	if !strings.Contains(page, "Supervision agreement, version 2") {
		t.Errorf("file page does not show version 2")
	}
	_, page = sup.get("/records/" + v1.ID)
	if !strings.Contains(page, `id="later-version"`) || !strings.Contains(page, `href="/records/`+v2.ID+`"`) || strings.Contains(page, "Update this record") {
		t.Errorf("version 1's page: later version not shown, or offered for update")
	}
	_, page = sup.get("/records/" + v2.ID)
	if !strings.Contains(page, "Update this record") || !strings.Contains(page, "Version 2 (this one)") {
		t.Errorf("version 2's page lacks the update button or the versions")
	}
	// The page starts version 3.
	resp, err := sup.http.PostForm(m.URL+"/records/"+v2.ID+"/versions", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The agreement has more than four sections: its task list.
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/tasks?started=version") {
		t.Fatalf("page update: %d %q", resp.StatusCode, loc)
	}
	v3 := strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/records/"), "/tasks?started=version")
	_, page = sup.get("/records/" + v3 + "/tasks?started=version")
	if !strings.Contains(page, "Version 3 started") {
		t.Errorf("version 3's task list does not say so")
	}
	// ...and its author deletes it (the supervisee cannot); it is gone.
	see.call("DELETE", "/api/v1/records/"+v3, nil, http.StatusForbidden, nil)
	sup.call("DELETE", "/api/v1/records/"+v3, nil, http.StatusNoContent, nil)
	sup.call("GET", "/api/v1/records/"+v3, nil, http.StatusNotFound, nil)
	sup.call("DELETE", "/api/v1/records/"+v1.ID, nil, http.StatusConflict, nil) // signed: never
	if n := logCount(t, p.admin, p.superviseeID, "delete-draft"); n != 1 {
		t.Errorf("delete-draft in the access log: %d entries", n)
	}

	// Withdrawal: a supervision record (two parties) awaiting signatures,
	// signed by the supervisee, is withdrawn by its author; the signature is
	// cleared and the event logged; the record can be changed and sent again.
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-record")
	var wd livingRecord
	sup.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-record", "data": forms.Sample(def, p.supervisorID)}, http.StatusCreated, &wd)
	// Handed to the supervisee for their part: it is on their list.
	sup.call("POST", "/api/v1/records/"+wd.ID+"/send", nil, http.StatusOK, &wd)
	if wd.WaitingOn != "supervisee" || !hasTask(tasksOf(t, see), "fill", wd.ID) || hasTask(tasksOf(t, see), "draft", wd.ID) {
		t.Errorf("sent to the supervisee: waiting on %q, tasks %+v", wd.WaitingOn, tasksOf(t, see))
	}
	if !hasTask(tasksOf(t, sup), "draft", wd.ID) {
		t.Errorf("the author's list lacks their draft: %+v", tasksOf(t, sup))
	}
	see.call("PUT", "/api/v1/records/"+wd.ID, map[string]any{"data": forms.Sample(def, p.supervisorID), "revision": wd.Revision}, http.StatusOK, &wd)
	see.call("POST", "/api/v1/records/"+wd.ID+"/send", nil, http.StatusOK, &wd)
	if wd.WaitingOn != "supervisor" || !hasTask(tasksOf(t, sup), "fill", wd.ID) && !hasTask(tasksOf(t, sup), "draft", wd.ID) {
		t.Errorf("sent back: waiting on %q", wd.WaitingOn)
	}
	sup.call("POST", "/api/v1/records/"+wd.ID+"/submit", nil, http.StatusOK, nil)
	if !hasTask(tasksOf(t, see), "sign", wd.ID) || !hasTask(tasksOf(t, sup), "sign", wd.ID) {
		t.Errorf("both sign: %+v / %+v", tasksOf(t, see), tasksOf(t, sup))
	}
	see.call("POST", "/api/v1/records/"+wd.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	if hasTask(tasksOf(t, see), "sign", wd.ID) {
		t.Errorf("signed, still on the supervisee's list")
	}
	see.call("POST", "/api/v1/records/"+wd.ID+"/withdraw", nil, http.StatusForbidden, &e) // not its author
	sup.call("POST", "/api/v1/records/"+wd.ID+"/withdraw", nil, http.StatusOK, &wd)
	if wd.Status != "draft" || len(wd.Signatures) != 0 {
		t.Fatalf("withdrawn: %+v", wd)
	}
	sup.call("POST", "/api/v1/records/"+wd.ID+"/withdraw", nil, http.StatusConflict, nil)
	if n := logCount(t, p.admin, p.superviseeID, "withdraw"); n != 1 {
		t.Errorf("withdraw in the access log: %d entries", n)
	}
	_, page = sup.get("/records/" + wd.ID)
	if !strings.Contains(page, "withdrawn by Ahmed Khan (back to draft; signatures cleared: supervisee)") {
		t.Errorf("record history lacks the withdrawal")
	}
	// Submitted again, both sign; then withdrawal is refused.
	sup.call("POST", "/api/v1/records/"+wd.ID+"/submit", nil, http.StatusOK, nil)
	_, page = sup.get("/records/" + wd.ID)
	if !strings.Contains(page, "Withdraw to draft") {
		t.Errorf("the author's page offers no withdrawal")
	}
	if _, page = see.get("/records/" + wd.ID); strings.Contains(page, "Withdraw to draft") {
		t.Errorf("the supervisee is offered withdrawal")
	}
	resp, err = sup.http.PostForm(m.URL+"/records/"+wd.ID+"/withdraw", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/records/"+wd.ID+"/tasks?withdrawn=1" {
		t.Errorf("page withdrawal: %d %q", resp.StatusCode, loc)
	}
	sup.call("POST", "/api/v1/records/"+wd.ID+"/submit", nil, http.StatusOK, nil)
	see.call("POST", "/api/v1/records/"+wd.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	sup.call("POST", "/api/v1/records/"+wd.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, nil)
	sup.call("POST", "/api/v1/records/"+wd.ID+"/withdraw", nil, http.StatusConflict, &e)
	if !strings.Contains(e.Error.Message, "Everyone has signed") {
		t.Errorf("withdrawing a signed record: %+v", e)
	}

	// What the policy makes due this fortnight is on the supervisor's list
	// (no supervision record is in the file, so supervision is overdue).
	var due []taskResp
	for _, x := range tasksOf(t, sup) {
		if x.Kind == "due" && strings.HasPrefix(x.Title, "Supervision overdue") && x.URL == "/staff/"+p.superviseeID+"/file" {
			due = append(due, x)
		}
	}
	if len(due) != 1 {
		t.Errorf("due tasks: %+v", tasksOf(t, sup))
	}
	if ts := tasksOf(t, see); !slices.ContainsFunc(ts, func(x taskResp) bool { return x.Kind == "due" && strings.HasPrefix(x.Title, "Self-assessment") }) {
		t.Errorf("the supervisee's own self-assessment is not on their list: %+v", ts)
	}

	// The wrong party cannot start a record at all.
	see.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-record"}, http.StatusForbidden, nil)
	sup.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "self-assessment"}, http.StatusForbidden, nil)

	// A disagreement: on the file page and the supervisor's list until
	// the supervisor responds; the supervisee cannot respond.
	lmID := addStaff(t, p.admin, "Lin Manager", "lin.manager@testshire.gov.uk", "Service Manager", "senior_manager")
	p.admin.call("PUT", "/api/v1/staff/"+p.supervisorID+"/supervisor", map[string]any{"supervisor_id": lmID, "from": "2024-09-02"}, http.StatusOK, nil)
	lm := login(t, m.URL, "lin.manager@testshire.gov.uk", "a long password 1")
	dis := signWithDisagreement(t, p)
	if !hasTask(tasksOf(t, sup), "disagreement", dis.ID) {
		t.Errorf("supervisor's list lacks the disagreement: %+v", tasksOf(t, sup))
	}
	if !hasTask(tasksOf(t, lm), "disagreement", dis.ID) || hasTask(tasksOf(t, see), "disagreement", dis.ID) {
		t.Errorf("line manager's list lacks the disagreement, or the supervisee's has it")
	}
	if _, page := lm.get("/"); !strings.Contains(page, "A disagreement waits for the supervisor&#39;s response") {
		t.Errorf("line manager's home lacks the disagreement")
	}
	_, page = sup.get("/staff/" + p.superviseeID + "/file")
	if !strings.Contains(page, `id="disagreements"`) {
		t.Errorf("file page does not show the disagreement")
	}
	_, page = sup.get("/")
	if !strings.Contains(page, "Needs your action") || !strings.Contains(page, "Respond to the disagreement") {
		t.Errorf("supervisor's home lacks the disagreement")
	}
	see.call("POST", "/api/v1/records/"+dis.ID+"/disagreement-response", map[string]any{"response": "No"}, http.StatusForbidden, nil)
	sup.call("POST", "/api/v1/records/"+dis.ID+"/disagreement-response", map[string]any{"response": " "}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "response") {
		t.Errorf("empty response: %+v", e)
	}
	status, page := sup.post("/records/"+dis.ID+"/response", url.Values{"response": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Enter your response") {
		t.Errorf("empty response on the page: %d", status)
	}
	var answered livingRecord
	sup.call("POST", "/api/v1/records/"+dis.ID+"/disagreement-response", map[string]any{"response": "We will meet every three weeks until March."}, http.StatusCreated, &answered)
	if answered.DisagreementResponse == nil || answered.DisagreementResponse.Response != "We will meet every three weeks until March." {
		t.Errorf("response: %+v", answered.DisagreementResponse)
	}
	sup.call("POST", "/api/v1/records/"+dis.ID+"/disagreement-response", map[string]any{"response": "Again"}, http.StatusConflict, nil)
	if hasTask(tasksOf(t, sup), "disagreement", dis.ID) || hasTask(tasksOf(t, lm), "disagreement", dis.ID) {
		t.Errorf("answered, still listed")
	}
	if _, page = sup.get("/staff/" + p.superviseeID + "/file"); strings.Contains(page, `id="disagreements"`) {
		t.Errorf("answered, still on the file page")
	}
	_, page = see.get("/records/" + dis.ID)
	if !strings.Contains(page, "We will meet every three weeks until March.") {
		t.Errorf("the supervisee does not see the response")
	}
}

// logCount is how many access log entries of the action the file has.
func logCount(t *testing.T, admin *client, fileID, action string) int {
	t.Helper()
	return logTotal(t, admin, fileID, action)
}

// TestDraftKeepsWhatWasTyped: a draft saves every value as typed, valid or
// not, through the page and the API; the errors are shown beside the
// fields and returned; a submit refuses; nothing crashes on the values.
func TestDraftKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var r livingRecord
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement"}, http.StatusCreated, &r)

	// The page: "thirteen" in a number box and an impossible date are saved.
	form := url.Values{"_revision": {fmt.Sprint(r.Revision)}, "action": {"save"}, "times_per_year": {"thirteen"},
		"review_date": {"31/02/2027"}, "location": {"Room 2"}}
	resp, err := p.supervisor.http.PostForm(m.URL+"/records/"+r.ID+"/edit", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/edit?saved=1") {
		t.Fatalf("save with invalid values: %d %q", resp.StatusCode, loc)
	}
	status, page := p.supervisor.get("/records/" + r.ID + "/edit?saved=1")
	if status != http.StatusOK || !strings.Contains(page, `value="thirteen"`) || !strings.Contains(page, `name="review_date.day" value="31"`) || !strings.Contains(page, `name="review_date.month" value="02"`) ||
		!strings.Contains(page, "govuk-error-summary") || !strings.Contains(page, `id="f-times_per_year-error"`) || !strings.Contains(page, "Draft saved with everything as you typed it") {
		t.Errorf("edit page after saving invalid values: %d", status)
	}
	p.supervisor.call("GET", "/api/v1/records/"+r.ID, nil, http.StatusOK, &r)
	if r.Data["times_per_year"] != "thirteen" || r.Data["location"] != "Room 2" || len(r.Errors) != 2 {
		t.Errorf("stored: %v, errors %+v", r.Data, r.Errors)
	}
	// The record page and the file page show it without trouble.
	for _, path := range []string{"/records/" + r.ID, "/staff/" + p.superviseeID + "/file"} {
		if status, _ := p.supervisor.get(path); status != http.StatusOK {
			t.Errorf("%s: %d", path, status)
		}
	}
	// Submitting refuses, naming the field.
	var e apiErr
	p.supervisor.call("POST", "/api/v1/records/"+r.ID+"/submit", nil, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "times_per_year") {
		t.Errorf("submit with invalid values: %+v", e)
	}
	// The API: junk shapes are kept as typed for known questions...
	p.supervisor.call("PUT", "/api/v1/records/"+r.ID, map[string]any{"data": map[string]any{
		"every_weeks": map[string]any{"a": 1}, "content": "casework", "session_hours": []any{1, 2}, "location": 12.0,
	}, "revision": r.Revision}, http.StatusOK, &r)
	if len(r.Errors) < 4 {
		t.Errorf("junk answers: errors %+v", r.Errors)
	}
	for _, path := range []string{"/records/" + r.ID, "/records/" + r.ID + "/edit"} {
		if status, _ := p.supervisor.get(path); status != http.StatusOK {
			t.Errorf("%s with junk answers: %d", path, status)
		}
	}
	// ...an answer to no question, or what cannot be printed, is refused.
	p.supervisor.call("PUT", "/api/v1/records/"+r.ID, map[string]any{"data": map[string]any{"no_such_question": "x"}, "revision": r.Revision}, http.StatusUnprocessableEntity, &e)
	p.supervisor.call("PUT", "/api/v1/records/"+r.ID, map[string]any{"data": map[string]any{"location": "Room \u202e2"}, "revision": r.Revision}, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "location") {
		t.Errorf("bidi override: %+v", e)
	}
	// A new record over the API may start with invalid values too.
	var r2 livingRecord
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-agreement",
		"data": map[string]any{"times_per_year": "thirteen"}}, http.StatusCreated, &r2)
	if r2.Data["times_per_year"] != "thirteen" || len(r2.Errors) != 1 || r2.Errors[0].Field != "times_per_year" {
		t.Errorf("created with an invalid value: %v %+v", r2.Data, r2.Errors)
	}
	// The autosave answers JSON; a stale revision is a conflict.
	status, body := p.supervisor.post("/records/"+r2.ID+"/autosave", url.Values{"_revision": {fmt.Sprint(r2.Revision)}, "times_per_year": {"twelve"}})
	if status != http.StatusOK || !strings.Contains(body, `"revision":`) || !strings.Contains(body, `"field":"times_per_year"`) {
		t.Errorf("autosave: %d %s", status, body)
	}
	if status, _ := p.supervisor.post("/records/"+r2.ID+"/autosave", url.Values{"_revision": {fmt.Sprint(r2.Revision)}}); status != http.StatusConflict {
		t.Errorf("stale autosave: %d", status)
	}
}

// TestReindexAndExportKeepVersions: version 2 is kept under version 1's
// folder; supfile reindex into an empty database files it under version 1
// again, and supfile export takes both versions.
func TestReindexAndExportKeepVersions(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	v1 := signAgreement(t, p, "")
	var v2 livingRecord
	p.supervisor.call("POST", "/api/v1/records/"+v1.ID+"/versions", nil, http.StatusCreated, &v2)
	v2.Data["location"] = "The quiet room."
	p.supervisor.call("PUT", "/api/v1/records/"+v2.ID, map[string]any{"data": v2.Data, "revision": v2.Revision}, http.StatusOK, &v2)
	p.supervisor.call("POST", "/api/v1/records/"+v2.ID+"/submit", nil, http.StatusOK, nil)
	p.supervisee.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+v2.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true}, http.StatusCreated, nil)

	newDir := t.TempDir()
	copyTree(t, filepath.Join(m.Config.DataDir, "documents"), filepath.Join(newDir, "documents"))
	copyTree(t, filepath.Join(m.Config.DataDir, "seal"), filepath.Join(newDir, "seal"))
	env := map[string]string{
		"SUPFILE_DATA_DIR": newDir, "SUPFILE_ORG_NAME": "Testshire County Council",
		"SUPFILE_ADMIN_EMAIL": "admin@testshire.gov.uk", "SUPFILE_ADMIN_PASSWORD": "correct horse battery",
	}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"reindex"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("supfile reindex: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "records added to the index: 2") {
		t.Errorf("reindex: %s", out.String())
	}
	m2 := startApp(t, map[string]string{"SUPFILE_DATA_DIR": newDir})
	admin := login(t, m2.URL, "admin@testshire.gov.uk", "correct horse battery")
	admin.call("PUT", "/api/v1/staff/"+p.superviseeID+"/password", map[string]any{"password": "restored password"}, http.StatusNoContent, nil)
	see := login(t, m2.URL, "sian.jones@testshire.gov.uk", "restored password")
	var got livingRecord
	see.call("GET", "/api/v1/records/"+v2.ID, nil, http.StatusOK, &got)
	if got.Series != v1.ID || got.Version != 2 || len(got.Versions) != 2 || got.Versions[0].ID != v1.ID {
		t.Errorf("version 2 after reindex: series %q, versions %+v", got.Series, got.Versions)
	}

	zipPath := filepath.Join(t.TempDir(), "file.zip")
	if err := run(context.Background(), []string{"export", p.superviseeID, zipPath, "--reason", "Versions"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("supfile export: %v", err)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name[strings.Index(f.Name, "/")+1:]] = true
	}
	for _, want := range []string{"records/" + v1.ID + "/v1/supervision-agreement.pdf", "records/" + v1.ID + "/v2/supervision-agreement.pdf", "records/" + v1.ID + "/v2/record.json"} {
		if !names[want] {
			t.Errorf("export lacks %s: %v", want, names)
		}
	}
}
