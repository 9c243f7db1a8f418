package storage

import "context"

// ExecRaw runs a statement on the write connection, bypassing the store's
// methods: for tests that show what the database itself refuses.
func (db *DB) ExecRaw(ctx context.Context, query string) error {
	_, err := db.w.ExecContext(ctx, query)
	return err
}
