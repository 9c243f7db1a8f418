package supervision

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Passwords follow the NCSC's guidance: long enough, not a known common
// one, and no composition rules (no "one capital, one symbol").
const (
	// MinPasswordLength is the fewest characters a password may have.
	MinPasswordLength = 12
	// MaxPasswordBytes is bcrypt's limit; longer passwords are refused
	// rather than silently cut.
	MaxPasswordBytes = 72
)

// common_passwords.txt is written by supervision/internal/gencommon: common
// and trivially guessable passwords of 12 or more characters, lower-case,
// spaces removed. It ships inside the binary.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// CommonPasswordCount is how many passwords the shipped list holds.
func CommonPasswordCount() int { return len(commonPasswords()) }

// IsCommonPassword reports whether a password is on the shipped list,
// ignoring case and spaces.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.Join(strings.Fields(pw), ""))]
	return ok
}

// PasswordProblem says what is wrong with a new password, or "" if nothing.
func PasswordProblem(pw string) string {
	switch {
	case !utf8.ValidString(pw):
		return "Password contains characters that are not valid text"
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return fmt.Sprintf("Password must be at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordBytes:
		return fmt.Sprintf("Password must be %d characters or fewer", MaxPasswordBytes)
	case IsCommonPassword(pw):
		return "This password is too common and easy to guess. Choose another, for example three random words"
	}
	return ""
}

func passwordError(field, pw string) error {
	if p := PasswordProblem(pw); p != "" {
		return &ValidationError{Fields: []FieldError{{Field: field, Message: p}}}
	}
	return nil
}

// withoutPasswordError drops the password's errors: with local passwords
// switched off, nobody is given one.
func withoutPasswordError(errs []FieldError) []FieldError {
	var out []FieldError
	for _, e := range errs {
		if e.Field != "password" {
			out = append(out, e)
		}
	}
	return out
}
