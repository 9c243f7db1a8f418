package supervision

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/forms"
)

// Kinds of domain error, matched with errors.Is. The server maps each to an
// HTTP status and a safe message.
var (
	ErrInvalid   = errors.New("invalid")
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	ErrAuth      = errors.New("not signed in")
	// ErrUnavailable: a store the service depends on cannot be reached
	// just now; nothing was changed, and trying again later may work.
	ErrUnavailable = errors.New("unavailable")
	// ErrFull: the disk (or database) a store writes to is full; nothing
	// was changed, and it works again once space is freed.
	ErrFull = errors.New("storage full")
)

// Error is a domain error with a message safe to show to the user.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// dateError is the message for a date that is not a real date: the GOV.UK
// date input's (which box is missing or wrong) when it was typed into a
// page's three boxes, else one with an example of the format the API takes.
// name is lower case ("end date"); the message starts with a capital.
func dateError(name, typed string) string {
	if m, ok := forms.DateInputMessage(name, typed); ok {
		return m
	}
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:] + " must be a real date, for example 2026-03-27"
}
