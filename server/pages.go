package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision"
)

type loginPage struct {
	Page  *basePage
	Email string
	Next  string
	// Provider names the identity provider when OpenID Connect is set up.
	Provider string
	// Passwords: the email and password form is offered.
	Passwords bool
	// OIDCURL starts a sign-in with the provider, keeping next.
	OIDCURL string
}

func (s *Server) newLoginPage(c *gin.Context, email, next string) *loginPage {
	p := &loginPage{Page: s.basePage(c, "Sign in"), Email: email, Next: next, Passwords: s.svc.People.LocalPasswords()}
	if s.opts.OIDC != nil {
		p.Provider = s.opts.OIDC.Name
		p.OIDCURL = "/login/oidc"
		if next != "" && safeNext(next) == next {
			p.OIDCURL += "?next=" + url.QueryEscape(next)
		}
	}
	return p
}

func (s *Server) loginPage(c *gin.Context) error {
	if currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	s.render(c, http.StatusOK, "login", s.newLoginPage(c, "", c.Query("next")))
	return nil
}

func (s *Server) loginSubmit(c *gin.Context) error {
	email, password, next := c.PostForm("email"), c.PostForm("password"), c.PostForm("next")
	token, _, err := s.svc.People.SignIn(c.Request.Context(), supervision.LoginInput{Email: email, Password: password, Address: c.ClientIP()})
	if err != nil {
		if len(email) > supervision.MaxEmailLength {
			email = "" // not worth sending back
		}
		p := s.newLoginPage(c, email, next)
		if !p.Page.setErrors(err) {
			status, _, msg, _ := classify(err)
			if status >= 500 {
				return err
			}
			p.Page.setErrors(&supervision.ValidationError{Fields: []supervision.FieldError{{Field: "email", Message: msg}}})
		}
		status := http.StatusUnprocessableEntity
		if retryAfter(c, err) {
			status = http.StatusTooManyRequests
		}
		s.render(c, status, "login", p)
		return nil
	}
	s.setSessionCookie(c, token)
	c.Redirect(http.StatusSeeOther, safeNext(next))
	return nil
}

func (s *Server) logout(c *gin.Context) error {
	if ck, err := c.Cookie(cookieName); err == nil && ck != "" {
		if err := s.svc.People.Logout(c.Request.Context(), ck); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

type homePage struct {
	Page        *basePage
	Tasks       []*supervision.Task // "Needs your action" (living.go)
	Supervisees []*supervision.Staff
	Access      homeAccess // access.go: cover, named records, audits
	Handover    *supervision.HandoverHome
	Due         *dueHome // due.go: what is due, with timelines
}

func (s *Server) home(c *gin.Context) error {
	list, err := s.svc.Admin.Supervisees(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	p := &homePage{Page: s.basePage(c, "Home"), Supervisees: list}
	if p.Tasks, err = s.svc.Files.Tasks(c.Request.Context(), currentUser(c)); err != nil {
		return err
	}
	if c.Query("deleted") != "" {
		p.Page.Flash = "Draft deleted"
	}
	if p.Access, err = s.homeAccess(c, len(list) > 0); err != nil {
		return err
	}
	if p.Handover, err = s.svc.Admin.HandoverHome(c.Request.Context(), currentUser(c)); err != nil {
		return err
	}
	if p.Due, err = s.dueHome(c); err != nil {
		return err
	}
	if c.Query("handover") == "done" {
		p.Page.Flash = "File handed over. Both supervisors now sign the handover record."
	}
	s.render(c, http.StatusOK, "home", p)
	return nil
}

type staffRow struct {
	Staff      *supervision.Staff
	Supervisor *supervision.Staff
	// Left: the member of staff has left. HandoverNeeded: their
	// supervisor has, and the file needs a new one.
	Left, HandoverNeeded bool
}

type staffListPage struct {
	Page   *basePage
	Staff  []*supervision.Staff
	Filter *listFilter
	// Rows are the staff the search and filters leave.
	Rows  []staffRow
	Roles []supervision.RoleCategory
	Form  supervision.NewStaff
	// Passwords: local passwords are on, so a new person is given one.
	Passwords bool
	// Failed are the records whose documents crashed the renderer or
	// the sealer: the administrators are told here.
	Failed []*supervision.FailedRecord
	// VirusScanning: attachments are scanned with clamd (attachments.go).
	VirusScanning bool
}

func (s *Server) staffListView(c *gin.Context, form supervision.NewStaff) (*staffListPage, error) {
	ctx := c.Request.Context()
	list, err := s.svc.People.ListStaff(ctx, currentUser(c))
	if err != nil {
		return nil, err
	}
	p := &staffListPage{Page: s.basePage(c, "Manage staff"), Staff: list, Roles: supervision.RoleCategories, Form: form, Passwords: s.svc.People.LocalPasswords(),
		Filter: newListFilter(c, "/admin/staff", "staff"), VirusScanning: s.svc.Records.VirusScanning()}
	if p.Failed, err = s.svc.Records.FailedDocuments(ctx, currentUser(c)); err != nil {
		return nil, err
	}
	// A team is a line manager's: the people whose supervisor they
	// supervise.
	supOf := map[string]*supervision.Staff{}
	for _, st := range list {
		sup, err := s.svc.CurrentSupervisor(ctx, st.ID)
		if err != nil {
			return nil, err
		}
		supOf[st.ID] = sup
	}
	for _, st := range list {
		sup := supOf[st.ID]
		supID, team := "", ""
		if sup != nil {
			supID = sup.ID
			addOption(&p.Filter.Supervisors, sup.ID, sup.Name, c.Query("supervisor"))
			if lm := supOf[sup.ID]; lm != nil {
				team = lm.ID
				addOption(&p.Filter.Teams, lm.ID, "Team of "+lm.Name, c.Query("team"))
			}
		}
		if !p.Filter.match(st, team, supID) {
			continue
		}
		p.Rows = append(p.Rows, staffRow{Staff: st, Supervisor: sup, Left: s.svc.HasLeft(st), HandoverNeeded: s.svc.Admin.HandoverNeeded(sup)})
	}
	return p, nil
}

func (s *Server) staffList(c *gin.Context) error {
	p, err := s.staffListView(c, supervision.NewStaff{})
	if err != nil {
		return err
	}
	if c.Query("added") != "" {
		p.Page.Flash = "Member of staff added"
	}
	s.render(c, http.StatusOK, "staff", p)
	return nil
}

func (s *Server) staffCreate(c *gin.Context) error {
	form := supervision.NewStaff{
		Name: c.PostForm("name"), Email: c.PostForm("email"), JobTitle: c.PostForm("job_title"),
		Role: c.PostForm("role"), StartDate: postDate(c, "start_date"), Password: c.PostForm("password"),
		IsAdmin: c.PostForm("is_admin") == "yes",
	}
	st, err := s.svc.People.CreateStaff(c.Request.Context(), currentUser(c), form)
	if err != nil {
		p, verr := s.staffListView(c, form)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "staff", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff/"+st.ID+"?added=1")
	return nil
}

type aboutPage struct {
	Page            *basePage
	SealFingerprint string
}

// aboutPage says what the service is and how to check the seal on its
// documents (the certificate's fingerprint is public).
func (s *Server) aboutPage(c *gin.Context) error {
	p := &aboutPage{Page: s.basePage(c, "About this service"), SealFingerprint: s.svc.Records.SealFingerprint()}
	s.render(c, http.StatusOK, "about", p)
	return nil
}

type historyItem struct {
	Name string
	From any
	To   any
}

type staffMemberPage struct {
	Page         *basePage
	Staff        *supervision.Staff
	Supervisor   *supervision.Staff
	Candidates   []*supervision.Staff
	SupervisorID string
	From         string
	History      []historyItem
	ExportReason string
	// Edit is the details form; Left, HandoverNeeded and RetentionUntil
	// describe a leaver and their supervisees.
	Edit           supervision.StaffPatch
	Roles          []supervision.RoleCategory
	Left           bool
	HandoverNeeded bool
	RetentionUntil *time.Time
	Passwords      bool
}

func (s *Server) staffMemberView(c *gin.Context) (*staffMemberPage, error) {
	ctx := c.Request.Context()
	actor := currentUser(c)
	st, err := s.svc.People.StaffMember(ctx, actor, c.Param("id"))
	if err != nil {
		return nil, err
	}
	sup, err := s.svc.CurrentSupervisor(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	all, err := s.svc.People.ListStaff(ctx, actor)
	if err != nil {
		return nil, err
	}
	p := &staffMemberPage{Page: s.basePage(c, st.Name), Staff: st, Supervisor: sup, Roles: supervision.RoleCategories,
		Left: s.svc.HasLeft(st), HandoverNeeded: s.svc.Admin.HandoverNeeded(sup), RetentionUntil: s.svc.Admin.RetentionUntil(st),
		Passwords: s.svc.People.LocalPasswords()}
	p.Edit = staffPatchOf(st)
	p.Page.Back = "/admin/staff"
	for _, o := range all {
		if o.ID != st.ID {
			p.Candidates = append(p.Candidates, o)
		}
	}
	if sup != nil {
		p.SupervisorID = sup.ID
	}
	hist, err := s.svc.Admin.SupervisorHistory(ctx, actor, st.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range hist {
		item := historyItem{Name: h.Supervisor.Name, From: h.From}
		if h.To != nil {
			item.To = *h.To
		}
		p.History = append(p.History, item)
	}
	return p, nil
}

func (s *Server) staffMember(c *gin.Context) error {
	p, err := s.staffMemberView(c)
	if err != nil {
		return err
	}
	switch {
	case c.Query("added") != "":
		p.Page.Flash = "Member of staff added. Now set their supervisor."
	case c.Query("set") != "":
		p.Page.Flash = "Supervisor set"
	case c.Query("password") != "":
		p.Page.Flash = "Password set. Tell them it by a safe route; they can sign in with it now."
	case c.Query("saved") != "":
		p.Page.Flash = "Details saved"
	}
	s.render(c, http.StatusOK, "staff_member", p)
	return nil
}

func (s *Server) staffSetSupervisor(c *gin.Context) error {
	id := c.Param("id")
	_, err := s.svc.Admin.SetSupervisor(c.Request.Context(), currentUser(c), id, c.PostForm("supervisor_id"), postDate(c, "from"))
	if err != nil {
		p, verr := s.staffMemberView(c)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		p.SupervisorID, p.From = c.PostForm("supervisor_id"), postDate(c, "from")
		s.render(c, http.StatusUnprocessableEntity, "staff_member", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff/"+url.PathEscape(id)+"?set=1")
	return nil
}

type filePage struct {
	Page *basePage
	File *supervision.FileView
	// ReadOnly: the member of staff has left; RetentionUntil is when their
	// file may be purged.
	ReadOnly       bool
	RetentionUntil *time.Time
	Audits         []*supervision.NamedRecord // file audits of this file, in the supervisor's file
	Handover       *supervision.FileHandoverView
	// Disagreements wait for the supervisor's response (living.go).
	Disagreements []*supervision.OpenDisagreement
	Due           *supervision.DueView // what the file needs (due.go)
}

func (s *Server) filePage(c *gin.Context) error {
	fv, err := s.svc.Files.File(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	hv, err := s.svc.Admin.FileHandover(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	p := &filePage{Page: s.basePage(c, "Supervision file: "+fv.Staff.Name), File: fv,
		ReadOnly: s.svc.HasLeft(fv.Staff), RetentionUntil: s.svc.Admin.RetentionUntil(fv.Staff), Handover: hv}
	if p.Audits, err = s.svc.Files.AuditLinks(c.Request.Context(), currentUser(c), fv.Staff.ID); err != nil {
		return err
	}
	if !p.ReadOnly {
		if p.Due, err = s.svc.Files.FileDue(c.Request.Context(), currentUser(c), fv.Staff.ID); err != nil {
			return err
		}
	}
	if p.Disagreements, err = s.svc.Files.FileDisagreements(c.Request.Context(), currentUser(c), fv.Staff.ID); err != nil {
		return err
	}
	if c.Query("deleted") != "" {
		p.Page.Flash = "Draft deleted"
	}
	p.Page.Back = "/"
	s.render(c, http.StatusOK, "file", p)
	return nil
}

func (s *Server) recordStart(c *gin.Context) error {
	r, err := s.svc.Records.StartRecord(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("form"), nil)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, s.svc.Records.RecordEditURL(r))
	return nil
}

type signForm struct {
	Name, Comment, Disagreement string
	Confirm                     bool
}

type eventVM struct {
	At                    any
	Actor, Action, Detail string
}

type recordViewPage struct {
	Page    *basePage
	View    *supervision.RecordView
	Display []forms.PrintSection // what the signed documents print, laid out as they print it
	Events  []eventVM
	Sign    signForm
	Named   namedVM // people named on the record (access.go)
	// Response is the disagreement response as typed (living.go).
	Response string
	Attach   *attachPanel // attachments.go
}

func (s *Server) recordViewPage(c *gin.Context, v *supervision.RecordView) (*recordViewPage, error) {
	names, err := s.svc.People.Names(c.Request.Context())
	if err != nil {
		return nil, err
	}
	if err := s.svc.Records.History(c.Request.Context(), v); err != nil {
		return nil, err
	}
	p := &recordViewPage{Page: s.basePage(c, v.Form.Title+": "+v.Supervisee.Name), View: v}
	p.Attach = s.attachPanel(v, p.Page)
	p.Page.Back = s.backFrom(c, v)
	p.Display = v.Form.Print(v.Data, func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	})
	for _, e := range v.Events {
		actor := names[e.ActorID]
		if actor == "" {
			actor = "a former member of staff"
		}
		p.Events = append(p.Events, eventVM{At: e.At, Actor: actor, Action: e.Action, Detail: e.Detail})
	}
	if p.Named, err = s.namedOn(c, v, names); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) recordPage(c *gin.Context) error {
	v, err := s.svc.Records.Record(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	p, err := s.recordViewPage(c, v)
	if err != nil {
		return err
	}
	switch c.Query("done") {
	case "submitted":
		p.Page.Flash = "Submitted for signatures"
	case "invited":
		p.Page.Flash = "Added to the record"
	case "uninvited":
		p.Page.Flash = "Removed from the record"
	case "sent":
		p.Page.Flash = "Sent. It is listed on their home page under “Needs your action”."
	case "responded":
		p.Page.Flash = "Your response to the disagreement is recorded"
	case "attached":
		p.Page.Flash = "File attached"
	case "unattached":
		p.Page.Flash = "Attachment removed"
	case "handover":
		p.Page.Flash = "File handed over. Sign the handover record below; the incoming supervisor signs it too."
	case "signed":
		p.Page.Flash = "You have signed this record"
		if v.Record.Status == supervision.StatusSigned {
			p.Page.Flash = "You have signed this record. Everyone has now signed: the PDF and Word documents are in the file."
		}
	}
	if p.Page.Flash != "" && v.SignAs != "" {
		// The signing panel is at the foot of a long page.
		p.Page.FlashLink = &pageLink{Href: "#sign", Text: "Your signature is needed: go to Sign as " + strings.ToUpper(v.SignAs[:1]) + v.SignAs[1:]}
	}
	s.render(c, http.StatusOK, "record_view", p)
	return nil
}

type recordEditPage struct {
	Page     *basePage
	View     *supervision.RecordView
	Sections []SectionVM
	Revision int
	// SavedSection is the section whose Save draft was pressed, where the
	// page opens again (its id is the URL's fragment); -1 for none.
	SavedSection int
	Attach       *attachPanel // attachments.go
}

func (s *Server) people(c *gin.Context) ([]person, error) {
	names, err := s.svc.People.Names(c.Request.Context())
	if err != nil {
		return nil, err
	}
	var out []person
	for id, n := range names {
		out = append(out, person{ID: id, Name: n})
	}
	sortPeople(out)
	return out, nil
}

func (s *Server) renderEdit(c *gin.Context, status int, v *supervision.RecordView, data map[string]any, revision int, err error) error {
	// Only a form that asks for a member of staff needs everyone's names
	// (one read of all staff for each page otherwise).
	var people []person
	if hasPersonField(v.Form) {
		var perr error
		if people, perr = s.people(c); perr != nil {
			return perr
		}
	}
	p := &recordEditPage{Page: s.basePage(c, v.Form.Title+": "+v.Supervisee.Name), View: v, Revision: revision, SavedSection: -1}
	if n, err := strconv.Atoi(c.Query("section")); err == nil && n >= 0 && c.Query("saved") != "" {
		p.SavedSection = n
	}
	p.Attach = s.attachPanel(v, p.Page)
	p.Attach.OnEditPage = true
	p.Page.Back = s.backFrom(c, v)
	if err != nil && !p.Page.setErrors(err) {
		return err
	}
	switch {
	case c.Query("saved") != "" && len(v.Problems) > 0:
		p.Page.Flash = "Draft saved with everything as you typed it. Correct the answers marked below before you submit it."
	case c.Query("saved") != "":
		p.Page.Flash = "Draft saved"
	case c.Query("started") != "":
		p.Page.Flash = fmt.Sprintf("Version %d started from the last signed version. Change what has changed, then send it for signatures.", v.Record.Version)
	case c.Query("withdrawn") != "":
		p.Page.Flash = "Withdrawn to draft. The signatures given are cleared: everyone signs again once you submit it."
	}
	p.Sections = buildSections(v.Form, data, p.Page.ErrorMap, people, v.Access.WritesSection)
	lockOthersLearning(p.Sections, v)
	p.Page.anchorDates(p.Sections)
	// Without JavaScript, adding or removing a table's row posts the page
	// back; the buttons post to this page's own address with the table's
	// id as the fragment, so the page opens again at the table.
	setTableActions(p.Sections, c.Request.URL.Path)
	s.render(c, status, "record_edit", p)
	return nil
}

func (s *Server) recordEdit(c *gin.Context) error {
	v, err := s.svc.Records.Record(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	if !v.CanEdit {
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID)
		return nil
	}
	// Answers kept as typed that are not valid yet are shown beside
	// their fields.
	var problems error
	if len(v.Problems) > 0 {
		problems = &supervision.ValidationError{Message: "Some answers are not valid yet. They are saved as you typed them; correct them before you submit the record.", Fields: v.Problems}
	}
	return s.renderEdit(c, http.StatusOK, v, v.Data, v.Record.Revision, problems)
}

type conflictPage struct {
	Page      *basePage
	Message   string
	LatestURL string
	Answers   []forms.DisplayField
}

func (s *Server) recordEditSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := currentUser(c)
	if err := c.Request.ParseForm(); err != nil {
		return err
	}
	revision, _ := strconv.Atoi(c.PostForm("_revision"))
	action := c.PostForm("action")
	if strings.HasPrefix(action, "add-row:") || strings.HasPrefix(action, "remove-row:") {
		// Adding or removing a row only changes the page; nothing is lost
		// because everything typed is posted back with it.
		v, err := s.svc.Records.Record(ctx, actor, c.Param("rid"))
		if err != nil {
			return err
		}
		if !v.CanEdit {
			c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID)
			return nil
		}
		// Another party's sections are shown read-only and not posted:
		// keep theirs as stored.
		data := v.Access.KeepOthers(v.Form.DecodeForm(c.Request.PostForm), v.Data)
		tableAction(v.Form, data, action)
		return s.renderEdit(c, http.StatusOK, v, data, revision, nil)
	}
	v, err := s.svc.Records.SaveDraftPost(ctx, actor, c.Param("rid"), supervision.DraftPost{
		Values: c.Request.PostForm, Revision: revision, Submit: action == "submit"})
	if v == nil {
		return err
	}
	switch {
	case err == nil && action == "submit":
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"?done=submitted")
	case err == nil && action == "send":
		// Saved as typed, then handed to the other party (living.go).
		if _, err := s.svc.Records.SendToOther(ctx, actor, v.Record.ID); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"?done=sent")
	case err == nil:
		// A section's own Save draft posts with ?section=N and #section-N:
		// the redirect keeps the fragment, so the page opens where it was.
		to := "/records/" + v.Record.ID + "/edit?saved=1"
		if n, err := strconv.Atoi(c.Query("section")); err == nil && n >= 0 {
			to += "&section=" + strconv.Itoa(n)
		}
		c.Redirect(http.StatusSeeOther, to)
	case v.Record.Status == supervision.StatusDraft && !v.CanEdit:
		c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID)
	case errors.Is(err, supervision.ErrConflict):
		s.renderConflict(c, v, err)
	default:
		// Refused as entered (or saved, and refused for signatures): the
		// same page again, with the answers and an error beside each field.
		return s.renderEdit(c, http.StatusUnprocessableEntity, v, v.Data, v.Record.Revision, err)
	}
	return nil
}

// renderConflict is the page for a save or submit refused because the record
// changed after the page was opened.
func (s *Server) renderConflict(c *gin.Context, v *supervision.RecordView, err error) {
	// Saved by someone else, or no longer a draft: show what was typed
	// so that nothing is lost, with the domain's own sentence.
	msg := "Someone else changed this record after you opened it"
	if de := (*supervision.Error)(nil); errors.As(err, &de) {
		msg = de.Message
	}
	p := &conflictPage{Page: s.basePage(c, "This record was changed by someone else"), Message: msg,
		LatestURL: "/records/" + v.Record.ID}
	if v.Record.Status == supervision.StatusDraft {
		p.LatestURL = supervision.EditURL(v.Form, v.Record.ID)
	}
	for _, sec := range v.Form.Display(v.Data, func(id string) string { return id }) {
		for _, f := range sec.Fields {
			if f.Value != "" {
				p.Answers = append(p.Answers, f)
			}
		}
	}
	s.render(c, http.StatusConflict, "conflict", p)
}

func (s *Server) recordSign(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := currentUser(c)
	in := supervision.SignInput{
		Name: c.PostForm("name"), Confirm: c.PostForm("confirm") == "yes", Comment: normaliseText(c.PostForm("comment")),
		Disagreement: normaliseText(c.PostForm("disagreement")), IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
	}
	var v *supervision.RecordView
	var err error
	if d := c.PostForm("drawing_png_base64"); d != "" {
		in.DrawingPNG, err = base64.StdEncoding.DecodeString(d)
	}
	if err != nil {
		if v, err = s.svc.Records.Record(ctx, actor, c.Param("rid")); err != nil {
			return err
		}
		err = &supervision.ValidationError{Fields: []supervision.FieldError{{Field: "drawing", Message: "The drawn signature could not be read; clear it and draw it again"}}}
	} else {
		v, err = s.svc.Records.Sign(ctx, actor, c.Param("rid"), in)
	}
	if err != nil {
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) || v == nil {
			return err
		}
		p, perr := s.recordViewPage(c, v)
		if perr != nil {
			return perr
		}
		p.Page.setErrors(err)
		p.Sign = signForm{Name: in.Name, Comment: in.Comment, Disagreement: in.Disagreement, Confirm: in.Confirm}
		s.render(c, http.StatusUnprocessableEntity, "record_view", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/records/"+c.Param("rid")+"?done=signed")
	return nil
}

// normaliseText turns browser CRLF line ends into LF.
func normaliseText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func (s *Server) download(kind string) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		f, err := s.svc.Records.OpenDocument(c.Request.Context(), currentUser(c), c.Param("rid"), kind)
		if err != nil {
			return err
		}
		if f.URL != "" {
			c.Header("Cache-Control", "no-store")
			c.Redirect(http.StatusSeeOther, f.URL)
			return nil
		}
		defer f.Body.Close()
		c.Header("Content-Disposition", `attachment; filename="`+f.Name+`"`)
		c.Header("X-Content-SHA256", f.SHA256)
		c.DataFromReader(http.StatusOK, f.Size, f.ContentType, f.Body, nil)
		return nil
	}
}

// staffPatchOf fills the details form with what is stored.
func staffPatchOf(st *supervision.Staff) supervision.StaffPatch {
	end := ""
	if st.EndDate != nil {
		end = st.EndDate.Format(time.DateOnly)
	}
	role := string(st.Role)
	return supervision.StaffPatch{Name: &st.Name, Email: &st.Email, JobTitle: &st.JobTitle, Role: &role, EndDate: &end}
}

// backFrom is where a record's page leads back to: the file the actor can
// open (the file it is in, or the file a file audit is about), else home.
func (s *Server) backFrom(c *gin.Context, v *supervision.RecordView) string {
	if id := v.Access.BackTo(c.Request.Context(), s.svc); id != "" {
		return "/staff/" + id + "/file"
	}
	return "/"
}
