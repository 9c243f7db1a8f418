package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/supervisionfile/supfile/supervision"
)

const staffColumns = `s.id, s.name, s.email, s.job_title, s.role, s.start_date, s.end_date, s.is_admin, s.password_hash, s.created_at`

var staffMessages = messages{
	conflict: "A member of staff with this email address already exists",
	invalid:  "The member of staff's details are not valid",
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanStaff(row rowScanner) (*supervision.Staff, error) {
	var s supervision.Staff
	err := row.Scan(&s.ID, &s.Name, &s.Email, &s.JobTitle, &s.Role, dateCol(&s.StartDate), optDateCol(&s.EndDate),
		&s.IsAdmin, &s.PasswordHash, tsCol(&s.CreatedAt))
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// normaliseEmail is how an address is stored and looked up, so that
// uniqueness and sign-in ignore case.
func normaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateStaff stores a new member of staff. The email is stored lower-case
// and times normalised, in s as well; a duplicate email is ErrConflict.
func (db *DB) CreateStaff(ctx context.Context, s *supervision.Staff) error {
	if s.ID == "" {
		return invalid("A member of staff needs an ID")
	}
	s.Email = normaliseEmail(s.Email)
	_, err := db.w.ExecContext(ctx, `INSERT INTO staff
		(id, name, email, job_title, role, start_date, end_date, is_admin, password_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.Name, s.Email, s.JobTitle, string(s.Role), day(&s.StartDate), optDay(s.EndDate), s.IsAdmin, s.PasswordHash, stamp(&s.CreatedAt))
	if err != nil {
		return fail("create staff", err, staffMessages)
	}
	return nil
}

// UpdateStaff changes everything about a member of staff but the ID and
// when the account was created.
func (db *DB) UpdateStaff(ctx context.Context, s *supervision.Staff) error {
	s.Email = normaliseEmail(s.Email)
	res, err := db.w.ExecContext(ctx, `UPDATE staff SET name = $1, email = $2, job_title = $3, role = $4,
		start_date = $5, end_date = $6, is_admin = $7, password_hash = $8 WHERE id = $9`,
		s.Name, s.Email, s.JobTitle, string(s.Role), day(&s.StartDate), optDay(s.EndDate), s.IsAdmin, s.PasswordHash, s.ID)
	if err != nil {
		return fail("update staff", err, staffMessages)
	}
	if ok, err := exactlyOne(res); err != nil {
		return err
	} else if !ok {
		return notFound("No such member of staff")
	}
	return nil
}

// GetStaff returns a member of staff by ID.
func (db *DB) GetStaff(ctx context.Context, id string) (*supervision.Staff, error) {
	s, err := scanStaff(db.read(ctx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff s WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No such member of staff")
	}
	if err != nil {
		return nil, fail("get staff", err, messages{})
	}
	return s, nil
}

// GetStaffByEmail returns a member of staff by email, whatever its case.
func (db *DB) GetStaffByEmail(ctx context.Context, email string) (*supervision.Staff, error) {
	s, err := scanStaff(db.read(ctx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff s WHERE s.email = $1`, normaliseEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No member of staff has this email address")
	}
	if err != nil {
		return nil, fail("get staff by email", err, messages{})
	}
	return s, nil
}

// ListStaff returns everyone, by name.
func (db *DB) ListStaff(ctx context.Context) ([]*supervision.Staff, error) {
	return db.queryStaff(ctx, "list staff", `SELECT `+staffColumns+` FROM staff s ORDER BY s.name, s.id`)
}

func (db *DB) queryStaff(ctx context.Context, op, query string, args ...any) ([]*supervision.Staff, error) {
	rows, err := db.read(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fail(op, err, messages{})
	}
	defer rows.Close()
	var list []*supervision.Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, fail(op, err, messages{})
		}
		list = append(list, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(op, err, messages{})
	}
	return list, nil
}

// CountStaff is how many members of staff there are.
func (db *DB) CountStaff(ctx context.Context) (int, error) {
	var n int
	if err := db.read(ctx).QueryRowContext(ctx, `SELECT count(*) FROM staff`).Scan(&n); err != nil {
		return 0, fail("count staff", err, messages{})
	}
	return n, nil
}
