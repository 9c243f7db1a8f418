-- SQLite schema. Times are text in tsLayout (fixed width, UTC) so that they
-- sort as time; dates are YYYY-MM-DD text. STRICT tables refuse a value of
-- the wrong type rather than keeping it.

CREATE TABLE staff (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE, -- lower-cased by the store, so unique regardless of case
    job_title     TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    start_date    TEXT NOT NULL CHECK (start_date = date(start_date)),
    end_date      TEXT CHECK (end_date = date(end_date)),
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
) STRICT;

-- Rows are never deleted: a change of supervisor closes one (to_date) and
-- opens another, so the history of who supervised whom, when, is kept.
CREATE TABLE relationships (
    id            TEXT PRIMARY KEY NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES staff (id),
    supervisor_id TEXT NOT NULL REFERENCES staff (id),
    from_date     TEXT NOT NULL CHECK (from_date = date(from_date)),
    to_date       TEXT CHECK (to_date = date(to_date)),
    CHECK (to_date IS NULL OR to_date >= from_date),
    CHECK (supervisee_id <> supervisor_id)
) STRICT;
-- At most one open relationship per supervisee, whatever races.
CREATE UNIQUE INDEX relationships_open ON relationships (supervisee_id) WHERE to_date IS NULL;
CREATE INDEX relationships_supervisee ON relationships (supervisee_id, from_date);
CREATE INDEX relationships_supervisor ON relationships (supervisor_id, from_date);

CREATE TABLE records (
    id           TEXT PRIMARY KEY NOT NULL,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_signatures', 'signed')),
    revision     INTEGER NOT NULL, -- optimistic locking: every change checks and bumps it
    data         TEXT NOT NULL CHECK (json_valid(data)),
    author_id    TEXT NOT NULL REFERENCES staff (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    signed_at    TEXT,
    data_sha256  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX records_staff ON records (staff_id, created_at DESC, id DESC);

CREATE TABLE signatures (
    record_id    TEXT NOT NULL REFERENCES records (id),
    role         TEXT NOT NULL,
    signer_id    TEXT NOT NULL REFERENCES staff (id),
    name         TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    comment      TEXT NOT NULL DEFAULT '',
    disagreement TEXT NOT NULL DEFAULT '',
    drawing_png  BLOB,
    data_sha256  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (record_id, role) -- each role signs once
) STRICT;

CREATE TABLE events (
    id        INTEGER PRIMARY KEY, -- keeps events at the same instant in the order written
    record_id TEXT NOT NULL REFERENCES records (id),
    at        TEXT NOT NULL,
    actor_id  TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_record ON events (record_id, at, id);

CREATE TABLE documents (
    key       TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    version   INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    UNIQUE (record_id, version, kind)
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
