-- PostgreSQL schema; the same tables as migrations/sqlite with native types.

CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE, -- lower-cased by the store, so unique regardless of case
    job_title     TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    start_date    DATE NOT NULL,
    end_date      DATE,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);

-- Rows are never deleted: a change of supervisor closes one (to_date) and
-- opens another, so the history of who supervised whom, when, is kept.
CREATE TABLE relationships (
    id            TEXT PRIMARY KEY,
    supervisee_id TEXT NOT NULL REFERENCES staff (id),
    supervisor_id TEXT NOT NULL REFERENCES staff (id),
    from_date     DATE NOT NULL,
    to_date       DATE,
    CHECK (to_date IS NULL OR to_date >= from_date),
    CHECK (supervisee_id <> supervisor_id)
);
-- At most one open relationship per supervisee, whatever races.
CREATE UNIQUE INDEX relationships_open ON relationships (supervisee_id) WHERE to_date IS NULL;
CREATE INDEX relationships_supervisee ON relationships (supervisee_id, from_date);
CREATE INDEX relationships_supervisor ON relationships (supervisor_id, from_date);

CREATE TABLE records (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_signatures', 'signed')),
    revision     INTEGER NOT NULL, -- optimistic locking: every change checks and bumps it
    data         JSONB NOT NULL,
    author_id    TEXT NOT NULL REFERENCES staff (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    signed_at    TIMESTAMPTZ,
    data_sha256  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX records_staff ON records (staff_id, created_at DESC, id DESC);

CREATE TABLE signatures (
    record_id    TEXT NOT NULL REFERENCES records (id),
    role         TEXT NOT NULL,
    signer_id    TEXT NOT NULL REFERENCES staff (id),
    name         TEXT NOT NULL,
    signed_at    TIMESTAMPTZ NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    comment      TEXT NOT NULL DEFAULT '',
    disagreement TEXT NOT NULL DEFAULT '',
    drawing_png  BYTEA,
    data_sha256  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (record_id, role) -- each role signs once
);

CREATE TABLE events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- keeps events at the same instant in the order written
    record_id TEXT NOT NULL REFERENCES records (id),
    at        TIMESTAMPTZ NOT NULL,
    actor_id  TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_record ON events (record_id, at, id);

CREATE TABLE documents (
    key       TEXT PRIMARY KEY,
    record_id TEXT NOT NULL REFERENCES records (id),
    version   INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      BIGINT NOT NULL,
    UNIQUE (record_id, version, kind)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
