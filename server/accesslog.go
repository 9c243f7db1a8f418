package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// accessInfo puts where the request comes from into its context, where
// the service's access log reads it. The address is gin's ClientIP, which
// believes X-Forwarded-For only from the trusted proxies.
func (s *Server) accessInfo(c *gin.Context) {
	ri := supervision.RequestInfo{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
	c.Request = c.Request.WithContext(supervision.WithRequestInfo(c.Request.Context(), ri))
	c.Next()
}

// Routes lists every route the server answers, for tests that check each
// one (that every read is logged, that every route has an access rule).
func (s *Server) Routes() gin.RoutesInfo { return s.gin.Routes() }

// accessFilter reads the access log's filter from the query string.
func accessFilter(c *gin.Context) supervision.AccessFilter {
	page, _ := strconv.Atoi(c.Query("page"))
	return supervision.AccessFilter{Person: c.Query("person"), File: c.Query("file"), Action: c.Query("action"),
		From: queryDate(c, "from"), To: queryDate(c, "to"), Page: page}
}

type accessEntryJSON struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	ActorID    string    `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor_name,omitempty"`
	ActorEmail string    `json:"actor_email,omitempty"`
	ActorRole  string    `json:"actor_role,omitempty"`
	FileID     string    `json:"file_id,omitempty"`
	RecordID   string    `json:"record_id,omitempty"`
	Record     string    `json:"record_title,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
}

type accessPageJSON struct {
	Entries []accessEntryJSON `json:"entries"`
	Total   int               `json:"total"`
	Page    int               `json:"page"`
	Pages   int               `json:"pages"`
}

func accessOut(p *supervision.AccessLogPage, full bool) accessPageJSON {
	out := accessPageJSON{Entries: []accessEntryJSON{}, Total: p.Total, Page: p.Page, Pages: p.Pages}
	for _, e := range p.Entries {
		j := accessEntryJSON{ID: e.ID, At: e.At, Action: string(e.Action), ActorID: e.ActorID, ActorName: e.ActorName,
			ActorRole: e.ActorRole, FileID: e.FileID, RecordID: e.RecordID, Record: p.Titles[e.RecordID]}
		if full {
			// Only administrators see where from, and what was typed.
			j.ActorEmail, j.Detail, j.IP, j.UserAgent = e.ActorEmail, e.Detail, e.IP, e.UserAgent
		}
		out.Entries = append(out.Entries, j)
	}
	return out
}

// apiAccessLog is GET /api/v1/access-log: one page of the log, filtered,
// for administrators.
func (s *Server) apiAccessLog(c *gin.Context) error {
	p, err := s.svc.Files.AccessLog(c.Request.Context(), currentUser(c), accessFilter(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, accessOut(p, true))
	return nil
}

// accessLogCSV is the whole filtered log as CSV, for the page and the API.
// It is streamed, so that a long log does not sit in memory: a refusal (a
// bad filter, not an admin) comes before the first byte and gets an error
// page or JSON; a failure part way, which only a database fault can cause,
// ends the download short and is logged.
func (s *Server) accessLogCSV(c *gin.Context) error {
	name := "access-log-" + time.Now().In(s.svc.Location()).Format("2006-01-02") + ".csv"
	w := &csvDownload{c: c, name: name}
	if err := s.svc.Files.AccessLogCSV(c.Request.Context(), currentUser(c), accessFilter(c), w); err != nil {
		if w.started {
			s.log.Error("access log CSV ended short", "request_id", requestID(c), "err", err)
			c.Abort()
			return nil
		}
		if isAPI(c) {
			return err
		}
		p, verr := s.accessLogView(c)
		if verr != nil || !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "access_log", p)
		return nil
	}
	if !w.started {
		_, _ = w.Write(nil)
	}
	return nil
}

// csvDownload sends the CSV's headers with its first bytes, so that an
// error found before then can still be answered with a page.
type csvDownload struct {
	c       *gin.Context
	name    string
	started bool
}

func (w *csvDownload) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		h := w.c.Writer.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+w.name+`"`)
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}

// apiFileAccessLog is GET /api/v1/staff/{id}/access-log: who has read or
// downloaded a supervisee's file, for the supervisee (and administrators).
func (s *Server) apiFileAccessLog(c *gin.Context) error {
	page, _ := strconv.Atoi(c.Query("page"))
	p, err := s.svc.Files.FileAccessLog(c.Request.Context(), currentUser(c), c.Param("id"), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, accessOut(p, currentUser(c).IsAdmin))
	return nil
}

// ---- pages ----

type accessRow struct {
	Entry    *supervision.AccessEntry
	Label    string
	Who      string
	Standing string // "Line manager", from "line_manager"
	Title    string // the record's form, when the entry is about a record
	File     string // the file's owner's name, or id
	Record   string // the record's link, when there is one
}

type accessAction struct {
	Value, Label string
}

type accessLogPage struct {
	Page    *basePage
	Filter  supervision.AccessFilter
	People  []person
	Actions []accessAction
	Rows    []accessRow
	Total   int
	PageNo  int
	Pages   int
	Prev    string
	Next    string
	CSV     string
}

// pageURL is the address of the same filter on another page, or as CSV.
func pageURL(path string, f supervision.AccessFilter, page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"person": f.Person, "file": f.File, "action": f.Action, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (s *Server) accessRows(c *gin.Context, p *supervision.AccessLogPage) ([]accessRow, error) {
	names, err := s.svc.People.Names(c.Request.Context())
	if err != nil {
		return nil, err
	}
	var rows []accessRow
	for _, e := range p.Entries {
		r := accessRow{Entry: e, Label: e.Action.Label(), Who: e.ActorName, Standing: logStanding(e.ActorRole), Title: p.Titles[e.RecordID]}
		if r.Who == "" {
			r.Who = e.ActorEmail
		}
		if e.FileID != "" {
			r.File = names[e.FileID]
			if r.File == "" {
				r.File = e.FileID
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (s *Server) accessLogView(c *gin.Context) (*accessLogPage, error) {
	f := accessFilter(c)
	p := &accessLogPage{Page: s.basePage(c, "Access log"), Filter: f}
	p.Page.Back = "/admin/staff"
	people, err := s.people(c)
	if err != nil {
		return nil, err
	}
	p.People = people
	for _, a := range supervision.AccessActions {
		p.Actions = append(p.Actions, accessAction{Value: string(a.Action), Label: a.Label})
	}
	lp, err := s.svc.Files.AccessLog(c.Request.Context(), currentUser(c), f)
	if err != nil {
		if !p.Page.setErrors(err) {
			return nil, err
		}
		return p, nil
	}
	if p.Rows, err = s.accessRows(c, lp); err != nil {
		return nil, err
	}
	p.Total, p.PageNo, p.Pages = lp.Total, lp.Page, lp.Pages
	if lp.Page > 1 {
		p.Prev = pageURL("/admin/access-log", f, lp.Page-1)
	}
	if lp.Page < lp.Pages {
		p.Next = pageURL("/admin/access-log", f, lp.Page+1)
	}
	p.CSV = pageURL("/admin/access-log.csv", f, 0)
	return p, nil
}

// accessLogPage is /admin/access-log: the log, filtered by person, file,
// action and dates, a page at a time, for administrators.
func (s *Server) accessLogPage(c *gin.Context) error {
	p, err := s.accessLogView(c)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if p.Page.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "access_log", p)
	return nil
}

type fileAccessPage struct {
	Page   *basePage
	Staff  *supervision.Staff
	Own    bool
	Rows   []accessRow
	Total  int
	PageNo int
	Pages  int
	Prev   string
	Next   string
}

// fileAccessPage is /staff/{id}/access-log: who has read or downloaded the
// supervisee's file.
func (s *Server) fileAccessPage(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := currentUser(c)
	id := c.Param("id")
	page, _ := strconv.Atoi(c.Query("page"))
	lp, err := s.svc.Files.FileAccessLog(ctx, actor, id, page)
	if err != nil {
		return err
	}
	p := &fileAccessPage{Page: s.basePage(c, "Who has read the file"), Staff: lp.File, Own: actor.ID == id,
		Total: lp.Total, PageNo: lp.Page, Pages: lp.Pages}
	if p.Own {
		p.Page.Title = "Who has read your file"
	}
	p.Page.Back = "/staff/" + id + "/file"
	if p.Rows, err = s.accessRows(c, lp); err != nil {
		return err
	}
	base := "/staff/" + url.PathEscape(id) + "/access-log"
	if lp.Page > 1 {
		p.Prev = base + "?page=" + strconv.Itoa(lp.Page-1)
	}
	if lp.Page < lp.Pages {
		p.Next = base + "?page=" + strconv.Itoa(lp.Page+1)
	}
	s.render(c, http.StatusOK, "file_access", p)
	return nil
}

// logStanding is how the log's pages name a standing: "line_manager" →
// "Line manager".
func logStanding(role string) string {
	role = strings.ReplaceAll(role, "_", " ")
	if role == "" {
		return ""
	}
	return strings.ToUpper(role[:1]) + role[1:]
}
