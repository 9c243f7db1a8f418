package server

import (
	"errors"
	"log/slog"
	"net/http"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// apiError is the JSON error body: {"error": {code, message, fields}}.
type apiError struct {
	Code    string                   `json:"code"`
	Message string                   `json:"message"`
	Fields  []supervision.FieldError `json:"fields,omitempty"`
}

// errBadRequest marks input that could not be read at all (bad JSON).
var errBadRequest = errors.New("bad request")

// errTooLarge marks a body over the size limit.
var errTooLarge = errors.New("request too large")

// classify maps an error to a status, a code and a message safe to show.
// Anything it does not recognise is a 500 whose detail only goes to the log.
func classify(err error) (status int, code, message string, fields []supervision.FieldError) {
	var ve *supervision.ValidationError
	var de *supervision.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, "too_large", "The request is too large", nil
	case errors.Is(err, supervision.ErrTooManyAttempts):
		return http.StatusTooManyRequests, "too_many_attempts", err.Error(), nil
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, "invalid", ve.Error(), ve.Fields
	case errors.Is(err, errBadRequest):
		return http.StatusBadRequest, "bad_request", err.Error(), nil
	case errors.Is(err, supervision.ErrFull) || errors.Is(err, syscall.ENOSPC):
		return http.StatusServiceUnavailable, "disk_full",
			"Supervision File's disk is full, so nothing was changed. Tell your administrator; once space is freed, try again", nil
	case errors.Is(err, supervision.ErrUnavailable):
		return http.StatusServiceUnavailable, "unavailable",
			"Supervision File cannot reach its database just now, so nothing was changed. Try again in a few minutes", nil
	case errors.As(err, &de):
		switch {
		case errors.Is(err, supervision.ErrInvalid):
			return http.StatusUnprocessableEntity, "invalid", de.Message, nil
		case errors.Is(err, supervision.ErrNotFound):
			return http.StatusNotFound, "not_found", de.Message, nil
		case errors.Is(err, supervision.ErrConflict):
			return http.StatusConflict, "conflict", de.Message, nil
		case errors.Is(err, supervision.ErrForbidden):
			return http.StatusForbidden, "forbidden", de.Message, nil
		case errors.Is(err, supervision.ErrAuth):
			return http.StatusUnauthorized, "unauthenticated", de.Message, nil
		}
	case errors.Is(err, supervision.ErrNotFound):
		return http.StatusNotFound, "not_found", "Not found", nil
	case errors.Is(err, supervision.ErrConflict):
		return http.StatusConflict, "conflict", "The record was changed by someone else", nil
	}
	return http.StatusInternalServerError, "internal", "Something went wrong. Try again later", nil
}

type badRequest struct{ msg string }

func (b badRequest) Error() string { return b.msg }
func (b badRequest) Unwrap() error { return errBadRequest }

// apiHandler adapts a handler that returns an error to gin, writing API
// errors as JSON.
func (s *Server) api(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			if s.clientGone(c, err) {
				return
			}
			status, code, msg, fields := classify(err)
			if status >= 500 {
				s.log.Error("request failed", "request_id", requestID(c), "path", c.Request.URL.Path, "err", err)
				msg += " (reference " + requestID(c) + ")"
			} else {
				s.log.Info("request refused", "request_id", requestID(c), "status", status, "err", err)
			}
			c.AbortWithStatusJSON(status, gin.H{"error": apiError{Code: code, Message: msg, Fields: fields}})
		}
	}
}

// page adapts a page handler; errors become an error page.
func (s *Server) page(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			if s.clientGone(c, err) {
				return
			}
			s.servePageError(c, err)
		}
	}
}

// statusClientClosed is what the request log shows for a request whose
// client went away before the answer was ready (nginx's 499): nobody reads
// a reply, and it is not the service's fault.
const statusClientClosed = 499

// clientGoneGrace is how long a request whose database call failed waits
// to learn whether its client has gone before the failure is logged as the
// service's.
const clientGoneGrace = 50 * time.Millisecond

// clientGone says whether a request failed because its client went away
// (a closed tab, a proxy's time-out): such a request is logged at Info, not
// as an error, and gets no reply. The request's context is done only when
// its client has gone, and then the error need not say so: a database
// driver cut off mid-statement can report the connection it had to drop
// ("driver: bad connection") rather than the cancellation that made it.
func (s *Server) clientGone(c *gin.Context, err error) bool {
	if ctx := c.Request.Context(); ctx.Err() == nil {
		if !errors.Is(err, supervision.ErrUnavailable) {
			return false
		}
		// The database answered "bad connection" to a request whose
		// client is going: the server learns of a closed connection a
		// moment after the driver does. Wait that moment before calling
		// it the service's error; a real outage costs its reply 50 ms.
		t := time.NewTimer(clientGoneGrace)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
			return false
		}
	}
	s.log.Info("client went away", "request_id", requestID(c), "path", c.Request.URL.Path, "err", err)
	c.AbortWithStatus(statusClientClosed)
	return true
}

func (s *Server) servePageError(c *gin.Context, err error) {
	status, _, msg, _ := classify(err)
	if status == http.StatusUnauthorized {
		c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
		return
	}
	heading := map[int]string{
		http.StatusNotFound:              "Page not found",
		http.StatusForbidden:             "You cannot do that",
		http.StatusConflict:              "This record has changed",
		http.StatusRequestEntityTooLarge: "What you sent is too large",
		http.StatusUnprocessableEntity:   "There is a problem",
		http.StatusBadRequest:            "There is a problem",
	}[status]
	view := errorPage{Heading: heading, Message: msg}
	if status >= 500 {
		s.log.Error("page failed", "request_id", requestID(c), "path", c.Request.URL.Path, "err", err)
		view.Heading = "Sorry, there is a problem with the service"
		view.Message = "Something went wrong. Try again later. Anything you had saved is safe."
		view.RequestID = requestID(c)
	} else {
		s.log.Info("page refused", "request_id", requestID(c), "status", status, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		view.Heading = "Sorry, the service is unavailable"
		view.Message = msg + ". Anything you had saved before is safe."
	}
	view.Page = s.basePage(c, view.Heading)
	s.render(c, status, "error", &view)
}

type errorPage struct {
	Page      *basePage
	Heading   string
	Message   string
	RequestID string
}

var _ = slog.Default
