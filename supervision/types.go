package supervision

import (
	"context"
	"io"
	"net/url"
	"time"
)

// RoleCategory is a member of staff's role for policy purposes (frequencies,
// observations), taken from the seed policies.
type RoleCategory string

// The role categories of the seed policies.
const (
	RoleStudent         RoleCategory = "student"
	RoleASYE            RoleCategory = "asye"
	RoleProbation       RoleCategory = "probation"
	RoleSocialWorker    RoleCategory = "social_worker"
	RoleFamilySupport   RoleCategory = "family_support"
	RoleTeamManager     RoleCategory = "team_manager"
	RoleSeniorManager   RoleCategory = "senior_manager"
	RoleResidential     RoleCategory = "residential"
	RoleBusinessSupport RoleCategory = "business_support"
)

// RoleCategories lists every role category in display order.
var RoleCategories = []RoleCategory{
	RoleStudent, RoleASYE, RoleProbation, RoleSocialWorker, RoleFamilySupport,
	RoleTeamManager, RoleSeniorManager, RoleResidential, RoleBusinessSupport,
}

// Staff is a member of the workforce with a sign-in account.
type Staff struct {
	ID           string
	Name         string
	Email        string // stored lower-case; unique
	JobTitle     string
	Role         RoleCategory
	StartDate    time.Time // a date (UTC midnight)
	EndDate      *time.Time
	IsAdmin      bool
	PasswordHash string
	CreatedAt    time.Time
}

// Relationship is one supervisory relationship; To is nil while it lasts.
type Relationship struct {
	ID           string
	SuperviseeID string
	SupervisorID string
	From         time.Time // a date
	To           *time.Time
}

// Status is where a record is in its life.
type Status string

// A record's life: draft → awaiting signatures → signed (final).
const (
	StatusDraft              Status = "draft"
	StatusAwaitingSignatures Status = "awaiting_signatures"
	StatusSigned             Status = "signed"
)

// Record is one filled form in a supervisee's file.
type Record struct {
	ID          string
	StaffID     string // the supervisee whose file it is in
	FormID      string
	FormVersion int
	Version     int // v<n> in the file; an amendment is a new version
	Status      Status
	Revision    int    // bumped on every draft save; optimistic locking
	Data        []byte // the answers, JSON object
	AuthorID    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SignedAt    *time.Time
	DataSHA256  string // set when submitted: hash of the canonical data being signed
	// SeriesID names the first version of a later version ("" on a first
	// version); WaitingOn is the party a draft was sent to. Every store
	// read of a record fills both in.
	SeriesID  string
	WaitingOn string
}

// Signature is one party's signature on a record.
type Signature struct {
	RecordID     string
	SignerID     string
	Role         string // the form's signer role, e.g. "supervisee"
	Name         string // typed full name
	SignedAt     time.Time
	IP           string
	UserAgent    string
	Comment      string
	Disagreement string
	DrawingPNG   []byte
	DataSHA256   string // hash of the canonical data the signer saw
}

// Event is one line of a record's audit trail.
type Event struct {
	RecordID string
	At       time.Time
	ActorID  string
	Action   string
	Detail   string
	// Notices are the emails the event owes: the store writes them to the
	// outbox in the event's transaction (they are not part of the trail),
	// so they are queued even if the process dies straight after.
	Notices []Notice `json:"-"`
}

// Document is one object written to the file for a signed record.
type Document struct {
	RecordID string
	Version  int
	Kind     string // "pdf", "docx", "json"
	Key      string // object key, files/<staff>/records/<record>/v<n>/<name>
	SHA256   string
	Size     int64
}

// Session is a signed-in browser or API client.
type Session struct {
	TokenHash string // SHA-256 of the cookie value; the value itself is never stored
	StaffID   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store keeps the metadata. Implementations: SQLite (embedded default) and
// PostgreSQL. Not-found lookups return an error matching ErrNotFound; a
// duplicate or stale write returns one matching ErrConflict.
//
// It is the union of what each part of the Service uses (PeopleStore,
// RecordStore, FileStore, AdminStore), which are made of the small
// interfaces below and beside the code that uses them.
type Store interface {
	PeopleStore // People: staff, sessions, sign-in throttling
	RecordStore // Records: records, signatures, events, documents
	FileStore   // Files: a file's listings and the access log, read-only
	AdminStore  // Admin: relationships, handovers, cover, reindex, purge

	AccessLogStore  // accesslog.go
	AuthStore       // sign-in throttling, sessions, purge (auth_store.go)
	FailureStore    // documents that crashed the renderer or sealer (failures.go)
	HandoverStore   // handover.go
	VerifyStore     // verify's size limit (verifystore.go)
	LivingStore     // versions, withdrawal, draft deletion, disagreement responses (living.go)
	MailStore       // email notifications sent (notify.go)
	AttachmentStore // files kept with a record (attachments.go)
	AccessStore     // access.go: people named on records, cover, audit assignments

	Ping(ctx context.Context) error
	Close() error
}

// PeopleStore is what People uses: staff, sessions and sign-in throttling.
type PeopleStore interface {
	StaffReader
	AuthStore
	MailStore // whether each person wants email notifications

	CreateStaff(ctx context.Context, s *Staff) error
	UpdateStaff(ctx context.Context, s *Staff) error
	GetStaffByEmail(ctx context.Context, email string) (*Staff, error)
	CountStaff(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	// SessionStaff is the member of staff of a live session (GetSession
	// then GetStaff, in one read): ErrNotFound if there is none.
	SessionStaff(ctx context.Context, tokenHash string, now time.Time) (*Staff, error)
	DeleteSession(ctx context.Context, tokenHash string) error
}

// RecordStore is what Records uses: records with their signatures, events
// and documents, the people named on them, versions, failures and the
// emails sent about them.
type RecordStore interface {
	StaffReader
	RecordReader
	ReadTogether  // a command's reads of a record as one (load)
	AccessStore   // the people named on a record
	LivingStore   // versions, withdrawal, disagreement responses
	FailureStore  // documents that crashed the renderer or sealer
	VerifyStore   // verify's size limit
	HandoverStore // a handover record's contents
	MailStore     // which emails were sent (notify.go)
	AttachmentStore
	RelationshipReader

	CreateRecord(ctx context.Context, r *Record, ev Event) error
	// SaveDraft writes data when the stored revision equals r.Revision and
	// bumps it; otherwise ErrConflict. r.Revision is updated on success.
	SaveDraft(ctx context.Context, r *Record, ev Event) error
	// SetStatus moves a record (with the expected revision) to a status, storing DataSHA256.
	SetStatus(ctx context.Context, r *Record, ev Event) error
	AddSignature(ctx context.Context, s *Signature, ev Event) error // ErrConflict if the role already signed
	// AddSignatureOwing is AddSignature that asks owed, inside the
	// transaction once the signature is written, which emails it owes,
	// given the roles that have signed by then: this one and every
	// signature committed before it (signatures of one record are written
	// one at a time). Its notices go into the outbox with the event, after
	// ev.Notices. So the signature that completes what a role waits for
	// is the one that tells it, whichever of two at once commits last.
	AddSignatureOwing(ctx context.Context, s *Signature, ev Event, owed func(signed map[string]bool) []Notice) error
	// Finalize marks the record signed and stores its documents, in one transaction.
	Finalize(ctx context.Context, r *Record, docs []*Document, ev Event) error
	DocumentBySHA256(ctx context.Context, sum string) (*Document, error) // ErrNotFound when none
	AwaitingSignatures(ctx context.Context) ([]*Record, error)           // oldest first
}

// FileStore is what Files reads: a file's records and documents, who is
// named where, what is due, open disagreements and the access log.
type FileStore interface {
	StaffReader
	RecordReader
	RelationshipReader
	AccessStore     // records naming someone
	AccessLogStore  // the access log's pages
	HandoverStore   // a file's handovers, for what is due
	LivingStore     // open disagreements
	AttachmentStore // export takes a record's attachments
}

// AdminStore is what Admin uses: relationships, handovers, cover and audit
// assignments, and reindex and purge, which rebuild and remove whole files.
type AdminStore interface {
	StaffReader
	RecordReader
	RelationshipReader
	AccessStore     // cover, audit assignments
	HandoverStore   // handovers
	AuthStore       // purge
	LivingStore     // reindex files a version under its series
	AttachmentStore // reindex restores attachments

	// SetSupervisor ends the supervisee's open relationship (To = from) and
	// opens a new one from that date, in one transaction.
	SetSupervisor(ctx context.Context, rel *Relationship) error
	// ImportRecord adds a signed record rebuilt from the file, with its
	// signatures, events and documents; ErrConflict if it is indexed already.
	ImportRecord(ctx context.Context, r *Record, sigs []*Signature, evs []*Event, docs []*Document) error
	// Reindex restores staff and signed records (as PeopleStore and RecordStore).
	CreateStaff(ctx context.Context, s *Staff) error
	Finalize(ctx context.Context, r *Record, docs []*Document, ev Event) error
}

// StaffReader looks staff up; every part does.
type StaffReader interface {
	GetStaff(ctx context.Context, id string) (*Staff, error)
	ListStaff(ctx context.Context) ([]*Staff, error)
}

// RecordReader reads records and what hangs off them.
type RecordReader interface {
	GetRecord(ctx context.Context, id string) (*Record, error)
	ListRecords(ctx context.Context, staffID string) ([]*Record, error) // newest first
	Signatures(ctx context.Context, recordID string) ([]*Signature, error)
	Events(ctx context.Context, recordID string) ([]*Event, error)
	Documents(ctx context.Context, recordID string) ([]*Document, error)
}

// ReadTogether lets a command make its reads of a record as one: the
// store returns a context whose reads share one read transaction (where
// that is cheaper: SQLite) and the function that ends it. The reads inside
// see the store as at the first of them; the caller ends it before it reads
// anything it has written.
type ReadTogether interface {
	ReadTogether(ctx context.Context) (context.Context, func())
}

// RelationshipReader reads who supervises whom.
type RelationshipReader interface {
	// CurrentRelationship is the relationship open on the given date.
	CurrentRelationship(ctx context.Context, superviseeID string, on time.Time) (*Relationship, error)
	// SupervisorOn is the supervisor on the date, read with the
	// relationship; ErrNotFound when there is none.
	SupervisorOn(ctx context.Context, superviseeID string, on time.Time) (*Staff, error)
	// StaffAndSupervisor is the member of staff and their supervisor on
	// the date (nil when none), in one read; ErrNotFound when there is no
	// such member of staff.
	StaffAndSupervisor(ctx context.Context, staffID string, on time.Time) (*Staff, *Staff, error)
	Relationships(ctx context.Context, superviseeID string) ([]*Relationship, error)
	// Supervisees are the staff whose open relationship on the date has this supervisor.
	Supervisees(ctx context.Context, supervisorID string, on time.Time) ([]*Staff, error)
}

// coreStore is what the shared core reads and writes: who stands where to
// a file (access.go), the access log, and the store's health.
type coreStore interface {
	GetStaff(ctx context.Context, id string) (*Staff, error)
	CurrentRelationship(ctx context.Context, superviseeID string, on time.Time) (*Relationship, error)
	// SupervisorOn is the member of staff supervising superviseeID on the
	// date (CurrentRelationship's supervisor, in one read); ErrNotFound when
	// there is none.
	SupervisorOn(ctx context.Context, superviseeID string, on time.Time) (*Staff, error)
	// StaffAndSupervisor is the member of staff and their supervisor on
	// the date (nil when none), in one read; ErrNotFound when there is no
	// such member of staff.
	StaffAndSupervisor(ctx context.Context, staffID string, on time.Time) (*Staff, *Staff, error)
	Relationships(ctx context.Context, superviseeID string) ([]*Relationship, error)
	RecordParties(ctx context.Context, recordID string) ([]*RecordParty, error)
	Covers(ctx context.Context, supervisorID, standInID string, since time.Time) ([]*Cover, error)
	AuditAssignments(ctx context.Context, superviseeID, auditorID string) ([]*AuditAssignment, error)
	AppendAccess(ctx context.Context, e *AccessEntry) error
	LastSigned(ctx context.Context, staffID, formID string) (*Record, error)
	Ping(ctx context.Context) error
}

// Blobs keeps the documents: a local folder by default, S3-compatible storage
// in production. Objects are written once.
type Blobs interface {
	// Put writes a new object; it fails with ErrConflict if the key exists.
	Put(ctx context.Context, key string, data []byte, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error) // ErrNotFound when missing
	Exists(ctx context.Context, key string) (bool, error)
}

// BlobChecker is a Blobs that can say whether it is ready: the bucket
// exists and the keys work. /readyz asks it.
type BlobChecker interface {
	Check(ctx context.Context) error
}

// Presigner is a Blobs that can hand out a short-lived URL for one object,
// so that a download goes straight from the store to the browser once the
// service has checked who is asking.
type Presigner interface {
	PresignedGet(ctx context.Context, key string, ttl time.Duration, filename string) (*url.URL, error)
}

// BlobLister is a Blobs that can list its keys, which reindex and export
// need.
type BlobLister interface {
	// List returns every key that starts with prefix, in lexical order.
	List(ctx context.Context, prefix string) ([]string, error)
}
