package server

// Attachments kept with a record (issue 14): upload (multipart, streamed
// with a size limit), list, download and remove, as pages and API.

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

func (s *Server) attachmentRoutes(p, u *gin.RouterGroup) {
	p.POST("records/:rid/attachments", s.page(s.attachmentUpload))
	p.GET("records/:rid/attachments/:att", s.page(s.attachmentDownload))
	p.POST("records/:rid/attachments/:att/remove", s.page(s.attachmentRemove))

	u.POST("records/:rid/attachments", s.api(s.apiAttachmentUpload))
	u.GET("records/:rid/attachments", s.api(s.apiAttachments))
	u.GET("records/:rid/attachments/:att", s.api(s.attachmentDownload))
	u.DELETE("records/:rid/attachments/:att", s.api(s.apiAttachmentRemove))
}

// isAttachmentUpload says whether a request is an upload of an attachment,
// whose body may be as large as the largest file allowed.
func isAttachmentUpload(c *gin.Context) bool {
	if c.Request.Method != http.MethodPost {
		return false
	}
	p := strings.TrimPrefix(c.Request.URL.Path, "/api/v1")
	rest, ok := strings.CutPrefix(p, "/records/")
	return ok && strings.Count(rest, "/") == 1 && strings.HasSuffix(rest, "/attachments")
}

// attachmentBodyLimit is an upload's limit: the file, and room for the
// name, the description and the multipart framing.
func (s *Server) attachmentBodyLimit() int64 {
	maxBytes, _ := s.svc.Records.AttachmentLimits()
	return maxBytes + 64<<10
}

// readUpload reads a multipart upload as it streams in: the file part
// (field) up to the service's limit plus one byte, so that a larger file
// is known to be too large without being kept, and the short text fields.
// Nothing is written to disk.
func (s *Server) readUpload(c *gin.Context, fileField, nameField, descField string) (supervision.NewAttachment, error) {
	var in supervision.NewAttachment
	ct, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return in, badRequest{"Send the file as multipart/form-data, in a part named " + fileField}
	}
	maxBytes, _ := s.svc.Records.AttachmentLimits()
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				in.TooLarge = true
				return in, nil
			}
			return in, badRequest{"The upload could not be read: send it as multipart/form-data"}
		}
		switch part.FormName() {
		case fileField:
			in.FileName = part.FileName()
			data, err := io.ReadAll(io.LimitReader(part, maxBytes+1))
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					in.TooLarge = true
					return in, nil
				}
				return in, badRequest{"The upload could not be read: send it as multipart/form-data"}
			}
			if int64(len(data)) > maxBytes {
				in.TooLarge = true
				return in, nil
			}
			in.Data = data
		case nameField, descField:
			b, err := io.ReadAll(io.LimitReader(part, 16<<10))
			if err != nil {
				return in, badRequest{"The upload could not be read: send it as multipart/form-data"}
			}
			if part.FormName() == nameField {
				in.Name = string(b)
			} else {
				in.Description = strings.ReplaceAll(string(b), "\r\n", "\n")
			}
		}
		part.Close()
	}
	return in, nil
}

// attachPanel is what the attachments panel of a record's pages shows.
type attachPanel struct {
	RecordID  string
	List      []*supervision.Attachment
	CanChange bool
	MaxText   string // "20 MB"
	MaxCount  int
	Scanning  bool
	// OnEditPage: the panel is below a draft's form, whose answers an
	// upload does not save.
	OnEditPage bool
	// Errors is the page's map of errors beside fields.
	Errors map[string]string
	// Name and Description as typed, after a refused upload.
	Name, Description string
}

func (s *Server) attachPanel(v *supervision.RecordView, page *basePage) *attachPanel {
	maxBytes, maxCount := s.svc.Records.AttachmentLimits()
	return &attachPanel{RecordID: v.Record.ID, List: v.Attachments, CanChange: v.CanAttach(),
		MaxText: supervision.FormatSize(maxBytes), MaxCount: maxCount, Scanning: s.svc.Records.VirusScanning(), Errors: page.ErrorMap}
}

// FileType names an attachment's type; FileSize its size.
func (a *attachPanel) FileType(ct string) string { return supervision.FileTypeLabel(ct) }
func (a *attachPanel) FileSize(n int64) string   { return supervision.FormatSize(n) }

// pageFields names the service's fields as the page does: the record page
// has other forms with a name field (signing).
func pageFields(err error) error {
	var ve *supervision.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &supervision.ValidationError{Message: ve.Message}
	for _, f := range ve.Fields {
		out.Fields = append(out.Fields, supervision.FieldError{Field: "attachment_" + f.Field, Message: f.Message})
	}
	return out
}

func (s *Server) attachmentUpload(c *gin.Context) error {
	ctx, actor := c.Request.Context(), currentUser(c)
	if err := s.svc.Records.MayAttach(ctx, actor, c.Param("rid")); err != nil {
		return err
	}
	in, err := s.readUpload(c, "attachment_file", "attachment_name", "attachment_description")
	if err == nil {
		_, err = s.svc.Records.AddAttachment(ctx, actor, c.Param("rid"), in)
	}
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/records/"+c.Param("rid")+"?done=attached#attachments")
		return nil
	}
	var ve *supervision.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	v, verr := s.svc.Records.Record(ctx, actor, c.Param("rid"))
	if verr != nil {
		return verr
	}
	p, perr := s.recordViewPage(c, v)
	if perr != nil {
		return perr
	}
	p.Page.setErrors(pageFields(err))
	p.Attach.Name, p.Attach.Description = in.Name, in.Description
	s.render(c, http.StatusUnprocessableEntity, "record_view", p)
	return nil
}

func (s *Server) attachmentDownload(c *gin.Context) error {
	f, err := s.svc.Records.OpenAttachment(c.Request.Context(), currentUser(c), c.Param("rid"), c.Param("att"))
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
	// A PDF or picture from someone else is never shown inside the
	// service's pages.
	c.Header("Content-Security-Policy", "sandbox; default-src 'none'")
	c.DataFromReader(http.StatusOK, f.Size, f.ContentType, f.Body, nil)
	return nil
}

func (s *Server) attachmentRemove(c *gin.Context) error {
	if _, err := s.svc.Records.DeleteAttachment(c.Request.Context(), currentUser(c), c.Param("rid"), c.Param("att")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/records/"+c.Param("rid")+"?done=unattached#attachments")
	return nil
}

// attachmentJSON is an attachment in the API.
type attachmentJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	URL         string    `json:"url"`
}

func attachmentOut(a *supervision.Attachment) attachmentJSON {
	return attachmentJSON{ID: a.ID, Name: a.Name, Description: a.Description, FileName: a.FileName, ContentType: a.ContentType,
		Size: a.Size, SHA256: a.SHA256, UploadedBy: a.UploadedBy, UploadedAt: a.UploadedAt,
		URL: "/api/v1/records/" + a.RecordID + "/attachments/" + a.ID}
}

func (s *Server) apiAttachmentUpload(c *gin.Context) error {
	if err := s.svc.Records.MayAttach(c.Request.Context(), currentUser(c), c.Param("rid")); err != nil {
		return err
	}
	in, err := s.readUpload(c, "file", "name", "description")
	if err != nil {
		return err
	}
	a, err := s.svc.Records.AddAttachment(c.Request.Context(), currentUser(c), c.Param("rid"), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, attachmentOut(a))
	return nil
}

func (s *Server) apiAttachments(c *gin.Context) error {
	v, err := s.svc.Records.Attachments(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	maxBytes, maxCount := s.svc.Records.AttachmentLimits()
	out := struct {
		Attachments []attachmentJSON `json:"attachments"`
		CanChange   bool             `json:"can_change"`
		MaxBytes    int64            `json:"max_bytes"`
		MaxCount    int              `json:"max_count"`
	}{Attachments: []attachmentJSON{}, CanChange: v.CanAttach(), MaxBytes: maxBytes, MaxCount: maxCount}
	for _, a := range v.Attachments {
		out.Attachments = append(out.Attachments, attachmentOut(a))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiAttachmentRemove(c *gin.Context) error {
	if _, err := s.svc.Records.DeleteAttachment(c.Request.Context(), currentUser(c), c.Param("rid"), c.Param("att")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
