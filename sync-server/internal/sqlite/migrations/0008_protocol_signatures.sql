-- The server's signature of each issued protocol's facts.
ALTER TABLE protocols ADD COLUMN signature TEXT NOT NULL DEFAULT '';
