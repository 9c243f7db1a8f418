package supervision

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/supervisionfile/supfile/policy"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/supervisionfile/supfile/forms"
	"github.com/supervisionfile/supfile/supervision/printout"
)

// Renderer makes the documents of a signed record from its printout.
// Package render is the implementation.
type Renderer interface {
	PDF(ctx context.Context, d printout.Document) ([]byte, error)
	DOCX(ctx context.Context, d printout.Document) ([]byte, error)
	// CanPrint says whether the documents can show c. What cannot be
	// printed is refused when it is entered, never found at signing.
	CanPrint(c rune) bool
}

// Config is what the service needs to know about the organisation.
type Config struct {
	OrgName  string
	Location *time.Location // for dates shown to people; Europe/London by default
	// Now is the clock; tests may fix it.
	Now func() time.Time
	// Seal, when set, seals every signed PDF with the organisation's
	// certificate before it is stored, and Verify checks seals.
	Seal Sealer
	// PresignTTL, when set and the document store can presign, makes
	// downloads a redirect to a URL valid this long, issued after the same
	// access check; otherwise downloads stream through the service.
	PresignTTL time.Duration
	// PasswordsOff switches local passwords off: people sign in with the
	// organisation's identity provider (OpenID Connect) only.
	PasswordsOff bool
	// RetentionYears is how long a leaver's file is kept after their end
	// date; 0 means DefaultRetentionYears.
	RetentionYears int
	// Jobs is the durable queue that finishes documents which could not
	// be written at the last signature; nil queues nothing (tests).
	Jobs Jobs
	// Policy is the council's policy profile (SUPFILE_POLICY): how often
	// each role is supervised, deadlines, observations, audits. Nil is
	// policy.DefaultPreset.
	Policy *policy.Profile
	// Mail sends email notifications and Notices queues them (notify.go);
	// with either nil no email is sent. BaseURL is the service's address
	// as people reach it, for the links in emails.
	Mail    Mailer
	Notices NoticeQueue
	BaseURL string
	// Attachments sets the limits on files attached to records and the
	// virus scanner that checks them (attachments.go).
	Attachments AttachmentConfig
	// PasswordCost is the bcrypt cost of new password hashes; 0 means
	// bcrypt.DefaultCost (10), which is what the service always uses
	// (`supfile` never sets it). Tests set bcrypt.MinCost: a sign-in checks
	// a password at the cost its hash was made with, and at cost 10 the
	// sign-ins were half of some tests' time.
	PasswordCost int
}

// passwordCost is the bcrypt cost new password hashes are made with.
func (c Config) passwordCost() int {
	if c.PasswordCost == 0 {
		return bcrypt.DefaultCost
	}
	return c.PasswordCost
}

// Service holds the rules, in four parts by what they serve. Every method
// that acts for a person takes that person (the actor) and checks they may
// do it. The parts share a core (the clock, the organisation, the forms
// catalogue, the logger, the access rules and the access log); each reads
// and writes only its own slice of the Store.
type Service struct {
	*core
	People  *People  // sign-in, sessions, passwords, staff details (auth.go, service.go, staffadmin.go)
	Records *Records // start, save, submit, sign, finalise, documents, verify, versions, email notices (records.go, finalize.go, pending.go, failures.go, seal.go, living.go, notify.go)
	Files   *Files   // the file page, front page, export, what is due, tasks, the access log (records.go, frontpage.go, export.go, due.go, accesslog.go)
	Admin   *Admin   // supervisors, handover, cover and audits, reindex, purge, leavers (service.go, handover.go, arrange.go, reindex.go, purge.go)
}

// core is what the parts share: the clock, the organisation, the forms
// catalogue, the renderer's fonts, the logger, who stands where to a file
// (access.go) and the access log (accesslog.go).
type core struct {
	store    coreStore
	blobs    Blobs
	forms    *forms.Catalogue
	renderer Renderer
	cfg      Config
	log      *slog.Logger
}

// People signs people in and keeps their accounts: sign-in, sessions,
// passwords, adding and changing staff, names.
type People struct {
	*core
	store PeopleStore
	dummy []byte // what a failed look-up compares with: dummyHashAt the password cost
}

// Records is a record's way from a new draft to signed documents, and what
// happens to it after: versions, withdrawal, disagreements, verify.
type Records struct {
	*core
	store RecordStore
	files *Files // what is due, in the weekly digest email (notify.go)
	// problems are the problems of drafts' stored answers, recently
	// worked out (problemsmemo.go).
	problems problemsMemo
}

// Files is what is read across a file: the file page, the front page,
// export, what is due, the "Needs your action" list and the access log.
type Files struct {
	*core
	store   FileStore
	people  *People  // names on the front page
	records *Records // a record's versions in the task list
	admin   *Admin   // whom the actor covers, in the task list
	// taskSources add to everyone's "Needs your action" list (living.go).
	taskSources []TaskSource
}

// Admin arranges who supervises whom: supervisors, handover, cover and
// audit assignments, leavers, reindex and purge.
type Admin struct {
	*core
	store AdminStore
}

// New returns a Service with its four parts.
func New(store Store, blobs Blobs, catalogue *forms.Catalogue, r Renderer, cfg Config, log *slog.Logger) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Policy == nil {
		p, err := policy.Preset(policy.DefaultPreset)
		if err != nil {
			panic(err) // built in: a test catches it
		}
		cfg.Policy = p
	}
	if catalogue != nil {
		catalogue.FillPolicy(cfg.Policy.Hints())
	}
	if cfg.RetentionYears == 0 {
		cfg.RetentionYears = cfg.Policy.RetentionYears
	}
	if cfg.RetentionYears == 0 {
		cfg.RetentionYears = DefaultRetentionYears
	}
	if log == nil {
		log = slog.Default()
	}
	c := &core{store: store, blobs: blobs, forms: catalogue, renderer: r, cfg: cfg, log: log}
	s := &Service{
		core:    c,
		People:  &People{core: c, store: store, dummy: dummyHashAt(cfg.passwordCost())},
		Records: &Records{core: c, store: store},
		Admin:   &Admin{core: c, store: store},
	}
	s.Files = &Files{core: c, store: store, people: s.People, records: s.Records, admin: s.Admin}
	s.Records.files = s.Files
	return s
}

// Policy is the policy profile the service follows.
func (s *Service) Policy() *policy.Profile { return s.cfg.Policy }

// Forms is the catalogue the service uses.
func (s *Service) Forms() *forms.Catalogue { return s.forms }

// OrgName is the organisation printed on pages and documents.
func (s *Service) OrgName() string { return s.cfg.OrgName }

// Location is the time zone dates are shown in.
func (s *Service) Location() *time.Location { return s.cfg.Location }

func (s *core) now() time.Time { return s.cfg.Now().UTC() }

// today is the current date in the organisation's time zone, as UTC midnight.
func (s *core) today() time.Time {
	y, m, d := s.cfg.Now().In(s.cfg.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Ping checks the metadata store.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }

// Ready checks the database and, when it can say, the document store; the
// error is a *NotReadyError saying which is not ready, and why.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return &NotReadyError{Dependency: "database", Err: err}
	}
	if c, ok := s.blobs.(BlobChecker); ok {
		if err := c.Check(ctx); err != nil {
			return &NotReadyError{Dependency: "document store", Err: err}
		}
	}
	return nil
}

// NotReadyError names the dependency that is not ready ("database",
// "document store"), which may be shown to anyone, and wraps the reason,
// which is for the log only.
type NotReadyError struct {
	Dependency string
	Err        error
}

func (e *NotReadyError) Error() string { return e.Dependency + " not ready: " + e.Err.Error() }
func (e *NotReadyError) Unwrap() error { return e.Err }

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// FieldError names an input and what is wrong with it.
type FieldError = forms.FieldError

// ValidationError is returned when input fails validation; every error names its field.
type ValidationError struct {
	Message string
	Fields  []FieldError
}

func (e *ValidationError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return "There is a problem with what was entered"
}

// Unwrap makes a ValidationError match ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// ---- people ----

// NewStaff is what an admin enters to add a member of staff.
type NewStaff struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	JobTitle  string `json:"job_title"`
	Role      string `json:"role"`
	StartDate string `json:"start_date"` // 2006-01-02
	Password  string `json:"password"`
	IsAdmin   bool   `json:"is_admin"`
}

func validRole(r string) bool {
	for _, c := range RoleCategories {
		if string(c) == r {
			return true
		}
	}
	return false
}

// validate checks what an admin typed. A name or job title is printed in
// every document of the person's records and on their file's front page,
// so it must pass printout.CheckText with the renderer's fonts: whatever is
// accepted prints, and no record can be stuck unprintable.
func (n *NewStaff) validate(canPrint func(rune) bool) []FieldError {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }
	n.Name = strings.TrimSpace(n.Name)
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.JobTitle = strings.TrimSpace(n.JobTitle)
	switch {
	case n.Name == "":
		add("name", "Enter the person's full name")
	case utf8.RuneCountInString(n.Name) > 200:
		add("name", "Full name must be 200 characters or fewer")
	default:
		if msg := printout.CheckText(n.Name, "Full name", printout.OneLine, canPrint); msg != "" {
			add("name", msg)
		}
	}
	if n.Email == "" {
		add("email", "Enter an email address")
	} else if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email || len(n.Email) > 254 {
		add("email", "Enter an email address in the correct format, like name@example.gov.uk")
	}
	if n.JobTitle == "" {
		add("job_title", "Enter a job title")
	} else if utf8.RuneCountInString(n.JobTitle) > 200 {
		add("job_title", "Job title must be 200 characters or fewer")
	} else if msg := printout.CheckText(n.JobTitle, "Job title", printout.OneLine, canPrint); msg != "" {
		add("job_title", msg)
	}
	if !validRole(n.Role) {
		add("role", "Select a role category")
	}
	if n.StartDate == "" {
		add("start_date", "Enter a start date")
	} else if _, err := time.Parse(time.DateOnly, n.StartDate); err != nil {
		add("start_date", dateError("start date", n.StartDate))
	}
	if p := PasswordProblem(n.Password); p != "" {
		add("password", p)
	}
	return errs
}

// CreateStaff adds a member of staff. Only admins may.
func (s *People) CreateStaff(ctx context.Context, actor *Staff, n NewStaff) (*Staff, error) {
	if !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can add staff")
	}
	return s.createStaff(ctx, n)
}

func (s *People) createStaff(ctx context.Context, n NewStaff) (*Staff, error) {
	errs := n.validate(s.renderer.CanPrint)
	if s.cfg.PasswordsOff {
		errs = withoutPasswordError(errs) // they sign in with the identity provider
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	var hash []byte
	var err error
	if !s.cfg.PasswordsOff {
		if hash, err = bcrypt.GenerateFromPassword([]byte(n.Password), s.cfg.passwordCost()); err != nil {
			return nil, fmt.Errorf("hash password: %w", err)
		}
	}
	start, _ := time.Parse(time.DateOnly, n.StartDate)
	st := &Staff{
		ID: newID(), Name: n.Name, Email: n.Email, JobTitle: n.JobTitle,
		Role: RoleCategory(n.Role), StartDate: start, IsAdmin: n.IsAdmin,
		PasswordHash: string(hash), CreatedAt: s.now(),
	}
	if err := s.store.CreateStaff(ctx, st); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, &ValidationError{Fields: []FieldError{{Field: "email", Message: "A member of staff with this email address already exists"}}}
		}
		return nil, err
	}
	return st, nil
}

// EnsureAdmin creates an admin account when there is none that can sign in:
// on first start, and after reindex has restored staff from the file into an
// empty database (they come back without passwords).
// With an empty password one is generated and returned so it can be printed.
func (s *People) EnsureAdmin(ctx context.Context, email, password string) (created bool, usedPassword string, err error) {
	all, err := s.store.ListStaff(ctx)
	if err != nil {
		return false, "", err
	}
	for _, st := range all {
		if st.IsAdmin && (st.PasswordHash != "" || s.cfg.PasswordsOff) {
			return false, "", nil
		}
	}
	if email == "" {
		email = "admin@example.org"
	}
	if password == "" {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return false, "", err
		}
		password = hex.EncodeToString(b[:])
	}
	_, err = s.createStaff(ctx, NewStaff{
		Name: "Administrator", Email: email, JobTitle: "System administrator",
		Role: string(RoleBusinessSupport), StartDate: s.today().Format(time.DateOnly),
		Password: password, IsAdmin: true,
	})
	if err != nil {
		return false, "", err
	}
	return true, password, nil
}

// ListStaff is every member of staff, for admins.
func (s *People) ListStaff(ctx context.Context, actor *Staff) ([]*Staff, error) {
	if !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can list staff")
	}
	return s.store.ListStaff(ctx)
}

// StaffMember returns one member of staff to an admin.
func (s *People) StaffMember(ctx context.Context, actor *Staff, id string) (*Staff, error) {
	if !actor.IsAdmin {
		return nil, Errorf(ErrNotFound, "No such member of staff")
	}
	return s.store.GetStaff(ctx, id)
}

// SetSupervisor makes supervisorID the supervisee's supervisor from a date.
func (s *Admin) SetSupervisor(ctx context.Context, actor *Staff, superviseeID, supervisorID, from string) (*Relationship, error) {
	if !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can set a supervisor")
	}
	var errs []FieldError
	fromDate := s.today()
	if from != "" {
		d, err := time.Parse(time.DateOnly, from)
		if err != nil {
			errs = append(errs, FieldError{Field: "from", Message: "Date must be a real date, for example 2026-03-27"})
		}
		fromDate = d
	}
	if supervisorID == "" {
		errs = append(errs, FieldError{Field: "supervisor_id", Message: "Select a supervisor"})
	} else if supervisorID == superviseeID {
		errs = append(errs, FieldError{Field: "supervisor_id", Message: "A member of staff cannot supervise themselves"})
	} else if supervisorID == actor.ID {
		// An administrator's rights never reach the records: they cannot
		// make themselves anyone's supervisor (another admin can).
		errs = append(errs, FieldError{Field: "supervisor_id", Message: "You cannot make yourself a supervisor: ask another administrator"})
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	if _, err := s.store.GetStaff(ctx, superviseeID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetStaff(ctx, supervisorID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, &ValidationError{Fields: []FieldError{{Field: "supervisor_id", Message: "Select a supervisor from the list of staff"}}}
		}
		return nil, err
	}
	rel := &Relationship{ID: newID(), SuperviseeID: superviseeID, SupervisorID: supervisorID, From: fromDate}
	if err := s.store.SetSupervisor(ctx, rel); err != nil {
		return nil, err
	}
	if err := s.logActor(ctx, actor, "administrator", ActRelationship, superviseeID, "",
		"supervisor "+supervisorID+" from "+fromDate.Format(time.DateOnly)); err != nil {
		return nil, err
	}
	return rel, nil
}

// CurrentSupervisor is the supervisee's supervisor today, or nil.
func (s *core) CurrentSupervisor(ctx context.Context, superviseeID string) (*Staff, error) {
	sup, err := s.store.SupervisorOn(ctx, superviseeID, s.today())
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return sup, err
}

// Supervisees are the actor's supervisees today.
func (s *Admin) Supervisees(ctx context.Context, actor *Staff) ([]*Staff, error) {
	return s.store.Supervisees(ctx, actor.ID, s.today())
}

// Names maps every member of staff's id to their name, for showing who did
// what and for choosing a person in a form.
func (s *People) Names(ctx context.Context) (map[string]string, error) {
	list, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(list))
	for _, st := range list {
		m[st.ID] = st.Name
	}
	return m, nil
}

// HistoryEntry is one past or present supervisor.
type HistoryEntry struct {
	Supervisor *Staff
	From       time.Time
	To         *time.Time
}

// SupervisorHistory lists a supervisee's supervisors, oldest first, for admins.
func (s *Admin) SupervisorHistory(ctx context.Context, actor *Staff, superviseeID string) ([]HistoryEntry, error) {
	if !actor.IsAdmin {
		return nil, Errorf(ErrForbidden, "Only an administrator can see supervisor history")
	}
	rels, err := s.store.Relationships(ctx, superviseeID)
	if err != nil {
		return nil, err
	}
	var out []HistoryEntry
	for _, r := range rels {
		sup, err := s.store.GetStaff(ctx, r.SupervisorID)
		if err != nil {
			return nil, err
		}
		out = append(out, HistoryEntry{Supervisor: sup, From: r.From, To: r.To})
	}
	return out, nil
}
