-- The unguessable receipt code a kiosk prints as a QR code, so a resident
-- can see whether their signature arrived and counts.
ALTER TABLE signatures ADD COLUMN receipt TEXT NOT NULL DEFAULT '';
CREATE INDEX signatures_receipt ON signatures (receipt) WHERE receipt <> '';
