package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// frontPage serves the file's front page as a PDF, generated from what the
// file holds when it is asked for; only the supervisee and their supervisor
// get it.
func (s *Server) frontPage(c *gin.Context) error {
	pdf, err := s.svc.Files.FrontPagePDF(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	name := "supervision-file-front-page-" + time.Now().In(s.svc.Location()).Format("2006-01-02") + ".pdf"
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}
