-- Records whose documents could not be made because the renderer or the sealer
-- crashed on them: why, how often, and when to try again. A row is removed when
-- the documents are written at last.
CREATE TABLE document_failures (
    record_id  TEXT PRIMARY KEY NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    attempts   INTEGER NOT NULL CHECK (attempts > 0),
    failed_at  TEXT NOT NULL,
    retry_at   TEXT NOT NULL
) STRICT;
