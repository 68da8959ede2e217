-- Counting and finding unacknowledged records stays cheap as the log grows.
CREATE INDEX records_unacked ON records (seq) WHERE acked_at IS NULL;
