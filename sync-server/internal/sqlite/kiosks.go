package sqlite

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Kiosk errors callers test.
var (
	ErrEnrollCode   = errors.New("sqlite: enrollment code unknown, used or expired")
	ErrUnauthorized = errors.New("sqlite: unknown kiosk, wrong credential or revoked")
	ErrNotFound     = errors.New("sqlite: not found")
	// ErrDeviceKey: an enrollment without a valid Ed25519 public key.
	ErrDeviceKey = errors.New("sqlite: device key must be an Ed25519 public key")
	// ErrNoDeviceKey: the kiosk was enrolled before device keys and cannot
	// sign its batches; it must enroll again.
	ErrNoDeviceKey = errors.New("sqlite: kiosk has no device key: enroll it again")
)

// Kiosk is a registered kiosk as the office sees it.
type Kiosk struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	EnrolledAt *time.Time `json:"enrolled_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastSeen   *time.Time `json:"last_seen"`
	AckedSeq   uint64     `json:"acked_seq"`
	Pending    int        `json:"pending"`
}

// SecretHash is how enrollment codes and credentials are stored.
func SecretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateKiosk registers a kiosk awaiting enrollment with code.
func (db *DB) CreateKiosk(ctx context.Context, id, name, code string, expires time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO kiosks (id, name, enroll_code_hash, enroll_expires_at, created_at)
			VALUES (?, ?, ?, ?, ?)`, id, name, SecretHash(code), expires.UTC().Format(time.RFC3339Nano), db.stamp())
		if err != nil {
			return fmt.Errorf("sqlite: create kiosk: %w", err)
		}
		return nil
	})
}

// RedeemEnrollCode exchanges a one-time code for a credential and registers
// the kiosk's device key, replacing any earlier one: the code is erased in
// the same transaction, so it can never be used twice.
func (db *DB) RedeemEnrollCode(ctx context.Context, code, credential string, deviceKey ed25519.PublicKey) (string, error) {
	if len(deviceKey) != ed25519.PublicKeySize {
		return "", ErrDeviceKey
	}
	var id string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var expires string
		err := tx.QueryRowContext(ctx, `SELECT id, enroll_expires_at FROM kiosks
			WHERE enroll_code_hash = ? AND revoked_at IS NULL`, SecretHash(code)).Scan(&id, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrEnrollCode
		}
		if err != nil {
			return fmt.Errorf("sqlite: enroll: %w", err)
		}
		exp, err := time.Parse(time.RFC3339Nano, expires)
		if err != nil || !db.now().Before(exp) {
			return ErrEnrollCode
		}
		_, err = tx.ExecContext(ctx, `UPDATE kiosks SET enroll_code_hash = NULL, enroll_expires_at = NULL,
			credential_hash = ?, device_key = ?, enrolled_at = ? WHERE id = ?`, SecretHash(credential), []byte(deviceKey), db.stamp(), id)
		return err
	})
	return id, err
}

// DeviceKey checks a kiosk's credential as Authenticate does and returns
// the public key its batches must verify under.
func (db *DB) DeviceKey(ctx context.Context, id, credential string) (ed25519.PublicKey, error) {
	var key []byte
	err := db.db.QueryRowContext(ctx, `SELECT device_key FROM kiosks WHERE id = ? AND credential_hash = ? AND revoked_at IS NULL`,
		id, SecretHash(credential)).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: device key: %w", err)
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, ErrNoDeviceKey
	}
	return ed25519.PublicKey(key), nil
}

// Authenticate checks a kiosk's credential and that it is not revoked.
func (db *DB) Authenticate(ctx context.Context, id, credential string) error {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM kiosks WHERE id = ? AND credential_hash = ? AND revoked_at IS NULL`,
		id, SecretHash(credential)).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite: authenticate: %w", err)
	}
	if n == 0 {
		return ErrUnauthorized
	}
	return nil
}

// RevokeKiosk refuses the kiosk from now on.
func (db *DB) RevokeKiosk(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE kiosks SET revoked_at = ?, enroll_code_hash = NULL WHERE id = ? AND revoked_at IS NULL", db.stamp(), id)
		if err != nil {
			return fmt.Errorf("sqlite: revoke: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Touch records that a kiosk was heard from and what it has not sent yet.
func (db *DB) Touch(ctx context.Context, id string, pending int) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE kiosks SET last_seen = ?, pending = ? WHERE id = ?", db.stamp(), pending, id)
		return err
	})
}

// Kiosks lists every kiosk with the seq acknowledged in its latest epoch.
func (db *DB) Kiosks(ctx context.Context) ([]Kiosk, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT k.id, k.name, k.created_at, k.enrolled_at, k.revoked_at, k.last_seen, k.pending,
		COALESCE((SELECT e.acked_seq FROM kiosk_epochs e WHERE e.kiosk_id = k.id ORDER BY e.last_seen DESC LIMIT 1), 0)
		FROM kiosks k ORDER BY k.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: kiosks: %w", err)
	}
	defer rows.Close()
	out := []Kiosk{}
	for rows.Next() {
		var k Kiosk
		var created string
		var enrolled, revoked, seen sql.NullString
		if err := rows.Scan(&k.ID, &k.Name, &created, &enrolled, &revoked, &seen, &k.Pending, &k.AckedSeq); err != nil {
			return nil, err
		}
		k.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		k.EnrolledAt, k.RevokedAt, k.LastSeen = optTime(enrolled), optTime(revoked), optTime(seen)
		out = append(out, k)
	}
	return out, rows.Err()
}

func optTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return nil
	}
	return &t
}
