-- Server facts: the secret project keys for identity-key hashes derive from.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every catalogue the office put in force; the highest version is current.
CREATE TABLE catalogs (
    version    INTEGER PRIMARY KEY,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

CREATE TABLE kiosks (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    enroll_code_hash  TEXT UNIQUE,          -- NULL once redeemed
    enroll_expires_at TEXT,
    credential_hash   TEXT UNIQUE,          -- NULL until enrolled
    created_at        TEXT NOT NULL,
    enrolled_at       TEXT,
    revoked_at        TEXT,
    last_seen         TEXT,
    pending           INTEGER NOT NULL DEFAULT 0
);

-- Per kiosk database (epoch): how far the server holds its log.
CREATE TABLE kiosk_epochs (
    kiosk_id  TEXT    NOT NULL REFERENCES kiosks (id),
    epoch     TEXT    NOT NULL,
    acked_seq INTEGER NOT NULL,
    head_hash TEXT    NOT NULL,
    last_seen TEXT    NOT NULL,
    PRIMARY KEY (kiosk_id, epoch)
);

-- Every record every kiosk sent, verbatim, in chain order.
CREATE TABLE records (
    kiosk_id    TEXT    NOT NULL,
    epoch       TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    PRIMARY KEY (kiosk_id, epoch, seq)
);

-- Records that conflict with what the server holds, kept for the office.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    kiosk_id    TEXT    NOT NULL,
    epoch       TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    hash        TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    received_at TEXT    NOT NULL
);

CREATE TABLE signatures (
    id              INTEGER PRIMARY KEY,
    kiosk_id        TEXT    NOT NULL,
    epoch           TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    project_id      TEXT    NOT NULL,
    identity_key    TEXT    NOT NULL,
    key_hash        TEXT    NOT NULL,
    full_name       TEXT    NOT NULL,
    birth_date      TEXT    NOT NULL,
    signed_at       TEXT    NOT NULL,
    signed_unix     INTEGER NOT NULL,
    clock_source    TEXT    NOT NULL,
    consent_version TEXT    NOT NULL,
    strokes         TEXT    NOT NULL,
    collector_id    TEXT    NOT NULL,
    sheet           INTEGER NOT NULL,
    row             INTEGER NOT NULL,
    counted         INTEGER NOT NULL CHECK (counted IN (0, 1)),
    duplicate_of    INTEGER REFERENCES signatures (id),
    UNIQUE (kiosk_id, epoch, seq)
);

-- One counted signature per citizen per project, enforced by the database.
CREATE UNIQUE INDEX signatures_counted ON signatures (project_id, identity_key) WHERE counted = 1;
CREATE INDEX signatures_citizen ON signatures (project_id, identity_key);
CREATE INDEX signatures_key_hash ON signatures (project_id, key_hash);
CREATE INDEX signatures_project ON signatures (project_id, counted);
