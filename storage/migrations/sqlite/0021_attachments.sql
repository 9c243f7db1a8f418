-- Files kept with a record (issue 14). The file itself is an object in the
-- document store, written once at key; a row is added when it is attached
-- and removed if it is removed before the record is signed.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY NOT NULL,
    record_id    TEXT NOT NULL REFERENCES records (id),
    name         TEXT NOT NULL CHECK (name <> ''),
    description  TEXT NOT NULL DEFAULT '',
    file_name    TEXT NOT NULL CHECK (file_name <> ''),
    content_type TEXT NOT NULL CHECK (content_type <> ''),
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    key          TEXT NOT NULL UNIQUE CHECK (key <> ''),
    uploaded_by  TEXT NOT NULL DEFAULT '',
    uploaded_at  TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_record ON attachments (record_id, uploaded_at);
