-- Every protocol issued, so /verify/{digest} can tell what it certified.
CREATE TABLE protocols (
    digest     TEXT    NOT NULL,
    project_id TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    signatures INTEGER NOT NULL,
    required   INTEGER NOT NULL,
    sheets     INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (digest, project_id)
);
CREATE INDEX signatures_collector ON signatures (project_id, counted, collector_id, signed_unix);
