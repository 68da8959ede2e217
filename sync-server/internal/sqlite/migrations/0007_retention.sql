-- Retention: personal data of a project is erased once its purpose is
-- achieved; counts, hashes and digests stay, so tallies and issued
-- protocols still verify.
ALTER TABLE records ADD COLUMN purged_at TEXT;
CREATE TABLE purged_projects (
    project_id TEXT PRIMARY KEY,
    purged_at  TEXT NOT NULL
);
