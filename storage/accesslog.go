package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/supervisionfile/supfile/supervision"
)

var _ supervision.AccessLogStore = (*DB)(nil)

// AppendAccess adds an entry to the access log and sets its ID. The table
// takes inserts only: there is deliberately no method here to change or
// remove an entry, and the database's triggers refuse one.
func (db *DB) AppendAccess(ctx context.Context, e *supervision.AccessEntry) error {
	if e.Action == "" {
		return invalid("An access log entry needs an action")
	}
	err := db.w.QueryRowContext(ctx, `INSERT INTO access_log
		(at, actor_id, actor_name, actor_email, actor_role, action, file_id, record_id, detail, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		stamp(&e.At), e.ActorID, e.ActorName, e.ActorEmail, e.ActorRole, string(e.Action), e.FileID, e.RecordID,
		e.Detail, e.IP, e.UserAgent).Scan(&e.ID)
	if err != nil {
		return fail("append to the access log", err, messages{})
	}
	return nil
}

// where builds the WHERE clause of a query and its arguments.
func (q accessQuery) where(withPaging bool) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	switch {
	case q.ActorID != "" && q.ActorEmail != "":
		conds = append(conds, "(actor_id = "+arg(q.ActorID)+" OR actor_email = "+arg(strings.ToLower(q.ActorEmail))+")")
	case q.ActorID != "":
		conds = append(conds, "actor_id = "+arg(q.ActorID))
	case q.ActorEmail != "":
		conds = append(conds, "actor_email = "+arg(strings.ToLower(q.ActorEmail)))
	}
	if q.ExceptActorID != "" {
		conds = append(conds, "actor_id <> "+arg(q.ExceptActorID))
	}
	if q.FileID != "" {
		conds = append(conds, "file_id = "+arg(q.FileID))
	}
	if len(q.Actions) > 0 {
		var in []string
		for _, a := range q.Actions {
			in = append(in, arg(string(a)))
		}
		conds = append(conds, "action IN ("+strings.Join(in, ", ")+")")
	}
	if !q.From.IsZero() {
		conds = append(conds, "at >= "+arg(ts(q.From)))
	}
	if !q.To.IsZero() {
		conds = append(conds, "at < "+arg(ts(q.To)))
	}
	if withPaging && q.BeforeID > 0 {
		conds = append(conds, "id < "+arg(q.BeforeID))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

type accessQuery supervision.AccessQuery

// AccessEntries returns the entries the query selects, newest first.
func (db *DB) AccessEntries(ctx context.Context, sq supervision.AccessQuery) ([]*supervision.AccessEntry, error) {
	q := accessQuery(sq)
	where, args := q.where(true)
	query := `SELECT id, at, actor_id, actor_name, actor_email, actor_role, action, file_id, record_id, detail, ip, user_agent
		FROM access_log` + where + ` ORDER BY id DESC`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
		if q.Offset > 0 {
			query += fmt.Sprintf(" OFFSET %d", q.Offset)
		}
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fail("read the access log", err, messages{})
	}
	defer rows.Close()
	var out []*supervision.AccessEntry
	for rows.Next() {
		var e supervision.AccessEntry
		var action string
		if err := rows.Scan(&e.ID, tsCol(&e.At), &e.ActorID, &e.ActorName, &e.ActorEmail, &e.ActorRole, &action,
			&e.FileID, &e.RecordID, &e.Detail, &e.IP, &e.UserAgent); err != nil {
			return nil, fail("read the access log", err, messages{})
		}
		e.Action = supervision.AccessAction(action)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("read the access log", err, messages{})
	}
	return out, nil
}

// CountAccess counts the entries the query selects, ignoring its paging.
func (db *DB) CountAccess(ctx context.Context, sq supervision.AccessQuery) (int, error) {
	where, args := accessQuery(sq).where(false)
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM access_log`+where, args...).Scan(&n); err != nil {
		return 0, fail("count the access log", err, messages{})
	}
	return n, nil
}
