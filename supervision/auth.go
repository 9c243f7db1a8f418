package supervision

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 12 * time.Hour

// Sign-in limits. Input past them is refused before anything is looked up
// or stored.
const (
	MaxEmailLength         = 254  // RFC 5321's limit on a forward path
	MaxLoginPasswordLength = 1024 // bytes read of a typed password
)

// Throttling. Failed sign-ins are counted in the database (so every
// instance sees them) against the client's address and against the account
// tried. From the fifth failure in a row a key must wait before it is tried
// again: 4 seconds, then twice as long each time, up to 15 minutes. Counts
// are forgotten a day after the last failure.
//
// The owner is never locked out: an address slows only itself, and an
// account that is being guessed at is slowed only for addresses that have
// failed before; the right password from an address with no failures still
// signs in.
const (
	throttleFree   = 4 // failures allowed before any wait
	throttleBase   = 4 * time.Second
	throttleMax    = 15 * time.Minute
	throttleForget = 24 * time.Hour
)

// ErrTooManyAttempts marks a sign-in refused because of recent failures.
var ErrTooManyAttempts = errors.New("too many attempts")

// ThrottledError is a sign-in refused until Wait has passed.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("Too many failed sign-in attempts. Wait %s and try again", humanWait(e.Wait))
}

func (e *ThrottledError) Unwrap() error { return ErrTooManyAttempts }

func humanWait(d time.Duration) string {
	switch s := int(d.Round(time.Second) / time.Second); {
	case s <= 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	case s < 120:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", (s+59)/60)
	}
}

// throttleWait is how long a key with this many failures, the last at
// last, must still wait at now.
func throttleWait(t Throttle, now time.Time) time.Duration {
	if t.Failures <= throttleFree {
		return 0
	}
	d := throttleMax
	if n := t.Failures - throttleFree - 1; n < 16 {
		d = min(throttleBase<<n, throttleMax)
	}
	return t.LastFailure.Add(d).Sub(now)
}

// addressKey is the throttle key for a client address: the address itself
// for IPv4, its /64 for IPv6 (one household or host has a whole /64).
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return ""
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}

func accountKey(staffID string) string { return "acct:" + staffID }

// dummyHash keeps a failed look-up as slow as a wrong password, so response
// times do not reveal which email addresses have accounts.
// It is a fixed bcrypt hash of "not a real password" at bcrypt.DefaultCost
// (cost 10, as real hashes are made): computing one at start-up took
// ~60 ms of every start (TestDummyHashCost checks it still fits).
var dummyHash = []byte("$2a$10$lR7QMlh.TXZyK5I1G.HY0OmJ6BzSN52xhRhichZf64b9xF0LCNBC2")

// dummyHashAt is dummyHash for real hashes made at cost: the fixed one at
// bcrypt's default cost (the service's), else one made now (tests, with a
// lower Config.PasswordCost, so an unknown email costs what theirs do).
func dummyHashAt(cost int) []byte {
	if cost == bcrypt.DefaultCost {
		return dummyHash
	}
	h, err := bcrypt.GenerateFromPassword([]byte("not a real password"), cost)
	if err != nil {
		return dummyHash
	}
	return h
}

// LoginInput is a sign-in with a password.
type LoginInput struct {
	Email    string
	Password string
	Address  string // the client's address, for throttling
}

// Login checks an email and password and opens a session. It returns the
// session token to put in the cookie. It is SignIn without an address.
func (s *People) Login(ctx context.Context, email, password string) (string, *Staff, error) {
	return s.SignIn(ctx, LoginInput{Email: email, Password: password})
}

// LocalPasswords reports whether people may sign in with a password.
func (s *People) LocalPasswords() bool { return !s.cfg.PasswordsOff }

// SignIn checks an email and password, throttled by address and account,
// and opens a session.
func (s *People) SignIn(ctx context.Context, in LoginInput) (string, *Staff, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	var errs []FieldError
	switch {
	case email == "":
		errs = append(errs, FieldError{Field: "email", Message: "Enter your email address"})
	case len(email) > MaxEmailLength:
		errs = append(errs, FieldError{Field: "email", Message: fmt.Sprintf("Email address must be %d characters or fewer", MaxEmailLength)})
	}
	switch {
	case in.Password == "":
		errs = append(errs, FieldError{Field: "password", Message: "Enter your password"})
	case len(in.Password) > MaxLoginPasswordLength:
		errs = append(errs, FieldError{Field: "password", Message: fmt.Sprintf("Password must be %d characters or fewer", MaxLoginPasswordLength)})
	}
	if len(errs) > 0 {
		return "", nil, &ValidationError{Fields: errs}
	}
	if s.cfg.PasswordsOff {
		return "", nil, Errorf(ErrForbidden, "Sign-in with a password is switched off here. Use your organisation's sign-in")
	}
	now := s.now()
	st, err := s.store.GetStaffByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	failed := func(why string) error {
		e := AccessEntry{Action: ActSignInFailed, ActorEmail: email, Detail: why, IP: in.Address}
		if st != nil {
			e.ActorID, e.ActorName = st.ID, st.Name
		}
		return s.logAccess(ctx, e)
	}
	addrKey := addressKey(in.Address)
	keys := []string{}
	if addrKey != "" {
		keys = append(keys, addrKey)
	}
	if st != nil {
		keys = append(keys, accountKey(st.ID))
	}
	th, err := s.store.Throttles(ctx, keys)
	if err != nil {
		return "", nil, err
	}
	addr := th[addrKey]
	if w := throttleWait(addr, now); addrKey != "" && w > 0 {
		if err := failed("too many attempts from this address"); err != nil {
			return "", nil, err
		}
		return "", nil, &ThrottledError{Wait: w}
	}
	if st != nil && addr.Failures > 0 {
		// The account is being guessed at: an address that has failed
		// before waits; a clean one (the owner elsewhere) does not.
		if w := throttleWait(th[accountKey(st.ID)], now); w > 0 {
			if err := failed("too many attempts on this account"); err != nil {
				return "", nil, err
			}
			return "", nil, &ThrottledError{Wait: w}
		}
	}
	hash := s.dummy
	if st != nil && st.PasswordHash != "" {
		hash = []byte(st.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(in.Password)) != nil || st == nil || st.PasswordHash == "" {
		if err := s.countFailure(ctx, now, addrKey, st); err != nil {
			return "", nil, err
		}
		why := "wrong password"
		if st == nil {
			why = "no such account"
		}
		if err := failed(why); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrAuth, "The email address or password is not right")
	}
	if s.HasLeft(st) {
		if err := failed("account ended"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrAuth, "This account is no longer active")
	}
	if err := s.store.ThrottleClear(ctx, accountKey(st.ID)); err != nil {
		return "", nil, err
	}
	token, err := s.newSession(ctx, st, now)
	if err != nil {
		return "", nil, err
	}
	if err := s.logAccess(ctx, AccessEntry{Action: ActSignIn, ActorID: st.ID, ActorName: st.Name, ActorEmail: email, IP: in.Address}); err != nil {
		return "", nil, err
	}
	return token, st, nil
}

func (s *People) countFailure(ctx context.Context, now time.Time, addrKey string, st *Staff) error {
	forget := now.Add(-throttleForget)
	if addrKey != "" {
		if _, err := s.store.ThrottleFail(ctx, addrKey, now, forget); err != nil {
			return err
		}
	}
	if st != nil {
		if _, err := s.store.ThrottleFail(ctx, accountKey(st.ID), now, forget); err != nil {
			return err
		}
	}
	// Rows nobody has failed on for a day go, so the table stays small.
	if _, err := s.store.ThrottlePrune(ctx, forget); err != nil {
		s.log.Warn("prune sign-in throttle", "err", err)
	}
	return nil
}

func (s *People) newSession(ctx context.Context, st *Staff, now time.Time) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := s.store.CreateSession(ctx, &Session{
		TokenHash: hashToken(token), StaffID: st.ID, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime),
	}); err != nil {
		return "", err
	}
	return token, nil
}

// SignInVerifiedEmail opens a session for the member of staff whose email
// an identity provider has verified. There is no account creation: an
// address nobody has is refused, and so is a leaver.
func (s *People) SignInVerifiedEmail(ctx context.Context, email string) (string, *Staff, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > MaxEmailLength {
		return "", nil, Errorf(ErrForbidden, "Your organisation's sign-in did not give a usable email address")
	}
	st, err := s.store.GetStaffByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	refuse := func(why string) error {
		e := AccessEntry{Action: ActSignInFailed, ActorEmail: email, Detail: "OpenID Connect: " + why}
		if st != nil {
			e.ActorID, e.ActorName = st.ID, st.Name
		}
		return s.logAccess(ctx, e)
	}
	if st == nil {
		if err := refuse("no such account"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrForbidden, "There is no account for %s in Supervision File. Ask your administrator to add you with this email address", email)
	}
	if s.HasLeft(st) {
		if err := refuse("account ended"); err != nil {
			return "", nil, err
		}
		return "", nil, Errorf(ErrForbidden, "This account is no longer active")
	}
	token, err := s.newSession(ctx, st, s.now())
	if err != nil {
		return "", nil, err
	}
	if err := s.logAccess(ctx, AccessEntry{Action: ActSignIn, ActorID: st.ID, ActorName: st.Name, ActorEmail: email, Detail: "OpenID Connect"}); err != nil {
		return "", nil, err
	}
	return token, st, nil
}

// Authenticate returns the member of staff a session token belongs to. A
// leaver's sessions end on their end date.
func (s *People) Authenticate(ctx context.Context, token string) (*Staff, error) {
	if token == "" {
		return nil, Errorf(ErrAuth, "Sign in to continue")
	}
	// The session and its member of staff in one read: every request
	// makes it. A session's staff cannot be deleted while it lasts (the
	// sessions go first), so no staff means no session.
	st, err := s.store.SessionStaff(ctx, hashToken(token), s.now())
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ErrAuth, "Your session has ended. Sign in again")
	}
	if err != nil {
		return nil, err
	}
	if s.HasLeft(st) {
		if _, err := s.store.DeleteSessions(ctx, st.ID, ""); err != nil {
			return nil, err
		}
		return nil, Errorf(ErrAuth, "This account is no longer active")
	}
	return st, nil
}

// Logout ends a session.
func (s *People) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, hashToken(token))
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SetPassword gives a member of staff a new password and ends all their
// sessions. It is ResetPassword for a caller with no session to keep.
func (s *People) SetPassword(ctx context.Context, actor *Staff, staffID, password string) error {
	return s.ResetPassword(ctx, actor, "", staffID, password)
}

// ResetPassword is an administrator giving someone a new password: for
// someone who has forgotten theirs, and for people restored from the file
// by reindex, who come back without one. Every session of that person
// ends, except the administrator's own current one (actorToken) when they
// reset their own.
func (s *People) ResetPassword(ctx context.Context, actor *Staff, actorToken, staffID, password string) error {
	if actor == nil || !actor.IsAdmin {
		return Errorf(ErrForbidden, "Only an administrator can set a password")
	}
	if s.cfg.PasswordsOff {
		return Errorf(ErrConflict, "Sign-in with a password is switched off here, so passwords cannot be set")
	}
	st, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return err
	}
	if err := passwordError("password", password); err != nil {
		return err
	}
	keep := ""
	if staffID == actor.ID && actorToken != "" {
		keep = hashToken(actorToken)
	}
	if err := s.storePassword(ctx, st, password, keep); err != nil {
		return err
	}
	return s.logActor(ctx, actor, "administrator", ActPasswordReset, staffID, "", "")
}

func (s *People) storePassword(ctx context.Context, st *Staff, password, keepSession string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.passwordCost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	st.PasswordHash = string(hash)
	if err := s.store.UpdateStaff(ctx, st); err != nil {
		return err
	}
	_, err = s.store.DeleteSessions(ctx, st.ID, keepSession)
	return err
}

// ChangePassword is a person changing their own password. Their other
// sessions end; the one they are using (token) stays.
func (s *People) ChangePassword(ctx context.Context, actor *Staff, token, current, next string) error {
	if s.cfg.PasswordsOff {
		return Errorf(ErrConflict, "Sign-in with a password is switched off here: your password is managed by your organisation's sign-in")
	}
	st, err := s.store.GetStaff(ctx, actor.ID)
	if err != nil {
		return err
	}
	var errs []FieldError
	switch {
	case current == "":
		errs = append(errs, FieldError{Field: "current_password", Message: "Enter your current password"})
	case len(current) > MaxLoginPasswordLength || st.PasswordHash == "" ||
		bcrypt.CompareHashAndPassword([]byte(st.PasswordHash), []byte(current)) != nil:
		errs = append(errs, FieldError{Field: "current_password", Message: "Your current password is not right"})
	}
	if next == "" {
		errs = append(errs, FieldError{Field: "new_password", Message: "Enter a new password"})
	} else if p := PasswordProblem(next); p != "" {
		errs = append(errs, FieldError{Field: "new_password", Message: p})
	} else if next == current {
		errs = append(errs, FieldError{Field: "new_password", Message: "The new password must be different from the current one"})
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	if err := s.storePassword(ctx, st, next, hashToken(token)); err != nil {
		return err
	}
	return s.logActor(ctx, actor, "", ActPasswordChange, actor.ID, "", "")
}
