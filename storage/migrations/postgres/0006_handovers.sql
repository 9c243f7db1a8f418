-- A handover: a supervisee's file handed from one supervisor to the next on
-- an effective date, with the handover record both supervisors sign. The
-- relationships table keeps the dates; this keeps who, why and the record.
CREATE TABLE handovers (
    id                 TEXT PRIMARY KEY,
    supervisee_id      TEXT NOT NULL REFERENCES staff (id),
    from_supervisor_id TEXT NOT NULL REFERENCES staff (id),
    to_supervisor_id   TEXT NOT NULL REFERENCES staff (id),
    effective          DATE NOT NULL,
    reason             TEXT NOT NULL CHECK (reason <> ''),
    record_id          TEXT NOT NULL UNIQUE REFERENCES records (id),
    created_by         TEXT NOT NULL REFERENCES staff (id),
    created_at         TIMESTAMPTZ NOT NULL,
    drafts_moved       INTEGER NOT NULL DEFAULT 0,
    CHECK (from_supervisor_id <> to_supervisor_id),
    CHECK (supervisee_id <> to_supervisor_id)
);
CREATE INDEX handovers_supervisee ON handovers (supervisee_id, created_at);
CREATE INDEX handovers_from ON handovers (from_supervisor_id);
CREATE INDEX handovers_to ON handovers (to_supervisor_id);
-- Moving a file's drafts to the incoming supervisor finds them by author.
CREATE INDEX records_staff_author ON records (staff_id, author_id) WHERE status = 'draft';
-- A handover counts the file's signed records and finds the last signed
-- supervision record without reading the rest.
CREATE INDEX records_staff_signed ON records (staff_id, status, form_id, signed_at);
