-- People who switched their email notifications off (on /account); everyone
-- else gets them while the service sends email.
CREATE TABLE mail_off (
    staff_id  TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    since     TIMESTAMPTZ NOT NULL
);
