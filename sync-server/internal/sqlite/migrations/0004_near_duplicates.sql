-- Signatures are deduplicated per group: the identity key, unless the
-- office decided that two near-identical keys are one person, in which
-- case both carry the earlier one's key here.
ALTER TABLE signatures ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
UPDATE signatures SET group_key = identity_key;
DROP INDEX signatures_counted;
CREATE UNIQUE INDEX signatures_counted ON signatures (project_id, group_key) WHERE counted = 1;
CREATE INDEX signatures_group ON signatures (project_id, group_key);
CREATE INDEX signatures_birth ON signatures (project_id, birth_date);

-- Decisions that merge an identity key into another.
CREATE TABLE identity_aliases (
    project_id    TEXT NOT NULL,
    alias_key     TEXT NOT NULL,
    canonical_key TEXT NOT NULL,
    PRIMARY KEY (project_id, alias_key)
);

-- Pairs the shared near-duplicate rule flagged, waiting for the office.
CREATE TABLE near_pairs (
    id         INTEGER PRIMARY KEY,
    project_id TEXT    NOT NULL,
    key_a      TEXT    NOT NULL,   -- the earlier signer's identity key
    key_b      TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'distinct', 'same')),
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT    NOT NULL,
    UNIQUE (project_id, key_a, key_b)
);
