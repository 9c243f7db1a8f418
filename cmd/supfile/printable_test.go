package main

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/internal/doctext"
	"github.com/supervisionfile/supfile/internal/needs"
)

// badText is what no signed record may hold, and the start of the message
// refusing it.
var badText = []struct{ name, text, want string }{
	{"CJK", "Li 漢字", "Remove 漢 from"},
	{"emoji", "Siân 😀", "Remove 😀 from"},
	{"control character", "Siân\u0007", "Remove the control character U+0007 from"},
	{"bidi override", "Siân \u202eenoJ", "Remove the text direction character U+202E from"},
}

// fieldErr is the API's message for a field.
func fieldErr(e apiErr, field string) string {
	for _, f := range e.Error.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// pageShows checks a page refused the post with the message beside the
// field, linked from the error summary.
func pageShows(t *testing.T, what string, status int, page, field, msg string) {
	t.Helper()
	if status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(page), msg) ||
		!strings.Contains(page, `href="#f-`+strings.ReplaceAll(field, ".", "-")+`"`) {
		i := strings.Index(page, "govuk-error-summary__list")
		t.Errorf("%s: page %d, want 422 with %q on %s\n%.600s", what, status, msg, field, page[max(i, 0):])
	}
}

// Every kind of input that reaches a signed record refuses characters the
// documents cannot print, and direction and control characters, with a
// message naming the character and the field: through the API (422) and
// the pages (422, the message beside the field).
func TestUnprintableRefusedAtInput(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	adminPage := login(t, m.URL, "admin@testshire.gov.uk", "correct horse battery")

	// A draft supervision record the supervisor writes: text, long text
	// and a table cell.
	var draft recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-record", "data": map[string]any{}}, http.StatusCreated, &draft)
	// A submitted agreement the supervisee signs.
	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-agreement")
	var agreement recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": def.ID, "data": forms.Sample(def, p.supervisorID)}, http.StatusCreated, &agreement)
	p.supervisor.call("POST", "/api/v1/records/"+agreement.ID+"/submit", nil, http.StatusOK, nil)

	for _, b := range badText {
		t.Run(b.name, func(t *testing.T) {
			var e apiErr
			// Staff details, added.
			for _, field := range []string{"name", "job_title"} {
				body := map[string]any{"name": "Ann Other", "email": "ann@testshire.gov.uk", "job_title": "Social Worker",
					"role": "social_worker", "start_date": "2024-09-02", "password": "a long password 1"}
				body[field] = b.text
				e = apiErr{}
				p.admin.call("POST", "/api/v1/staff", body, http.StatusUnprocessableEntity, &e)
				msg := fieldErr(e, field)
				if !strings.HasPrefix(msg, b.want) {
					t.Errorf("add staff, %s: %+v", field, e)
				}
				form := url.Values{}
				for k, v := range body {
					form.Set(k, v.(string))
				}
				status, page := adminPage.post("/admin/staff", form)
				pageShows(t, "add staff page, "+field, status, page, field, msg)

				// Changed.
				e = apiErr{}
				p.admin.call("PATCH", "/api/v1/staff/"+p.superviseeID, map[string]any{field: b.text}, http.StatusUnprocessableEntity, &e)
				if got := fieldErr(e, field); got != msg {
					t.Errorf("edit staff, %s: %q, want %q", field, got, msg)
				}
				status, page = adminPage.post("/admin/staff/"+p.superviseeID+"/details", url.Values{
					"name": {"Siân Gwŷnedd-Jones"}, "email": {"sian.jones@testshire.gov.uk"}, "job_title": {"Social Worker"},
					"role": {"social_worker"}, field: {b.text}})
				pageShows(t, "staff details page, "+field, status, page, field, msg)
			}

			// Form answers: a text, a long text and a table cell.
			for field, data := range map[string]map[string]any{
				"supervisee_name":   {"supervisee_name": b.text},
				"wellbeing_worries": {"wellbeing_worries": "Fine.\n\n" + b.text},
				"actions.0.owner":   {"actions": []any{map[string]any{"action": "Call", "owner": b.text}}},
			} {
				var cur recordResp
				p.supervisor.call("GET", "/api/v1/records/"+draft.ID, nil, http.StatusOK, &cur)
				e = apiErr{}
				p.supervisor.call("PUT", "/api/v1/records/"+draft.ID, map[string]any{"data": data, "revision": cur.Revision}, http.StatusUnprocessableEntity, &e)
				msg := fieldErr(e, field)
				if !strings.HasPrefix(msg, b.want) {
					t.Errorf("save, %s: %+v", field, e)
				}
				form := url.Values{"_revision": {fmt.Sprint(cur.Revision)}}
				if field == "actions.0.owner" {
					form.Set("actions.0.action", "Call")
				}
				form.Set(field, b.text)
				status, page := p.supervisor.post("/records/"+draft.ID+"/edit", form)
				pageShows(t, "edit page, "+field, status, page, field, msg)
			}

			// Signing: the typed name, a comment and a disagreement.
			for _, field := range []string{"name", "comment", "disagreement"} {
				body := map[string]any{"name": "Siân Gwŷnedd-Jones", "confirm": true}
				body[field] = b.text
				e = apiErr{}
				p.supervisee.call("POST", "/api/v1/records/"+agreement.ID+"/signatures", body, http.StatusUnprocessableEntity, &e)
				msg := fieldErr(e, field)
				if !strings.HasPrefix(msg, b.want) {
					t.Errorf("sign, %s: %+v", field, e)
				}
				form := url.Values{"name": {"Siân Gwŷnedd-Jones"}, "confirm": {"yes"}}
				form.Set(field, b.text)
				status, page := p.supervisee.post("/records/"+agreement.ID+"/sign", form)
				pageShows(t, "sign page, "+field, status, page, field, msg)
			}
		})
	}
}

// Welsh, Greek and Cyrillic letters are accepted everywhere and printed in
// the signed PDF, and on the file's front page.
func TestOtherScriptsPrint(t *testing.T) {
	needs.Tools(t, "pdftotext")
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	const (
		name  = "Ελένη Ŵyn-Петрова"
		title = "Gweithiwr Cymdeithasol Ŷ — Κοινωνική λειτουργός — Социальный работник"
	)
	id := addStaff(t, p.admin, name, "eleni@testshire.gov.uk", title, "social_worker")
	p.admin.call("PUT", "/api/v1/staff/"+id+"/supervisor", map[string]any{"supervisor_id": p.supervisorID, "from": "2025-01-06"}, http.StatusOK, nil)
	eleni := login(t, m.URL, "eleni@testshire.gov.uk", "a long password 1")

	cat, err := forms.Load(forms.Builtin(), "")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Get("supervision-agreement")
	data := forms.Sample(def, p.supervisorID)
	data["location"] = "Tŷ Newydd, ystafell ŵ"
	data["supervisee_aims"] = "Μαθαίνω κάθε μέρα.\n\nИзучать новое каждый день."
	var rec recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+id+"/records", map[string]any{"form": def.ID, "data": data}, http.StatusCreated, &rec)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/submit", nil, http.StatusOK, nil)
	eleni.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": name, "confirm": true,
		"comment": "Diolch yn fawr — Ευχαριστώ — Спасибо"}, http.StatusCreated, nil)
	p.supervisor.call("POST", "/api/v1/records/"+rec.ID+"/signatures", map[string]any{"name": "Ahmed Khan", "confirm": true,
		"disagreement": "Dim — Κανένα — Нет"}, http.StatusCreated, &rec)
	if rec.Status != "signed" {
		t.Fatalf("record is %s", rec.Status)
	}
	pdf := eleni.call("GET", "/api/v1/records/"+rec.ID+"/document.pdf", nil, http.StatusOK, nil)
	text, err := doctext.PDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, miss := range doctext.Missing(text, name, title, "Tŷ Newydd, ystafell ŵ", "Μαθαίνω κάθε μέρα.", "Изучать новое каждый день.",
		"Diolch yn fawr — Ευχαριστώ — Спасибо", "Dim — Κανένα — Нет") {
		t.Errorf("the PDF lacks %q", miss)
	}
	front := eleni.call("GET", "/api/v1/staff/"+id+"/file/front-page.pdf", nil, http.StatusOK, nil)
	if text, err = doctext.PDF(front); err != nil {
		t.Fatal(err)
	}
	if miss := doctext.Missing(text, name); len(miss) > 0 {
		t.Errorf("the front page lacks %q", miss)
	}
}

// A table longer than its form allows (100 rows by default) is refused,
// by the API and the page, with a message saying how many rows to remove;
// the schema says maxItems.
func TestTableRowLimit(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	var draft recordResp
	p.supervisor.call("POST", "/api/v1/staff/"+p.superviseeID+"/records", map[string]any{"form": "supervision-record", "data": map[string]any{}}, http.StatusCreated, &draft)
	rows := make([]any, 10000)
	form := url.Values{"_revision": {fmt.Sprint(draft.Revision)}}
	for i := range rows {
		rows[i] = map[string]any{"action": fmt.Sprintf("Action %d", i+1), "owner": "Ahmed"}
		if i < 101 {
			form.Set(fmt.Sprintf("actions.%d.action", i), "Call")
		}
	}
	var e apiErr
	p.supervisor.call("PUT", "/api/v1/records/"+draft.ID, map[string]any{"data": map[string]any{"actions": rows}, "revision": draft.Revision}, http.StatusUnprocessableEntity, &e)
	if msg := fieldErr(e, "actions"); msg != "Actions can have 100 rows at most: remove 9,900 rows" {
		t.Errorf("10,000 rows over the API: %+v", e)
	}
	status, page := p.supervisor.post("/records/"+draft.ID+"/edit", form)
	pageShows(t, "101 rows on the page", status, page, "actions", "Actions can have 100 rows at most: remove 1 row")

	// At the limit, the page offers no further row and says why.
	p.supervisor.call("PUT", "/api/v1/records/"+draft.ID, map[string]any{"data": map[string]any{"actions": rows[:100]}, "revision": draft.Revision}, http.StatusOK, nil)
	status, page = p.supervisor.get("/records/" + draft.ID + "/edit")
	if status != http.StatusOK || strings.Contains(page, `value="add-row:actions"`) || !strings.Contains(page, "Actions can have 100 rows at most.") {
		t.Errorf("edit page with 100 rows: %d, add-row button %v", status, strings.Contains(page, `value="add-row:actions"`))
	}

	var schema struct {
		Properties map[string]struct {
			MaxItems int `json:"maxItems"`
		} `json:"properties"`
	}
	p.supervisor.call("GET", "/api/v1/forms/supervision-record/schema", nil, http.StatusOK, &schema)
	if got := schema.Properties["actions"].MaxItems; got != 100 {
		t.Errorf("schema maxItems of actions = %d, want 100", got)
	}
}
