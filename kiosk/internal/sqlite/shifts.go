package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNoShift is returned for a token with no open shift.
var ErrNoShift = errors.New("sqlite: no open shift")

// Shift is an open collection shift.
type Shift struct {
	ID          int64
	CollectorID string
	OpenedAt    time.Time
	// DeviceID is the paired tablet the shift was opened on, 0 for the
	// kiosk's own screen.
	DeviceID int64
}

// OpenShift records a shift for collector under token (kept only as a
// hash) on device (0: the kiosk's own screen), closing the shift the
// previous token of the same browser held.
func (db *DB) OpenShift(ctx context.Context, token, previousToken, collector string, device int64, now time.Time) (Shift, error) {
	var s Shift
	err := db.write(ctx, func(tx *sql.Tx) error {
		if previousToken != "" {
			if err := closeShift(ctx, tx, previousToken, now); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO shifts (token_hash, collector_id, opened_at, device_id) VALUES (?, ?, ?, ?)",
			tokenHash(token), collector, now.Format(time.RFC3339), nullID(device))
		if err != nil {
			return fmt.Errorf("sqlite: open shift: %w", err)
		}
		s.ID, err = res.LastInsertId()
		s.CollectorID, s.OpenedAt, s.DeviceID = collector, now, device
		return err
	})
	return s, err
}

// Shift returns the open shift of token, ErrNoShift if there is none or it
// was opened before notBefore (an expired shift).
func (db *DB) Shift(ctx context.Context, token string, notBefore time.Time) (Shift, error) {
	if token == "" {
		return Shift{}, ErrNoShift
	}
	var s Shift
	var opened string
	var device sql.NullInt64
	err := db.db.QueryRowContext(ctx, "SELECT id, collector_id, opened_at, device_id FROM shifts WHERE token_hash = ? AND closed_at IS NULL",
		tokenHash(token)).Scan(&s.ID, &s.CollectorID, &opened, &device)
	if errors.Is(err, sql.ErrNoRows) {
		return Shift{}, ErrNoShift
	}
	if err != nil {
		return Shift{}, fmt.Errorf("sqlite: shift: %w", err)
	}
	s.DeviceID = device.Int64
	if s.OpenedAt, err = time.Parse(time.RFC3339, opened); err != nil {
		return Shift{}, fmt.Errorf("sqlite: shift %d opened_at: %w", s.ID, err)
	}
	if s.OpenedAt.Before(notBefore) {
		return Shift{}, ErrNoShift
	}
	return s, nil
}

// CloseShift closes the shift of token; closing none is not an error.
func (db *DB) CloseShift(ctx context.Context, token string, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error { return closeShift(ctx, tx, token, now) })
}

func closeShift(ctx context.Context, tx *sql.Tx, token string, now time.Time) error {
	_, err := tx.ExecContext(ctx, "UPDATE shifts SET closed_at = ? WHERE token_hash = ? AND closed_at IS NULL",
		now.Format(time.RFC3339), tokenHash(token))
	if err != nil {
		return fmt.Errorf("sqlite: close shift: %w", err)
	}
	return nil
}

// tokenHash is how a shift token is stored: a SHA-256 is enough for a
// 256-bit random token, which cannot be guessed to begin with.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// nullID stores the kiosk's own screen (0) as NULL, so the foreign key to
// devices holds.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
