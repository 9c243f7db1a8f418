package supervision

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The access log: who did what to which file and record, when and from
// where. It is append-only: the store offers no way to change or remove an
// entry, and the database refuses UPDATE and DELETE on its table.
//
// Every read of a record, a file or a document and every command listed in
// AccessActions writes one entry from inside the service method that does
// it, so that no route can reach the content without leaving a line. Code
// in this package that adds such a method writes its entry with
// s.logAccess(ctx, AccessEntry{...}) (or s.logActor for the usual case of a
// signed-in actor) before it hands anything back; if the entry cannot be
// written, the method fails rather than act unlogged.

// AccessAction is what was done.
type AccessAction string

// The actions the access log records.
const (
	ActSignIn            AccessAction = "sign-in"
	ActSignInFailed      AccessAction = "sign-in-failed"
	ActViewFile          AccessAction = "view-file"
	ActViewRecord        AccessAction = "view-record"
	ActDownloadPDF       AccessAction = "download-pdf"
	ActDownloadDOCX      AccessAction = "download-docx"
	ActDownloadFrontPage AccessAction = "download-front-page"
	ActExport            AccessAction = "export"
	ActVerify            AccessAction = "verify"
	ActSign              AccessAction = "sign"
	ActHandover          AccessAction = "handover"
	ActAssignment        AccessAction = "assignment"
	ActRelationship      AccessAction = "relationship"
	ActPasswordReset     AccessAction = "password-reset"
	ActPasswordChange    AccessAction = "password-change"
	ActEndDate           AccessAction = "end-date"
	ActPurge             AccessAction = "purge"
	ActWithdraw          AccessAction = "withdraw"
	ActDeleteDraft       AccessAction = "delete-draft"
	// Attachments (attachments.go): a download, and an upload refused
	// because the scanner found a virus in it.
	ActDownloadAttachment AccessAction = "download-attachment"
	ActVirusRefused       AccessAction = "virus-refused"
)

// AccessActions lists every action with how a page names it, in the order
// a filter offers them.
var AccessActions = []struct {
	Action AccessAction
	Label  string
}{
	{ActViewFile, "Viewed the file"},
	{ActViewRecord, "Viewed a record"},
	{ActDownloadPDF, "Downloaded a PDF"},
	{ActDownloadDOCX, "Downloaded a Word document"},
	{ActDownloadFrontPage, "Downloaded the front page"},
	{ActDownloadAttachment, "Downloaded an attachment"},
	{ActExport, "Exported the file"},
	{ActVerify, "Checked a document"},
	{ActSign, "Signed a record"},
	{ActHandover, "Handed over the file"},
	{ActAssignment, "Assigned someone to the file"},
	{ActRelationship, "Changed a supervisor"},
	{ActPasswordReset, "Reset a password"},
	{ActPasswordChange, "Changed their password"},
	{ActEndDate, "Set an end date"},
	{ActPurge, "Purged the file"},
	{ActWithdraw, "Withdrew a record to draft"},
	{ActDeleteDraft, "Deleted a draft"},
	{ActVirusRefused, "Tried to attach a file with a virus"},
	{ActSignIn, "Signed in"},
	{ActSignInFailed, "Failed to sign in"},
}

// Label is how a page names the action.
func (a AccessAction) Label() string {
	for _, x := range AccessActions {
		if x.Action == a {
			return x.Label
		}
	}
	return string(a)
}

func knownAction(a string) bool {
	for _, x := range AccessActions {
		if string(x.Action) == a {
			return true
		}
	}
	return false
}

// ReadActions are the actions that show a file's contents to someone: what
// a supervisee sees in "who has read my file".
var ReadActions = []AccessAction{ActViewFile, ActViewRecord, ActDownloadPDF, ActDownloadDOCX, ActDownloadAttachment, ActDownloadFrontPage, ActExport, ActVerify}

// AccessEntry is one line of the access log.
type AccessEntry struct {
	ID         int64 // set by the store, in the order written
	At         time.Time
	ActorID    string // who, by staff id; "" when nobody signed in (a failed sign-in)
	ActorName  string // their name at the time
	ActorEmail string // the address tried, for sign-ins and failed sign-ins
	// ActorRole is the actor's standing towards the file at the time:
	// "supervisee", "supervisor", "administrator", ….
	ActorRole string
	Action    AccessAction
	FileID    string // whose file (the supervisee's staff id); "" when none
	RecordID  string // which record; "" when none
	Detail    string // what else: the export's reason, which document
	IP        string // the client's address
	UserAgent string // its user agent, cut to maxUserAgent bytes
}

// AccessQuery selects access log entries, newest first. Empty fields do
// not filter.
type AccessQuery struct {
	// ActorID and ActorEmail select one person: entries made by that staff
	// id, or sign-in attempts with that address; when both are set either
	// matches.
	ActorID    string
	ActorEmail string
	// ExceptActorID leaves out one person's own entries.
	ExceptActorID string
	FileID        string
	Actions       []AccessAction
	From, To      time.Time // entries at From or later, before To
	BeforeID      int64     // entries older than this one (paging through all)
	Limit, Offset int
}

// AccessLogStore keeps the access log. It has no method to change or
// delete an entry, by design.
type AccessLogStore interface {
	// AppendAccess adds an entry and sets its ID.
	AppendAccess(ctx context.Context, e *AccessEntry) error
	// AccessEntries returns the entries the query selects, newest first.
	AccessEntries(ctx context.Context, q AccessQuery) ([]*AccessEntry, error)
	// CountAccess counts them, ignoring Limit, Offset and BeforeID.
	CountAccess(ctx context.Context, q AccessQuery) (int, error)
}

// RequestInfo is where a request came from; the HTTP server puts it in
// each request's context, and the access log reads it from there.
type RequestInfo struct {
	IP        string
	UserAgent string
}

type requestInfoKey struct{}

// WithRequestInfo returns a context that carries where the request came
// from.
func WithRequestInfo(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, ri)
}

// RequestInfoFrom is where the request in ctx came from; empty outside a
// request (a command-line tool sets its own).
func RequestInfoFrom(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return ri
}

// Bounds on what one entry keeps, so that a client cannot grow the log
// with a huge header or address.
const (
	maxUserAgent   = 300
	maxLoggedEmail = 254
	maxLogDetail   = 1000
)

// logAccess writes one entry to the access log: At defaults to now, IP and
// UserAgent to those of the request in ctx. Callers return its error, so
// nothing is read or done that the log does not show.
func (s *core) logAccess(ctx context.Context, e AccessEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	ri := RequestInfoFrom(ctx)
	if e.IP == "" {
		e.IP = ri.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = ri.UserAgent
	}
	e.IP = truncate(cleanText(e.IP), 64)
	e.UserAgent = truncate(cleanText(e.UserAgent), maxUserAgent)
	e.ActorEmail = truncate(strings.ToLower(cleanText(e.ActorEmail)), maxLoggedEmail)
	e.ActorName = truncate(cleanText(e.ActorName), 200)
	e.Detail = truncate(cleanText(e.Detail), maxLogDetail)
	if err := s.store.AppendAccess(ctx, &e); err != nil {
		return fmt.Errorf("write the access log: %w", err)
	}
	return nil
}

// logActor logs what a signed-in actor did to a file (and record).
func (s *core) logActor(ctx context.Context, actor *Staff, role string, action AccessAction, fileID, recordID, detail string) error {
	e := AccessEntry{ActorRole: role, Action: action, FileID: fileID, RecordID: recordID, Detail: detail}
	if actor != nil {
		e.ActorID, e.ActorName = actor.ID, actor.Name
		if (role == "" || role == "admin") && actor.IsAdmin {
			e.ActorRole = "administrator"
		}
	}
	return s.logAccess(ctx, e)
}

// cleanText keeps valid UTF-8 without control characters, so that an
// entry reads the same on a page, in a CSV and in a terminal.
func cleanText(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// AccessFilter is what a person asks of the access log, as typed into the
// page's filter or an API query.
type AccessFilter struct {
	Person string `json:"person"` // a staff id
	File   string `json:"file"`   // a supervisee's staff id
	Action string `json:"action"`
	From   string `json:"from"` // YYYY-MM-DD, inclusive
	To     string `json:"to"`   // YYYY-MM-DD, inclusive
	Page   int    `json:"page"` // from 1
}

// AccessLogPageSize is how many entries a page of the log shows.
const AccessLogPageSize = 50

// maxCSVRows bounds one CSV download; a wider one is refused, asking for a
// narrower filter.
const maxCSVRows = 200000

// AccessLogPage is one page of the access log.
type AccessLogPage struct {
	Entries []*AccessEntry
	Total   int // entries the filter selects
	Page    int // from 1
	Pages   int
	File    *Staff // whose file, for FileAccessLog
	// Titles names the records the entries are about, by record id: the
	// form's title ("Supervision agreement"), for the pages to say which.
	Titles map[string]string
}

// accessQuery checks a filter and turns it into a query; every mistake names its
// field.
func (s *Files) accessQuery(f AccessFilter) (AccessQuery, error) {
	var q AccessQuery
	var errs []FieldError
	q.ActorID = strings.TrimSpace(f.Person)
	q.FileID = strings.TrimSpace(f.File)
	if a := strings.TrimSpace(f.Action); a != "" {
		if !knownAction(a) {
			errs = append(errs, FieldError{Field: "action", Message: "Select an action from the list"})
		}
		q.Actions = []AccessAction{AccessAction(a)}
	}
	parse := func(field, label, v string) time.Time {
		v = strings.TrimSpace(v)
		if v == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, v, s.cfg.Location)
		if err != nil {
			errs = append(errs, FieldError{Field: field, Message: label + " must be a real date, for example 2026-03-27"})
			return time.Time{}
		}
		return d
	}
	from := parse("from", "From date", f.From)
	to := parse("to", "To date", f.To)
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs = append(errs, FieldError{Field: "to", Message: "To date must be the same as or after the from date"})
	}
	if len(errs) > 0 {
		return q, &ValidationError{Fields: errs}
	}
	if !from.IsZero() {
		q.From = from.UTC()
	}
	if !to.IsZero() {
		q.To = to.AddDate(0, 0, 1).UTC() // to the end of that day
	}
	return q, nil
}

// withPersonEmail fills in the address of the person a query asks for, so that
// failed sign-ins to their account show with what they did.
func (s *Files) withPersonEmail(ctx context.Context, q *AccessQuery) error {
	if q.ActorID == "" {
		return nil
	}
	st, err := s.store.GetStaff(ctx, q.ActorID)
	if err == nil {
		q.ActorEmail = st.Email
		return nil
	}
	if errors.Is(err, ErrNotFound) {
		return nil // a former member of staff: their id alone
	}
	return err
}

func (s *Files) accessPage(ctx context.Context, q AccessQuery, page int) (*AccessLogPage, error) {
	total, err := s.store.CountAccess(ctx, q)
	if err != nil {
		return nil, err
	}
	p := &AccessLogPage{Total: total, Page: max(page, 1), Pages: max(1, (total+AccessLogPageSize-1)/AccessLogPageSize)}
	if p.Page > p.Pages {
		p.Page = p.Pages
	}
	q.Limit, q.Offset = AccessLogPageSize, (p.Page-1)*AccessLogPageSize
	if p.Entries, err = s.store.AccessEntries(ctx, q); err != nil {
		return nil, err
	}
	p.Titles = map[string]string{}
	for _, e := range p.Entries {
		if e.RecordID == "" {
			continue
		}
		if _, done := p.Titles[e.RecordID]; done {
			continue
		}
		p.Titles[e.RecordID] = ""
		r, err := s.store.GetRecord(ctx, e.RecordID)
		if errors.Is(err, ErrNotFound) {
			continue // purged
		}
		if err != nil {
			return nil, err
		}
		if def, ok := s.forms.GetVersion(r.FormID, r.FormVersion); ok {
			p.Titles[e.RecordID] = def.Title
		}
	}
	return p, nil
}

// AccessLog is one page of the access log as filtered, for administrators.
func (s *Files) AccessLog(ctx context.Context, actor *Staff, f AccessFilter) (*AccessLogPage, error) {
	if actor == nil || !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can read the access log")
	}
	q, err := s.accessQuery(f)
	if err != nil {
		return nil, err
	}
	if err := s.withPersonEmail(ctx, &q); err != nil {
		return nil, err
	}
	return s.accessPage(ctx, q, f.Page)
}

// FileAccessLog is who has read or downloaded a supervisee's file, newest
// first: for the supervisee, and for administrators. Their own reading is
// left out for the supervisee. Anyone else is told there is no such file.
func (s *Files) FileAccessLog(ctx context.Context, actor *Staff, staffID string, page int) (*AccessLogPage, error) {
	if actor == nil || (actor.ID != staffID && !actor.IsAdmin) {
		return nil, Errorf(ErrNotFound, "No such file")
	}
	st, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return nil, err
	}
	q := AccessQuery{FileID: staffID, Actions: ReadActions}
	if actor.ID == staffID {
		q.ExceptActorID = staffID
	}
	p, err := s.accessPage(ctx, q, page)
	if err != nil {
		return nil, err
	}
	p.File = st
	return p, nil
}

// csvHeader names the columns of the access log's CSV.
var csvHeader = []string{"id", "time (UTC)", "action", "who (staff id)", "who (name)", "email tried", "standing", "file (staff id)", "record", "detail", "IP address", "user agent"}

// AccessLogCSV writes every entry the filter selects (not one page) as
// CSV, newest first, for administrators. Cells that a spreadsheet would
// read as a formula are prefixed with an apostrophe.
func (s *Files) AccessLogCSV(ctx context.Context, actor *Staff, f AccessFilter, w io.Writer) error {
	if actor == nil || !actor.IsAdmin {
		return Errorf(ErrForbidden, "Only an administrator can read the access log")
	}
	q, err := s.accessQuery(f)
	if err != nil {
		return err
	}
	if err := s.withPersonEmail(ctx, &q); err != nil {
		return err
	}
	n, err := s.store.CountAccess(ctx, q)
	if err != nil {
		return err
	}
	if n > maxCSVRows {
		return &ValidationError{Message: fmt.Sprintf("The filter selects %d entries; one download holds at most %d. Choose a shorter date range or a person, file or action.", n, maxCSVRows),
			Fields: []FieldError{{Field: "from", Message: "Choose a shorter date range"}}}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	q.Limit = 1000
	for {
		batch, err := s.store.AccessEntries(ctx, q)
		if err != nil {
			return err
		}
		for _, e := range batch {
			row := []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), string(e.Action), e.ActorID, e.ActorName,
				e.ActorEmail, e.ActorRole, e.FileID, e.RecordID, e.Detail, e.IP, e.UserAgent}
			for i := range row {
				row[i] = CSVSafe(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		if len(batch) < q.Limit {
			break
		}
		q.BeforeID = batch[len(batch)-1].ID
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe defuses a cell a spreadsheet would run as a formula (starting
// with = + - @, or a tab or carriage return before one) by prefixing an
// apostrophe, as OWASP advises for CSV injection.
func CSVSafe(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + v
	}
	return v
}
