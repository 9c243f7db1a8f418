-- Email notifications settled, by key (the event and the person, or the
-- person and the week of a digest): an email whose key is here is not sent
-- again, by a retried job or another instance.
CREATE TABLE mail_sent (
    key      TEXT PRIMARY KEY,
    sent_at  TIMESTAMPTZ NOT NULL,
    outcome  TEXT NOT NULL
);
