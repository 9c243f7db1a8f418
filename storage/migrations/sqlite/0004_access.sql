-- Who else may act on a file or a record, besides the supervisee and their
-- current supervisor (issue 9, "who may do what"; supervision/access.go).

-- record_parties names people on one record with a role: an invited second
-- observer ("observer"), the senior manager named on a serious-incident plan
-- ("senior_manager"), a file audit's auditor ("auditor"), the audited
-- supervisor ("supervisor") and the supervisee whose file it audits
-- ("subject"), the outgoing and incoming supervisors of a handover. A role
-- that is also one of the form's signer roles is signed by the person named
-- for it and nobody else.
CREATE TABLE record_parties (
    record_id  TEXT NOT NULL REFERENCES records (id),
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    role       TEXT NOT NULL CHECK (role <> ''),
    added_by   TEXT NOT NULL DEFAULT '',
    added_at   TEXT NOT NULL,
    PRIMARY KEY (record_id, role, staff_id)
) STRICT;
CREATE INDEX record_parties_staff ON record_parties (staff_id, role);

-- A stand-in supervisor covers every supervisee of an absent supervisor
-- from one date to another, inclusive (003: "a manager may stand in when the
-- supervisor is absent"). Ending a cover early sets ended_at.
CREATE TABLE covers (
    id            TEXT PRIMARY KEY NOT NULL,
    supervisor_id TEXT NOT NULL REFERENCES staff (id),
    stand_in_id   TEXT NOT NULL REFERENCES staff (id),
    from_date     TEXT NOT NULL CHECK (from_date = date(from_date)),
    to_date       TEXT NOT NULL CHECK (to_date = date(to_date)),
    reason        TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES staff (id),
    created_at    TEXT NOT NULL,
    ended_at      TEXT,
    CHECK (to_date >= from_date),
    CHECK (supervisor_id <> stand_in_id)
) STRICT;
CREATE INDEX covers_stand_in ON covers (stand_in_id, to_date);
CREATE INDEX covers_supervisor ON covers (supervisor_id, to_date);

-- An auditor assigned to audit one supervisee's file by a due date (002
-- Appendix J, 004 §12). Ending an assignment sets ended_at.
CREATE TABLE audit_assignments (
    id            TEXT PRIMARY KEY NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES staff (id),
    auditor_id    TEXT NOT NULL REFERENCES staff (id),
    due_date      TEXT NOT NULL CHECK (due_date = date(due_date)),
    created_by    TEXT NOT NULL REFERENCES staff (id),
    created_at    TEXT NOT NULL,
    ended_at      TEXT,
    CHECK (supervisee_id <> auditor_id)
) STRICT;
CREATE INDEX audit_assignments_auditor ON audit_assignments (auditor_id);
CREATE INDEX audit_assignments_supervisee ON audit_assignments (supervisee_id);
