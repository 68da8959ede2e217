package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNoDevice is returned for a token or id with no paired tablet.
var ErrNoDevice = errors.New("sqlite: no such paired device")

// Device is a tablet paired to this kiosk.
type Device struct {
	ID        int64
	Name      string
	UserAgent string
	PairedAt  time.Time
	LastSeen  time.Time
}

// AddDevice pairs a tablet under token (kept only as a hash). If the
// browser already held a device token (previousToken), that pairing ends:
// one browser is one device. An empty name becomes defaultName(n), n being
// the new device's number.
func (db *DB) AddDevice(ctx context.Context, token, previousToken, name, userAgent string, defaultName func(int64) string, now time.Time) (Device, error) {
	d := Device{Name: name, UserAgent: userAgent, PairedAt: now, LastSeen: now}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if previousToken != "" {
			var old int64
			err := tx.QueryRowContext(ctx, "SELECT id FROM devices WHERE token_hash = ? AND unpaired_at IS NULL", tokenHash(previousToken)).Scan(&old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("sqlite: previous device: %w", err)
			default:
				if err := unpairDevice(ctx, tx, old, now); err != nil {
					return err
				}
			}
		}
		// With one writer, the next rowid is the largest plus one: the
		// default name carries the number the row will get.
		if d.Name == "" {
			var next int64
			if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM devices").Scan(&next); err != nil {
				return fmt.Errorf("sqlite: next device: %w", err)
			}
			d.Name = defaultName(next)
		}
		at := now.Format(time.RFC3339)
		res, err := tx.ExecContext(ctx, "INSERT INTO devices (token_hash, name, user_agent, paired_at, last_seen) VALUES (?, ?, ?, ?, ?)",
			tokenHash(token), d.Name, userAgent, at, at)
		if err != nil {
			return fmt.Errorf("sqlite: add device: %w", err)
		}
		d.ID, err = res.LastInsertId()
		return err
	})
	return d, err
}

const deviceColumns = "id, name, user_agent, paired_at, last_seen"

func scanDevice(row interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var paired, seen string
	if err := row.Scan(&d.ID, &d.Name, &d.UserAgent, &paired, &seen); err != nil {
		return Device{}, err
	}
	var err error
	if d.PairedAt, err = time.Parse(time.RFC3339, paired); err != nil {
		return Device{}, fmt.Errorf("sqlite: device %d paired_at: %w", d.ID, err)
	}
	if d.LastSeen, err = time.Parse(time.RFC3339, seen); err != nil {
		return Device{}, fmt.Errorf("sqlite: device %d last_seen: %w", d.ID, err)
	}
	return d, nil
}

// DeviceByToken returns the paired device of token, ErrNoDevice if the
// token is unknown or its device was unpaired.
func (db *DB) DeviceByToken(ctx context.Context, token string) (Device, error) {
	if token == "" {
		return Device{}, ErrNoDevice
	}
	d, err := scanDevice(db.db.QueryRowContext(ctx,
		"SELECT "+deviceColumns+" FROM devices WHERE token_hash = ? AND unpaired_at IS NULL", tokenHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, ErrNoDevice
	}
	if err != nil {
		return Device{}, fmt.Errorf("sqlite: device: %w", err)
	}
	return d, nil
}

// Devices lists the paired devices, oldest first.
func (db *DB) Devices(ctx context.Context) ([]Device, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT "+deviceColumns+" FROM devices WHERE unpaired_at IS NULL ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: devices: %w", err)
	}
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TouchDevice records that the device was seen at now.
func (db *DB) TouchDevice(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE devices SET last_seen = ? WHERE id = ?", now.Format(time.RFC3339), id)
		if err != nil {
			return fmt.Errorf("sqlite: touch device: %w", err)
		}
		return nil
	})
}

// UnpairDevice ends a pairing: the device's token lets it in no more and
// the shifts opened on it close. ErrNoDevice if it is not paired.
func (db *DB) UnpairDevice(ctx context.Context, id int64, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error { return unpairDevice(ctx, tx, id, now) })
}

func unpairDevice(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	at := now.Format(time.RFC3339)
	res, err := tx.ExecContext(ctx, "UPDATE devices SET unpaired_at = ? WHERE id = ? AND unpaired_at IS NULL", at, id)
	if err != nil {
		return fmt.Errorf("sqlite: unpair device: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: unpair device: %w", err)
	} else if n == 0 {
		return ErrNoDevice
	}
	if _, err := tx.ExecContext(ctx, "UPDATE shifts SET closed_at = ? WHERE device_id = ? AND closed_at IS NULL", at, id); err != nil {
		return fmt.Errorf("sqlite: close the device's shifts: %w", err)
	}
	return nil
}
