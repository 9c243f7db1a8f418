package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.HandoverStore = (*DB)(nil)

const handoverColumns = `id, supervisee_id, from_supervisor_id, to_supervisor_id, effective, reason, record_id,
	created_by, created_at, drafts_moved`

func scanHandover(row rowScanner) (*supervision.Handover, error) {
	var h supervision.Handover
	err := row.Scan(&h.ID, &h.SuperviseeID, &h.FromSupervisorID, &h.ToSupervisorID, dateCol(&h.Effective), &h.Reason,
		&h.RecordID, &h.CreatedBy, tsCol(&h.CreatedAt), &h.DraftsMoved)
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// Handover ends the open relationship, opens rel, moves the outgoing
// supervisor's drafts and stores the handover record and h, in one
// transaction: a handover is all there or not at all. Nothing here reads or
// writes a document: the file's objects are keyed by supervisee.
func (db *DB) Handover(ctx context.Context, h *supervision.Handover, rel *supervision.Relationship, rec *supervision.Record, parties []*supervision.RecordParty, evs []supervision.Event) error {
	switch {
	case h.ID == "" || rel.ID == "" || rec.ID == "":
		return invalid("A handover, its relationship and its record need IDs")
	case rel.SuperviseeID != h.SuperviseeID || rec.StaffID != h.SuperviseeID:
		return invalid("A handover's relationship and record must be in the supervisee's file")
	case rel.SupervisorID != h.ToSupervisorID:
		return invalid("A handover starts a relationship with the incoming supervisor")
	case rel.To != nil:
		return invalid("A new supervisory relationship cannot have an end date")
	case h.FromSupervisorID == h.ToSupervisorID:
		return invalid("A file cannot be handed to the supervisor who has it")
	case h.SuperviseeID == h.ToSupervisorID:
		return invalid("A member of staff cannot supervise themselves")
	case h.RecordID != rec.ID:
		return invalid("A handover names its own record")
	case !validStatus(rec.Status):
		return invalid("A record cannot have the status %q", rec.Status)
	}
	data, err := compactJSON(rec.Data)
	if err != nil {
		return err
	}
	from := day(&rel.From)
	h.Effective = rel.From
	return db.inTx(ctx, func(tx *sql.Tx) error {
		open, err := scanRel(tx.QueryRowContext(ctx, `SELECT `+relColumns+` FROM relationships
			WHERE supervisee_id = $1 AND to_date IS NULL`, h.SuperviseeID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return conflict("This member of staff has no supervisor to hand over from")
		case err != nil:
			return fail("handover", err, messages{})
		case open.SupervisorID != h.FromSupervisorID:
			return conflict("The supervisor was changed by someone else at the same time")
		case open.From.After(rel.From):
			return invalid("The handover cannot take effect before the current supervisor started (%s)", open.From.Format(time.DateOnly))
		}
		res, err := tx.ExecContext(ctx, `UPDATE relationships SET to_date = $1 WHERE id = $2 AND to_date IS NULL`, from, open.ID)
		if err != nil {
			return fail("end supervisory relationship", err, messages{})
		}
		if ok, err := exactlyOne(res); err != nil {
			return err
		} else if !ok {
			return conflict("The supervisor was changed by someone else at the same time")
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO relationships (id, supervisee_id, supervisor_id, from_date, to_date)
			VALUES ($1, $2, $3, $4, NULL)`, rel.ID, rel.SuperviseeID, rel.SupervisorID, from); err != nil {
			return fail("start supervisory relationship", err, messages{
				conflict: "The supervisor was changed by someone else at the same time",
				notFound: "No such member of staff",
			})
		}

		// The drafts the outgoing supervisor wrote, each with an event,
		// then their author: one statement each, whatever the file's size.
		at := h.CreatedAt
		_, err = tx.ExecContext(ctx, `INSERT INTO events (record_id, at, actor_id, action, detail)
			SELECT id, $1, $2, 'handed over', 'draft moved to the incoming supervisor with the file'
			FROM records WHERE staff_id = $3 AND author_id = $4 AND status = 'draft'`,
			stamp(&at), h.CreatedBy, h.SuperviseeID, h.FromSupervisorID)
		if err != nil {
			return fail("record moved drafts", err, messages{})
		}
		res, err = tx.ExecContext(ctx, `UPDATE records SET author_id = $1, revision = revision + 1, updated_at = $2
			WHERE staff_id = $3 AND author_id = $4 AND status = 'draft'`,
			h.ToSupervisorID, ts(at), h.SuperviseeID, h.FromSupervisorID)
		if err != nil {
			return fail("move drafts", err, messages{notFound: "No such member of staff"})
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		h.DraftsMoved = int(n)

		_, err = tx.ExecContext(ctx, `INSERT INTO records (`+recordColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			rec.ID, rec.StaffID, rec.FormID, rec.FormVersion, rec.Version, string(rec.Status), rec.Revision, data, rec.AuthorID,
			stamp(&rec.CreatedAt), stamp(&rec.UpdatedAt), optStamp(rec.SignedAt), rec.DataSHA256)
		if err != nil {
			return fail("create handover record", err, recordMessages)
		}
		for i := range evs {
			if err := insertEvent(ctx, tx, rec.ID, &evs[i]); err != nil {
				return err
			}
		}
		for _, p := range parties {
			if p.RecordID != rec.ID {
				return invalid("A person named with a handover must be named on its record")
			}
			if err := insertParty(ctx, tx, p); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO handovers (`+handoverColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			h.ID, h.SuperviseeID, h.FromSupervisorID, h.ToSupervisorID, dayOf(h.Effective), h.Reason, h.RecordID,
			h.CreatedBy, stamp(&h.CreatedAt), h.DraftsMoved)
		if err != nil {
			return fail("store handover", err, messages{
				conflict: "This handover is recorded already",
				notFound: "No such member of staff",
				invalid:  "The handover is not valid",
			})
		}
		return nil
	})
}

func (db *DB) queryHandovers(ctx context.Context, op, query string, args ...any) ([]*supervision.Handover, error) {
	rows, err := db.read(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fail(op, err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Handover
	for rows.Next() {
		h, err := scanHandover(rows)
		if err != nil {
			return nil, fail(op, err, messages{})
		}
		list = append(list, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(op, err, messages{})
	}
	return list, nil
}

// Handovers is a supervisee's handovers, oldest first.
func (db *DB) Handovers(ctx context.Context, superviseeID string) ([]*supervision.Handover, error) {
	return db.queryHandovers(ctx, "handovers", `SELECT `+handoverColumns+` FROM handovers
		WHERE supervisee_id = $1 ORDER BY created_at, id`, superviseeID)
}

// HandoverByRecord is the handover whose record this is.
func (db *DB) HandoverByRecord(ctx context.Context, recordID string) (*supervision.Handover, error) {
	h, err := scanHandover(db.read(ctx).QueryRowContext(ctx, `SELECT `+handoverColumns+` FROM handovers WHERE record_id = $1`, recordID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such handover")
	}
	if err != nil {
		return nil, fail("handover by record", err, messages{})
	}
	return h, nil
}

// HandoversToSign are the handovers naming staffID whose record is not
// signed by everyone yet, oldest first.
func (db *DB) HandoversToSign(ctx context.Context, staffID string) ([]*supervision.Handover, error) {
	return db.queryHandovers(ctx, "handovers to sign", `SELECT h.id, h.supervisee_id, h.from_supervisor_id,
		h.to_supervisor_id, h.effective, h.reason, h.record_id, h.created_by, h.created_at, h.drafts_moved
		FROM handovers h JOIN records r ON r.id = h.record_id
		WHERE r.status <> 'signed' AND EXISTS (SELECT 1 FROM record_parties p WHERE p.record_id = h.record_id
			AND p.staff_id = $1 AND p.role IN ('outgoing_supervisor', 'incoming_supervisor'))
		ORDER BY h.created_at, h.id`, staffID)
}

// FiledRecords lists the signed records of a file signed at or before
// asOf (all of them when asOf is zero) with their PDF's and DOCX's
// SHA-256, newest first, in one query.
func (db *DB) FiledRecords(ctx context.Context, staffID string, asOf time.Time) ([]*supervision.FiledRecord, error) {
	bound := "9999-12-31T23:59:59.999999Z"
	if !asOf.IsZero() {
		bound = ts(asOf)
	}
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT r.id, r.form_id, r.form_version, r.version, r.signed_at,
		COALESCE(p.sha256, ''), COALESCE(d.sha256, '')
		FROM records r
		LEFT JOIN documents p ON p.record_id = r.id AND p.version = r.version AND p.kind = 'pdf'
		LEFT JOIN documents d ON d.record_id = r.id AND d.version = r.version AND d.kind = 'docx'
		WHERE r.staff_id = $1 AND r.status = 'signed' AND r.signed_at <= $2
		ORDER BY r.signed_at DESC, r.id DESC`, staffID, bound)
	if err != nil {
		return nil, fail("filed records", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.FiledRecord
	for rows.Next() {
		var f supervision.FiledRecord
		var signed *time.Time
		if err := rows.Scan(&f.RecordID, &f.FormID, &f.FormVersion, &f.Version, optTSCol(&signed), &f.PDFSHA256, &f.DOCXSHA256); err != nil {
			return nil, fail("filed records", err, messages{})
		}
		if signed != nil {
			f.SignedAt = *signed
		}
		list = append(list, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("filed records", err, messages{})
	}
	return list, nil
}

// LastSigned is a file's most recently signed record of a form
// (ErrNotFound when there is none).
func (db *DB) LastSigned(ctx context.Context, staffID, formID string) (*supervision.Record, error) {
	r, err := scanRecord(db.read(ctx).QueryRowContext(ctx, `SELECT `+selectRecordColumns+` FROM records
		WHERE staff_id = $1 AND status = 'signed' AND form_id = $2
		ORDER BY signed_at DESC, id DESC LIMIT 1`, staffID, formID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No signed record of this form")
	}
	if err != nil {
		return nil, fail("last signed record", err, messages{})
	}
	return r, nil
}
