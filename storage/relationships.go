package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

const relColumns = `id, supervisee_id, supervisor_id, from_date, to_date`

func scanRel(row rowScanner) (*supervision.Relationship, error) {
	var r supervision.Relationship
	if err := row.Scan(&r.ID, &r.SuperviseeID, &r.SupervisorID, dateCol(&r.From), optDateCol(&r.To)); err != nil {
		return nil, err
	}
	return &r, nil
}

// SetSupervisor ends the supervisee's open relationship on rel.From and opens
// rel, in one transaction. If the open relationship already has this
// supervisor nothing changes, and rel is set to the stored relationship. A
// start before the open relationship's own start would rewrite history, so
// it is ErrInvalid.
func (db *DB) SetSupervisor(ctx context.Context, rel *supervision.Relationship) error {
	switch {
	case rel.ID == "":
		return invalid("A supervisory relationship needs an ID")
	case rel.SuperviseeID == rel.SupervisorID:
		return invalid("A member of staff cannot supervise themselves")
	case rel.To != nil:
		return invalid("A new supervisory relationship cannot have an end date")
	}
	from := day(&rel.From)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		open, err := scanRel(tx.QueryRowContext(ctx, `SELECT `+relColumns+` FROM relationships
			WHERE supervisee_id = $1 AND to_date IS NULL`, rel.SuperviseeID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			open = nil
		case err != nil:
			return fail("set supervisor", err, messages{})
		case open.SupervisorID == rel.SupervisorID:
			*rel = *open
			return nil
		case open.From.After(rel.From):
			return invalid("The new supervisor cannot start before the current supervisor did (%s)", open.From.Format(time.DateOnly))
		}
		if open != nil {
			// to_date IS NULL again, in case a concurrent transaction
			// closed it since we read it (PostgreSQL re-checks the
			// condition after waiting for the row).
			res, err := tx.ExecContext(ctx, `UPDATE relationships SET to_date = $1 WHERE id = $2 AND to_date IS NULL`, from, open.ID)
			if err != nil {
				return fail("end supervisory relationship", err, messages{})
			}
			if ok, err := exactlyOne(res); err != nil {
				return err
			} else if !ok {
				return conflict("The supervisor was changed by someone else at the same time")
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO relationships (id, supervisee_id, supervisor_id, from_date, to_date)
			VALUES ($1, $2, $3, $4, NULL)`, rel.ID, rel.SuperviseeID, rel.SupervisorID, from)
		if err != nil {
			return fail("start supervisory relationship", err, messages{
				conflict: "The supervisor was changed by someone else at the same time",
				notFound: "No such member of staff",
			})
		}
		return nil
	})
}

// CurrentRelationship is the supervisee's relationship open on a date.
func (db *DB) CurrentRelationship(ctx context.Context, superviseeID string, on time.Time) (*supervision.Relationship, error) {
	r, err := scanRel(db.read(ctx).QueryRowContext(ctx, `SELECT `+relColumns+` FROM relationships
		WHERE supervisee_id = $1 AND from_date <= $2 AND (to_date IS NULL OR to_date > $2)
		ORDER BY from_date DESC LIMIT 1`, superviseeID, dayOf(on)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("This member of staff has no supervisor on %s", dayOf(on))
	}
	if err != nil {
		return nil, fail("current relationship", err, messages{})
	}
	return r, nil
}

// SupervisorOn is the member of staff supervising superviseeID on the date:
// CurrentRelationship's supervisor, read with it.
func (db *DB) SupervisorOn(ctx context.Context, superviseeID string, on time.Time) (*supervision.Staff, error) {
	s, err := scanStaff(db.read(ctx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff s
		WHERE s.id = (SELECT supervisor_id FROM relationships
			WHERE supervisee_id = $1 AND from_date <= $2 AND (to_date IS NULL OR to_date > $2)
			ORDER BY from_date DESC LIMIT 1)`, superviseeID, dayOf(on)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("This member of staff has no supervisor on %s", dayOf(on))
	}
	if err != nil {
		return nil, fail("supervisor on a day", err, messages{})
	}
	return s, nil
}

// StaffAndSupervisor is the member of staff and whoever supervises them
// on the date (nil when nobody does), in one read: what a page of their
// file needs before anything else. ErrNotFound when there is no such
// member of staff.
func (db *DB) StaffAndSupervisor(ctx context.Context, staffID string, on time.Time) (*supervision.Staff, *supervision.Staff, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `WITH sup AS (SELECT supervisor_id FROM relationships
			WHERE supervisee_id = $1 AND from_date <= $2 AND (to_date IS NULL OR to_date > $2)
			ORDER BY from_date DESC LIMIT 1)
		SELECT `+staffColumns+`, s.id = $1, s.id IN (SELECT supervisor_id FROM sup) FROM staff s
		WHERE s.id = $1 OR s.id IN (SELECT supervisor_id FROM sup)`, staffID, dayOf(on))
	if err != nil {
		return nil, nil, fail("member of staff and supervisor", err, messages{})
	}
	defer rows.Close()
	var who, sup *supervision.Staff
	for rows.Next() {
		var isWho, isSup bool
		st, err := scanStaff(scanPlus{rows, []any{&isWho, &isSup}})
		if err != nil {
			return nil, nil, fail("member of staff and supervisor", err, messages{})
		}
		if isWho {
			who = st
		}
		if isSup {
			sup = st
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fail("member of staff and supervisor", err, messages{})
	}
	if who == nil {
		return nil, nil, notFound("No such member of staff")
	}
	return who, sup, nil
}

// scanPlus scans a row into a scanner's columns and then more.
type scanPlus struct {
	rows rowScanner
	more []any
}

func (p scanPlus) Scan(dest ...any) error { return p.rows.Scan(append(dest, p.more...)...) }

// Relationships is the supervisee's history, oldest first.
func (db *DB) Relationships(ctx context.Context, superviseeID string) ([]*supervision.Relationship, error) {
	// An open relationship sorts after one closed on the day it started.
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT `+relColumns+` FROM relationships WHERE supervisee_id = $1
		ORDER BY from_date, to_date IS NULL, to_date, id`, superviseeID)
	if err != nil {
		return nil, fail("relationships", err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Relationship
	for rows.Next() {
		r, err := scanRel(rows)
		if err != nil {
			return nil, fail("relationships", err, messages{})
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("relationships", err, messages{})
	}
	return list, nil
}

// Supervisees are the staff supervised by supervisorID on a date, by name.
func (db *DB) Supervisees(ctx context.Context, supervisorID string, on time.Time) ([]*supervision.Staff, error) {
	return db.queryStaff(ctx, "supervisees", `SELECT `+staffColumns+` FROM staff s
		JOIN relationships r ON r.supervisee_id = s.id
		WHERE r.supervisor_id = $1 AND r.from_date <= $2 AND (r.to_date IS NULL OR r.to_date > $2)
		ORDER BY s.name, s.id`, supervisorID, dayOf(on))
}
