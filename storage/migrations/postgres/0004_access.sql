-- Who else may act on a file or a record; see migrations/sqlite/0004_access.sql.

CREATE TABLE record_parties (
    record_id  TEXT NOT NULL REFERENCES records (id),
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    role       TEXT NOT NULL CHECK (role <> ''),
    added_by   TEXT NOT NULL DEFAULT '',
    added_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (record_id, role, staff_id)
);
CREATE INDEX record_parties_staff ON record_parties (staff_id, role);

CREATE TABLE covers (
    id            TEXT PRIMARY KEY,
    supervisor_id TEXT NOT NULL REFERENCES staff (id),
    stand_in_id   TEXT NOT NULL REFERENCES staff (id),
    from_date     DATE NOT NULL,
    to_date       DATE NOT NULL,
    reason        TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES staff (id),
    created_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,
    CHECK (to_date >= from_date),
    CHECK (supervisor_id <> stand_in_id)
);
CREATE INDEX covers_stand_in ON covers (stand_in_id, to_date);
CREATE INDEX covers_supervisor ON covers (supervisor_id, to_date);

CREATE TABLE audit_assignments (
    id            TEXT PRIMARY KEY,
    supervisee_id TEXT NOT NULL REFERENCES staff (id),
    auditor_id    TEXT NOT NULL REFERENCES staff (id),
    due_date      DATE NOT NULL,
    created_by    TEXT NOT NULL REFERENCES staff (id),
    created_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,
    CHECK (supervisee_id <> auditor_id)
);
CREATE INDEX audit_assignments_auditor ON audit_assignments (auditor_id);
CREATE INDEX audit_assignments_supervisee ON audit_assignments (supervisee_id);
