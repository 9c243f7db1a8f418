package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/supervisionfile/supfile/supervision"
)

// CreateVersion stores a later version of a signed record, filed under its
// first version (r.SeriesID), with its first event. A second version with
// the same number is ErrConflict (a unique index), so two people updating
// a record at once make one new version. The people named on the version
// before (parties) are named on the new one in the same transaction.
func (db *DB) CreateVersion(ctx context.Context, r *supervision.Record, parties []*supervision.RecordParty, ev supervision.Event) error {
	if r.ID == "" || r.SeriesID == "" || r.SeriesID == r.ID {
		return invalid("A new version needs its own ID and its first version's")
	}
	if r.Status != supervision.StatusDraft {
		return invalid("A new version starts as a draft")
	}
	data, err := compactJSON(r.Data)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE id = $1 AND series_id = '' AND staff_id = $2`,
			r.SeriesID, r.StaffID).Scan(&n); err != nil {
			return fail("create version", err, messages{})
		}
		if n == 0 {
			return notFound("No such record to make a new version of")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO records (`+recordColumns+`, series_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			r.ID, r.StaffID, r.FormID, r.FormVersion, r.Version, string(r.Status), r.Revision, data, r.AuthorID,
			stamp(&r.CreatedAt), stamp(&r.UpdatedAt), optStamp(r.SignedAt), r.DataSHA256, r.SeriesID)
		if err != nil {
			return fail("create version", err, messages{conflict: "This version of the record exists already",
				notFound: "The member of staff or author of this record does not exist"})
		}
		for _, p := range parties {
			if p.RecordID != r.ID {
				return invalid("A person named with a new version must be named on that version")
			}
			if err := insertParty(ctx, tx, p); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
}

// Series lists the versions filed under a first version, oldest first.
func (db *DB) Series(ctx context.Context, root string) ([]*supervision.Record, error) {
	list, err := db.queryRecords(ctx, "series", `SELECT `+selectRecordColumns+` FROM records
		WHERE id = $1 OR series_id = $1 ORDER BY version, created_at`, root)
	if err != nil {
		return nil, err
	}
	for _, r := range list {
		if r.ID != root {
			r.SeriesID = root
		}
	}
	return list, nil
}

// SetSeries files a record under its first version.
func (db *DB) SetSeries(ctx context.Context, id, root string) error {
	if root == id {
		root = ""
	}
	res, err := db.w.ExecContext(ctx, `UPDATE records SET series_id = $1 WHERE id = $2`, root, id)
	if err != nil {
		return fail("set series", err, messages{conflict: "The series has this version already"})
	}
	if ok, err := exactlyOne(res); err != nil {
		return err
	} else if !ok {
		return notFound("No such record")
	}
	return nil
}

// WithdrawRecord moves a record awaiting signatures back to draft and
// clears its signatures, while fewer than signers have signed. The record's
// row is changed first, which locks it against a signature arriving at the
// same time (AddSignature touches the row too), and the signatures are
// counted after.
func (db *DB) WithdrawRecord(ctx context.Context, r *supervision.Record, signers int, ev supervision.Event) error {
	updated := stamp(&r.UpdatedAt)
	if ev.At.IsZero() {
		ev.At = r.UpdatedAt
	}
	var revision int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE records SET status = 'draft', data_sha256 = '', updated_at = $1,
			revision = revision + 1, waiting_on = '' WHERE id = $2 AND status = 'awaiting_signatures' RETURNING revision`,
			updated, r.ID).Scan(&revision)
		if errors.Is(err, sql.ErrNoRows) {
			return recordGone(ctx, tx, r.ID, conflict("The record is not awaiting signatures"))
		}
		if err != nil {
			return fail("withdraw record", err, recordMessages)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM signatures WHERE record_id = $1`, r.ID).Scan(&n); err != nil {
			return fail("withdraw record", err, messages{})
		}
		if n >= signers {
			return conflict("Everyone has signed the record")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signatures WHERE record_id = $1`, r.ID); err != nil {
			return fail("withdraw record", err, messages{})
		}
		return insertEvent(ctx, tx, r.ID, &ev)
	})
	if err != nil {
		return err
	}
	r.Status, r.Revision, r.DataSHA256, r.WaitingOn = supervision.StatusDraft, revision, "", ""
	return nil
}

// DeleteDraft deletes a draft, its events, the people named on it and its
// attachments' rows (the service deletes their objects).
func (db *DB) DeleteDraft(ctx context.Context, id string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM records WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("No such record")
		}
		if err != nil {
			return fail("delete draft", err, messages{})
		}
		if status != string(supervision.StatusDraft) {
			return conflict("The record is no longer a draft")
		}
		for _, q := range []string{
			`DELETE FROM events WHERE record_id = $1`,
			`DELETE FROM record_parties WHERE record_id = $1`,
			`DELETE FROM attachments WHERE record_id = $1`,
			`DELETE FROM records WHERE id = $1 AND status = 'draft'`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fail("delete draft", err, messages{conflict: "The draft is referred to elsewhere and cannot be deleted"})
			}
		}
		return nil
	})
}

// SetWaitingOn records the party a draft waits on, with an event.
func (db *DB) SetWaitingOn(ctx context.Context, id, party string, ev supervision.Event) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE records SET waiting_on = $1 WHERE id = $2 AND status = 'draft'`, party, id)
		if err != nil {
			return fail("send record", err, recordMessages)
		}
		if ok, err := exactlyOne(res); err != nil {
			return err
		} else if !ok {
			return recordGone(ctx, tx, id, conflict("The record is no longer a draft"))
		}
		return insertEvent(ctx, tx, id, &ev)
	})
}

// AddDisagreementResponse stores the supervisor's response, once.
func (db *DB) AddDisagreementResponse(ctx context.Context, d *supervision.DisagreementResponse, ev supervision.Event) error {
	if d.Response == "" {
		return invalid("A response needs its text")
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO disagreement_responses (record_id, responder_id, at, response)
			VALUES ($1, $2, $3, $4)`, d.RecordID, d.ResponderID, stamp(&d.At), d.Response)
		if err != nil {
			return fail("respond to disagreement", err, messages{conflict: "A response has been recorded already",
				notFound: "No such record or responder"})
		}
		return insertEvent(ctx, tx, d.RecordID, &ev)
	})
}

// DisagreementResponse is a record's response; ErrNotFound when none.
func (db *DB) DisagreementResponse(ctx context.Context, recordID string) (*supervision.DisagreementResponse, error) {
	var d supervision.DisagreementResponse
	err := db.read(ctx).QueryRowContext(ctx, `SELECT record_id, responder_id, at, response FROM disagreement_responses
		WHERE record_id = $1`, recordID).Scan(&d.RecordID, &d.ResponderID, tsCol(&d.At), &d.Response)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No response")
	}
	if err != nil {
		return nil, fail("disagreement response", err, messages{})
	}
	return &d, nil
}

// OpenDisagreements are the signed records with a disagreement and no
// response, oldest first.
func (db *DB) OpenDisagreements(ctx context.Context) ([]*supervision.Record, error) {
	return db.queryRecords(ctx, "open disagreements", `SELECT `+selectRecordColumns+` FROM records r
		WHERE r.status = 'signed'
		AND EXISTS (SELECT 1 FROM signatures s WHERE s.record_id = r.id AND s.disagreement <> '')
		AND NOT EXISTS (SELECT 1 FROM disagreement_responses d WHERE d.record_id = r.id)
		ORDER BY r.signed_at, r.id`)
}
