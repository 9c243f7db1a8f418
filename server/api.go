package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// decodeJSON reads a JSON body into v, refusing unknown fields so that a
// misspelt key is an error rather than silently dropped input.
func decodeJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return badRequest{"The request body is empty; send a JSON object"}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &supervision.ValidationError{Fields: []supervision.FieldError{{Field: te.Field, Message: "Wrong type: expected " + te.Type.String()}}}
		}
		return badRequest{"The request body is not valid JSON: " + err.Error()}
	}
	if dec.More() {
		return badRequest{"The request body must hold one JSON object"}
	}
	return nil
}

type staffJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	JobTitle  string `json:"job_title"`
	Role      string `json:"role"`
	StartDate string `json:"start_date"`
	IsAdmin   bool   `json:"is_admin"`
}

func staffOut(s *supervision.Staff) staffJSON {
	return staffJSON{ID: s.ID, Name: s.Name, Email: s.Email, JobTitle: s.JobTitle, Role: string(s.Role),
		StartDate: s.StartDate.Format(time.DateOnly), IsAdmin: s.IsAdmin}
}

func (s *Server) apiLogin(c *gin.Context) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	token, st, err := s.svc.People.SignIn(c.Request.Context(), supervision.LoginInput{Email: in.Email, Password: in.Password, Address: c.ClientIP()})
	if err != nil {
		retryAfter(c, err)
		return err
	}
	s.setSessionCookie(c, token)
	c.JSON(http.StatusOK, staffOut(st))
	return nil
}

func (s *Server) apiLogout(c *gin.Context) error {
	if ck, err := c.Cookie(cookieName); err == nil && ck != "" {
		if err := s.svc.People.Logout(c.Request.Context(), ck); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiMe(c *gin.Context) error {
	c.JSON(http.StatusOK, staffOut(currentUser(c)))
	return nil
}

func (s *Server) apiForms(c *gin.Context) error {
	type formJSON struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		Title   string `json:"title"`
	}
	out := []formJSON{}
	for _, d := range s.svc.Forms().List() {
		out = append(out, formJSON{ID: d.ID, Version: d.Version, Title: d.Title})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiFormSchema(c *gin.Context) error {
	d, ok := s.svc.Forms().Get(c.Param("form"))
	if !ok {
		return supervision.Errorf(supervision.ErrNotFound, "No such form")
	}
	c.Data(http.StatusOK, "application/schema+json", d.Schema())
	return nil
}

func (s *Server) apiStaffList(c *gin.Context) error {
	list, err := s.svc.People.ListStaff(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := []adminStaffJSON{}
	for _, st := range list {
		a, err := s.adminStaffOut(c, st)
		if err != nil {
			return err
		}
		out = append(out, a)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiStaffCreate(c *gin.Context) error {
	var in supervision.NewStaff
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, err := s.svc.People.CreateStaff(c.Request.Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, staffOut(st))
	return nil
}

func (s *Server) apiSetSupervisor(c *gin.Context) error {
	var in struct {
		SupervisorID string `json:"supervisor_id"`
		From         string `json:"from"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rel, err := s.svc.Admin.SetSupervisor(c.Request.Context(), currentUser(c), c.Param("id"), in.SupervisorID, in.From)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"supervisee_id": rel.SuperviseeID, "supervisor_id": rel.SupervisorID, "from": rel.From.Format(time.DateOnly)})
	return nil
}

type signatureJSON struct {
	SignerID     string    `json:"signer_id"`
	Role         string    `json:"role"`
	Name         string    `json:"name"`
	SignedAt     time.Time `json:"signed_at"`
	Comment      string    `json:"comment,omitempty"`
	Disagreement string    `json:"disagreement,omitempty"`
	HasDrawing   bool      `json:"has_drawing"`
	DataSHA256   string    `json:"data_sha256"`
}

type documentJSON struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	URL    string `json:"url,omitempty"`
}

type recordJSON struct {
	ID               string          `json:"id"`
	StaffID          string          `json:"staff_id"`
	Form             string          `json:"form"`
	FormVersion      int             `json:"form_version"`
	Title            string          `json:"title"`
	Version          int             `json:"version"`
	Status           string          `json:"status"`
	DocumentsPending bool            `json:"documents_pending,omitempty"`
	DocumentsFailed  *failureJSON    `json:"documents_failed,omitempty"`
	Revision         int             `json:"revision"`
	Data             json.RawMessage `json:"data,omitempty"`
	DataSHA256       string          `json:"data_sha256,omitempty"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
	SignedAt         *time.Time      `json:"signed_at,omitempty"`
	Signatures       []signatureJSON `json:"signatures"`
	Documents        []documentJSON  `json:"documents"`
	PendingSigners   []string        `json:"pending_signers,omitempty"`
	// Issue 11 (living.go): a draft's answers that are not valid yet (kept
	// as typed), the first version of a later version, every version, the
	// party a draft waits on, and the response to a disagreement.
	Errors               []fieldErrorJSON `json:"errors,omitempty"`
	Series               string           `json:"series,omitempty"`
	Versions             []versionJSON    `json:"versions,omitempty"`
	WaitingOn            string           `json:"waiting_on,omitempty"`
	DisagreementResponse *responseJSON    `json:"disagreement_response,omitempty"`
	// A file audit's draft, for whoever fills it in: the audited file's
	// evidence by the audit's section id (auditevidence.go).
	Evidence map[string][]evidenceJSON `json:"evidence,omitempty"`
}

type evidenceJSON struct {
	Text     string `json:"text"`
	RecordID string `json:"record_id,omitempty"`
}

func recordOut(r *supervision.Record, title string, sigs []*supervision.Signature, docs []*supervision.Document, withData bool) recordJSON {
	out := recordJSON{ID: r.ID, StaffID: r.StaffID, Form: r.FormID, FormVersion: r.FormVersion, Title: title,
		Version: r.Version, Status: string(r.Status), Revision: r.Revision, DataSHA256: r.DataSHA256,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SignedAt: r.SignedAt,
		Signatures: []signatureJSON{}, Documents: []documentJSON{}}
	if withData {
		out.Data = json.RawMessage(r.Data)
	}
	for _, sg := range sigs {
		out.Signatures = append(out.Signatures, signatureJSON{SignerID: sg.SignerID, Role: sg.Role, Name: sg.Name,
			SignedAt: sg.SignedAt, Comment: sg.Comment, Disagreement: sg.Disagreement, HasDrawing: len(sg.DrawingPNG) > 0, DataSHA256: sg.DataSHA256})
	}
	for _, d := range docs {
		dj := documentJSON{Kind: d.Kind, Name: path.Base(d.Key), SHA256: d.SHA256, Size: d.Size}
		if d.Kind == "pdf" || d.Kind == "docx" {
			dj.URL = "/api/v1/records/" + r.ID + "/document." + d.Kind
		}
		out.Documents = append(out.Documents, dj)
	}
	return out
}

// failureJSON says why a record's documents could not be made.
type failureJSON struct {
	Reason   string    `json:"reason"`
	Attempts int       `json:"attempts"`
	FailedAt time.Time `json:"failed_at"`
	RetryAt  time.Time `json:"retry_at"`
}

func viewOut(v *supervision.RecordView) recordJSON {
	out := recordOut(v.Record, v.Form.Title, v.Signatures, v.Documents, true)
	if v.Form.Generated || (supervision.IsGroup(v.Form) && v.Record.Status == supervision.StatusDraft) {
		// What the service filled in when it was shown (a handover's list
		// of the file's contents as of its moment; a group draft's row of
		// learning for each attendee named), as the page shows it.
		if raw, err := json.Marshal(v.Data); err == nil {
			out.Data = raw
		}
	}
	out.DocumentsPending = v.DocumentsPending
	if f := v.DocumentsFailed; f != nil {
		out.DocumentsFailed = &failureJSON{Reason: f.Reason, Attempts: f.Attempts, FailedAt: f.FailedAt, RetryAt: f.RetryAt}
	}
	for _, p := range v.Pending {
		out.PendingSigners = append(out.PendingSigners, p.Role)
	}
	if v.Record.Status == supervision.StatusDraft {
		out.Errors = fieldsOut(v.Problems)
	}
	out.Series, out.WaitingOn = v.Record.SeriesID, v.Record.WaitingOn
	if len(v.Versions) > 1 {
		out.Versions = versionsOut(v)
	}
	if r := v.Response; r != nil {
		out.DisagreementResponse = &responseJSON{ResponderID: r.ResponderID, At: r.At, Response: r.Response}
	}
	return out
}

func (s *Server) apiFile(c *gin.Context) error {
	fv, err := s.svc.Files.File(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	hv, err := s.svc.Admin.FileHandover(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	dv, err := s.svc.Files.FileDue(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := struct {
		Staff          staffJSON     `json:"staff"`
		Supervisor     *staffJSON    `json:"supervisor"`
		Records        []recordJSON  `json:"records"`
		ReadOnly       bool          `json:"read_only"`
		RetentionUntil *string       `json:"retention_until"`
		Due            []dueJSON     `json:"due"`
		History        []historyJSON `json:"history"`
		// Standing is how the caller reads the file (access.go); Audits are
		// the file audits of this file, kept in the supervisor's file.
		Standing string       `json:"standing"`
		Audits   []recordJSON `json:"audits"`
	}{Staff: staffOut(fv.Staff), Records: []recordJSON{}, ReadOnly: s.svc.HasLeft(fv.Staff), RetentionUntil: optDate(s.svc.Admin.RetentionUntil(fv.Staff)),
		Due: dueItems(dv.Items), History: historyOut(hv), Standing: fv.Access.Role(), Audits: []recordJSON{}}
	audits, err := s.svc.Files.AuditLinks(c.Request.Context(), currentUser(c), fv.Staff.ID)
	if err != nil {
		return err
	}
	for _, a := range audits {
		out.Audits = append(out.Audits, recordOut(a.Record, a.FormTitle, nil, nil, false))
	}
	if fv.Supervisor != nil {
		sj := staffOut(fv.Supervisor)
		out.Supervisor = &sj
	}
	for _, e := range fv.Records {
		out.Records = append(out.Records, recordOut(e.Record, e.Form.Title, e.Signatures, e.Documents, false))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiRecordCreate(c *gin.Context) error {
	var in struct {
		Form string         `json:"form"`
		Data map[string]any `json:"data"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request.Context()
	r, err := s.svc.Records.StartRecord(ctx, currentUser(c), c.Param("id"), in.Form, in.Data)
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

func (s *Server) apiRecordGet(c *gin.Context) error {
	v, err := s.svc.Records.Record(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	out := viewOut(v)
	if supervision.IsAudit(v.Form) && v.Record.Status == supervision.StatusDraft && v.CanEdit {
		ev, err := s.svc.Files.AuditEvidence(c.Request.Context(), currentUser(c), v, "")
		if err != nil {
			return err
		}
		if ev != nil {
			out.Evidence = map[string][]evidenceJSON{}
			for sec, lines := range ev.BySection {
				for _, l := range lines {
					out.Evidence[sec] = append(out.Evidence[sec], evidenceJSON{Text: l.Text, RecordID: l.RecordID})
				}
			}
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiRecordPut(c *gin.Context) error {
	var in struct {
		Data     map[string]any `json:"data"`
		Revision *int           `json:"revision"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Revision == nil {
		return &supervision.ValidationError{Fields: []supervision.FieldError{{Field: "revision", Message: "Send the revision you last read, so a stale save can be refused"}}}
	}
	if in.Data == nil {
		in.Data = map[string]any{}
	}
	v, err := s.svc.Records.SaveDraft(c.Request.Context(), currentUser(c), c.Param("rid"), in.Data, *in.Revision)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, viewOut(v))
	return nil
}

func (s *Server) apiRecordSubmit(c *gin.Context) error {
	v, err := s.svc.Records.Submit(c.Request.Context(), currentUser(c), c.Param("rid"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, viewOut(v))
	return nil
}

func (s *Server) apiRecordSign(c *gin.Context) error {
	var in struct {
		Name             string `json:"name"`
		Confirm          bool   `json:"confirm"`
		Comment          string `json:"comment"`
		Disagreement     string `json:"disagreement"`
		DrawingPNGBase64 string `json:"drawing_png_base64"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sin := supervision.SignInput{Name: in.Name, Confirm: in.Confirm, Comment: in.Comment, Disagreement: in.Disagreement,
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
	if in.DrawingPNGBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(in.DrawingPNGBase64)
		if err != nil {
			return &supervision.ValidationError{Fields: []supervision.FieldError{{Field: "drawing_png_base64", Message: "Not valid base64"}}}
		}
		sin.DrawingPNG = b
	}
	v, err := s.svc.Records.Sign(c.Request.Context(), currentUser(c), c.Param("rid"), sin)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, viewOut(v))
	return nil
}
