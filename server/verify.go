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
}

func (s *Server) verifyForm(c *gin.Context) error {
	s.render(c, http.StatusOK, "verify", &verifyPage{Page: s.basePage(c, "Check a document")})
	return nil
}

// verifySubmit checks an uploaded PDF. A tampered or unknown PDF is an
// answer in plain words, not an error page.
func (s *Server) verifySubmit(c *gin.Context) error {
	p := &verifyPage{Page: s.basePage(c, "Check a document")}
	pdf, err := uploadedFile(c, "file")
	if err == nil {
		p.Result, err = s.svc.Verify(c.Request.Context(), currentUser(c), pdf)
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
	pdf, err := uploadedFile(c, "file")
	if err != nil {
		return err
	}
	v, err := s.svc.Verify(c.Request.Context(), currentUser(c), pdf)
	if err != nil {
		return err
	}
	out := gin.H{"summary": v.Summary, "details": v.Details, "true_copy": v.Good, "in_file": v.InFile, "sha256": v.SHA256}
	if v.Seal != nil {
		out["seal"] = gin.H{"sealed": v.Seal.Sealed, "intact": v.Seal.Intact, "trusted": v.Seal.Trusted,
			"problem": v.Seal.Problem, "signer": v.Seal.Signer, "reason": v.Seal.Reason, "at": v.Seal.At}
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
func uploadedFile(c *gin.Context, field string) ([]byte, error) {
	noFile := &supervision.ValidationError{Fields: []supervision.FieldError{{Field: field, Message: "Select a PDF file to check"}}}
	if c.ContentType() != "multipart/form-data" {
		b, err := io.ReadAll(io.LimitReader(c.Request.Body, supervision.MaxVerifyBytes+1))
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, noFile
		}
		if len(b) > supervision.MaxVerifyBytes {
			return nil, tooBig()
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
	if fh.Size > supervision.MaxVerifyBytes {
		return nil, tooBig()
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

func tooBig() error {
	return &supervision.ValidationError{Fields: []supervision.FieldError{{Field: "file", Message: "The file must be 7 MB or smaller"}}}
}
