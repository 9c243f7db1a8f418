package storage

import (
	"context"
	"database/sql"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.AttachmentStore = (*DB)(nil)

const attachmentColumns = `id, record_id, name, description, file_name, content_type, size, sha256, key, uploaded_by, uploaded_at`

// attachable locks the record's row for the rest of the transaction (an
// UPDATE that changes nothing, which both databases lock on) while its
// attachments may change: a draft, or awaiting signatures with none given.
// Otherwise it is ErrConflict, or ErrNotFound when there is no record.
func attachable(ctx context.Context, tx *sql.Tx, recordID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE records SET revision = revision WHERE id = $1
		AND (status = 'draft' OR (status = 'awaiting_signatures' AND NOT EXISTS (SELECT 1 FROM signatures WHERE record_id = $1)))`, recordID)
	if err != nil {
		return fail("attachments", err, recordMessages)
	}
	if ok, err := exactlyOne(res); err != nil {
		return err
	} else if !ok {
		return recordGone(ctx, tx, recordID, conflict("This record has been signed, so its attachments can no longer change"))
	}
	return nil
}

// AddAttachment stores an attachment's row with an event, unless the
// record cannot take it (signed, someone has signed, or max reached).
func (db *DB) AddAttachment(ctx context.Context, a *supervision.Attachment, max int, ev supervision.Event) error {
	if a.ID == "" || a.RecordID == "" {
		return invalid("An attachment needs an ID and a record")
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := attachable(ctx, tx, a.RecordID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE record_id = $1`, a.RecordID).Scan(&n); err != nil {
			return fail("add attachment", err, messages{})
		}
		if max > 0 && n >= max {
			return conflict("A record can have at most %d attachments. Remove one before you attach another", max)
		}
		if err := insertAttachment(ctx, tx, a); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a.RecordID, &ev)
	})
}

func insertAttachment(ctx context.Context, tx *sql.Tx, a *supervision.Attachment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO attachments (`+attachmentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.RecordID, a.Name, a.Description, a.FileName, a.ContentType, a.Size, a.SHA256, a.Key, a.UploadedBy, stamp(&a.UploadedAt))
	if err != nil {
		return fail("add attachment", err, messages{conflict: "This attachment has been stored already",
			notFound: "No such record", invalid: "An attachment needs a name, a file, a size and a SHA-256"})
	}
	return nil
}

// Attachments lists a record's attachments, oldest first.
func (db *DB) Attachments(ctx context.Context, recordID string) ([]*supervision.Attachment, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments
		WHERE record_id = $1 ORDER BY uploaded_at, id`, recordID)
	if err != nil {
		return nil, fail("attachments", err, messages{})
	}
	defer rows.Close()
	list := []*supervision.Attachment{}
	for rows.Next() {
		var a supervision.Attachment
		if err := rows.Scan(&a.ID, &a.RecordID, &a.Name, &a.Description, &a.FileName, &a.ContentType, &a.Size,
			&a.SHA256, &a.Key, &a.UploadedBy, tsCol(&a.UploadedAt)); err != nil {
			return nil, fail("attachments", err, messages{})
		}
		list = append(list, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("attachments", err, messages{})
	}
	return list, nil
}

// DeleteAttachment removes an attachment's row with an event, while the
// record's attachments may change.
func (db *DB) DeleteAttachment(ctx context.Context, recordID, id string, ev supervision.Event) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := attachable(ctx, tx, recordID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE id = $1 AND record_id = $2`, id, recordID)
		if err != nil {
			return fail("remove attachment", err, messages{})
		}
		if ok, err := exactlyOne(res); err != nil {
			return err
		} else if !ok {
			return notFound("This record has no such attachment")
		}
		return insertEvent(ctx, tx, recordID, &ev)
	})
}

// ImportAttachments adds attachments rebuilt from the file; one whose id is
// there already is left as it is.
func (db *DB) ImportAttachments(ctx context.Context, list []*supervision.Attachment) error {
	if len(list) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range list {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE id = $1`, a.ID).Scan(&n); err != nil {
				return fail("import attachments", err, messages{})
			}
			if n > 0 {
				continue
			}
			if err := insertAttachment(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}
