package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/seal"
)

// Sealing is how a record with personal data is written: its personal
// members sealed to the office's key, and the resident known to the index
// tables only by a keyed hash of their identity key.
type Sealing struct {
	Office  seal.PublicKey
	KeyHash string // citizen.KeyHash under the scope's DedupeSecret
}

func (s Sealing) check() error {
	if s.Office.IsZero() {
		return ErrNoOfficeKey
	}
	if s.KeyHash == "" {
		return errors.New("sqlite: no keyed hash of the identity key")
	}
	return nil
}

// DedupeSecret returns the secret a scope's keyed hashes are made with,
// pinning it at first use: offered (the server's, from the catalogue) if
// given, else a random one of the kiosk's own. A later offer never
// replaces a pinned secret, since hashes already stored were made with it.
func (db *DB) DedupeSecret(ctx context.Context, scope string, offered []byte, now time.Time) ([]byte, error) {
	secret, source := offered, "server"
	if len(secret) == 0 {
		secret, source = make([]byte, 32), "kiosk"
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	var pinned []byte
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dedupe_secrets (scope, secret, source, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (scope) DO NOTHING`, scope, secret, source, now.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT secret FROM dedupe_secrets WHERE scope = ?", scope).Scan(&pinned)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: dedupe secret %s: %w", scope, err)
	}
	return pinned, nil
}

// EraseSealed erases the sealed parts of records the server acknowledged
// before cutoff, and returns how many. Their digests stay, so the chain
// still verifies. The WAL is then checkpointed and truncated, so the
// erased bytes leave it too (secure_delete zeroes them in the main file).
func (db *DB) EraseSealed(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE records SET sealed = NULL WHERE sealed IS NOT NULL AND acked_at IS NOT NULL AND acked_at < ?",
			cutoff.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: erase sealed: %w", err)
	}
	if n > 0 {
		if _, err := db.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return n, fmt.Errorf("sqlite: checkpoint after erasing: %w", err)
		}
	}
	return n, nil
}

// SealedHeld counts records whose sealed part is still on this kiosk.
func (db *DB) SealedHeld(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: sealed held: %w", err)
	}
	return n, nil
}
