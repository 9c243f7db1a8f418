package storage

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/supervisionfile/supfile/supervision"
)

const recordColumns = `id, staff_id, form_id, form_version, version, status, revision, data, author_id,
	created_at, updated_at, signed_at, data_sha256`

// selectRecordColumns are recordColumns and the series and party a draft
// waits on (set by CreateVersion, SetSeries and SetWaitingOn), which every
// read of a record fills in.
const selectRecordColumns = recordColumns + `, series_id, waiting_on`

var recordMessages = messages{
	conflict: "A record with this ID already exists",
	notFound: "The member of staff or author of this record does not exist",
	invalid:  "The record is not valid",
}

func scanRecord(row rowScanner) (*supervision.Record, error) {
	var r supervision.Record
	var series string
	err := row.Scan(&r.ID, &r.StaffID, &r.FormID, &r.FormVersion, &r.Version, &r.Status, &r.Revision, jsonCol{&r.Data},
		&r.AuthorID, tsCol(&r.CreatedAt), tsCol(&r.UpdatedAt), optTSCol(&r.SignedAt), &r.DataSHA256, &series, &r.WaitingOn)
	if err != nil {
		return nil, err
	}
	if series != r.ID {
		r.SeriesID = series // "" for a first version
	}
	return &r, nil
}

func validStatus(s supervision.Status) bool {
	switch s {
	case supervision.StatusDraft, supervision.StatusAwaitingSignatures, supervision.StatusSigned:
		return true
	}
	return false
}

// insertEvent writes ev in the transaction of the change it records, so
// the audit trail never shows a change that did not happen, nor misses one
// that did.
func insertEvent(ctx context.Context, tx *sql.Tx, recordID string, ev *supervision.Event) error {
	if ev.RecordID == "" {
		ev.RecordID = recordID
	} else if ev.RecordID != recordID {
		return invalid("An event for record %s cannot be written with a change to record %s", ev.RecordID, recordID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (record_id, at, actor_id, action, detail) VALUES ($1, $2, $3, $4, $5)`,
		ev.RecordID, stamp(&ev.At), ev.ActorID, ev.Action, ev.Detail)
	if err != nil {
		return fail("add event", err, messages{notFound: "No such record"})
	}
	return insertOutbox(ctx, tx, ev.At, ev.Notices)
}

// recordGone tells a change refused by its WHERE clause apart: ErrNotFound
// if the record does not exist, otherwise the conflict given.
func recordGone(ctx context.Context, tx *sql.Tx, id string, refused error) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE id = $1`, id).Scan(&n); err != nil {
		return fail("check record", err, messages{})
	}
	if n == 0 {
		return notFound("No such record")
	}
	return refused
}

// CreateRecord stores a new record and its first event.
func (db *DB) CreateRecord(ctx context.Context, r *supervision.Record, ev supervision.Event) error {
	if r.ID == "" {
		return invalid("A record needs an ID")
	}
	if !validStatus(r.Status) {
		return invalid("A record cannot have the status %q", r.Status)
	}
	data, err := compactJSON(r.Data)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO records (`+recordColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			r.ID, r.StaffID, r.FormID, r.FormVersion, r.Version, string(r.Status), r.Revision, data, r.AuthorID,
			stamp(&r.CreatedAt), stamp(&r.UpdatedAt), optStamp(r.SignedAt), r.DataSHA256)
		if err != nil {
			return fail("create record", err, recordMessages)
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
}

// GetRecord returns a record by ID.
func (db *DB) GetRecord(ctx context.Context, id string) (*supervision.Record, error) {
	r, err := scanRecord(db.read(ctx).QueryRowContext(ctx, `SELECT `+selectRecordColumns+` FROM records WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such record")
	}
	if err != nil {
		return nil, fail("get record", err, messages{})
	}
	return r, nil
}

// ListRecords returns the records in a member of staff's file, newest
// first; none (not ErrNotFound) if there are none or no such person.
func (db *DB) ListRecords(ctx context.Context, staffID string) ([]*supervision.Record, error) {
	return db.queryRecords(ctx, "list records", `SELECT `+selectRecordColumns+` FROM records WHERE staff_id = $1
		ORDER BY created_at DESC, id DESC`, staffID)
}

// queryRecords runs a query for recordColumns and scans every row.
func (db *DB) queryRecords(ctx context.Context, op, query string, args ...any) ([]*supervision.Record, error) {
	rows, err := db.read(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fail(op, err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fail(op, err, messages{})
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(op, err, messages{})
	}
	return list, nil
}

// SaveDraft writes r.Data if the record is still a draft at r.Revision, and
// bumps the revision (in r too). Otherwise it is ErrConflict and nothing
// changes: the check and the write are one statement, so two saves from
// the same revision cannot both succeed.
func (db *DB) SaveDraft(ctx context.Context, r *supervision.Record, ev supervision.Event) error {
	data, err := compactJSON(r.Data)
	if err != nil {
		return err
	}
	updated := stamp(&r.UpdatedAt)
	if ev.At.IsZero() {
		ev.At = r.UpdatedAt // the event happened with the change
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE records SET data = $1, updated_at = $2, revision = revision + 1
			WHERE id = $3 AND revision = $4 AND status = 'draft'`, data, updated, r.ID, r.Revision)
		if err != nil {
			return fail("save draft", err, recordMessages)
		}
		if ok, err := exactlyOne(res); err != nil {
			return err
		} else if !ok {
			return recordGone(ctx, tx, r.ID, conflict("The record was changed by someone else, or is no longer a draft"))
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
	if err != nil {
		return err
	}
	r.Revision++
	return nil
}

// SetStatus moves a record at r.Revision to r.Status, storing r.DataSHA256,
// and bumps the revision (in r too). A signed record is final: moving it,
// or moving anything to signed (which is Finalize's job, with the
// documents), is refused.
func (db *DB) SetStatus(ctx context.Context, r *supervision.Record, ev supervision.Event) error {
	if !validStatus(r.Status) || r.Status == supervision.StatusSigned {
		return invalid("A record cannot be moved to the status %q", r.Status)
	}
	updated := stamp(&r.UpdatedAt)
	if ev.At.IsZero() {
		ev.At = r.UpdatedAt // the event happened with the change
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE records SET status = $1, data_sha256 = $2, updated_at = $3, revision = revision + 1
			WHERE id = $4 AND revision = $5 AND status <> 'signed'`, string(r.Status), r.DataSHA256, updated, r.ID, r.Revision)
		if err != nil {
			return fail("set record status", err, recordMessages)
		}
		if ok, err := exactlyOne(res); err != nil {
			return err
		} else if !ok {
			return recordGone(ctx, tx, r.ID, conflict("The record was changed by someone else, or has been signed"))
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
	if err != nil {
		return err
	}
	r.Revision++
	return nil
}

// Finalize marks a record awaiting signatures as signed and stores its
// documents and the event, all or nothing. A record that is not awaiting
// signatures (already finalised by another request, say) is ErrConflict.
// It does not check r.Revision: the signatures, not the revision, decide
// that a record is complete.
func (db *DB) Finalize(ctx context.Context, r *supervision.Record, docs []*supervision.Document, ev supervision.Event) error {
	updated := stamp(&r.UpdatedAt)
	if ev.At.IsZero() {
		ev.At = r.UpdatedAt // the event happened with the change
	}
	if r.SignedAt == nil {
		r.SignedAt = new(r.UpdatedAt)
	}
	signed := stamp(r.SignedAt)
	for _, d := range docs {
		if d.RecordID == "" {
			d.RecordID = r.ID
		} else if d.RecordID != r.ID {
			return invalid("Document %s belongs to another record", d.Key)
		}
		if d.Version == 0 {
			d.Version = r.Version
		}
	}
	var revision int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE records SET status = 'signed', signed_at = $1, updated_at = $2, revision = revision + 1
			WHERE id = $3 AND status = 'awaiting_signatures' RETURNING revision`, signed, updated, r.ID).Scan(&revision)
		if errors.Is(err, sql.ErrNoRows) {
			return recordGone(ctx, tx, r.ID, conflict("The record is not awaiting signatures: it may have been finalised already"))
		}
		if err != nil {
			return fail("finalize record", err, recordMessages)
		}
		for _, d := range docs {
			_, err := tx.ExecContext(ctx, `INSERT INTO documents (key, record_id, version, kind, sha256, size)
				VALUES ($1, $2, $3, $4, $5, $6)`, d.Key, d.RecordID, d.Version, d.Kind, d.SHA256, d.Size)
			if err != nil {
				return fail("add document", err, messages{conflict: "This record's documents have already been stored"})
			}
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
	if err != nil {
		return err
	}
	r.Status, r.Revision = supervision.StatusSigned, revision
	return nil
}

// Documents lists a record's documents by version, then kind.
func (db *DB) Documents(ctx context.Context, recordID string) ([]*supervision.Document, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT record_id, version, kind, key, sha256, size FROM documents
		WHERE record_id = $1 ORDER BY version, kind, key`, recordID)
	if err != nil {
		return nil, fail("documents", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Document
	for rows.Next() {
		var d supervision.Document
		if err := rows.Scan(&d.RecordID, &d.Version, &d.Kind, &d.Key, &d.SHA256, &d.Size); err != nil {
			return nil, fail("documents", err, messages{})
		}
		list = append(list, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("documents", err, messages{})
	}
	return list, nil
}

// AddSignature stores a signature and its event; a role that has already
// signed the record is ErrConflict.
func (db *DB) AddSignature(ctx context.Context, s *supervision.Signature, ev supervision.Event) error {
	return db.AddSignatureOwing(ctx, s, ev, nil)
}

// AddSignatureOwing is AddSignature whose event also owes the emails owed
// returns, asked inside the transaction once the signature is written, of
// the roles signed by then. The first statement locks the record's row
// (PostgreSQL; SQLite's write transactions are one at a time anyway), so
// a signature of the same record made at the same moment waits for this
// one to commit, and then sees it.
func (db *DB) AddSignatureOwing(ctx context.Context, s *supervision.Signature, ev supervision.Event, owed func(signed map[string]bool) []supervision.Notice) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Touching the row locks it against a withdrawal at the same time
		// (WithdrawRecord), and refuses a record no longer awaiting signatures.
		res, err := tx.ExecContext(ctx, `UPDATE records SET updated_at = updated_at WHERE id = $1 AND status = 'awaiting_signatures'`, s.RecordID)
		if err != nil {
			return fail("add signature", err, messages{})
		}
		if ok, err := exactlyOne(res); err != nil {
			return err
		} else if !ok {
			return recordGone(ctx, tx, s.RecordID, conflict("This record is not awaiting signatures"))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO signatures
			(record_id, role, signer_id, name, signed_at, ip, user_agent, comment, disagreement, drawing_png, data_sha256)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			s.RecordID, s.Role, s.SignerID, s.Name, stamp(&s.SignedAt), s.IP, s.UserAgent, s.Comment, s.Disagreement,
			nilIfEmpty(s.DrawingPNG), s.DataSHA256)
		if err != nil {
			return fail("add signature", err, messages{
				conflict: "This record has already been signed in this role",
				notFound: "No such record or signer",
			})
		}
		if owed == nil {
			return insertEvent(ctx, tx, s.RecordID, &ev)
		}
		signed, err := signedRoles(ctx, tx, s.RecordID)
		if err != nil {
			return err
		}
		e := ev
		e.Notices = append(slices.Clone(ev.Notices), owed(signed)...)
		return insertEvent(ctx, tx, s.RecordID, &e)
	})
}

// signedRoles are the roles that have signed a record, as the transaction
// sees them.
func signedRoles(ctx context.Context, tx *sql.Tx, recordID string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT role FROM signatures WHERE record_id = $1`, recordID)
	if err != nil {
		return nil, fail("signed roles", err, messages{})
	}
	defer rows.Close()
	signed := map[string]bool{}
	for rows.Next() {
		var role string
		if err := rows.Scan(&role); err != nil {
			return nil, fail("signed roles", err, messages{})
		}
		signed[role] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fail("signed roles", err, messages{})
	}
	return signed, nil
}

func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// Signatures lists a record's signatures in the order they were made.
func (db *DB) Signatures(ctx context.Context, recordID string) ([]*supervision.Signature, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT record_id, role, signer_id, name, signed_at, ip, user_agent, comment,
		disagreement, drawing_png, data_sha256 FROM signatures WHERE record_id = $1 ORDER BY signed_at, role`, recordID)
	if err != nil {
		return nil, fail("signatures", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Signature
	for rows.Next() {
		var s supervision.Signature
		if err := rows.Scan(&s.RecordID, &s.Role, &s.SignerID, &s.Name, tsCol(&s.SignedAt), &s.IP, &s.UserAgent,
			&s.Comment, &s.Disagreement, &s.DrawingPNG, &s.DataSHA256); err != nil {
			return nil, fail("signatures", err, messages{})
		}
		list = append(list, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("signatures", err, messages{})
	}
	return list, nil
}

// Events is a record's audit trail in the order it happened.
func (db *DB) Events(ctx context.Context, recordID string) ([]*supervision.Event, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT record_id, at, actor_id, action, detail FROM events
		WHERE record_id = $1 ORDER BY at, id`, recordID)
	if err != nil {
		return nil, fail("events", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Event
	for rows.Next() {
		var e supervision.Event
		if err := rows.Scan(&e.RecordID, tsCol(&e.At), &e.ActorID, &e.Action, &e.Detail); err != nil {
			return nil, fail("events", err, messages{})
		}
		list = append(list, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("events", err, messages{})
	}
	return list, nil
}
