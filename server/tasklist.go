package server

// A form with more than four sections is filled in from a task list (GOV.UK
// "complete multiple tasks"): each section on its own page with "Save and
// continue", then "Check your answers" before it is submitted. The single
// long page stays as the record view, for printing, and as the edit page of
// shorter forms.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
)

func (s *Server) taskListRoutes(p *gin.RouterGroup) {
	p.GET("records/:rid/tasks", s.page(s.recordTasks))
	p.GET("records/:rid/tasks/:n", s.page(s.recordSection))
	p.POST("records/:rid/tasks/:n", s.page(s.recordSectionSave))
	p.GET("records/:rid/check", s.page(s.recordCheck))
	p.POST("records/:rid/check", s.page(s.recordCheckSubmit))
}

// taskRow is one section on the task list.
type taskRow struct {
	Number int
	Title  string
	URL    string // "" for a section the actor does not fill in
	// Status is the words shown; Tag the GOV.UK tag colour, "" for plain
	// text (completed, and another party's section).
	Status, Tag string
	Hint        string
}

type recordTasksPage struct {
	Page      *basePage
	View      *supervision.RecordView
	Rows      []taskRow
	Completed int // of the sections the actor fills in
	Mine      int
	CheckURL  string
}

// openDraft reads the record for a task-list page: nil, after redirecting,
// when it is not a draft the actor fills in, or not a task-list form.
func (s *Server) openDraft(c *gin.Context) (*supervision.RecordView, error) {
	v, err := s.svc.Records.Record(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return nil, err
	}
	if !v.CanEdit {
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID)
		return nil, nil
	}
	if !supervision.UsesTaskList(v.Form) {
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"/edit")
		return nil, nil
	}
	return v, nil
}

func sectionURL(v *supervision.RecordView, i int) string {
	return "/records/" + v.Record.ID + "/tasks/" + strconv.Itoa(i+1)
}

func (s *Server) recordTasks(c *gin.Context) error {
	v, err := s.openDraft(c)
	if v == nil {
		return err
	}
	p := &recordTasksPage{Page: s.basePage(c, v.Form.Title+": "+v.Supervisee.Name), View: v, CheckURL: "/records/" + v.Record.ID + "/check"}
	p.Page.Back = s.backFrom(c, v)
	states, err := s.svc.Records.SectionStates(c.Request.Context(), v)
	if err != nil {
		return err
	}
	for i := range v.Form.Sections {
		sec := &v.Form.Sections[i]
		row := taskRow{Number: i + 1, Title: sec.Title}
		if v.Access.WritesSection(sec.Owner) {
			p.Mine++
			row.URL = sectionURL(v, i)
			switch states[i] {
			case supervision.SectionCompleted:
				row.Status = "Completed"
				p.Completed++
			case supervision.SectionInProgress:
				row.Status, row.Tag = "In progress", "light-blue"
			default:
				row.Status, row.Tag = "Not started", "blue"
			}
		} else {
			owner := strings.ToLower(ownerLabel(v.Form, sec.Owner))
			row.Status = "For the " + owner
			row.Hint = fmt.Sprintf("The %s fills in this part (%s)", owner, states[i])
		}
		p.Rows = append(p.Rows, row)
	}
	switch {
	case c.Query("saved") != "":
		p.Page.Flash = "Draft saved"
	case c.Query("started") != "":
		p.Page.Flash = fmt.Sprintf("Version %d started from the last signed version. Change what has changed, then send it for signatures.", v.Record.Version)
	case c.Query("withdrawn") != "":
		p.Page.Flash = "Withdrawn to draft. The signatures given are cleared: everyone signs again once you submit it."
	}
	s.render(c, http.StatusOK, "record_tasks", p)
	return nil
}

type recordSectionPage struct {
	Page     *basePage
	View     *supervision.RecordView
	Section  SectionVM
	Number   int
	Count    int
	Revision int
	TasksURL string
	// FromCheck: opened by a Change link on Check your answers, where
	// saving returns.
	FromCheck bool
	// Evidence is, on a file audit's question, what the audited file shows
	// about it (read-only, beside the question); Subject whose file it is.
	Evidence []supervision.EvidenceLine
	Subject  *supervision.Staff
}

// sectionErrors keeps the problems that are beside a section's questions.
func sectionErrors(def *forms.Definition, i int, problems []supervision.FieldError) []supervision.FieldError {
	in := map[string]bool{}
	for _, f := range def.Sections[i].Fields {
		in[f.ID] = true
	}
	var out []supervision.FieldError
	for _, p := range problems {
		top, _, _ := strings.Cut(p.Field, ".")
		if in[top] {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) renderSection(c *gin.Context, status int, v *supervision.RecordView, i int, data map[string]any, revision int, err error) error {
	var people []person
	if hasPersonField(v.Form) {
		var perr error
		if people, perr = s.people(c); perr != nil {
			return perr
		}
	}
	sec := &v.Form.Sections[i]
	p := &recordSectionPage{Page: s.basePage(c, sec.Title+" – "+v.Form.Title+": "+v.Supervisee.Name), View: v,
		Number: i + 1, Count: len(v.Form.Sections), Revision: revision, TasksURL: "/records/" + v.Record.ID + "/tasks"}
	p.Page.Back = p.TasksURL
	if c.Query("from") == "check" || c.PostForm("_return") == "check" {
		p.FromCheck, p.Page.Back = true, "/records/"+v.Record.ID+"/check"
	}
	if err != nil && !p.Page.setErrors(err) {
		return err
	}
	if c.Query("saved") != "" && len(p.Page.Errors) > 0 {
		p.Page.Flash = "Draft saved with everything as you typed it. Correct the answers marked below before you submit it."
	}
	secs := buildSections(v.Form, data, p.Page.ErrorMap, people, v.Access.WritesSection)
	lockOthersLearning(secs, v)
	p.Page.anchorDates(secs)
	p.Section = secs[i]
	if supervision.IsAudit(v.Form) {
		ev, err := s.svc.Files.AuditEvidence(c.Request.Context(), currentUser(c), v, sec.ID)
		if err != nil {
			return err
		}
		if ev != nil {
			p.Evidence, p.Subject = ev.BySection[sec.ID], ev.Subject
		}
	}
	s.render(c, status, "record_section", p)
	return nil
}

// section finds the section the path names, one the actor fills in.
func (s *Server) section(c *gin.Context, v *supervision.RecordView) (int, bool) {
	i, ok := supervision.SectionIndex(v.Form, c.Param("n"))
	if !ok {
		return 0, false
	}
	if !v.Access.WritesSection(v.Form.Sections[i].Owner) {
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"/tasks")
		return 0, false
	}
	return i, true
}

func (s *Server) recordSection(c *gin.Context) error {
	v, err := s.openDraft(c)
	if v == nil {
		return err
	}
	i, ok := s.section(c, v)
	if !ok {
		if c.Writer.Written() {
			return nil
		}
		return supervision.Errorf(supervision.ErrNotFound, "This form has no such section")
	}
	var problems error
	if errs := sectionErrors(v.Form, i, v.Problems); len(errs) > 0 {
		problems = &supervision.ValidationError{Message: "Some answers are not valid yet. They are saved as you typed them; correct them before you submit the record.", Fields: errs}
	}
	return s.renderSection(c, http.StatusOK, v, i, v.Data, v.Record.Revision, problems)
}

func (s *Server) recordSectionSave(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := currentUser(c)
	if err := c.Request.ParseForm(); err != nil {
		return err
	}
	revision, _ := strconv.Atoi(c.PostForm("_revision"))
	action := c.PostForm("action")
	if strings.HasPrefix(action, "add-row:") || strings.HasPrefix(action, "remove-row:") {
		// Adding or removing a row only changes the page; everything typed
		// is posted back with it.
		v, err := s.openDraft(c)
		if v == nil {
			return err
		}
		i, ok := s.section(c, v)
		if !ok {
			if c.Writer.Written() {
				return nil
			}
			return supervision.Errorf(supervision.ErrNotFound, "This form has no such section")
		}
		posted := v.Form.DecodeForm(c.Request.PostForm)
		data := make(map[string]any, len(v.Data))
		for k, val := range v.Data {
			data[k] = val
		}
		for _, f := range v.Form.Sections[i].Fields {
			if val, ok := posted[f.ID]; ok {
				data[f.ID] = val
			} else {
				delete(data, f.ID)
			}
		}
		tableAction(v.Form, data, action)
		return s.renderSection(c, http.StatusOK, v, i, data, revision, nil)
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return supervision.Errorf(supervision.ErrNotFound, "This form has no such section")
	}
	v, err := s.svc.Records.SaveDraftPost(ctx, actor, c.Param("rid"), supervision.DraftPost{
		Values: c.Request.PostForm, Revision: revision, Section: n})
	if v == nil {
		return err
	}
	id := v.Record.ID
	fromCheck := c.PostForm("_return") == "check"
	switch {
	case err == nil && len(sectionErrors(v.Form, n-1, v.Problems)) > 0:
		// Kept as typed: the same page shows what to correct.
		back := sectionURL(v, n-1) + "?saved=1"
		if fromCheck {
			back += "&from=check"
		}
		c.Redirect(http.StatusSeeOther, back)
	case err == nil && fromCheck:
		c.Redirect(http.StatusSeeOther, "/records/"+id+"/check")
	case err == nil && action == "continue":
		next := ""
		for j := n; j < len(v.Form.Sections); j++ {
			if v.Access.WritesSection(v.Form.Sections[j].Owner) {
				next = sectionURL(v, j)
				break
			}
		}
		if next == "" {
			next = "/records/" + id + "/tasks?saved=1"
		}
		c.Redirect(http.StatusSeeOther, next)
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/records/"+id+"/tasks?saved=1")
	case v.Record.Status == supervision.StatusDraft && !v.CanEdit:
		c.Redirect(http.StatusSeeOther, "/records/"+id)
	case errors.Is(err, supervision.ErrConflict):
		s.renderConflict(c, v, err)
	case errors.Is(err, supervision.ErrForbidden):
		return err
	default:
		// Refused as entered: the same page again, with the answers as
		// typed and an error beside each field.
		if !supervision.UsesTaskList(v.Form) || n > len(v.Form.Sections) {
			return err
		}
		return s.renderSection(c, http.StatusUnprocessableEntity, v, n-1, v.Data, v.Record.Revision, err)
	}
	return nil
}

// checkRow is one answer on the check-your-answers page.
type checkRow struct {
	ID        string // the row's anchor, for the error summary
	Label     string
	Answer    forms.DisplayField
	ChangeURL string // "" for another party's answer
	Error     string
}

type checkSection struct {
	ID        string
	Title     string
	ChangeURL string
	Owner     string // set for another party's section
	Rows      []checkRow
	// Evidence is, on a file audit's question, what the audited file
	// shows about it, beside the answer (as on the question's own page).
	Evidence []supervision.EvidenceLine
}

type recordCheckPage struct {
	Page     *basePage
	View     *supervision.RecordView
	Sections []checkSection
	Revision int
	TasksURL string
	Subject  *supervision.Staff // whose file the evidence is from
}

func (s *Server) renderCheck(c *gin.Context, status int, v *supervision.RecordView, err error) error {
	names, nerr := s.svc.People.Names(c.Request.Context())
	if nerr != nil {
		return nerr
	}
	nameOf := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	p := &recordCheckPage{Page: s.basePage(c, "Check your answers – "+v.Form.Title+": "+v.Supervisee.Name), View: v,
		Revision: v.Record.Revision, TasksURL: "/records/" + v.Record.ID + "/tasks"}
	p.Page.Back = p.TasksURL
	if err != nil {
		// The problems are listed against the questions' rows here; each
		// row's Change link opens the section's page.
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		top := &supervision.ValidationError{Message: ve.Message}
		for _, f := range ve.Fields {
			name, _, _ := strings.Cut(f.Field, ".")
			top.Fields = append(top.Fields, supervision.FieldError{Field: name, Message: f.Message})
		}
		p.Page.setErrors(top)
	}
	var ev *supervision.AuditEvidence
	if supervision.IsAudit(v.Form) {
		// One read of the audited file for the whole page.
		var err error
		if ev, err = s.svc.Files.AuditEvidence(c.Request.Context(), currentUser(c), v, ""); err != nil {
			return err
		}
		if ev != nil {
			p.Subject = ev.Subject
		}
	}
	for i := range v.Form.Sections {
		sec := &v.Form.Sections[i]
		cs := checkSection{ID: sec.ID, Title: sec.Title}
		if ev != nil {
			cs.Evidence = ev.BySection[sec.ID]
		}
		mine := v.Access.WritesSection(sec.Owner)
		if mine {
			cs.ChangeURL = sectionURL(v, i)
		} else {
			cs.Owner = strings.ToLower(ownerLabel(v.Form, sec.Owner))
		}
		for _, f := range sec.Fields {
			answer, ok := v.Form.DisplayOne(f.ID, v.Data, nameOf)
			if !ok {
				continue
			}
			row := checkRow{ID: anchor(f.ID), Label: f.Label, Answer: answer, Error: p.Page.ErrorMap[f.ID]}
			if mine {
				row.ChangeURL = cs.ChangeURL + "?from=check#" + anchor(f.ID)
			}
			cs.Rows = append(cs.Rows, row)
		}
		p.Sections = append(p.Sections, cs)
	}
	s.render(c, status, "record_check", p)
	return nil
}

func (s *Server) recordCheck(c *gin.Context) error {
	v, err := s.openDraft(c)
	if v == nil {
		return err
	}
	return s.renderCheck(c, http.StatusOK, v, nil)
}

func (s *Server) recordCheckSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := currentUser(c)
	revision, _ := strconv.Atoi(c.PostForm("_revision"))
	if c.PostForm("action") == "send" {
		// The other party's turn: nothing typed here, so nothing to save.
		v, err := s.svc.Records.Record(ctx, actor, c.Param("rid"))
		if err != nil {
			return err
		}
		if v.Record.Status == supervision.StatusDraft && v.Record.Revision != revision {
			s.renderConflict(c, v, supervision.Errorf(supervision.ErrConflict, "Someone else saved this record after you checked it"))
			return nil
		}
		if _, err := s.svc.Records.SendToOther(ctx, actor, v.Record.ID); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"?done=sent")
		return nil
	}
	v, err := s.svc.Records.SubmitAt(ctx, actor, c.Param("rid"), revision)
	switch {
	case v == nil:
		return err
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"?done=submitted")
	case errors.Is(err, supervision.ErrConflict):
		s.renderConflict(c, v, err)
	case v.Record.Status == supervision.StatusDraft && !v.CanEdit:
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID)
	default:
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) || !supervision.UsesTaskList(v.Form) {
			return err
		}
		return s.renderCheck(c, http.StatusUnprocessableEntity, v, err)
	}
	return nil
}
