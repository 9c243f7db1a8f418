package supervision

import (
	"errors"
	"fmt"
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
