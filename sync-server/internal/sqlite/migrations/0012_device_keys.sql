-- Each kiosk's Ed25519 public key, registered at enrollment: every batch
-- it sends is signed with the private half, which never leaves the kiosk.
-- NULL for kiosks enrolled before device keys: they are refused at hello
-- until enrolled again.
ALTER TABLE kiosks ADD COLUMN device_key BLOB;
