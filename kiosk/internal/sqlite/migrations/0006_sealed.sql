-- Residents' personal data never rests at the kiosk in the clear (152-FZ;
-- docs/security.md). A record's personal members travel sealed to the
-- office's public key, which the kiosk cannot open; the index tables keep
-- only keyed hashes (HMAC-SHA256 under a per-scope secret) of identity
-- keys, enough to refuse a second signature, registration or answer.
--
-- Rows written before this migration keep their identity keys as they were
-- (the log cannot be rewritten); a kiosk upgraded with such rows should be
-- synced and re-created. See docs/security.md.

ALTER TABLE records ADD COLUMN sealed BLOB;       -- the sealed part; NULL once erased (or none)
ALTER TABLE records ADD COLUMN seal_digest BLOB;  -- its SHA-256, in the hash; kept after erasure

DROP TRIGGER records_no_update;
CREATE TRIGGER records_no_update BEFORE UPDATE OF seq, type, payload, seal_digest, prev_hash, hash, created_at ON records
BEGIN
    SELECT RAISE(ABORT, 'records are append-only');
END;

-- A sealed part can only be erased, and only once the server holds it.
CREATE TRIGGER records_sealed_erase_only BEFORE UPDATE OF sealed ON records
WHEN NEW.sealed IS NOT NULL OR OLD.acked_at IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a sealed part is only erased, after the server acknowledged it');
END;

CREATE INDEX records_sealed_acked ON records (acked_at) WHERE sealed IS NOT NULL;

DROP INDEX signatures_birth;
ALTER TABLE signatures DROP COLUMN full_name;
ALTER TABLE signatures DROP COLUMN birth_date;
ALTER TABLE signatures DROP COLUMN strokes;
ALTER TABLE signatures RENAME COLUMN identity_key TO key_hash;

ALTER TABLE attendance DROP COLUMN full_name;
ALTER TABLE attendance DROP COLUMN birth_date;
ALTER TABLE attendance RENAME COLUMN identity_key TO key_hash;

ALTER TABLE survey_answers DROP COLUMN full_name;
ALTER TABLE survey_answers DROP COLUMN birth_date;
ALTER TABLE survey_answers DROP COLUMN replies;
ALTER TABLE survey_answers RENAME COLUMN identity_key TO key_hash;

ALTER TABLE ballots RENAME COLUMN identity_key TO key_hash;

-- Near duplicates without names: citizen.NearKeys of each signer.
CREATE TABLE near_keys (
    project_id TEXT    NOT NULL,
    near_key   BLOB    NOT NULL,
    seq        INTEGER NOT NULL REFERENCES signatures (seq)
);
CREATE INDEX near_keys_lookup ON near_keys (project_id, near_key);

-- The secret each scope's keyed hashes are made with ("project:p1",
-- "meeting:m1", "survey:s1"). Pinned at first use: a later catalogue can
-- not change it, or a resident hashed under the old one could sign twice.
CREATE TABLE dedupe_secrets (
    scope      TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('server', 'kiosk')),
    created_at TEXT NOT NULL
);
