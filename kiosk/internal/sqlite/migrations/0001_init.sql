-- Kiosk facts: the epoch id of this database.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The append-only log every typed record goes through; sync sends it.
CREATE TABLE records (
    seq        INTEGER PRIMARY KEY,          -- per kiosk epoch, from 1, no gaps
    type       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,             -- the exact JSON bytes hashed
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    acked_at   TEXT                           -- set when the server confirms it
);

CREATE TRIGGER records_no_delete BEFORE DELETE ON records
BEGIN
    SELECT RAISE(ABORT, 'records are append-only');
END;

CREATE TRIGGER records_no_update BEFORE UPDATE OF seq, type, payload, prev_hash, hash, created_at ON records
BEGIN
    SELECT RAISE(ABORT, 'records are append-only');
END;

-- Signatures, one per record of type 'signature'.
CREATE TABLE signatures (
    seq               INTEGER PRIMARY KEY REFERENCES records (seq),
    project_id        TEXT    NOT NULL,
    identity_key      TEXT    NOT NULL,
    full_name         TEXT    NOT NULL,
    birth_date        TEXT    NOT NULL,
    signed_at         TEXT    NOT NULL,
    clock_source      TEXT    NOT NULL,
    consent_version   TEXT    NOT NULL,
    strokes           TEXT    NOT NULL,
    collector_id      TEXT    NOT NULL,
    sheet             INTEGER NOT NULL,
    row               INTEGER NOT NULL,
    near_duplicate_of INTEGER REFERENCES signatures (seq)
);

-- The database itself refuses a second signature of a citizen for a project.
CREATE UNIQUE INDEX signatures_one_per_citizen ON signatures (project_id, identity_key);
CREATE UNIQUE INDEX signatures_sheet_row ON signatures (project_id, sheet, row);
CREATE INDEX signatures_birth ON signatures (project_id, birth_date);
CREATE INDEX signatures_collector ON signatures (project_id, collector_id, seq);

CREATE TABLE shifts (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,     -- SHA-256 of the cookie token
    collector_id TEXT    NOT NULL,
    opened_at    TEXT    NOT NULL,
    closed_at    TEXT
);

-- The last catalogue that passed validation.
CREATE TABLE catalog (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    version   INTEGER NOT NULL,
    body      BLOB    NOT NULL,
    loaded_at TEXT    NOT NULL
);
