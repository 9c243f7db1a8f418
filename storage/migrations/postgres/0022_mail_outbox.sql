-- Email notifications an event owes, written in the same transaction as
-- the event, so a process that dies before queueing them loses none: the
-- request deletes its rows once their send_email jobs are queued, and the
-- leader's sweep (at start and every minute) queues whatever is left.
-- Queueing twice is harmless: the jobs are unique by their notice, and
-- mail_sent settles each key once.
CREATE TABLE mail_outbox (
    key         TEXT PRIMARY KEY,
    notice      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
