package server

// Records that keep living and what needs me (issue 11): new versions,
// withdrawal, deleting a draft, sending a draft to the other party, the
// response to a disagreement, the autosave of a draft, and the task list.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

func (s *Server) livingRoutes(p, u *gin.RouterGroup) {
	p.POST("records/:rid/versions", s.page(s.recordNewVersion))
	p.POST("records/:rid/withdraw", s.page(s.recordWithdraw))
	p.POST("records/:rid/delete", s.page(s.recordDelete))
	p.POST("records/:rid/send", s.page(s.recordSend))
	p.POST("records/:rid/response", s.page(s.recordRespond))
	p.POST("records/:rid/autosave", s.api(s.recordAutosave))

	u.GET("me/tasks", s.api(s.apiTasks))
	u.POST("records/:rid/versions", s.api(s.apiRecordNewVersion))
	u.POST("records/:rid/withdraw", s.api(s.apiRecordWithdraw))
	u.DELETE("records/:rid", s.api(s.apiRecordDelete))
	u.POST("records/:rid/send", s.api(s.apiRecordSend))
	u.POST("records/:rid/disagreement-response", s.api(s.apiRecordRespond))
}

func (s *Server) recordNewVersion(c *gin.Context) error {
	r, err := s.svc.Records.NewVersion(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	// A long form opens on its task list, as a new draft does; a short
	// one on its single edit page.
	c.Redirect(http.StatusSeeOther, s.svc.Records.RecordEditURL(r)+"?started=version")
	return nil
}

func (s *Server) recordWithdraw(c *gin.Context) error {
	v, err := s.svc.Records.Withdraw(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, supervision.EditURL(v.Form, v.Record.ID)+"?withdrawn=1")
	return nil
}

func (s *Server) recordDelete(c *gin.Context) error {
	file, err := s.svc.Records.DeleteDraft(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	if file == "" {
		c.Redirect(http.StatusSeeOther, "/?deleted=1")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/staff/"+file+"/file?deleted=1")
	return nil
}

func (s *Server) recordSend(c *gin.Context) error {
	v, err := s.svc.Records.SendToOther(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"?done=sent")
	return nil
}

func (s *Server) recordRespond(c *gin.Context) error {
	v, err := s.svc.Records.RespondToDisagreement(c.Request.Context(), currentUser(c), c.Param("rid"), c.PostForm("response"))
	if err != nil {
		if v == nil {
			return err
		}
		p, perr := s.recordViewPage(c, v)
		if perr != nil {
			return perr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		p.Response = c.PostForm("response")
		s.render(c, http.StatusUnprocessableEntity, "record_view", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/records/"+v.Record.ID+"?done=responded")
	return nil
}

// recordAutosave saves a draft from its edit page in the background (the
// page's script, every 30 seconds while typing). It answers JSON: the new
// revision, or why it was not saved (someone else saved first: the page
// then says so and stops saving automatically, so nothing typed is lost).
func (s *Server) recordAutosave(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return err
	}
	revision, _ := strconv.Atoi(c.PostForm("_revision"))
	// A section's own page (tasklist.go) posts that section alone.
	section, _ := strconv.Atoi(c.PostForm("_section"))
	v, err := s.svc.Records.SaveDraftPost(c.Request.Context(), currentUser(c), c.Param("rid"),
		supervision.DraftPost{Values: c.Request.PostForm, Revision: revision, Section: section})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"revision": v.Record.Revision, "saved_at": v.Record.UpdatedAt.In(s.svc.Location()).Format("15:04"),
		"errors": fieldsOut(v.Problems)})
	return nil
}

// fieldErrorJSON is one answer that is not valid yet.
type fieldErrorJSON struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func fieldsOut(fs []supervision.FieldError) []fieldErrorJSON {
	out := []fieldErrorJSON{}
	for _, f := range fs {
		out = append(out, fieldErrorJSON{Field: f.Field, Message: f.Message})
	}
	return out
}

func (s *Server) apiRecordNewVersion(c *gin.Context) error {
	ctx := c.Request.Context()
	r, err := s.svc.Records.NewVersion(ctx, currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	v, err := s.svc.Records.Record(ctx, currentUser(c), r.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, viewOut(v))
	return nil
}

func (s *Server) apiRecordWithdraw(c *gin.Context) error {
	v, err := s.svc.Records.Withdraw(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, viewOut(v))
	return nil
}

func (s *Server) apiRecordDelete(c *gin.Context) error {
	if _, err := s.svc.Records.DeleteDraft(c.Request.Context(), currentUser(c), c.Param("rid")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiRecordSend(c *gin.Context) error {
	v, err := s.svc.Records.SendToOther(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, viewOut(v))
	return nil
}

func (s *Server) apiRecordRespond(c *gin.Context) error {
	var in struct {
		Response string `json:"response"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Records.RespondToDisagreement(c.Request.Context(), currentUser(c), c.Param("rid"), in.Response)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, viewOut(v))
	return nil
}

// taskJSON is one thing that needs the caller's action.
type taskJSON struct {
	Kind         string     `json:"kind"`
	Title        string     `json:"title"`
	RecordID     string     `json:"record_id,omitempty"`
	Form         string     `json:"form_title,omitempty"`
	SuperviseeID string     `json:"supervisee_id,omitempty"`
	Supervisee   string     `json:"supervisee,omitempty"`
	URL          string     `json:"url"`
	Since        time.Time  `json:"since"`
	By           *time.Time `json:"by,omitempty"`
}

func tasksOut(ts []*supervision.Task) []taskJSON {
	out := []taskJSON{}
	for _, t := range ts {
		j := taskJSON{Kind: t.Kind, Title: t.Title, RecordID: t.RecordID, Form: t.FormTitle, URL: t.URL, Since: t.Since, By: t.By}
		if t.Supervisee != nil {
			j.SuperviseeID, j.Supervisee = t.Supervisee.ID, t.Supervisee.Name
		}
		out = append(out, j)
	}
	return out
}

func (s *Server) apiTasks(c *gin.Context) error {
	ts, err := s.svc.Files.Tasks(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tasksOut(ts))
	return nil
}

// versionJSON is one version of a record, in the record's JSON.
type versionJSON struct {
	ID        string         `json:"id"`
	Version   int            `json:"version"`
	Status    string         `json:"status"`
	SignedAt  *time.Time     `json:"signed_at,omitempty"`
	Documents []documentJSON `json:"documents"`
}

func versionsOut(v *supervision.RecordView) []versionJSON {
	out := []versionJSON{}
	for _, e := range v.Versions {
		r, docs := e.Record, e.Documents
		if r.ID == v.Record.ID {
			r, docs = v.Record, v.Documents // as a command left it
		}
		j := versionJSON{ID: r.ID, Version: r.Version, Status: string(r.Status), SignedAt: r.SignedAt,
			Documents: recordOut(r, "", nil, docs, false).Documents}
		out = append(out, j)
	}
	return out
}

// responseJSON is the supervisor's response to a disagreement.
type responseJSON struct {
	ResponderID string    `json:"responder_id"`
	At          time.Time `json:"at"`
	Response    string    `json:"response"`
}
