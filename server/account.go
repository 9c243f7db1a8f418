package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

type accountPage struct {
	Page      *basePage
	Passwords bool
	Provider  string
	// MailOn: the service sends email; EmailOn: this person gets it.
	MailOn, EmailOn bool
}

func (s *Server) newAccountPage(c *gin.Context) *accountPage {
	p := &accountPage{Page: s.basePage(c, "Your account"), Passwords: s.svc.People.LocalPasswords(), MailOn: s.svc.MailOn()}
	if on, err := s.svc.People.EmailNotificationsOn(c.Request.Context(), currentUser(c)); err == nil {
		p.EmailOn = on
	} else {
		p.EmailOn = true
		s.log.Warn("email notifications setting", "err", err)
	}
	p.Page.Back = "/"
	if s.opts.OIDC != nil {
		p.Provider = s.opts.OIDC.Name
	}
	return p
}

// accountPage shows the signed-in person's details and lets them change
// their password.
func (s *Server) accountPage(c *gin.Context) error {
	p := s.newAccountPage(c)
	if c.Query("changed") != "" {
		p.Page.Flash = "Your password has been changed. You have been signed out everywhere else."
	}
	switch c.Query("email") {
	case "on":
		p.Page.Flash = "Email notifications are on."
	case "off":
		p.Page.Flash = "Email notifications are off. You will get no more emails from Supervision File."
	}
	s.render(c, http.StatusOK, "account", p)
	return nil
}

func sessionToken(c *gin.Context) string {
	ck, _ := c.Cookie(cookieName)
	return ck
}

func (s *Server) accountPassword(c *gin.Context) error {
	err := s.svc.People.ChangePassword(c.Request.Context(), currentUser(c), sessionToken(c),
		c.PostForm("current_password"), c.PostForm("new_password"))
	if err != nil {
		p := s.newAccountPage(c)
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "account", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/account?changed=1")
	return nil
}

// accountEmail switches the signed-in person's email notifications.
func (s *Server) accountEmail(c *gin.Context) error {
	v := c.PostForm("email")
	if v != "on" && v != "off" {
		p := s.newAccountPage(c)
		p.Page.setErrors(&supervision.ValidationError{Fields: []supervision.FieldError{{Field: "email", Message: "Choose on or off"}}})
		s.render(c, http.StatusUnprocessableEntity, "account", p)
		return nil
	}
	if err := s.svc.People.SetEmailNotifications(c.Request.Context(), currentUser(c), v == "on"); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account?email="+v)
	return nil
}

// apiEmailNotifications switches the caller's email notifications.
func (s *Server) apiEmailNotifications(c *gin.Context) error {
	var in struct {
		On *bool `json:"on"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.On == nil {
		return &supervision.ValidationError{Fields: []supervision.FieldError{{Field: "on", Message: "Give on: true or false"}}}
	}
	if err := s.svc.People.SetEmailNotifications(c.Request.Context(), currentUser(c), *in.On); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"on": *in.On, "email_sent": s.svc.MailOn()})
	return nil
}

func (s *Server) apiChangePassword(c *gin.Context) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.svc.People.ChangePassword(c.Request.Context(), currentUser(c), sessionToken(c), in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// staffEdit is the admin's form to change someone's details and end date.
func (s *Server) staffEdit(c *gin.Context) error {
	id := c.Param("id")
	form := supervision.StaffPatch{}
	for _, f := range []struct {
		name string
		dst  **string
	}{{"name", &form.Name}, {"email", &form.Email}, {"job_title", &form.JobTitle}, {"role", &form.Role}, {"end_date", &form.EndDate}} {
		v, ok := c.GetPostForm(f.name)
		if f.name == "end_date" {
			v, ok = getPostDate(c, f.name)
		}
		if ok {
			*f.dst = &v
		}
	}
	_, err := s.svc.People.EditStaff(c.Request.Context(), currentUser(c), id, form)
	if err != nil {
		p, verr := s.staffMemberView(c)
		if verr != nil {
			return verr
		}
		if !p.Page.setErrors(err) {
			return err
		}
		p.Edit = form
		s.render(c, http.StatusUnprocessableEntity, "staff_member", p)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff/"+url.PathEscape(id)+"?saved=1")
	return nil
}

// adminStaffJSON is a member of staff as an administrator sees them.
type adminStaffJSON struct {
	staffJSON
	EndDate        *string `json:"end_date"`
	RetentionUntil *string `json:"retention_until"`
	HandoverNeeded bool    `json:"handover_needed"`
}

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := t.Format(time.DateOnly)
	return &v
}

func (s *Server) adminStaffOut(c *gin.Context, st *supervision.Staff) (adminStaffJSON, error) {
	out := adminStaffJSON{staffJSON: staffOut(st), EndDate: optDate(st.EndDate), RetentionUntil: optDate(s.svc.Admin.RetentionUntil(st))}
	sup, err := s.svc.CurrentSupervisor(c.Request.Context(), st.ID)
	if err != nil {
		return out, err
	}
	out.HandoverNeeded = s.svc.Admin.HandoverNeeded(sup)
	return out, nil
}

func (s *Server) apiStaffPatch(c *gin.Context) error {
	var in supervision.StaffPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.svc.People.EditStaff(c.Request.Context(), currentUser(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	out, err := s.adminStaffOut(c, st)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}
