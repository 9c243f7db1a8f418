-- People who switched their email notifications off (on /account); everyone
-- else gets them while the service sends email.
CREATE TABLE mail_off (
    staff_id  TEXT PRIMARY KEY NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    since     TEXT NOT NULL
) STRICT;
