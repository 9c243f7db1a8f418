package server

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

type verifyPage struct {
	Page   *basePage
	Result *supervision.Verification
	MaxMB  int64 // the largest file accepted, in MB
}

func (s *Server) newVerifyPage(c *gin.Context) (*verifyPage, error) {
	limit, err := s.svc.Records.MaxVerifyBytes(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return &verifyPage{Page: s.basePage(c, "Check a document"), MaxMB: (limit + (1 << 20) - 1) >> 20}, nil
}

func (s *Server) verifyForm(c *gin.Context) error {
	p, err := s.newVerifyPage(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "verify", p)
	return nil
}

// verifyBodyLimit is the request body limit of the verify routes: the
// largest PDF the service has made (see Records.MaxVerifyBytes), and room
// for the multipart form around it.
func (s *Server) verifyBodyLimit(c *gin.Context) (int64, error) {
	n, err := s.svc.Records.MaxVerifyBytes(c.Request.Context())
	return n + 64<<10, err
}

// isVerifyUpload says whether the request uploads a PDF to verify.
func isVerifyUpload(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && (c.FullPath() == "/verify" || c.FullPath() == "/api/v1/verify")
}

// verifySubmit checks an uploaded PDF. A tampered or unknown PDF is an
// answer in plain words, not an error page.
func (s *Server) verifySubmit(c *gin.Context) error {
	p, err := s.newVerifyPage(c)
	if err != nil {
		return err
	}
	pdf, err := s.uploadedFile(c, "file")
	if err == nil {
		p.Result, err = s.svc.Records.Verify(c.Request.Context(), currentUser(c), pdf)
	}
	if err != nil {
		if !p.Page.setErrors(err) {
			return err
		}
		s.render(c, http.StatusUnprocessableEntity, "verify", p)
		return nil
	}
	p.Page.Title = "Document check"
	s.render(c, http.StatusOK, "verify", p)
	return nil
}

func (s *Server) apiVerify(c *gin.Context) error {
	pdf, err := s.uploadedFile(c, "file")
	if err != nil {
		return err
	}
	v, err := s.svc.Records.Verify(c.Request.Context(), currentUser(c), pdf)
	if err != nil {
		return err
	}
	out := gin.H{"summary": v.Summary, "details": v.Details, "true_copy": v.Good, "in_file": v.InFile, "sha256": v.SHA256,
		"own_seal": v.OwnSeal, "record_withheld": v.Withheld}
	if v.Seal != nil {
		seal := gin.H{"sealed": v.Seal.Sealed, "intact": v.Seal.Intact, "trusted": v.Seal.Trusted,
			"problem": v.Seal.Problem, "signer": v.Seal.Signer, "at": v.Seal.At, "pades_level": v.Seal.Level}
		if v.OwnSeal {
			// What any other seal says it is about (a record id) is the
			// uploader's claim, not repeated back.
			seal["reason"] = v.Seal.Reason
		}
		out["seal"] = seal
	}
	if v.Record != nil {
		var signers []gin.H
		for _, sg := range v.Signers {
			signers = append(signers, gin.H{"role": sg.Role, "name": sg.Name, "signed_at": sg.SignedAt})
		}
		out["record"] = gin.H{"id": v.Record.ID, "version": v.Record.Version, "form": v.Form, "signatures": signers}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// uploadedFile reads one uploaded file, or the raw body when the request is
// not a multipart form (curl --data-binary @file.pdf).
func (s *Server) uploadedFile(c *gin.Context, field string) ([]byte, error) {
	limit, err := s.svc.Records.MaxVerifyBytes(c.Request.Context())
	if err != nil {
		return nil, err
	}
	noFile := &supervision.ValidationError{Fields: []supervision.FieldError{{Field: field, Message: "Select a PDF file to check"}}}
	if c.ContentType() != "multipart/form-data" {
		b, err := io.ReadAll(io.LimitReader(c.Request.Body, limit+1))
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, noFile
		}
		if int64(len(b)) > limit {
			return nil, supervision.TooLargeToVerify(limit)
		}
		return b, nil
	}
	fh, err := c.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, noFile
	}
	if err != nil {
		return nil, err
	}
	if fh.Size > limit {
		return nil, supervision.TooLargeToVerify(limit)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, noFile
	}
	return b, nil
}
