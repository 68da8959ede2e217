package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/record"
)

// Meta returns a stored kiosk fact, "" if unset.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: meta %s: %w", key, err)
	}
	return v, nil
}

// SetMeta stores kiosk facts in one transaction.
func (db *DB) SetMeta(ctx context.Context, kv map[string]string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		for k, v := range kv {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return fmt.Errorf("sqlite: set meta %s: %w", k, err)
			}
		}
		return nil
	})
}

// Head returns the last record's seq and hash (0 and Genesis when empty).
func (db *DB) Head(ctx context.Context) (uint64, record.Hash, error) {
	var seq uint64
	var hash []byte
	err := db.db.QueryRowContext(ctx, "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, record.Genesis, nil
	}
	if err != nil {
		return 0, record.Genesis, fmt.Errorf("sqlite: head: %w", err)
	}
	h, err := record.HashFromBytes(hash)
	return seq, h, err
}

// MarkAcked records that the server committed every record up to seq.
func (db *DB) MarkAcked(ctx context.Context, seq uint64, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE records SET acked_at = ? WHERE seq <= ? AND acked_at IS NULL", now.UTC().Format(time.RFC3339), seq)
		if err != nil {
			return fmt.Errorf("sqlite: mark acked: %w", err)
		}
		return nil
	})
}

// Pending counts records the server has not acknowledged.
func (db *DB) Pending(ctx context.Context) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM records WHERE acked_at IS NULL").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: pending: %w", err)
	}
	return n, nil
}
