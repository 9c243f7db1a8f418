package server

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// staffSetPassword is the admin's form to give someone a new password.
func (s *Server) staffSetPassword(c *gin.Context) error {
	id := c.Param("id")
	err := s.svc.People.ResetPassword(c.Request.Context(), currentUser(c), sessionToken(c), id, c.PostForm("password"))
	if err != nil {
		p, verr := s.staffMemberView(c)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "staff_member", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff/"+url.PathEscape(id)+"?password=1")
	return nil
}

// exportFile sends one supervisee's whole file as a zip, given a reason
// (?reason=…) that the access log keeps. The zip is built
// in memory first so that a document that fails its hash check gives an
// error page, not half a download.
func (s *Server) exportFile(c *gin.Context) error {
	id := c.Param("id")
	var buf bytes.Buffer
	if err := s.svc.Files.Export(c.Request.Context(), currentUser(c), id, c.Query("reason"), &buf); err != nil {
		if isAPI(c) {
			return err
		}
		// The reason is missing or too long: the admin page again, with
		// the message beside the field.
		p, verr := s.staffMemberView(c)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		p.ExportReason = c.Query("reason")
		s.render(c, http.StatusUnprocessableEntity, "staff_member", p)
		return nil
	}
	c.Header("Content-Disposition", `attachment; filename="`+supervision.ExportName(id)+`.zip"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
	return nil
}

type passwordBody struct {
	Password string `json:"password"`
}

func (s *Server) apiSetPassword(c *gin.Context) error {
	var b passwordBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if err := s.svc.People.ResetPassword(c.Request.Context(), currentUser(c), sessionToken(c), c.Param("id"), b.Password); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
