package storage

import "context"

// LargestDocument is the size of the largest stored document of the kind.
func (db *DB) LargestDocument(ctx context.Context, kind string) (int64, error) {
	var n int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(size), 0) FROM documents WHERE kind = $1`, kind).Scan(&n)
	if err != nil {
		return 0, fail("find the largest document", err, messages{})
	}
	return n, nil
}
