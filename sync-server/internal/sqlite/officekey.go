package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sbor-project/sbor/shared/seal"
)

// ErrOfficeKey is returned when the office key given is not the one the
// database was first given.
var ErrOfficeKey = errors.New("sqlite: not the office key this database uses")

// officeKeySetting names the settings row holding the fingerprint of the
// office key.
const officeKeySetting = "office_key_fingerprint"

// OfficeKeyFingerprint returns the fingerprint of the office key the
// database uses, or "" if it was never given one.
func (db *DB) OfficeKeyFingerprint(ctx context.Context) (string, error) {
	var fp string
	err := db.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", officeKeySetting).Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: office key: %w", err)
	}
	return fp, nil
}

// UseOfficeKey makes kp the key sealed records are opened with and every
// catalogue carries. The first key is remembered by its fingerprint, and
// any other later is refused with ErrOfficeKey: kiosks seal to the key of
// their catalogue, and a silently new one would leave every record they
// have not sent yet unreadable.
func (db *DB) UseOfficeKey(ctx context.Context, kp *seal.KeyPair) error {
	fp := kp.Public.Fingerprint()
	if _, err := db.db.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
		officeKeySetting, fp); err != nil {
		return fmt.Errorf("sqlite: office key: %w", err)
	}
	held, err := db.OfficeKeyFingerprint(ctx)
	if err != nil {
		return err
	}
	if held != fp {
		return fmt.Errorf("%w: the database expects the key %s, this one is %s", ErrOfficeKey, held, fp)
	}
	db.office.Store(kp)
	return nil
}

// officeKey returns the key in use, or nil before UseOfficeKey.
func (db *DB) officeKey() *seal.KeyPair { return db.office.Load() }
