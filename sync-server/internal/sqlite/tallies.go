package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/threshold"
)

// Tally is a project's signature counts on the server.
type Tally struct {
	Counted    int
	Duplicates int
}

// Tally counts a project's counted signatures and its duplicates.
func (db *DB) Tally(ctx context.Context, projectID string) (Tally, error) {
	var t Tally
	err := db.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(counted), 0), COALESCE(SUM(1 - counted), 0)
		FROM signatures WHERE project_id = ?`, projectID).Scan(&t.Counted, &t.Duplicates)
	if err != nil {
		return t, fmt.Errorf("sqlite: tally: %w", err)
	}
	return t, nil
}

// SignedElsewhere reports whether a counted signature with this identity
// key hash exists for the project.
func (db *DB) SignedElsewhere(ctx context.Context, projectID, keyHash string) (bool, error) {
	var n int
	err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM signatures WHERE project_id = ? AND key_hash = ?", projectID, keyHash).Scan(&n)
	return n > 0, err
}

// Duplicate is a signature not counted because the same citizen signed
// the project earlier.
type Duplicate struct {
	ID          int64     `json:"id"`
	KioskID     string    `json:"kiosk_id"`
	Seq         uint64    `json:"seq"`
	FullName    string    `json:"full_name"`
	BirthDate   string    `json:"birth_date"`
	SignedAt    time.Time `json:"signed_at"`
	DuplicateOf int64     `json:"duplicate_of"`
	CountedAt   string    `json:"counted_kiosk_id"`
}

// Duplicates lists a project's uncounted signatures with the counted one.
func (db *DB) Duplicates(ctx context.Context, projectID string) ([]Duplicate, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT d.id, d.kiosk_id, d.seq, d.full_name, d.birth_date, d.signed_at, c.id, c.kiosk_id
		FROM signatures d JOIN signatures c ON c.id = d.duplicate_of
		WHERE d.project_id = ? AND d.counted = 0 ORDER BY d.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: duplicates: %w", err)
	}
	defer rows.Close()
	out := []Duplicate{}
	for rows.Next() {
		var d Duplicate
		var signed string
		if err := rows.Scan(&d.ID, &d.KioskID, &d.Seq, &d.FullName, &d.BirthDate, &signed, &d.DuplicateOf, &d.CountedAt); err != nil {
			return nil, err
		}
		d.SignedAt, _ = time.Parse(time.RFC3339, signed)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Counted is one counted signature's place of origin, for checks.
type Counted struct {
	IdentityKey string
	KioskID     string
	Epoch       string
	Seq         uint64
}

// CountedSet lists a project's counted signatures ordered by identity key.
func (db *DB) CountedSet(ctx context.Context, projectID string) ([]Counted, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT identity_key, kiosk_id, epoch, seq FROM signatures
		WHERE project_id = ? AND counted = 1 ORDER BY identity_key`, projectID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: counted set: %w", err)
	}
	defer rows.Close()
	var out []Counted
	for rows.Next() {
		var c Counted
		if err := rows.Scan(&c.IdentityKey, &c.KioskID, &c.Epoch, &c.Seq); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordCount returns how many records the server holds for a kiosk epoch.
func (db *DB) RecordCount(ctx context.Context, kioskID, epoch string) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM records WHERE kiosk_id = ? AND epoch = ?", kioskID, epoch).Scan(&n)
	return n, err
}

// DailyCounts returns a project's counted signatures per signing date (the
// date in the municipality's zone the kiosk recorded), oldest first.
func (db *DB) DailyCounts(ctx context.Context, projectID string) ([]threshold.Day, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT substr(signed_at, 1, 10) AS day, COUNT(*) FROM signatures
		WHERE project_id = ? AND counted = 1 GROUP BY day ORDER BY day`, projectID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: daily counts: %w", err)
	}
	defer rows.Close()
	out := []threshold.Day{}
	for rows.Next() {
		var day string
		var d threshold.Day
		if err := rows.Scan(&day, &d.Count); err != nil {
			return nil, err
		}
		if d.Date, err = calendar.Parse(day); err != nil {
			return nil, fmt.Errorf("sqlite: daily counts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// KioskCounts returns a project's counted signatures per kiosk.
func (db *DB) KioskCounts(ctx context.Context, projectID string) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT kiosk_id, COUNT(*) FROM signatures WHERE project_id = ? AND counted = 1 GROUP BY kiosk_id", projectID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: kiosk counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// Receipt statuses shown on the project page.
const (
	ReceiptCounted = "counted" // received and counted
	ReceiptRepeat  = "repeat"  // received, not counted: the citizen signed earlier
)

// ReceiptStatus tells what became of the signature with a receipt code.
// Not found means not received yet (or a wrong code): the page says so.
func (db *DB) ReceiptStatus(ctx context.Context, projectID, receipt string) (string, bool, error) {
	if receipt == "" {
		return "", false, nil
	}
	var counted int
	err := db.db.QueryRowContext(ctx, "SELECT counted FROM signatures WHERE receipt = ? AND project_id = ?", receipt, projectID).Scan(&counted)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: receipt: %w", err)
	}
	if counted == 1 {
		return ReceiptCounted, true, nil
	}
	return ReceiptRepeat, true, nil
}

// SignatureRow is one signature as the office exports it.
type SignatureRow struct {
	ID          int64
	KioskID     string
	Seq         uint64
	FullName    string
	BirthDate   string
	SignedAt    time.Time
	CollectorID string
	Sheet, Row  int
	Counted     bool
	DuplicateOf int64
	Strokes     string // JSON [[[x, y], …], …]
}

// EachSignature calls fn for a project's signatures in signing order,
// streaming so an export of a large project holds one row at a time.
func (db *DB) EachSignature(ctx context.Context, projectID string, fn func(SignatureRow) error) error {
	return db.eachSignature(ctx, "WHERE project_id = ? ORDER BY signed_unix, kiosk_id, epoch, seq", projectID, fn)
}

// Uncounted streams a project's signatures that do not count, for the
// annex of the sheets.
func (db *DB) Uncounted(ctx context.Context, projectID string, fn func(SignatureRow) error) error {
	return db.eachSignature(ctx, "WHERE project_id = ? AND counted = 0 ORDER BY signed_unix, kiosk_id, epoch, seq", projectID, fn)
}

func (db *DB) eachSignature(ctx context.Context, where string, projectID string, fn func(SignatureRow) error) error {
	rows, err := db.db.QueryContext(ctx, `SELECT id, kiosk_id, seq, full_name, birth_date, signed_at, collector_id, sheet, row,
		counted, COALESCE(duplicate_of, 0), strokes FROM signatures `+where, projectID)
	if err != nil {
		return fmt.Errorf("sqlite: signatures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s SignatureRow
		var signed string
		var counted int
		if err := rows.Scan(&s.ID, &s.KioskID, &s.Seq, &s.FullName, &s.BirthDate, &signed, &s.CollectorID, &s.Sheet, &s.Row,
			&counted, &s.DuplicateOf, &s.Strokes); err != nil {
			return err
		}
		s.SignedAt, _ = time.Parse(time.RFC3339, signed)
		s.Counted = counted == 1
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}
