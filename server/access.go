package server

// Pages and API for arrangements: cover for an absent supervisor, auditors
// assigned to files, and people invited onto a record. Who may do each is
// decided in supervision/access.go.

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

type coverJSON struct {
	ID           string     `json:"id"`
	SupervisorID string     `json:"supervisor_id"`
	StandInID    string     `json:"stand_in_id"`
	From         string     `json:"from"`
	To           string     `json:"to"`
	Reason       string     `json:"reason"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
}

func coverOut(c *supervision.Cover) coverJSON {
	return coverJSON{ID: c.ID, SupervisorID: c.SupervisorID, StandInID: c.StandInID, From: c.From.Format(time.DateOnly),
		To: c.To.Format(time.DateOnly), Reason: c.Reason, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, EndedAt: c.EndedAt}
}

type assignmentJSON struct {
	ID           string    `json:"id"`
	SuperviseeID string    `json:"supervisee_id"`
	AuditorID    string    `json:"auditor_id"`
	Due          string    `json:"due"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

func assignmentOut(a *supervision.AuditAssignment) assignmentJSON {
	return assignmentJSON{ID: a.ID, SuperviseeID: a.SuperviseeID, AuditorID: a.AuditorID, Due: a.Due.Format(time.DateOnly),
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt}
}

type partyJSON struct {
	StaffID string    `json:"staff_id"`
	Role    string    `json:"role"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

func (s *Server) apiCovers(c *gin.Context) error {
	list, err := s.svc.Admin.CoversFor(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := []coverJSON{}
	for _, cv := range list {
		out = append(out, coverOut(cv))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiCoverCreate(c *gin.Context) error {
	var in supervision.CoverInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cv, err := s.svc.Admin.ArrangeCover(c.Request.Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, coverOut(cv))
	return nil
}

func (s *Server) apiCoverEnd(c *gin.Context) error {
	if err := s.svc.Admin.EndCover(c.Request.Context(), currentUser(c), c.Param("cid")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiAudits(c *gin.Context) error {
	list, err := s.svc.Admin.AuditAssignmentsFor(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := []assignmentJSON{}
	for _, a := range list {
		out = append(out, assignmentOut(a))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiAuditCreate(c *gin.Context) error {
	var in supervision.AuditInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := s.svc.Admin.AssignAuditor(c.Request.Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, assignmentOut(a))
	return nil
}

func (s *Server) apiAuditEnd(c *gin.Context) error {
	if err := s.svc.Admin.EndAuditAssignment(c.Request.Context(), currentUser(c), c.Param("aid")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiRecordParties(c *gin.Context) error {
	v, err := s.svc.Records.Record(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	out := []partyJSON{}
	for _, p := range v.Access.Parties {
		out = append(out, partyJSON{StaffID: p.StaffID, Role: p.Role, AddedBy: p.AddedBy, AddedAt: p.AddedAt})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiRecordInvite(c *gin.Context) error {
	var in struct {
		StaffID string `json:"staff_id"`
		Role    string `json:"role"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.svc.Records.InviteToRecord(c.Request.Context(), currentUser(c), c.Param("rid"), in.StaffID, in.Role)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, partyJSON{StaffID: p.StaffID, Role: p.Role, AddedBy: p.AddedBy, AddedAt: p.AddedAt})
	return nil
}

func (s *Server) apiRecordUninvite(c *gin.Context) error {
	if err := s.svc.Records.RemoveFromRecord(c.Request.Context(), currentUser(c), c.Param("rid"), c.Param("staff"), c.Param("role")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// ---- pages ----

type coverRow struct {
	Cover               *supervision.Cover
	Supervisor, StandIn string
}

type coverPage struct {
	Page       *basePage
	Rows       []coverRow
	Candidates []*supervision.Staff // supervisors the actor may arrange cover for
	People     []person
	Form       supervision.CoverInput
}

func (s *Server) coverView(c *gin.Context, form supervision.CoverInput) (*coverPage, error) {
	ctx, actor := c.Request.Context(), currentUser(c)
	list, err := s.svc.Admin.CoversFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	names, err := s.svc.People.Names(ctx)
	if err != nil {
		return nil, err
	}
	p := &coverPage{Page: s.basePage(c, "Stand-in supervisors"), Form: form}
	p.Page.Back = "/"
	for _, cv := range list {
		p.Rows = append(p.Rows, coverRow{Cover: cv, Supervisor: names[cv.SupervisorID], StandIn: names[cv.StandInID]})
	}
	if p.Candidates, err = s.svc.Admin.CoverCandidates(ctx, actor); err != nil {
		return nil, err
	}
	if p.People, err = s.people(c); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) coverPage(c *gin.Context) error {
	p, err := s.coverView(c, supervision.CoverInput{})
	if err != nil {
		return err
	}
	switch {
	case c.Query("added") != "":
		p.Page.Flash = "Cover arranged"
	case c.Query("ended") != "":
		p.Page.Flash = "Cover ended"
	}
	s.render(c, http.StatusOK, "cover", p)
	return nil
}

func (s *Server) coverCreate(c *gin.Context) error {
	in := supervision.CoverInput{SupervisorID: c.PostForm("supervisor_id"), StandInID: c.PostForm("stand_in_id"),
		From: postDate(c, "from"), To: postDate(c, "to"), Reason: c.PostForm("reason")}
	if _, err := s.svc.Admin.ArrangeCover(c.Request.Context(), currentUser(c), in); err != nil {
		p, verr := s.coverView(c, in)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "cover", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/manage/cover?added=1")
	return nil
}

func (s *Server) coverEnd(c *gin.Context) error {
	if err := s.svc.Admin.EndCover(c.Request.Context(), currentUser(c), c.Param("cid")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/manage/cover?ended=1")
	return nil
}

type auditRow struct {
	Assignment          *supervision.AuditAssignment
	Supervisee, Auditor string
	Mine                bool
}

type auditsPage struct {
	Page       *basePage
	Rows       []auditRow
	Candidates []*supervision.Staff // files the actor may assign an auditor to
	People     []person
	Form       supervision.AuditInput
}

func (s *Server) auditsView(c *gin.Context, form supervision.AuditInput) (*auditsPage, error) {
	ctx, actor := c.Request.Context(), currentUser(c)
	list, err := s.svc.Admin.AuditAssignmentsFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	names, err := s.svc.People.Names(ctx)
	if err != nil {
		return nil, err
	}
	p := &auditsPage{Page: s.basePage(c, "File audits"), Form: form}
	p.Page.Back = "/"
	for _, a := range list {
		p.Rows = append(p.Rows, auditRow{Assignment: a, Supervisee: names[a.SuperviseeID], Auditor: names[a.AuditorID], Mine: a.AuditorID == actor.ID})
	}
	if p.Candidates, err = s.svc.Admin.AuditCandidates(ctx, actor); err != nil {
		return nil, err
	}
	if p.People, err = s.people(c); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) auditsPage(c *gin.Context) error {
	p, err := s.auditsView(c, supervision.AuditInput{})
	if err != nil {
		return err
	}
	switch {
	case c.Query("added") != "":
		p.Page.Flash = "Auditor assigned"
	case c.Query("ended") != "":
		p.Page.Flash = "Audit assignment ended"
	}
	s.render(c, http.StatusOK, "audits", p)
	return nil
}

func (s *Server) auditCreate(c *gin.Context) error {
	in := supervision.AuditInput{SuperviseeID: c.PostForm("supervisee_id"), AuditorID: c.PostForm("auditor_id"), Due: postDate(c, "due")}
	if _, err := s.svc.Admin.AssignAuditor(c.Request.Context(), currentUser(c), in); err != nil {
		p, verr := s.auditsView(c, in)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "audits", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/manage/audits?added=1")
	return nil
}

func (s *Server) auditEnd(c *gin.Context) error {
	if err := s.svc.Admin.EndAuditAssignment(c.Request.Context(), currentUser(c), c.Param("aid")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/manage/audits?ended=1")
	return nil
}

// recordInvite is the record page's form to invite a second observer or
// name the senior manager.
func (s *Server) recordInvite(c *gin.Context) error {
	ctx, actor, id := c.Request.Context(), currentUser(c), c.Param("rid")
	if _, err := s.svc.Records.InviteToRecord(ctx, actor, id, c.PostForm("staff_id"), c.PostForm("role")); err != nil {
		v, verr := s.svc.Records.Record(ctx, actor, id)
		if verr != nil {
			return verr
		}
		p, perr := s.recordViewPage(c, v)
		if perr != nil {
			return perr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "record_view", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/records/"+url.PathEscape(id)+"?done=invited")
	return nil
}

func (s *Server) recordUninvite(c *gin.Context) error {
	id := c.Param("rid")
	if err := s.svc.Records.RemoveFromRecord(c.Request.Context(), currentUser(c), id, c.PostForm("staff_id"), c.PostForm("role")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/records/"+url.PathEscape(id)+"?done=uninvited")
	return nil
}

// selectVM is a choice of one member of staff on a page.
type selectVM struct {
	Name, Label, Hint, Error, Value string
	Options                         []person
}

// selectOf builds a staff choice for the "staff-select" template from a
// list of staff or of people.
func selectOf(name, label, hint string, errs map[string]string, options any, value string) selectVM {
	vm := selectVM{Name: name, Label: label, Hint: hint, Error: errs[name], Value: value}
	switch o := options.(type) {
	case []*supervision.Staff:
		for _, st := range o {
			vm.Options = append(vm.Options, person{ID: st.ID, Name: st.Name + " – " + st.JobTitle})
		}
	case []person:
		vm.Options = o
	}
	return vm
}

// partyRow is one person named on a record.
type partyRow struct {
	StaffID, Name, Role, RoleLabel string
	CanRemove                      bool
}

// namedVM is the record page's "people named on this record" and, for the
// supervisor, the form to invite someone.
type namedVM struct {
	Rows        []partyRow
	InviteRoles []string
	People      []person
	StaffID     string
}

var partyLabels = map[string]string{
	supervision.PartyObserver:      "Second observer",
	supervision.PartySeniorManager: "Senior manager",
	supervision.PartyAuditor:       "Auditor",
	supervision.PartySubject:       "Whose file is audited",
	supervision.PartyLead:          "Lead",
	supervision.PartyAttendee:      "Attendee",
	"supervisor":                   "Supervisor",
}

func partyLabel(role string) string {
	if l, ok := partyLabels[role]; ok {
		return l
	}
	return role
}

func (s *Server) namedOn(c *gin.Context, v *supervision.RecordView, names map[string]string) (namedVM, error) {
	var vm namedVM
	manage := v.Access.CanManageParties()
	invitable := supervision.InvitableRoles(v.Form)
	for _, p := range v.Access.Parties {
		removable := manage && slices.Contains(invitable, p.Role) &&
			((p.Role != supervision.PartyObserver && p.Role != supervision.PartyAttendee) || v.Record.Status == supervision.StatusDraft)
		vm.Rows = append(vm.Rows, partyRow{StaffID: p.StaffID, Name: names[p.StaffID], Role: p.Role, RoleLabel: partyLabel(p.Role), CanRemove: removable})
	}
	if manage {
		for _, role := range invitable {
			if role == supervision.PartyObserver && (v.Record.Status != supervision.StatusDraft ||
				slices.ContainsFunc(v.Access.Parties, func(p *supervision.RecordParty) bool { return p.Role == role })) {
				continue
			}
			if role == supervision.PartyAttendee && v.Record.Status != supervision.StatusDraft {
				continue // attendees are added while the record is a draft
			}
			vm.InviteRoles = append(vm.InviteRoles, role)
		}
	}
	if len(vm.InviteRoles) > 0 {
		people, err := s.people(c)
		if err != nil {
			return vm, err
		}
		for _, p := range people {
			if p.ID != v.Record.StaffID && p.ID != currentUser(c).ID {
				vm.People = append(vm.People, p)
			}
		}
	}
	return vm, nil
}

// homeAccess is what the home page shows from access.go: the files the
// actor stands in for, the records they are named on, the audits they are
// to do, and whether they may arrange cover and audits.
type homeAccess struct {
	Covering []*supervision.Staff
	Named    []*supervision.NamedRecord
	Audits   []auditRow
	Arrange  bool
}

func (s *Server) homeAccess(c *gin.Context, hasSupervisees bool) (homeAccess, error) {
	ctx, actor := c.Request.Context(), currentUser(c)
	var h homeAccess
	var err error
	if h.Covering, err = s.svc.Admin.Covering(ctx, actor); err != nil {
		return h, err
	}
	if h.Named, err = s.svc.Files.NamedRecords(ctx, actor); err != nil {
		return h, err
	}
	audits, err := s.svc.Admin.AuditsToDo(ctx, actor)
	if err != nil {
		return h, err
	}
	if len(audits) > 0 {
		names, err := s.svc.People.Names(ctx)
		if err != nil {
			return h, err
		}
		for _, a := range audits {
			h.Audits = append(h.Audits, auditRow{Assignment: a, Supervisee: names[a.SuperviseeID], Mine: true})
		}
	}
	h.Arrange = actor.IsAdmin || hasSupervisees
	return h, nil
}

func standingLabel(st supervision.Standing) string {
	switch st {
	case supervision.StandingLineManager:
		return "the supervisor's line manager"
	case supervision.StandingAuditor:
		return "the file's auditor"
	case supervision.StandingStandIn:
		return "a stand-in supervisor"
	}
	return string(st)
}
