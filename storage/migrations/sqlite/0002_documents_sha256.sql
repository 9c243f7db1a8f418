-- verify looks a document up by its SHA-256 (an uploaded PDF that is byte for byte
-- the copy in the file).
CREATE INDEX documents_sha256 ON documents (sha256);
