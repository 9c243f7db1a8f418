package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

// People named on records, cover arrangements and audit assignments
// (supervision.AccessStore).

var partyMessages = messages{
	notFound: "No such record or member of staff",
	invalid:  "A person named on a record needs a role",
}

func insertParty(ctx context.Context, tx execer, p *supervision.RecordParty) error {
	if p.Role == "" || p.RecordID == "" || p.StaffID == "" {
		return invalid("A person named on a record needs a record, a member of staff and a role")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO record_parties (record_id, staff_id, role, added_by, added_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (record_id, role, staff_id) DO NOTHING`,
		p.RecordID, p.StaffID, p.Role, p.AddedBy, stamp(&p.AddedAt))
	if err != nil {
		return fail("add record party", err, partyMessages)
	}
	return nil
}

// AddRecordParty names someone on a record; naming them again in the same
// role changes nothing.
func (db *DB) AddRecordParty(ctx context.Context, p *supervision.RecordParty) error {
	return insertParty(ctx, db.w, p)
}

// RemoveRecordParty removes a name from a record.
func (db *DB) RemoveRecordParty(ctx context.Context, recordID, role, staffID string) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM record_parties WHERE record_id = $1 AND role = $2 AND staff_id = $3`,
		recordID, role, staffID)
	if err != nil {
		return fail("remove record party", err, messages{})
	}
	if ok, err := exactlyOne(res); err != nil {
		return err
	} else if !ok {
		return notFound("This person is not named on the record")
	}
	return nil
}

// RecordParties are the people named on a record, in the order named.
func (db *DB) RecordParties(ctx context.Context, recordID string) ([]*supervision.RecordParty, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT record_id, staff_id, role, added_by, added_at FROM record_parties
		WHERE record_id = $1 ORDER BY added_at, role, staff_id`, recordID)
	if err != nil {
		return nil, fail("record parties", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.RecordParty
	for rows.Next() {
		var p supervision.RecordParty
		if err := rows.Scan(&p.RecordID, &p.StaffID, &p.Role, &p.AddedBy, tsCol(&p.AddedAt)); err != nil {
			return nil, fail("record parties", err, messages{})
		}
		list = append(list, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("record parties", err, messages{})
	}
	return list, nil
}

// PartyRecords are the records naming staffID (in role, when given), newest first.
func (db *DB) PartyRecords(ctx context.Context, staffID, role string) ([]*supervision.Record, error) {
	return db.queryRecords(ctx, "party records", `SELECT `+selectRecordColumns+` FROM records
		WHERE id IN (SELECT record_id FROM record_parties WHERE staff_id = $1 AND ($2 = '' OR role = $2))
		ORDER BY created_at DESC, id DESC`, staffID, role)
}

// CreateRecordWithParties stores a new record, its first event and the
// people named on it, in one transaction.
func (db *DB) CreateRecordWithParties(ctx context.Context, r *supervision.Record, parties []*supervision.RecordParty, ev supervision.Event) error {
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
		for _, p := range parties {
			if p.RecordID != r.ID {
				return invalid("A person named with a new record must be named on that record")
			}
			if err := insertParty(ctx, tx, p); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
}

// ---- cover ----

const coverColumns = `id, supervisor_id, stand_in_id, from_date, to_date, reason, created_by, created_at, ended_at`

func scanCover(row rowScanner) (*supervision.Cover, error) {
	var c supervision.Cover
	err := row.Scan(&c.ID, &c.SupervisorID, &c.StandInID, dateCol(&c.From), dateCol(&c.To), &c.Reason,
		&c.CreatedBy, tsCol(&c.CreatedAt), optTSCol(&c.EndedAt))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateCover stores a cover arrangement.
func (db *DB) CreateCover(ctx context.Context, c *supervision.Cover) error {
	switch {
	case c.ID == "":
		return invalid("A cover arrangement needs an ID")
	case c.SupervisorID == c.StandInID:
		return invalid("A supervisor cannot stand in for themselves")
	case c.To.Before(c.From):
		return invalid("A cover arrangement cannot end before it starts")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO covers (`+coverColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)`,
		c.ID, c.SupervisorID, c.StandInID, day(&c.From), day(&c.To), c.Reason, c.CreatedBy, stamp(&c.CreatedAt))
	if err != nil {
		return fail("create cover", err, messages{conflict: "This cover arrangement exists already", notFound: "No such member of staff", invalid: "The cover arrangement is not valid"})
	}
	return nil
}

// GetCover returns a cover arrangement.
func (db *DB) GetCover(ctx context.Context, id string) (*supervision.Cover, error) {
	c, err := scanCover(db.read(ctx).QueryRowContext(ctx, `SELECT `+coverColumns+` FROM covers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such cover arrangement")
	}
	if err != nil {
		return nil, fail("get cover", err, messages{})
	}
	return c, nil
}

// EndCover ends a cover arrangement now.
func (db *DB) EndCover(ctx context.Context, id string, at time.Time) error {
	return db.endRow(ctx, "covers", "cover arrangement", id, at)
}

func (db *DB) endRow(ctx context.Context, table, what, id string, at time.Time) error {
	res, err := db.w.ExecContext(ctx, `UPDATE `+table+` SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, stamp(&at), id)
	if err != nil {
		return fail("end "+what, err, messages{})
	}
	if ok, err := exactlyOne(res); err != nil {
		return err
	} else if ok {
		return nil
	}
	var n int
	if err := db.w.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = $1`, id).Scan(&n); err != nil {
		return fail("end "+what, err, messages{})
	}
	if n == 0 {
		return notFound("No such %s", what)
	}
	return conflict("This %s has ended already", what)
}

// Covers lists arrangements not ended that last until since or later.
func (db *DB) Covers(ctx context.Context, supervisorID, standInID string, since time.Time) ([]*supervision.Cover, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT `+coverColumns+` FROM covers
		WHERE ended_at IS NULL AND to_date >= $1 AND ($2 = '' OR supervisor_id = $2) AND ($3 = '' OR stand_in_id = $3)
		ORDER BY from_date, id`, dayOf(since), supervisorID, standInID)
	if err != nil {
		return nil, fail("covers", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Cover
	for rows.Next() {
		c, err := scanCover(rows)
		if err != nil {
			return nil, fail("covers", err, messages{})
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("covers", err, messages{})
	}
	return list, nil
}

// ---- audit assignments ----

const assignmentColumns = `id, supervisee_id, auditor_id, due_date, created_by, created_at, ended_at`

func scanAssignment(row rowScanner) (*supervision.AuditAssignment, error) {
	var a supervision.AuditAssignment
	err := row.Scan(&a.ID, &a.SuperviseeID, &a.AuditorID, dateCol(&a.Due), &a.CreatedBy, tsCol(&a.CreatedAt), optTSCol(&a.EndedAt))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// CreateAuditAssignment stores an audit assignment.
func (db *DB) CreateAuditAssignment(ctx context.Context, a *supervision.AuditAssignment) error {
	switch {
	case a.ID == "":
		return invalid("An audit assignment needs an ID")
	case a.SuperviseeID == a.AuditorID:
		return invalid("Nobody can audit their own file")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO audit_assignments (`+assignmentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, NULL)`,
		a.ID, a.SuperviseeID, a.AuditorID, day(&a.Due), a.CreatedBy, stamp(&a.CreatedAt))
	if err != nil {
		return fail("create audit assignment", err, messages{conflict: "This audit assignment exists already", notFound: "No such member of staff", invalid: "The audit assignment is not valid"})
	}
	return nil
}

// GetAuditAssignment returns an audit assignment.
func (db *DB) GetAuditAssignment(ctx context.Context, id string) (*supervision.AuditAssignment, error) {
	a, err := scanAssignment(db.read(ctx).QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM audit_assignments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such audit assignment")
	}
	if err != nil {
		return nil, fail("get audit assignment", err, messages{})
	}
	return a, nil
}

// EndAuditAssignment ends an audit assignment now.
func (db *DB) EndAuditAssignment(ctx context.Context, id string, at time.Time) error {
	return db.endRow(ctx, "audit_assignments", "audit assignment", id, at)
}

// AuditAssignments lists assignments not ended, by due date.
func (db *DB) AuditAssignments(ctx context.Context, superviseeID, auditorID string) ([]*supervision.AuditAssignment, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT `+assignmentColumns+` FROM audit_assignments
		WHERE ended_at IS NULL AND ($1 = '' OR supervisee_id = $1) AND ($2 = '' OR auditor_id = $2)
		ORDER BY due_date, id`, superviseeID, auditorID)
	if err != nil {
		return nil, fail("audit assignments", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.AuditAssignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, fail("audit assignments", err, messages{})
		}
		list = append(list, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("audit assignments", err, messages{})
	}
	return list, nil
}
