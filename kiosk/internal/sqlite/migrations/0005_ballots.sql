-- Ballots: at a meeting whose vote_mode is "ballots", each registered
-- resident votes on each agenda item. A change of mind is a new row; the
-- latest (highest seq) per person and item is the one that counts, and the
-- log keeps them all.
CREATE TABLE ballots (
    seq          INTEGER PRIMARY KEY REFERENCES records (seq),
    meeting_id   TEXT    NOT NULL,
    project_id   TEXT    NOT NULL,
    identity_key TEXT    NOT NULL,
    choice       TEXT    NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at      TEXT    NOT NULL,
    collector_id TEXT    NOT NULL
);
CREATE INDEX ballots_meeting ON ballots (meeting_id, seq);
