-- Records that keep living (issue 11). A new version of a signed record is a
-- record of its own whose series_id names the first version ('' on the first
-- version itself); its documents are kept under the first version's id
-- (files/<staff>/records/<first>/v<n>/). waiting_on is the party a two-party
-- draft has been sent to ('' when nobody has been asked).
ALTER TABLE records ADD COLUMN series_id TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN waiting_on TEXT NOT NULL DEFAULT '';
-- Two people pressing "Update this record" at once make one version 2.
CREATE UNIQUE INDEX records_series_version ON records (series_id, version) WHERE series_id <> '';

-- The supervisor's response to a disagreement recorded with a signature.
-- The signed record never changes; the response is kept beside it.
CREATE TABLE disagreement_responses (
    record_id    TEXT PRIMARY KEY NOT NULL REFERENCES records (id),
    responder_id TEXT NOT NULL REFERENCES staff (id),
    at           TEXT NOT NULL,
    response     TEXT NOT NULL CHECK (response <> '')
) STRICT;
