-- The access log: who did what to which file and record, when and from
-- where. Append-only: the triggers refuse any UPDATE or DELETE, and the
-- store has no code that tries. No foreign keys, so that the log outlives
-- the people and files it names (a purge is itself logged here).
CREATE TABLE access_log (
    id          INTEGER PRIMARY KEY, -- the order written
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    actor_email TEXT NOT NULL DEFAULT '',
    actor_role  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL CHECK (action <> ''),
    file_id     TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX access_log_file ON access_log (file_id, id);
CREATE INDEX access_log_actor ON access_log (actor_id, id);
CREATE INDEX access_log_email ON access_log (actor_email, id) WHERE actor_email <> '';
CREATE INDEX access_log_action ON access_log (action, id);
CREATE INDEX access_log_at ON access_log (at);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
