-- Tablets paired to this kiosk (docs/api.md, "Tablets"). Only a hash of a
-- tablet's cookie token is kept, like a shift's. Unpairing sets
-- unpaired_at rather than deleting, so the office can still tell which
-- tablet a shift was opened on; such a row lets nobody in.
CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    token_hash  BLOB    NOT NULL UNIQUE,      -- SHA-256 of the cookie token
    name        TEXT    NOT NULL,
    user_agent  TEXT    NOT NULL,
    paired_at   TEXT    NOT NULL,
    last_seen   TEXT    NOT NULL,
    unpaired_at TEXT
);

-- The tablet a shift was opened on; NULL for the kiosk's own screen. A
-- shift's cookie works only on the device that opened it, and unpairing a
-- tablet closes its shifts.
ALTER TABLE shifts ADD COLUMN device_id INTEGER REFERENCES devices (id);
