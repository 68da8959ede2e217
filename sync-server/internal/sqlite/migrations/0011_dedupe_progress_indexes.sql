-- The duplicates and whom they point at, so that recounting every
-- project (RecountAll) reads the dedupe state from indexes alone: this
-- one, the counted rows' and the groups'. Only repeats have a pointer,
-- so it stays small.
CREATE INDEX signatures_duplicate ON signatures (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- A project's counts by kiosk and by day (the progress the office and
-- the live pages ask for while kiosks sync) from the index alone, not
-- from every counted signature's row. It replaces the index on
-- (project_id, counted), whose every use it serves.
CREATE INDEX signatures_progress ON signatures (project_id, counted, kiosk_id, signed_at);
DROP INDEX signatures_project;
