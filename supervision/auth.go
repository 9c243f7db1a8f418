package supervision

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 12 * time.Hour

// Sign-in attempts are limited per email address to slow password guessing.
const (
	maxFailedLogins = 5
	loginWindow     = 15 * time.Minute
)

type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

func (l *loginLimiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if now.Sub(t) < loginWindow {
			recent = append(recent, t)
		}
	}
	l.failures[key] = recent
	return len(recent) >= maxFailedLogins
}

func (l *loginLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.failures[key], now)
}

func (l *loginLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

var limiter = &loginLimiter{failures: map[string][]time.Time{}}

// dummyHash keeps a failed look-up as slow as a wrong password, so response
// times do not reveal which email addresses have accounts.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)

// Login checks an email and password and opens a session. It returns the
// session token to put in the cookie.
func (s *Service) Login(ctx context.Context, email, password string) (string, *Staff, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var errs []FieldError
	if email == "" {
		errs = append(errs, FieldError{Field: "email", Message: "Enter your email address"})
	}
	if password == "" {
		errs = append(errs, FieldError{Field: "password", Message: "Enter your password"})
	}
	if len(errs) > 0 {
		return "", nil, &ValidationError{Fields: errs}
	}
	now := s.now()
	failed := func(st *Staff, why string) error {
		e := AccessEntry{Action: ActSignInFailed, ActorEmail: email, Detail: why}
		if st != nil {
			e.ActorID, e.ActorName = st.ID, st.Name
		}
		return s.logAccess(ctx, e)
	}
	if limiter.blocked(email, now) {
		if err := failed(nil, "too many attempts"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrAuth, "Too many failed sign-in attempts. Wait 15 minutes and try again")
	}
	st, err := s.store.GetStaffByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	if st == nil {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		limiter.fail(email, now)
		if err := failed(nil, "no such account"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrAuth, "The email address or password is not right")
	}
	if bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(password)) != nil {
		limiter.fail(email, now)
		if err := failed(st, "wrong password"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrAuth, "The email address or password is not right")
	}
	if st.EndDate != nil && !st.EndDate.After(s.today()) {
		if err := failed(st, "account ended"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrAuth, "This account is no longer active")
	}
	limiter.reset(email)
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := s.store.CreateSession(ctx, &Session{
		TokenHash: hashToken(token), StaffID: st.ID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime),
	}); err != nil {
		return "", nil, err
	}
	if err := s.logAccess(ctx, AccessEntry{Action: ActSignIn, ActorID: st.ID, ActorName: st.Name, ActorEmail: email}); err != nil {
		return "", nil, err
	}
	return token, st, nil
}

// Authenticate returns the member of staff a session token belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (*Staff, error) {
	if token == "" {
		return nil, Errorf(ErrAuth, "Sign in to continue")
	}
	sess, err := s.store.GetSession(ctx, hashToken(token), s.now())
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ErrAuth, "Your session has ended. Sign in again")
	}
	if err != nil {
		return nil, err
	}
	st, err := s.store.GetStaff(ctx, sess.StaffID)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ErrAuth, "Sign in to continue")
	}
	return st, err
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, hashToken(token))
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SetPassword gives a member of staff a new password: an administrator
// does this for someone who has forgotten theirs, and for people restored
// from the file by reindex, who come back without one.
func (s *Service) SetPassword(ctx context.Context, actor *Staff, staffID, password string) error {
	if actor == nil || !actor.IsAdmin {
		return Errorf(ErrForbidden, "Only an administrator can set a password")
	}
	st, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return err
	}
	switch {
	case len(password) < MinPasswordLength:
		return &ValidationError{Fields: []FieldError{{Field: "password", Message: fmt.Sprintf("Password must be at least %d characters", MinPasswordLength)}}}
	case len(password) > 72:
		return &ValidationError{Fields: []FieldError{{Field: "password", Message: "Password must be 72 characters or fewer"}}}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	st.PasswordHash = string(hash)
	if err := s.store.UpdateStaff(ctx, st); err != nil {
		return err
	}
	return s.logActor(ctx, actor, "administrator", ActPasswordReset, staffID, "", "")
}
