package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
)

type pageTemplate struct{ t *template.Template }

// basePage is what the layout needs on every page.
type basePage struct {
	Title   string
	OrgName string
	User    *supervision.Staff
	Back    string
	Flash   string
	// FlashLink, when set, follows the flash: a link on the same page
	// (the signing panel, say).
	FlashLink    *pageLink
	ErrorMessage string
	Errors       []supervision.FieldError
	ErrorMap     map[string]string
	// ErrorAnchors: where the error summary links a field's error, when
	// not to the element of the field's own id (a date's month or year
	// box). Date inputs of a form page are put here (anchorDates); a
	// stand-alone date input is found from what was posted (ErrorHref).
	ErrorAnchors map[string]string
	req          *http.Request
}

type pageLink struct{ Href, Text string }

func (b *basePage) HasErrors() bool { return len(b.Errors) > 0 }

func (s *Server) basePage(c *gin.Context, title string) *basePage {
	return &basePage{Title: title, OrgName: s.svc.OrgName(), User: currentUser(c), ErrorMap: map[string]string{}, req: c.Request}
}

// ErrorHref is the id the error summary links a field's error to: the
// field's input, or for a GOV.UK date input the first of its boxes in
// error (the day box when the date as a whole is wrong), as the GOV.UK
// date input pattern asks.
func (b *basePage) ErrorHref(field string) string {
	if a, ok := b.ErrorAnchors[field]; ok {
		return a
	}
	if b.req != nil {
		for _, v := range []url.Values{b.req.PostForm, b.req.URL.Query()} {
			if d, ok := v[field+".day"]; ok && len(d) > 0 {
				return dateBoxID(anchor(field), forms.JoinDateParts(d[0], v.Get(field+".month"), v.Get(field+".year")))
			}
		}
	}
	return anchor(field)
}

// dateBoxID is the id of a date input's first box in error for the value
// kept as typed: the day box's id (the field's), or that id with -month or
// -year. A real date, or a date wrong as a whole, gives the day box.
func dateBoxID(id, value string) string {
	_, bad := forms.DateProblem(value)
	for i, suffix := range [3]string{"", "-month", "-year"} {
		if bad[i] {
			return id + suffix
		}
	}
	return id
}

// anchorDates points the error summary at the first box in error of each
// date input in the sections (top-level questions, follow-ups and table
// cells).
func (b *basePage) anchorDates(secs []SectionVM) {
	var walk func(fs []FieldVM)
	walk = func(fs []FieldVM) {
		for i := range fs {
			f := &fs[i]
			if f.Kind == "date" && f.Error != "" && !f.ReadOnly {
				if b.ErrorAnchors == nil {
					b.ErrorAnchors = map[string]string{}
				}
				b.ErrorAnchors[f.Name] = dateBoxID(f.ID, f.Value)
			}
			for _, o := range f.Options {
				walk(o.Reveal)
			}
			if f.Table != nil {
				for _, row := range f.Table.Rows {
					walk(row)
				}
			}
		}
	}
	for i := range secs {
		walk(secs[i].Fields)
	}
}

// setErrors puts validation errors on a page: the summary and the map the
// fields read their message from.
func (b *basePage) setErrors(err error) bool {
	_, _, msg, fields := classify(err)
	if len(fields) == 0 {
		return false
	}
	if msg != (&supervision.ValidationError{}).Error() {
		b.ErrorMessage = msg
	}
	b.Errors = fields
	for _, f := range fields {
		if _, ok := b.ErrorMap[f.Field]; !ok {
			b.ErrorMap[f.Field] = f.Message
		}
	}
	return true
}

// anchor is the HTML id of the input for a field path: "actions.2.due" → "f-actions-2-due".
func anchor(field string) string { return "f-" + strings.ReplaceAll(field, ".", "-") }

// simpleInput is the view of one stand-alone input (sign-in, staff pages).
type simpleInput struct {
	ID, Name, Label, Type, Value, Hint, Error, Width, Autocomplete string
}

var roleLabels = map[supervision.RoleCategory]string{
	supervision.RoleStudent:         "Student",
	supervision.RoleASYE:            "Newly qualified (ASYE)",
	supervision.RoleProbation:       "In probation",
	supervision.RoleSocialWorker:    "Social worker",
	supervision.RoleFamilySupport:   "Family support",
	supervision.RoleTeamManager:     "Team manager",
	supervision.RoleSeniorManager:   "Senior manager",
	supervision.RoleResidential:     "Residential",
	supervision.RoleBusinessSupport: "Business support",
}

func (s *Server) funcs() template.FuncMap {
	loc := s.svc.Location()
	return template.FuncMap{
		"anchor": anchor,
		// dateBad: which boxes of a stand-alone date input in error to
		// mark (all three when the date as a whole is wrong).
		"dateBad": func(value, err string) [3]bool {
			if err == "" {
				return [3]bool{}
			}
			if _, bad := forms.DateProblem(value); bad != [3]bool{} {
				return bad
			}
			return [3]bool{true, true, true}
		},
		"fieldsHTML":           fieldsHTML,
		"sectionsHTML":         sectionsHTML,
		"attachmentsPanelHTML": attachmentsPanelHTML,
		"sel":                  selectOf,
		"partyLabel":           partyLabel,
		"dueLabel":             dueLabel,
		// agreementWeeks: the policy's weeks for a new agreement after a
		// change of supervisor.
		"agreementWeeks": func() int { return s.svc.Policy().Agreement.NewAfterChangeWeeks },
		"standingLabel":  standingLabel,
		"inc":            func(i int) int { return i + 1 },
		"paras":          paras,
		"lower":          strings.ToLower,
		"input": func(name, label, typ, value, hint string, errs map[string]string) simpleInput {
			in := simpleInput{ID: anchor(name), Name: name, Label: label, Type: typ, Value: value, Hint: hint, Error: errs[name]}
			switch typ {
			case "email":
				in.Autocomplete = "email"
			case "password":
				// Only the sign-in page asks for the user's own password;
				// elsewhere an admin is setting someone else's.
				in.Autocomplete = "new-password"
				if label == "Password" || label == "Current password" {
					in.Autocomplete = "current-password"
				}
			case "date":
				in.Width = "10"
			}
			return in
		},
		"dateParts": func(v string) [3]string {
			d, m, y := forms.SplitDate(v)
			return [3]string{d, m, y}
		},
		"deref": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		"roleLabel": func(r supervision.RoleCategory) string {
			if l, ok := roleLabels[r]; ok {
				return l
			}
			return string(r)
		},
		// roleName is a signer role as the file lists it: each attendee of a
		// group record signs as "attendee:<id>", listed as "attendee".
		"roleName": func(r string) string {
			if strings.HasPrefix(r, supervision.PartyAttendee+":") {
				return supervision.PartyAttendee
			}
			return r
		},
		"roleTitle": func(r string) string {
			if r == "" {
				return ""
			}
			if strings.HasPrefix(r, supervision.PartyAttendee+":") {
				return "Attendee" // each attendee of a group record signs as themselves
			}
			return strings.ToUpper(r[:1]) + r[1:]
		},
		"date": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.Format("2 January 2006")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.Format("2 January 2006")
			}
			return ""
		},
		"datetime": func(t any) string {
			var tt time.Time
			switch v := t.(type) {
			case time.Time:
				tt = v
			case *time.Time:
				if v == nil {
					return ""
				}
				tt = *v
			}
			return tt.In(loc).Format("2 January 2006 at 15:04")
		},
		// editURL: where a draft is filled in, its task list or its page.
		"editURL": func(v *supervision.RecordView) string { return supervision.EditURL(v.Form, v.Record.ID) },
		"statusTag": func(st supervision.Status) template.HTML {
			switch st {
			case supervision.StatusDraft:
				return `<strong class="govuk-tag govuk-tag--grey">Draft</strong>`
			case supervision.StatusAwaitingSignatures:
				return `<strong class="govuk-tag govuk-tag--yellow">Awaiting signatures</strong>`
			case supervision.StatusSigned:
				return `<strong class="govuk-tag govuk-tag--green">Signed</strong>`
			}
			return template.HTML(template.HTMLEscapeString(string(st)))
		},
	}
}

// parseTemplates parses the layout and partials with each page, once, at start.
func (s *Server) parseTemplates() error {
	pages, err := fs.Glob(s.opts.HTML, "*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*pageTemplate{}
	for _, p := range pages {
		if p == "layout.html" || p == "fields.html" {
			continue
		}
		files := []string{"layout.html", "fields.html", p}
		t := template.New("page:" + p).Funcs(s.funcs())
		for _, f := range files {
			b, err := fs.ReadFile(s.opts.HTML, f)
			if err != nil {
				return err
			}
			if _, err := t.New(f).Parse(string(b)); err != nil {
				return fmt.Errorf("template %s: %w", f, err)
			}
		}
		s.pages[strings.TrimSuffix(path.Base(p), ".html")] = &pageTemplate{t: t}
	}
	return nil
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	pt, ok := s.pages[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		c.String(http.StatusInternalServerError, "Something went wrong")
		return
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := pt.t.ExecuteTemplate(buf, "layout", data); err != nil {
		s.log.Error("render page", "name", name, "request_id", requestID(c), "err", err)
		c.String(http.StatusInternalServerError, "Something went wrong. Reference "+requestID(c))
		return
	}
	// With its length given, the page goes out as it is rather than
	// chunked (a write fewer for each page).
	c.Header("Content-Length", strconv.Itoa(buf.Len()))
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// pageBuffers holds the buffers pages are rendered into, so a page of a
// filled form (tens of kB) is not grown from empty on every request. c.Data
// has written the bytes out before the buffer goes back.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // an unusually large page: let it go rather than hold it
	}
	b.Reset()
	pageBuffers.Put(b)
}

// postDate reads a date posted from a GOV.UK date input (the boxes
// "<name>.day", "<name>.month" and "<name>.year") as one value: 2026-03-27,
// or what was typed, kept so the page can show it again with the error
// (forms.JoinDateParts). A date posted as one value is read as it is.
func postDate(c *gin.Context, name string) string {
	v, ok := getPostDate(c, name)
	if !ok {
		return ""
	}
	return v
}

func getPostDate(c *gin.Context, name string) (string, bool) {
	if d, ok := c.GetPostForm(name + ".day"); ok {
		return forms.JoinDateParts(d, c.PostForm(name+".month"), c.PostForm(name+".year")), true
	}
	return c.GetPostForm(name)
}

// queryDate is postDate for a filter's date in the query string.
func queryDate(c *gin.Context, name string) string {
	if d, ok := c.GetQuery(name + ".day"); ok {
		return forms.JoinDateParts(d, c.Query(name+".month"), c.Query(name+".year"))
	}
	return c.Query(name)
}
