-- Meetings called at kiosks (the office's own are in the catalogue).
CREATE TABLE meetings (
    id         TEXT PRIMARY KEY,
    kiosk_id   TEXT NOT NULL,
    epoch      TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    body       TEXT NOT NULL
);

-- Which projects each meeting discussed, from kiosk meetings and from the
-- catalogue's (source 'catalog', rewritten with every catalogue).
CREATE TABLE meeting_agenda (
    meeting_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (meeting_id, project_id)
);

-- Which projects each survey is about (from the catalogue).
CREATE TABLE survey_projects (
    survey_id  TEXT NOT NULL,
    project_id TEXT NOT NULL,
    PRIMARY KEY (survey_id, project_id)
);

CREATE TABLE attendance (
    id            INTEGER PRIMARY KEY,
    kiosk_id      TEXT    NOT NULL,
    epoch         TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    meeting_id    TEXT    NOT NULL,
    identity_key  TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    birth_date    TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    counted       INTEGER NOT NULL DEFAULT 0 CHECK (counted IN (0, 1)),
    UNIQUE (kiosk_id, epoch, seq)
);
CREATE UNIQUE INDEX attendance_counted ON attendance (meeting_id, identity_key) WHERE counted = 1;
CREATE INDEX attendance_group ON attendance (meeting_id, identity_key);

CREATE TABLE votes (
    kiosk_id    TEXT    NOT NULL,
    epoch       TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    meeting_id  TEXT    NOT NULL,
    project_id  TEXT    NOT NULL,
    votes_for   INTEGER NOT NULL,
    against     INTEGER NOT NULL,
    abstained   INTEGER NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (kiosk_id, epoch, seq)
);
CREATE INDEX votes_item ON votes (meeting_id, project_id);

CREATE TABLE survey_answers (
    id            INTEGER PRIMARY KEY,
    kiosk_id      TEXT    NOT NULL,
    epoch         TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    survey_id     TEXT    NOT NULL,
    identity_key  TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    birth_date    TEXT    NOT NULL,
    replies       TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    counted       INTEGER NOT NULL DEFAULT 0 CHECK (counted IN (0, 1)),
    UNIQUE (kiosk_id, epoch, seq)
);
CREATE UNIQUE INDEX survey_answers_counted ON survey_answers (survey_id, identity_key) WHERE counted = 1;
CREATE INDEX survey_answers_group ON survey_answers (survey_id, identity_key);
