package server

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// handoverRoutes adds the handover's pages (p) and API routes (u).
func (s *Server) handoverRoutes(p, u *gin.RouterGroup) {
	p.GET("staff/:id/handover", s.page(s.handoverPage))
	p.POST("staff/:id/handover", s.page(s.handoverSubmit))
	u.POST("staff/:id/handover", s.api(s.apiHandover))
	u.GET("staff/:id/handovers", s.api(s.apiHandovers))
}

type dueJSON struct {
	What        string `json:"what"`
	Reason      string `json:"reason"`
	By          string `json:"by"`
	OverdueDays int    `json:"overdue_days"`
}

type historyJSON struct {
	SupervisorID string  `json:"supervisor_id"`
	Name         string  `json:"name"`
	From         string  `json:"from"`
	To           *string `json:"to"`
	Current      bool    `json:"current"`
	HandoverID   string  `json:"handover_id,omitempty"`
}

type handoverJSON struct {
	ID               string `json:"id"`
	SuperviseeID     string `json:"supervisee_id"`
	FromSupervisorID string `json:"from_supervisor_id"`
	ToSupervisorID   string `json:"to_supervisor_id"`
	Effective        string `json:"effective"`
	Reason           string `json:"reason"`
	RecordID         string `json:"record_id"`
	RecordURL        string `json:"record_url"`
	DraftsMoved      int    `json:"drafts_moved"`
	CreatedBy        string `json:"created_by"`
	CreatedAt        string `json:"created_at"`
}

func handoverOut(h *supervision.Handover) handoverJSON {
	return handoverJSON{ID: h.ID, SuperviseeID: h.SuperviseeID, FromSupervisorID: h.FromSupervisorID,
		ToSupervisorID: h.ToSupervisorID, Effective: h.Effective.Format(time.DateOnly), Reason: h.Reason,
		RecordID: h.RecordID, RecordURL: "/api/v1/records/" + h.RecordID, DraftsMoved: h.DraftsMoved,
		CreatedBy: h.CreatedBy, CreatedAt: h.CreatedAt.UTC().Format(time.RFC3339)}
}

func dueOut(v *supervision.FileHandoverView) []dueJSON { return dueItems(v.Due) }

func dueItems(ds []supervision.Due) []dueJSON {
	out := []dueJSON{}
	for _, d := range ds {
		out = append(out, dueJSON{What: d.What, Reason: d.Reason, By: d.By.Format(time.DateOnly), OverdueDays: d.OverdueDays})
	}
	return out
}

func historyOut(v *supervision.FileHandoverView) []historyJSON {
	out := []historyJSON{}
	for _, h := range v.History {
		hj := historyJSON{SupervisorID: h.Supervisor.ID, Name: h.Supervisor.Name, From: h.From.Format(time.DateOnly), Current: h.Current}
		if h.To != nil {
			to := h.To.Format(time.DateOnly)
			hj.To = &to
		}
		if h.Handover != nil {
			hj.HandoverID = h.Handover.ID
		}
		out = append(out, hj)
	}
	return out
}

// apiHandover hands a file over: POST /api/v1/staff/{id}/handover
// {to_supervisor_id, effective, reason, note?}.
func (s *Server) apiHandover(c *gin.Context) error {
	var in supervision.HandoverInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := s.svc.Admin.StartHandover(c.Request.Context(), currentUser(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{
		"handover":      handoverOut(res.Handover),
		"record_id":     res.Record.ID,
		"agreement_due": res.AgreementDue.Format(time.DateOnly),
		"due":           []dueJSON{{What: "supervision-agreement", Reason: "new supervisor", By: res.AgreementDue.Format(time.DateOnly)}},
	})
	return nil
}

// apiHandovers is a file's supervisors over time, its handovers and what
// they made due, for everyone who may read them (admins included, who do
// not read the file itself).
func (s *Server) apiHandovers(c *gin.Context) error {
	v, err := s.svc.Admin.FileHandover(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	hs := []handoverJSON{}
	for _, h := range v.History {
		if h.Handover != nil {
			hs = append(hs, handoverOut(h.Handover))
		}
	}
	c.JSON(http.StatusOK, gin.H{"history": historyOut(v), "handovers": hs, "due": dueOut(v), "can_hand_over": v.CanHandover})
	return nil
}

type handoverFormPage struct {
	Page       *basePage
	View       *supervision.FileHandoverView
	Candidates []*supervision.Staff
	Form       supervision.HandoverInput
	// WritesNote: the actor is the outgoing supervisor, who writes the note.
	WritesNote bool
	Done       bool
}

func (s *Server) handoverView(c *gin.Context, form supervision.HandoverInput) (*handoverFormPage, error) {
	ctx := c.Request.Context()
	actor := currentUser(c)
	v, err := s.svc.Admin.FileHandover(ctx, actor, c.Param("id"))
	if err != nil {
		return nil, err
	}
	p := &handoverFormPage{Page: s.basePage(c, "Hand over the supervision file: "+v.Supervisee.Name), View: v, Form: form}
	p.Page.Back = "/staff/" + v.Supervisee.ID + "/file"
	if actor.IsAdmin && actor.ID != v.Supervisee.ID {
		p.Page.Back = "/admin/staff/" + v.Supervisee.ID
	}
	if !v.CanHandover {
		return p, nil
	}
	if p.Candidates, err = s.svc.Admin.HandoverCandidates(ctx, actor, v.Supervisee.ID); err != nil {
		return nil, err
	}
	p.WritesNote = v.Outgoing != nil && v.Outgoing.ID == actor.ID
	if p.Form.Effective == "" {
		p.Form.Effective = time.Now().In(s.svc.Location()).Format(time.DateOnly)
	}
	return p, nil
}

func (s *Server) handoverPage(c *gin.Context) error {
	p, err := s.handoverView(c, supervision.HandoverInput{})
	if err != nil {
		return err
	}
	if c.Query("done") != "" {
		p.Done = true
		p.Page.Flash = "File handed over. Both supervisors now sign the handover record."
	}
	s.render(c, http.StatusOK, "handover", p)
	return nil
}

func (s *Server) handoverSubmit(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := currentUser(c)
	in := supervision.HandoverInput{ToSupervisorID: c.PostForm("to_supervisor_id"), Effective: postDate(c, "effective"),
		Reason: normaliseText(c.PostForm("reason")), Note: normaliseText(c.PostForm("note"))}
	res, err := s.svc.Admin.StartHandover(ctx, actor, c.Param("id"), in)
	if err != nil {
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		p, verr := s.handoverView(c, in)
		if verr != nil {
			return verr
		}
		p.Page.setErrors(err)
		s.render(c, http.StatusUnprocessableEntity, "handover", p)
		return nil
	}
	// The outgoing supervisor signs next, whether or not the file is still
	// theirs; anyone else goes back to the handover page, or home when it
	// is no longer theirs to see.
	if actor.ID == res.From.ID {
		c.Redirect(http.StatusSeeOther, "/records/"+res.Record.ID+"?done=handover")
		return nil
	}
	if _, err := s.svc.Admin.FileHandover(ctx, actor, res.Handover.SuperviseeID); err == nil {
		c.Redirect(http.StatusSeeOther, "/staff/"+url.PathEscape(res.Handover.SuperviseeID)+"/handover?done=1")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/?handover=done")
	return nil
}
