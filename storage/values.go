package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// tsLayout is how timestamps are passed to both databases. Fixed width (six
// fractional digits, always UTC) so that SQLite, which keeps it as text,
// orders and compares it as time; PostgreSQL parses it into timestamptz,
// whose precision is also the microsecond.
const tsLayout = "2006-01-02T15:04:05.000000Z07:00"

// stamp normalises a timestamp in place to what the database keeps (UTC,
// microseconds), so that after a write the caller's struct equals what a
// read returns. A zero time means now.
func stamp(t *time.Time) string {
	if t.IsZero() {
		*t = time.Now()
	}
	*t = t.UTC().Truncate(time.Microsecond)
	return t.Format(tsLayout)
}

// ts formats a timestamp that is only compared against, not stored.
func ts(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond).Format(tsLayout)
}

// day normalises a date in place to UTC midnight and returns it as
// YYYY-MM-DD. The calendar date is read in t's own location: the date the
// caller means, even if it built it as local midnight.
func day(t *time.Time) string {
	y, m, d := t.Date()
	*t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t.Format(time.DateOnly)
}

// dayOf is day for a date that is only compared against.
func dayOf(t time.Time) string { return day(&t) }

// optDay is day for a nullable date.
func optDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return day(t)
}

// optStamp is stamp for a nullable timestamp.
func optStamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return stamp(t)
}

// timeCol scans a timestamp or date from either database: PostgreSQL's
// driver returns time.Time, SQLite returns the text that was written.
type timeCol struct {
	dst  *time.Time  // for NOT NULL columns
	opt  **time.Time // for nullable ones
	date bool
}

func (c timeCol) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if c.opt == nil {
			return errors.New("unexpected NULL time")
		}
		*c.opt = nil
		return nil
	case time.Time:
		t = v
	case string, []byte:
		var s string
		if b, ok := v.([]byte); ok {
			s = string(b)
		} else {
			s = v.(string)
		}
		layout := time.RFC3339Nano
		if c.date {
			layout = time.DateOnly
		}
		var err error
		if t, err = time.Parse(layout, s); err != nil {
			return fmt.Errorf("stored time %q: %w", s, err)
		}
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	if c.date {
		y, m, d := t.Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	} else {
		t = t.UTC()
	}
	if c.opt != nil {
		*c.opt = &t
	} else {
		*c.dst = t
	}
	return nil
}

func tsCol(dst *time.Time) timeCol       { return timeCol{dst: dst} }
func optTSCol(dst **time.Time) timeCol   { return timeCol{opt: dst} }
func dateCol(dst *time.Time) timeCol     { return timeCol{dst: dst, date: true} }
func optDateCol(dst **time.Time) timeCol { return timeCol{opt: dst, date: true} }

// jsonCol scans JSON into bytes in compact form: PostgreSQL's jsonb returns
// its own spacing, and callers should not see which database they are on.
type jsonCol struct{ dst *[]byte }

func (c jsonCol) Scan(src any) error {
	var raw []byte
	owned := false // raw is a copy, not the driver's buffer
	switch v := src.(type) {
	case string:
		raw, owned = []byte(v), true
	case []byte:
		raw = v
	case nil:
		*c.dst = nil
		return nil
	default:
		return fmt.Errorf("cannot scan %T into JSON", src)
	}
	if !spaced(raw) {
		// Already compact, as every write stores it (compactJSON) and
		// SQLite gives it back: a copy, without compacting again (a
		// twentieth of a save's CPU on SQLite).
		if !owned {
			raw = bytes.Clone(raw)
		}
		*c.dst = raw
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return fmt.Errorf("stored JSON: %w", err)
	}
	*c.dst = buf.Bytes()
	return nil
}

// spaced reports whether JSON text has white space outside its strings,
// which json.Compact would remove.
func spaced(raw []byte) bool {
	in, esc := false, false
	for _, b := range raw {
		switch {
		case esc:
			esc = false
		case in && b == '\\':
			esc = true
		case b == '"':
			in = !in
		case !in && (b == ' ' || b == '\n' || b == '\t' || b == '\r'):
			return true
		}
	}
	return false
}

// compactJSON checks data is a JSON object and returns it compact, as text
// so that SQLite stores it as TEXT (json_valid and the sqlite3 shell read it)
// and pgx sends it to jsonb as is.
func compactJSON(data []byte) (string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "{}", nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return "", invalid("The record's data is not valid JSON")
	}
	if buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return "", invalid("The record's data must be a JSON object")
	}
	return buf.String(), nil
}
