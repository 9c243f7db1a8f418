package main

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/internal/pgtest"
)

// logTotal counts the access log's entries for a file and action, as an
// administrator reads them over the API.
func logTotal(t *testing.T, admin *client, fileID, action string) int {
	t.Helper()
	var out struct {
		Total   int `json:"total"`
		Entries []struct {
			Action, RecordID string
			IP               string `json:"ip"`
			UserAgent        string `json:"user_agent"`
		} `json:"entries"`
	}
	q := url.Values{"file": {fileID}, "action": {action}}
	admin.call("GET", "/api/v1/access-log?"+q.Encode(), nil, http.StatusOK, &out)
	return out.Total
}

// TestNoReadingRouteSkipsTheLog enumerates the server's routes: every GET
// route with a path parameter is either known to read a record, a file or
// a document (and is called, and must leave a new access log entry) or is
// listed, with the reason, as one that does not. A new route that is in
// neither list fails the test until someone decides which it is.
func TestNoReadingRouteSkipsTheLog(t *testing.T) {
	t.Parallel()
	m := startApp(t, nil)
	p := setUpTeam(t, m.URL)
	rec, att := signedWithAttachment(t, p) // a signed agreement with a file attached

	type read struct {
		who    *client
		action string
		query  string
	}
	reading := map[string]read{
		"GET /staff/:id/file":                       {p.supervisee, "view-file", ""},
		"GET /staff/:id/front-page.pdf":             {p.supervisor, "download-front-page", ""},
		"GET /records/:rid":                         {p.supervisor, "view-record", ""},
		"GET /records/:rid/edit":                    {p.supervisee, "view-record", ""},
		"GET /records/:rid/tasks":                   {p.supervisee, "view-record", ""},
		"GET /records/:rid/tasks/:n":                {p.supervisee, "view-record", ""},
		"GET /records/:rid/check":                   {p.supervisee, "view-record", ""},
		"GET /records/:rid/document.pdf":            {p.supervisee, "download-pdf", ""},
		"GET /records/:rid/document.docx":           {p.supervisor, "download-docx", ""},
		"GET /admin/staff/:id/export.zip":           {p.admin, "export", "?reason=Subject+access+request"},
		"GET /api/v1/staff/:id/file":                {p.supervisor, "view-file", ""},
		"GET /api/v1/staff/:id/file/front-page.pdf": {p.supervisee, "download-front-page", ""},
		"GET /api/v1/staff/:id/export.zip":          {p.admin, "export", "?reason=Transfer"},
		"GET /api/v1/records/:rid":                  {p.supervisee, "view-record", ""},
		"GET /api/v1/records/:rid/document.pdf":     {p.supervisor, "download-pdf", ""},
		"GET /api/v1/records/:rid/document.docx":    {p.supervisee, "download-docx", ""},
		"GET /api/v1/records/:rid/parties":          {p.supervisor, "view-record", ""},
		"GET /api/v1/records/:rid/attachments":      {p.supervisee, "view-record", ""},
		"GET /api/v1/records/:rid/attachments/:att": {p.supervisor, "download-attachment", ""},
		"GET /records/:rid/attachments/:att":        {p.supervisee, "download-attachment", ""},
	}
	notReading := map[string]string{
		"GET /static/*filepath":            "the site's CSS, scripts and images",
		"GET /admin/staff/:id":             "a person's account (name, email, supervisor), not their file",
		"GET /api/v1/forms/:form/schema":   "a form's JSON Schema, no one's answers",
		"GET /staff/:id/access-log":        "who read the file: the log, not the file's contents",
		"GET /api/v1/staff/:id/access-log": "who read the file: the log, not the file's contents",
		"GET /staff/:id/handover":          "who has supervised the file and what is due, not its contents",
		"GET /api/v1/staff/:id/handovers":  "who has supervised the file and what is due, not its contents",
	}

	seen := map[string]bool{}
	for _, r := range m.srv.Routes() {
		key := r.Method + " " + r.Path
		if r.Method != http.MethodGet || !strings.ContainsAny(r.Path, ":*") {
			continue
		}
		seen[key] = true
		if why, ok := notReading[key]; ok {
			t.Logf("%s does not read the file: %s", key, why)
			continue
		}
		rd, ok := reading[key]
		if !ok {
			t.Errorf("%s is a new GET route with a path parameter: if it reads a record, a file or a document, "+
				"its service method must write the access log and it belongs in reading; otherwise add it to notReading with the reason", key)
			continue
		}
		path := strings.NewReplacer(":id", p.superviseeID, ":rid", rec.ID, ":n", "1", ":att", att.ID).Replace(r.Path) + rd.query
		before := logTotal(t, p.admin, p.superviseeID, rd.action)
		status, _ := rd.who.get(path)
		if status >= 400 {
			t.Errorf("%s: status %d", path, status)
			continue
		}
		if after := logTotal(t, p.admin, p.superviseeID, rd.action); after != before+1 {
			t.Errorf("%s (%s) left %d new %q entries in the access log, want 1", key, path, after-before, rd.action)
		}
	}
	for key := range reading {
		if !seen[key] {
			t.Errorf("%s is listed as reading but the server has no such route any more", key)
		}
	}
	for key := range notReading {
		if !seen[key] {
			t.Errorf("%s is listed as not reading but the server has no such route any more", key)
		}
	}
}

// TestAccessLogOverTheAPI: the admin's filtered log and its CSV, and the
// supervisee's "who has read my file", over HTTP.
func TestAccessLogOverTheAPI(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { testAccessLogOverTheAPI(t, nil) })
	t.Run("postgres", func(t *testing.T) { testAccessLogOverTheAPI(t, map[string]string{"DATABASE_URL": pgtest.Schema(t)}) })
}

func testAccessLogOverTheAPI(t *testing.T, env map[string]string) {
	m := startApp(t, env)
	p := setUpTeam(t, m.URL)
	rec := signAgreement(t, p, "")
	// Starting and submitting over the API answer with the record, which
	// is logged as a view: count from here.
	views := logTotal(t, p.admin, p.superviseeID, "view-record")
	p.supervisor.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, nil)
	p.supervisee.call("GET", "/api/v1/records/"+rec.ID, nil, http.StatusOK, nil)
	bad := newClient(t, m.URL)
	bad.call("POST", "/api/v1/login", map[string]any{"email": "=evil@example.org", "password": "guess guess guess"}, http.StatusUnauthorized, nil)

	// The admin's view: filtered, with where from.
	var page struct {
		Total   int `json:"total"`
		Entries []struct {
			Action     string `json:"action"`
			ActorID    string `json:"actor_id"`
			ActorEmail string `json:"actor_email"`
			ActorRole  string `json:"actor_role"`
			IP         string `json:"ip"`
			UserAgent  string `json:"user_agent"`
		} `json:"entries"`
	}
	p.admin.call("GET", "/api/v1/access-log?action=view-record&file="+p.superviseeID, nil, http.StatusOK, &page)
	if page.Total != views+2 || page.Entries[0].IP != "127.0.0.1" || page.Entries[0].UserAgent == "" {
		t.Errorf("views of the record: %+v", page)
	}
	page.Entries = nil
	p.admin.call("GET", "/api/v1/access-log?action=sign-in-failed", nil, http.StatusOK, &page)
	if page.Total != 1 || page.Entries[0].ActorEmail != "=evil@example.org" || page.Entries[0].ActorID != "" {
		t.Errorf("failed sign-ins: %+v", page)
	}
	var e apiErr
	p.admin.call("GET", "/api/v1/access-log?from=2026-13-01&action=nope", nil, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "from") || !hasFieldErr(e, "action") {
		t.Errorf("bad filter: %+v", e)
	}
	p.supervisor.call("GET", "/api/v1/access-log", nil, http.StatusForbidden, nil)
	p.supervisor.call("GET", "/api/v1/access-log.csv", nil, http.StatusForbidden, nil)

	raw := p.admin.call("GET", "/api/v1/access-log.csv?action=sign-in-failed", nil, http.StatusOK, nil)
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][5] != "'=evil@example.org" {
		t.Errorf("CSV of failed sign-ins: %q", rows)
	}

	// The supervisee's view: who read their file, not themselves, and no
	// addresses.
	var mine struct {
		Total   int `json:"total"`
		Entries []map[string]any
	}
	p.supervisee.call("GET", "/api/v1/staff/"+p.superviseeID+"/access-log", nil, http.StatusOK, &mine)
	if mine.Total != views+1 || mine.Entries[0]["record_title"] != "Supervision agreement" || mine.Entries[0]["actor_name"] != "Ahmed Khan" || mine.Entries[0]["actor_role"] != "supervisor" || mine.Entries[0]["ip"] != nil {
		t.Errorf("who read the supervisee's file: %+v", mine)
	}
	p.supervisor.call("GET", "/api/v1/staff/"+p.superviseeID+"/access-log", nil, http.StatusNotFound, nil)

	// The pages.
	for _, c := range []struct {
		who    *client
		path   string
		status int
		want   string
	}{
		{p.admin, "/admin/access-log?action=view-record", http.StatusOK, fmt.Sprintf("%d entries", views+2)},
		{p.admin, "/admin/access-log?from=yesterday", http.StatusUnprocessableEntity, "From date must be a real date"},
		{p.supervisor, "/admin/access-log", http.StatusForbidden, ""},
		{p.supervisee, "/staff/" + p.superviseeID + "/access-log", http.StatusOK, "Ahmed Khan"},
		{p.supervisor, "/staff/" + p.superviseeID + "/access-log", http.StatusNotFound, ""},
		{p.supervisee, "/staff/" + p.superviseeID + "/file", http.StatusOK, "Who has read your file"},
	} {
		status, body := c.who.get(c.path)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: status %d, want %d with %q", c.path, status, c.status, c.want)
		}
	}
	// A bad filter on a download is answered before any CSV: the page
	// with the error, or JSON.
	status, body := p.admin.get("/admin/access-log.csv?from=yesterday")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "From date must be a real date") {
		t.Errorf("CSV with a bad filter from the page: %d", status)
	}
	e = apiErr{}
	p.admin.call("GET", "/api/v1/access-log.csv?to=2026-02-30", nil, http.StatusUnprocessableEntity, &e)
	if !hasFieldErr(e, "to") {
		t.Errorf("CSV with a bad filter over the API: %+v", e)
	}
	status, body = p.admin.get("/admin/access-log.csv?action=view-record")
	if status != http.StatusOK || !strings.HasPrefix(body, "id,time (UTC),action") || strings.Count(body, "view-record") != views+2 {
		t.Errorf("CSV from the page: %d %q", status, body)
	}
}

// TestAccessLogAddressBehindAProxy: the log keeps the address from
// X-Forwarded-For only when the request comes through a trusted proxy.
func TestAccessLogAddressBehindAProxy(t *testing.T) {
	for _, c := range []struct {
		name, trusted, want string
	}{
		{"no proxy trusted", "", "127.0.0.1"},
		{"loopback trusted", "127.0.0.1/32", "203.0.113.9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := startApp(t, map[string]string{"SUPFILE_TRUSTED_PROXIES": c.trusted})
			p := setUpTeam(t, m.URL)
			req, err := http.NewRequest("GET", m.URL+"/api/v1/staff/"+p.superviseeID+"/file", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.Header.Set("User-Agent", strings.Repeat("A", 2000))
			resp, err := p.supervisee.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("file: %d", resp.StatusCode)
			}
			var page struct {
				Entries []struct {
					IP        string `json:"ip"`
					UserAgent string `json:"user_agent"`
				} `json:"entries"`
			}
			p.admin.call("GET", "/api/v1/access-log?action=view-file&file="+p.superviseeID, nil, http.StatusOK, &page)
			if len(page.Entries) != 1 || page.Entries[0].IP != c.want {
				t.Errorf("logged %+v, want the address %s", page.Entries, c.want)
			}
			if len(page.Entries) == 1 && len(page.Entries[0].UserAgent) != 300 {
				t.Errorf("a 2,000-character user agent was kept as %d characters, want 300", len(page.Entries[0].UserAgent))
			}
		})
	}
}
