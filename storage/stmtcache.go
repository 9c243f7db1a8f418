package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// SQLite parses every statement afresh for each one-off query, and under
// load the parsing cost as much as running the query (a form page makes
// eight). Each SQLite connection here keeps its statements prepared, by
// their text, and reuses them: the same as database/sql's *sql.Stmt, without
// changing every call site. A statement in use (its rows still open) is not
// shared: a second use at the same time gets a one-off statement. Only
// statement texts seen before are kept, and at most stmtCacheSize per
// connection, so queries built with varying text cannot grow it without
// bound. PostgreSQL needs none of this: pgx caches statements itself.

const stmtCacheSize = 200

// openSQLite opens a database/sql pool whose connections cache statements.
func openSQLite(dsn string) *sql.DB {
	return sql.OpenDB(&cachingConnector{dsn: dsn, drv: &sqlite.Driver{}})
}

type cachingConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c *cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{inner: conn, stmts: map[string]*cachedStmt{}, seen: map[string]bool{}}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// innerConn is what the SQLite driver's connection offers.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool // rows from it are open
}

// cachingConn is used by one goroutine at a time (database/sql's rule), so
// its maps need no lock; busy is cleared by the rows' Close, also on that
// connection's goroutine.
type cachingConn struct {
	inner driver.Conn
	stmts map[string]*cachedStmt
	seen  map[string]bool
	mu    sync.Mutex // guards busy flags against a Close from another goroutine
}

func (c *cachingConn) in() innerConn { return c.inner.(innerConn) }

// cacheable reports whether a statement text is worth keeping: one
// statement (a migration's many are run once).
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	q = strings.TrimSuffix(q, ";")
	return !strings.Contains(q, ";")
}

// get returns the prepared statement for query, marked busy, or nil when it
// should run one-off.
func (c *cachingConn) get(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	cs := c.stmts[query]
	if cs != nil {
		if cs.busy {
			c.mu.Unlock()
			return nil, nil
		}
		cs.busy = true
		c.mu.Unlock()
		return cs, nil
	}
	if !c.seen[query] {
		// Kept from the second use on.
		if len(c.seen) < 4*stmtCacheSize {
			c.seen[query] = true
		}
		c.mu.Unlock()
		return nil, nil
	}
	if len(c.stmts) >= stmtCacheSize || !cacheable(query) {
		c.mu.Unlock()
		return nil, nil
	}
	c.mu.Unlock()
	st, err := c.in().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s, ok := st.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		st.Close()
		return nil, nil
	}
	cs = &cachedStmt{stmt: s, busy: true}
	c.mu.Lock()
	c.stmts[query] = cs
	c.mu.Unlock()
	return cs, nil
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.in().QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.release(cs) }}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.in().ExecContext(ctx, query, args)
	}
	defer c.release(cs)
	return cs.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.in().PrepareContext(ctx, query)
}

//lint:ignore SA1019 driver.Conn still requires Begin; database/sql calls BeginTx
func (c *cachingConn) Begin() (driver.Tx, error) { return c.inner.Begin() }
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.in().BeginTx(ctx, opts)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.in().Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.in().ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.in().IsValid() }
func (c *cachingConn) Close() error {
	c.mu.Lock()
	stmts := c.stmts
	c.stmts = map[string]*cachedStmt{}
	c.mu.Unlock()
	for _, cs := range stmts {
		cs.stmt.Close()
	}
	return c.inner.Close()
}

// cachedRows gives its statement back when closed.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}
