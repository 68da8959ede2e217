-- Residents' personal data arrive sealed to the office key. The log keeps
-- each record's public payload and the digest of its sealed part, which
-- its hash covers, so chains verify with nothing personal at rest; the
-- opened data go only to the typed tables, which retention erases.
ALTER TABLE records ADD COLUMN seal_digest TEXT;

-- A quarantined record keeps its sealed part (one that could not be
-- opened, say, sealed to another office key), for the office to open with
-- the right key; retention erases it with the project's other data.
ALTER TABLE quarantine ADD COLUMN sealed BLOB;
ALTER TABLE quarantine ADD COLUMN seal_digest TEXT;
