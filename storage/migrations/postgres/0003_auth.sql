-- Sign-in throttling, kept in the database so that it holds across
-- instances. One row per client address (or network, for IPv6) and one per
-- existing account; never one per typed email, so the table stays small.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY, -- "addr:<ip or /64>" or "acct:<staff id>"
    failures     INTEGER NOT NULL,
    last_failure TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle (last_failure);

-- Set when a leaver's file has been purged after retention but the person
-- is still named in other files (so their row stays for those names).
ALTER TABLE staff ADD COLUMN purged_at TIMESTAMPTZ;
