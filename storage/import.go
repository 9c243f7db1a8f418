package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/supervisionfile/supfile/supervision"
)

// ImportRecord adds a signed record rebuilt from its record.json in the
// document store (see supervision.Admin.Reindex), with its signatures,
// audit trail and documents, all or nothing. A record that is already
// indexed is ErrConflict and nothing changes.
func (db *DB) ImportRecord(ctx context.Context, r *supervision.Record, sigs []*supervision.Signature,
	evs []*supervision.Event, docs []*supervision.Document) error {
	if r.ID == "" {
		return invalid("A record needs an ID")
	}
	if r.Status != supervision.StatusSigned || r.SignedAt == nil {
		return invalid("Only a signed record can be imported from the file")
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
			return fail("import record", err, messages{conflict: "This record is already in the index", notFound: "The record's supervisee or author is not a member of staff"})
		}
		for _, s := range sigs {
			s.RecordID = r.ID
			_, err := tx.ExecContext(ctx, `INSERT INTO signatures
				(record_id, role, signer_id, name, signed_at, ip, user_agent, comment, disagreement, drawing_png, data_sha256)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				s.RecordID, s.Role, s.SignerID, s.Name, stamp(&s.SignedAt), s.IP, s.UserAgent, s.Comment, s.Disagreement,
				nilIfEmpty(s.DrawingPNG), s.DataSHA256)
			if err != nil {
				return fail("import signature", err, messages{conflict: "The record has two signatures in one role", notFound: "A signer is not a member of staff"})
			}
		}
		for _, ev := range evs {
			if err := insertEvent(ctx, tx, r.ID, ev); err != nil {
				return err
			}
		}
		for _, d := range docs {
			d.RecordID = r.ID
			_, err := tx.ExecContext(ctx, `INSERT INTO documents (key, record_id, version, kind, sha256, size)
				VALUES ($1, $2, $3, $4, $5, $6)`, d.Key, d.RecordID, d.Version, d.Kind, d.SHA256, d.Size)
			if err != nil {
				return fail("import document", err, messages{conflict: "A document of this record is already in the index"})
			}
		}
		return nil
	})
}

// DocumentBySHA256 finds a stored document by the SHA-256 of its bytes;
// ErrNotFound when no document in the file has them.
func (db *DB) DocumentBySHA256(ctx context.Context, sum string) (*supervision.Document, error) {
	var d supervision.Document
	err := db.read(ctx).QueryRowContext(ctx, `SELECT record_id, version, kind, key, sha256, size FROM documents
		WHERE sha256 = $1 ORDER BY key LIMIT 1`, sum).Scan(&d.RecordID, &d.Version, &d.Kind, &d.Key, &d.SHA256, &d.Size)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No document in the file has these contents")
	}
	if err != nil {
		return nil, fail("find document", err, messages{})
	}
	return &d, nil
}

// AwaitingSignatures lists every record awaiting signatures, oldest first:
// among them are any whose signers have all signed but whose documents could
// not be written, which the service retries.
func (db *DB) AwaitingSignatures(ctx context.Context) ([]*supervision.Record, error) {
	return db.queryRecords(ctx, "records awaiting signatures", `SELECT `+selectRecordColumns+` FROM records
		WHERE status = 'awaiting_signatures' ORDER BY updated_at, id`)
}
