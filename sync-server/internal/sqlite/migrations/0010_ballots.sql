-- Ballots cast by registered residents on tablets, at meetings whose
-- vote_mode is "ballots" (issue 6.1). Every ballot is kept; the latest
-- per person and agenda item counts, and only from a person whose
-- registration at the meeting is counted.
CREATE TABLE ballots (
    kiosk_id     TEXT    NOT NULL,
    epoch        TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    meeting_id   TEXT    NOT NULL,
    project_id   TEXT    NOT NULL,
    identity_key TEXT    NOT NULL,
    full_name    TEXT    NOT NULL,
    birth_date   TEXT    NOT NULL,
    choice       TEXT    NOT NULL,
    cast_at      TEXT    NOT NULL,
    PRIMARY KEY (kiosk_id, epoch, seq)
);
CREATE INDEX ballots_meeting ON ballots (meeting_id, identity_key);
