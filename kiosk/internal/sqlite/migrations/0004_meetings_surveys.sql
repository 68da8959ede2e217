-- Meetings and opinion surveys (docs/domain.md, "Meeting", "Opinion survey").
-- Every row below is the index of one record of the log: seq is that
-- record's, inserted in the same transaction, so a row never exists
-- without the record the server receives, nor a record without its row.

-- Meetings an operator called at this kiosk. The office's meetings come
-- with the catalogue and are not stored here.
CREATE TABLE meetings (
    id          TEXT    PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE REFERENCES records (seq),
    body        TEXT    NOT NULL,             -- JSON of meeting.Meeting, as in the record
    called_by   TEXT    NOT NULL,             -- the shift's collector
    created_at  TEXT    NOT NULL
);

-- Residents registered at a meeting (this kiosk's or the catalogue's).
CREATE TABLE attendance (
    seq             INTEGER PRIMARY KEY REFERENCES records (seq),
    meeting_id      TEXT    NOT NULL,
    identity_key    TEXT    NOT NULL,
    full_name       TEXT    NOT NULL,
    birth_date      TEXT    NOT NULL,
    registered_at   TEXT    NOT NULL,
    consent_version TEXT    NOT NULL,
    collector_id    TEXT    NOT NULL
);
-- The database itself refuses a second registration of a citizen.
CREATE UNIQUE INDEX attendance_once ON attendance (meeting_id, identity_key);

-- Counted votes on agenda items. A correction is a new row: the latest
-- (highest seq) per item is in force.
CREATE TABLE votes (
    seq          INTEGER PRIMARY KEY REFERENCES records (seq),
    meeting_id   TEXT    NOT NULL,
    project_id   TEXT    NOT NULL,
    votes_for    INTEGER NOT NULL CHECK (votes_for >= 0),
    against      INTEGER NOT NULL CHECK (against >= 0),
    abstained    INTEGER NOT NULL CHECK (abstained >= 0),
    recorded_at  TEXT    NOT NULL,
    collector_id TEXT    NOT NULL
);
CREATE INDEX votes_item ON votes (meeting_id, project_id, seq);

-- Residents' answers to the catalogue's surveys.
CREATE TABLE survey_answers (
    seq             INTEGER PRIMARY KEY REFERENCES records (seq),
    survey_id       TEXT    NOT NULL,
    identity_key    TEXT    NOT NULL,
    full_name       TEXT    NOT NULL,
    birth_date      TEXT    NOT NULL,
    replies         TEXT    NOT NULL,         -- JSON: question id → survey.Reply
    answered_at     TEXT    NOT NULL,
    consent_version TEXT    NOT NULL,
    collector_id    TEXT    NOT NULL
);
-- One answer per citizen and survey, refused by the database itself.
CREATE UNIQUE INDEX survey_answers_once ON survey_answers (survey_id, identity_key);
