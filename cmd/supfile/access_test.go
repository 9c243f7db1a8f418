package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/pgtest"
)

// The rows of issue 9's "who may do what" table, in the order every
// expectation below lists its statuses.
var accessRows = []string{"supervisee", "supervisor", "stand_in", "line_manager", "auditor", "observer",
	"senior_manager", "former_supervisor", "admin", "none"}

// accessWorld is one of each row, and the records the table is tried on:
//
//	agr   a signed supervision agreement (not confidential)
//	conf  a draft supervision record (confidential, empty)
//	wait  a supervision record (confidential) awaiting both signatures
//	po    a draft practice observation with an invited second observer
//	si    a draft serious-incident plan (confidential) naming a senior manager
//	aud   the file audit, in the supervisor's own file, awaiting the auditor's signature
//	grp   a draft group supervision in the supervisor's own file (they lead it), the supervisee attending
type accessWorld struct {
	m       *Main
	ids     map[string]string  // row → staff id
	clients map[string]*client // row → signed-in client
	pw      map[string]string  // row → email
	rec     map[string]string  // record name → id
	cover   string             // an ended cover arrangement
	assign  string             // an ended audit assignment
	attach  string             // the attachment of the signed agreement "att"
}

func newAccessWorld(t *testing.T, env map[string]string) *accessWorld {
	m := startApp(t, env)
	w := &accessWorld{m: m, ids: map[string]string{}, clients: map[string]*client{}, pw: map[string]string{}, rec: map[string]string{}}
	admin := login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery")
	var me struct{ ID string }
	admin.call("GET", "/api/v1/me", nil, http.StatusOK, &me)
	w.ids["admin"], w.clients["admin"], w.pw["admin"] = me.ID, admin, "admin@testshire.gov.uk"
	staffRows := []struct{ row, name, role string }{
		{"supervisee", "Siân Gwŷnedd-Jones", "social_worker"},
		{"supervisor", "Ahmed Khan", "team_manager"},
		{"stand_in", "Cal Cover", "team_manager"},
		{"line_manager", "Lin Manager", "senior_manager"},
		{"auditor", "Grace Okafor", "team_manager"},
		{"observer", "Olu Bello", "social_worker"},
		{"senior_manager", "Sara Malik", "senior_manager"},
		{"former_supervisor", "Fay Former", "team_manager"},
		{"none", "Nick None", "social_worker"},
	}
	for _, p := range staffRows {
		email := strings.ReplaceAll(p.row, "_", ".") + "@testshire.gov.uk"
		w.ids[p.row] = addStaff(t, admin, p.name, email, "Job title", p.role)
		w.pw[p.row] = email
	}
	for _, r := range staffRows {
		w.clients[r.row] = login(t, m.URL, w.pw[r.row], "a long password 1")
	}
	see, sup := w.ids["supervisee"], w.ids["supervisor"]
	setSup := func(who, by, from string) {
		admin.call("PUT", "/api/v1/staff/"+w.ids[who]+"/supervisor", map[string]any{"supervisor_id": w.ids[by], "from": from}, http.StatusOK, nil)
	}
	setSup("supervisee", "former_supervisor", "2024-09-02")
	setSup("supervisee", "supervisor", "2025-01-06")
	setSup("supervisor", "line_manager", "2025-01-06")

	today := time.Now()
	lm := w.clients["line_manager"]
	var cv struct{ ID string }
	lm.call("POST", "/api/v1/covers", map[string]any{"supervisor_id": sup, "stand_in_id": w.ids["stand_in"],
		"from": today.AddDate(0, 0, -1).Format(time.DateOnly), "to": today.AddDate(0, 0, 14).Format(time.DateOnly), "reason": "Annual leave"}, http.StatusCreated, nil)
	lm.call("POST", "/api/v1/covers", map[string]any{"supervisor_id": sup, "stand_in_id": w.ids["none"],
		"from": today.Format(time.DateOnly), "to": today.Format(time.DateOnly), "reason": "Ended at once"}, http.StatusCreated, &cv)
	lm.call("DELETE", "/api/v1/covers/"+cv.ID, nil, http.StatusNoContent, nil)
	w.cover = cv.ID
	var as struct{ ID string }
	admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": see, "auditor_id": w.ids["auditor"], "due": "2099-01-31"}, http.StatusCreated, nil)
	admin.call("POST", "/api/v1/audit-assignments", map[string]any{"supervisee_id": see, "auditor_id": w.ids["none"], "due": "2099-01-31"}, http.StatusCreated, &as)
	admin.call("DELETE", "/api/v1/audit-assignments/"+as.ID, nil, http.StatusNoContent, nil)
	w.assign = as.ID

	p := &people{admin: admin, supervisor: w.clients["supervisor"], supervisee: w.clients["supervisee"], supervisorID: sup, superviseeID: see}
	w.rec["agr"] = signAgreement(t, p, "").ID
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	start := func(c *client, form string, data map[string]any) recordResp {
		var r recordResp
		if data == nil {
			data = map[string]any{}
		}
		c.call("POST", "/api/v1/staff/"+see+"/records", map[string]any{"form": form, "data": data}, http.StatusCreated, &r)
		return r
	}
	w.rec["conf"] = start(p.supervisor, "supervision-record", nil).ID
	def, _ := cat.Get("supervision-record")
	wait := start(p.supervisor, "supervision-record", forms.Sample(def, sup))
	p.supervisee.call("PUT", "/api/v1/records/"+wait.ID, map[string]any{"data": forms.Sample(def, sup), "revision": wait.Revision}, http.StatusOK, &wait)
	p.supervisor.call("POST", "/api/v1/records/"+wait.ID+"/submit", nil, http.StatusOK, nil)
	w.rec["wait"] = wait.ID
	w.rec["po"] = start(p.supervisor, "practice-observation", nil).ID
	p.supervisor.call("POST", "/api/v1/records/"+w.rec["po"]+"/parties", map[string]any{"staff_id": w.ids["observer"], "role": "observer"}, http.StatusCreated, nil)
	w.rec["si"] = start(p.supervisor, "serious-incident-support", nil).ID
	p.supervisor.call("POST", "/api/v1/records/"+w.rec["si"]+"/parties", map[string]any{"staff_id": w.ids["senior_manager"], "role": "senior_manager"}, http.StatusCreated, nil)
	def, _ = cat.Get("file-audit")
	aud := start(w.clients["auditor"], "file-audit", forms.Sample(def, w.ids["auditor"]))
	w.clients["auditor"].call("POST", "/api/v1/records/"+aud.ID+"/submit", nil, http.StatusOK, nil)
	w.rec["aud"] = aud.ID
	// A group supervision led by the supervisor in their own file, the
	// supervisee attending (a draft).
	var grp recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+sup+"/records", map[string]any{"form": "group-supervision", "data": map[string]any{}}, http.StatusCreated, &grp)
	p.supervisor.call("POST", "/api/v1/records/"+grp.ID+"/parties", map[string]any{"staff_id": see, "role": "attendee"}, http.StatusCreated, nil)
	w.rec["grp"] = grp.ID
	w.addLiving(t, p)                    // living_test.go
	att, a := signedWithAttachment(t, p) // attachments_test.go
	w.rec["att"], w.attach = att.ID, a.ID
	return w
}

// accessCase is one request tried as every row: path parameters are
// filled in (":id" the supervisee, ":rid" the record named), and want is
// the status for each row, in accessRows order.
type accessCase struct {
	rec  string // which record :rid is; "" when the route has none
	body string // a JSON body (API) or form values (pages)
	want string // ten statuses
}

// accessTable is every route × every row. A route the server answers that
// is not here fails the test, and so does a row here for a route that is
// gone.
//
//	see sup cov lm  aud obs sm  fmr adm non
var accessTable = map[string][]accessCase{
	"GET /healthz":             {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /readyz":              {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /metrics":             {{want: "200 200 200 200 200 200 200 200 200 200"}}, // from loopback with no token set
	"GET /static/*filepath":    {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"HEAD /static/*filepath":   {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /login":               {{want: "303 303 303 303 303 303 303 303 303 303"}},
	"POST /login":              {{want: "422 422 422 422 422 422 422 422 422 422"}},
	"POST /logout":             {{want: "303 303 303 303 303 303 303 303 303 303"}},
	"GET /login/oidc":          {{want: "404 404 404 404 404 404 404 404 404 404"}},
	"GET /login/oidc/callback": {{want: "404 404 404 404 404 404 404 404 404 404"}},
	"GET /":                    {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /about":               {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /team/due.csv":        {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /account":             {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"POST /account/password":   {{want: "422 422 422 422 422 422 422 422 422 422"}},
	"POST /account/email":      {{want: "422 422 422 422 422 422 422 422 422 422"}},
	"GET /verify":              {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"POST /verify":             {{want: "422 422 422 422 422 422 422 422 422 422"}},

	// Administration: an admin only. A person's account page (and what
	// posts to it) answers 404 to anyone else, like a file.
	"GET /admin/staff":                 {{want: "403 403 403 403 403 403 403 403 200 403"}},
	"POST /admin/staff":                {{want: "403 403 403 403 403 403 403 403 422 403"}},
	"GET /admin/staff/:id":             {{want: "404 404 404 404 404 404 404 404 200 404"}},
	"POST /admin/staff/:id/supervisor": {{want: "404 404 404 404 404 404 404 404 422 404"}},
	"POST /admin/staff/:id/password":   {{want: "404 404 404 404 404 404 404 404 422 404"}},
	"POST /admin/staff/:id/details":    {{body: "name=", want: "404 404 404 404 404 404 404 404 422 404"}},
	"GET /admin/staff/:id/export.zip":  {{want: "404 404 404 404 404 404 404 404 422 404"}},
	"GET /admin/access-log":            {{want: "403 403 403 403 403 403 403 403 200 403"}},
	"GET /admin/access-log.csv":        {{want: "403 403 403 403 403 403 403 403 200 403"}},
	"GET /api/v1/staff":                {{want: "403 403 403 403 403 403 403 403 200 403"}},
	"POST /api/v1/staff":               {{body: `{}`, want: "403 403 403 403 403 403 403 403 422 403"}},
	"PATCH /api/v1/staff/:id":          {{body: `{"name": ""}`, want: "403 403 403 403 403 403 403 403 422 403"}},
	"PUT /api/v1/staff/:id/supervisor": {{body: `{}`, want: "403 403 403 403 403 403 403 403 422 403"}},
	"PUT /api/v1/staff/:id/password":   {{body: `{}`, want: "403 403 403 403 403 403 403 403 422 403"}},
	"GET /api/v1/staff/:id/export.zip": {{want: "403 403 403 403 403 403 403 403 422 403"}},
	"GET /api/v1/access-log":           {{want: "403 403 403 403 403 403 403 403 200 403"}},
	"GET /api/v1/access-log.csv":       {{want: "403 403 403 403 403 403 403 403 200 403"}},

	// Oneself.
	"POST /api/v1/login":                 {{body: `{}`, want: "422 422 422 422 422 422 422 422 422 422"}},
	"POST /api/v1/logout":                {{want: "204 204 204 204 204 204 204 204 204 204"}},
	"GET /api/v1/me":                     {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"PUT /api/v1/me/password":            {{body: `{}`, want: "422 422 422 422 422 422 422 422 422 422"}},
	"PUT /api/v1/me/email-notifications": {{body: `{}`, want: "422 422 422 422 422 422 422 422 422 422"}},
	"GET /api/v1/forms":                  {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /api/v1/openapi.json":           {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /api/v1/forms/:form/schema":     {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"POST /api/v1/verify":                {{body: `{}`, want: "200 200 200 200 200 200 200 200 200 200"}}, // not a PDF: the answer says so

	// The supervisee's file: opened by the supervisee, supervisor, stand-in,
	// line manager and auditor.
	"GET /staff/:id/file":                       {{want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /staff/:id/front-page.pdf":             {{want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /api/v1/staff/:id/file":                {{want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /api/v1/staff/:id/file/front-page.pdf": {{want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /staff/:id/access-log":                 {{want: "200 404 404 404 404 404 404 404 200 404"}},
	"GET /api/v1/staff/:id/access-log":          {{want: "200 404 404 404 404 404 404 404 200 404"}},
	// Handover (the log helper's, asking FileAccess): its history is read by
	// whoever opens the file and by admins; the supervisor, their line
	// manager or an admin hands the file over (a stand-in does not: cover is
	// temporary).
	"GET /staff/:id/handover":         {{want: "200 200 200 200 200 404 404 404 200 404"}},
	"POST /staff/:id/handover":        {{want: "403 422 422 422 403 404 404 404 422 404"}},
	"GET /api/v1/staff/:id/handovers": {{want: "200 200 200 200 200 404 404 404 200 404"}},
	"POST /api/v1/staff/:id/handover": {{body: `{}`, want: "403 422 422 422 403 404 404 404 422 404"}},
	// Starting a record: the agreement by its parties; the file audit by the auditor alone.
	"POST /staff/:id/records":        {{body: "form=supervision-agreement", want: "403 303 303 403 403 404 404 404 404 404"}},
	"POST /api/v1/staff/:id/records": {{body: `{"form": "file-audit"}`, want: "403 403 403 403 201 404 404 404 404 404"}},

	// Reading a record: confidential ones only by the supervisee, the
	// supervisor or stand-in and the people named on them.
	"GET /records/:rid": {
		{rec: "agr", want: "200 200 200 200 200 404 404 404 404 404"},
		{rec: "conf", want: "200 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "200 200 200 200 200 200 404 404 404 404"},
		{rec: "si", want: "200 200 200 404 404 404 200 404 404 404"},
		{rec: "aud", want: "404 200 404 200 200 404 404 404 404 404"},
	},
	"GET /api/v1/records/:rid": {
		{rec: "agr", want: "200 200 200 200 200 404 404 404 404 404"},
		{rec: "wait", want: "200 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "200 200 200 200 200 200 404 404 404 404"},
		{rec: "si", want: "200 200 200 404 404 404 200 404 404 404"},
		{rec: "aud", want: "404 200 404 200 200 404 404 404 404 404"},
		// The attendee and the lead; whoever stands to the attendee's
		// file (stand-in, line manager, auditor) reads it as part of it.
		{rec: "grp", want: "200 200 200 200 200 404 404 404 404 404"},
	},
	"GET /api/v1/records/:rid/parties": {
		{rec: "po", want: "200 200 200 200 200 200 404 404 404 404"},
		{rec: "si", want: "200 200 200 404 404 404 200 404 404 404"},
	},
	// Downloads: whoever reads the signed record.
	"GET /records/:rid/document.pdf":         {{rec: "agr", want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /records/:rid/document.docx":        {{rec: "agr", want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /api/v1/records/:rid/document.pdf":  {{rec: "agr", want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /api/v1/records/:rid/document.docx": {{rec: "agr", want: "200 200 200 200 200 404 404 404 404 404"}},

	// Writing: the edit page opens for whoever writes a part (303 to the
	// record for a reader who writes none); a stale save is a conflict.
	"GET /records/:rid/edit": {
		{rec: "conf", want: "200 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "200 303 303 303 303 200 404 404 404 404"},
		{rec: "si", want: "200 200 200 404 404 404 303 404 404 404"},
	},
	"POST /records/:rid/edit": {
		{rec: "conf", body: "_revision=0&action=save", want: "409 409 409 404 404 404 404 404 404 404"},
		{rec: "po", body: "_revision=0&action=save", want: "409 303 303 303 303 409 404 404 404 404"},
	},
	// The task list (a form of more than four sections), a section's page
	// (section 1, the author's) and Check your answers: as the edit page.
	"GET /records/:rid/tasks": {
		{rec: "conf", want: "200 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "200 303 303 303 303 200 404 404 404 404"},
	},
	"GET /records/:rid/tasks/:n": {
		{rec: "conf", want: "303 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "303 303 303 303 303 200 404 404 404 404"},
	},
	"POST /records/:rid/tasks/:n": {
		{rec: "conf", body: "_revision=0&action=continue", want: "403 409 409 404 404 404 404 404 404 404"},
		{rec: "po", body: "_revision=0&action=continue", want: "403 303 303 303 303 409 404 404 404 404"},
	},
	"GET /records/:rid/check": {
		{rec: "conf", want: "200 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "200 303 303 303 303 200 404 404 404 404"},
	},
	"POST /records/:rid/check": {
		{rec: "conf", body: "_revision=0&action=submit", want: "409 409 409 404 404 404 404 404 404 404"},
	},
	"PUT /api/v1/records/:rid": {
		{rec: "conf", body: `{"data": {}, "revision": 0}`, want: "409 409 409 404 404 404 404 404 404 404"},
		{rec: "po", body: `{"data": {}, "revision": 0}`, want: "409 403 403 403 403 409 404 404 404 404"},
		{rec: "aud", body: `{"data": {}, "revision": 0}`, want: "404 409 404 409 409 404 404 404 404 404"},
	},
	// Submitting: the author's side (the invited observer for their observation).
	"POST /api/v1/records/:rid/submit": {
		{rec: "conf", want: "403 422 422 404 404 404 404 404 404 404"},
		{rec: "po", want: "403 403 403 403 403 422 404 404 404 404"},
	},
	// Signing: the holder of an unsigned role; a file audit's auditor first.
	"POST /records/:rid/sign": {
		{rec: "wait", want: "422 422 422 404 404 404 404 404 404 404"},
		{rec: "aud", want: "404 403 404 403 422 404 404 404 404 404"},
	},
	"POST /api/v1/records/:rid/signatures": {
		{rec: "wait", body: `{}`, want: "422 422 422 404 404 404 404 404 404 404"},
		{rec: "aud", body: `{}`, want: "404 403 404 403 422 404 404 404 404 404"},
	},
	// Issue 11 (living_test.go). A new version: whoever may start the form
	// (the first made, the rest then find it being written); withdrawal and
	// deletion: the author alone; sending a two-party draft: whoever writes
	// a side of it; the response to a disagreement: the supervisor or stand-in.
	"GET /api/v1/me/tasks":                            {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"POST /api/v1/records/:rid/versions":              {{rec: "agr", want: "403 201 409 403 403 404 404 404 404 404"}},
	"POST /records/:rid/versions":                     {{rec: "agr", want: "403 409 409 403 403 404 404 404 404 404"}},
	"POST /api/v1/records/:rid/withdraw":              {{rec: "wd", want: "403 200 403 404 404 404 404 404 404 404"}},
	"POST /records/:rid/withdraw":                     {{rec: "wd", want: "403 409 403 404 404 404 404 404 404 404"}},
	"DELETE /api/v1/records/:rid":                     {{rec: "del", want: "403 204 404 404 404 404 404 404 404 404"}},
	"POST /records/:rid/delete":                       {{rec: "delp", want: "403 303 404 404 404 404 404 404 404 404"}},
	"POST /api/v1/records/:rid/send":                  {{rec: "conf", want: "200 200 200 404 404 404 404 404 404 404"}},
	"POST /records/:rid/send":                         {{rec: "conf", want: "303 303 303 404 404 404 404 404 404 404"}},
	"POST /records/:rid/autosave":                     {{rec: "conf", body: "_revision=0", want: "409 409 409 404 404 404 404 404 404 404"}},
	"POST /records/:rid/response":                     {{rec: "dis", body: "response=", want: "403 422 422 403 403 404 404 404 404 404"}},
	"POST /api/v1/records/:rid/disagreement-response": {{rec: "dis", body: `{"response": ""}`, want: "403 422 422 403 403 404 404 404 404 404"}},

	// Attachments (issue 14): listed and downloaded by whoever reads the
	// record; attached and removed by its parties (whoever writes or signs
	// it) while it is a draft, or awaiting signatures before anyone signs.
	// The requests here are not multipart (400) and the signed record's
	// attachments no longer change (409).
	"GET /api/v1/records/:rid/attachments": {
		{rec: "att", want: "200 200 200 200 200 404 404 404 404 404"},
		{rec: "conf", want: "200 200 200 404 404 404 404 404 404 404"},
		{rec: "po", want: "200 200 200 200 200 200 404 404 404 404"},
	},
	"GET /api/v1/records/:rid/attachments/:att": {{rec: "att", want: "200 200 200 200 200 404 404 404 404 404"}},
	"GET /records/:rid/attachments/:att":        {{rec: "att", want: "200 200 200 200 200 404 404 404 404 404"}},
	"POST /api/v1/records/:rid/attachments": {
		{rec: "conf", want: "400 400 400 404 404 404 404 404 404 404"},
		{rec: "po", want: "400 403 403 403 403 400 404 404 404 404"}, // the invited observer writes it, not the supervisor
		{rec: "att", want: "409 409 409 403 403 404 404 404 404 404"},
	},
	"POST /records/:rid/attachments": {
		{rec: "conf", want: "400 400 400 404 404 404 404 404 404 404"},
		{rec: "att", want: "409 409 409 403 403 404 404 404 404 404"},
	},
	"DELETE /api/v1/records/:rid/attachments/:att": {
		{rec: "att", want: "409 409 409 403 403 404 404 404 404 404"},
		{rec: "conf", want: "404 404 404 404 404 404 404 404 404 404"},
	},
	"POST /records/:rid/attachments/:att/remove": {
		{rec: "att", want: "409 409 409 403 403 404 404 404 404 404"},
	},

	// Inviting an observer or naming a senior manager: the supervisor or stand-in.
	"POST /records/:rid/parties": {
		{rec: "si", body: "role=senior_manager&staff_id=", want: "403 422 422 404 404 404 403 404 404 404"},
	},
	"POST /api/v1/records/:rid/parties": {
		{rec: "po", body: `{"role": "observer"}`, want: "403 422 422 403 403 403 404 404 404 404"},
		// Only the lead adds attendees.
		{rec: "grp", body: `{"role": "attendee"}`, want: "403 422 403 403 403 404 404 404 404 404"},
	},
	"POST /records/:rid/parties/remove": {
		{rec: "si", body: "role=senior_manager&staff_id=nobody", want: "403 422 422 404 404 404 403 404 404 404"},
	},
	"DELETE /api/v1/records/:rid/parties/:role/:staff": {
		{rec: "po", want: "403 422 422 403 403 403 404 404 404 404"},
	},

	// Arrangements: cover and audits are arranged by an admin or the
	// supervisor's line manager; anyone may list what concerns them.
	"GET /manage/cover":                     {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /manage/audits":                    {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /api/v1/covers":                    {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"GET /api/v1/audit-assignments":         {{want: "200 200 200 200 200 200 200 200 200 200"}},
	"POST /manage/cover":                    {{body: "supervisor_id=:sup", want: "403 403 403 422 403 403 403 403 422 403"}},
	"POST /api/v1/covers":                   {{body: `{"supervisor_id": ":sup"}`, want: "403 403 403 422 403 403 403 403 422 403"}},
	"POST /manage/cover/:cid/end":           {{want: "404 404 404 409 404 404 404 404 409 404"}},
	"DELETE /api/v1/covers/:cid":            {{want: "404 404 404 409 404 404 404 404 409 404"}},
	"POST /manage/audits":                   {{body: "supervisee_id=:id", want: "403 403 403 422 403 403 403 403 422 403"}},
	"POST /api/v1/audit-assignments":        {{body: `{"supervisee_id": ":id"}`, want: "403 403 403 422 403 403 403 403 422 403"}},
	"POST /manage/audits/:aid/end":          {{want: "404 404 404 409 404 404 404 404 409 404"}},
	"DELETE /api/v1/audit-assignments/:aid": {{want: "404 404 404 409 404 404 404 404 409 404"}},
}

// TestWhoMayDoWhat tries every route as every row of the table, through
// the real HTTP server, on SQLite and on PostgreSQL.
func TestWhoMayDoWhat(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { testWhoMayDoWhat(t, nil) })
	t.Run("postgres", func(t *testing.T) { testWhoMayDoWhat(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)}) })
}

func testWhoMayDoWhat(t *testing.T, env map[string]string) {
	w := newAccessWorld(t, env)
	w.checkFileJSON(t)
	seen := map[string]bool{}
	for _, r := range w.m.srv.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := accessTable[key]; !ok {
			t.Errorf("%s has no row in the access table (cmd/supfile/access_test.go): add what each of %v may do", key, accessRows)
		}
	}
	keys := make([]string, 0, len(accessTable))
	for k := range accessTable {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Sign-out ends the session: it goes last, with a session of its own.
	sort.SliceStable(keys, func(i, j int) bool {
		return !strings.Contains(keys[i], "logout") && strings.Contains(keys[j], "logout")
	})
	for _, key := range keys {
		if !seen[key] {
			t.Errorf("%s is in the access table but the server has no such route", key)
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		for _, ac := range accessTable[key] {
			want := strings.Fields(ac.want)
			if len(want) != len(accessRows) {
				t.Fatalf("%s: %d statuses, want one for each of %d rows", key, len(want), len(accessRows))
			}
			for i, row := range accessRows {
				got := w.try(t, row, method, path, ac)
				if fmt.Sprint(got) != want[i] {
					t.Errorf("%s %s as %s: status %d, want %s", key, ac.rec, row, got, want[i])
				}
			}
		}
	}
}

// checkFileJSON: the file's JSON says in what standing it is read, leaves
// out confidential records for those who may not read them, and links the
// file audit kept in the supervisor's file.
func (w *accessWorld) checkFileJSON(t *testing.T) {
	t.Helper()
	for _, row := range []string{"supervisee", "line_manager", "auditor", "stand_in"} {
		var f struct {
			Standing string
			Records  []struct{ ID, Form string }
			Audits   []struct{ ID string }
		}
		w.clients[row].call("GET", "/api/v1/staff/"+w.ids["supervisee"]+"/file", nil, http.StatusOK, &f)
		if f.Standing != row {
			t.Errorf("%s reads the file as %q", row, f.Standing)
		}
		confidential := false
		for _, r := range f.Records {
			confidential = confidential || r.ID == w.rec["conf"] || r.ID == w.rec["si"]
		}
		if want := row == "supervisee" || row == "stand_in"; confidential != want {
			t.Errorf("%s: the file lists confidential records: %v, want %v", row, confidential, want)
		}
		linked := len(f.Audits) > 0 && f.Audits[0].ID == w.rec["aud"]
		if want := row == "line_manager" || row == "auditor"; linked != want {
			t.Errorf("%s: the file links the audit: %v, want %v (%v)", row, linked, want, f.Audits)
		}
	}
}

// try sends one request as a row and returns the status.
func (w *accessWorld) try(t *testing.T, row, method, path string, ac accessCase) int {
	t.Helper()
	fill := strings.NewReplacer(":id", w.ids["supervisee"], ":sup", w.ids["supervisor"], ":rid", w.rec[ac.rec],
		":cid", w.cover, ":aid", w.assign, ":form", "supervision-agreement", "*filepath", "app.css",
		":role", "observer", ":staff", w.ids["none"], ":n", "1", ":att", w.attach)
	u := fill.Replace(path)
	body := fill.Replace(ac.body)
	c := w.clients[row]
	if strings.Contains(path, "logout") {
		c = login(t, w.m.URL, w.pw[row], map[bool]string{true: "correct horse battery", false: "a long password 1"}[row == "admin"])
	}
	var rd io.Reader
	if body != "" || method != http.MethodGet {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(u, "/api/") {
		req.Header.Set("Content-Type", "application/json")
	} else if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasSuffix(u, "export.zip") {
		req.URL.RawQuery = url.Values{"reason": {""}}.Encode()
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
