package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// CountedDigest is the SHA-256 over a project's counted signatures, each
// named by its record's place and hash, in the dedupe order. Anyone
// holding the records can recompute it; a changed counted set changes it.
func (db *DB) CountedDigest(ctx context.Context, projectID string) (string, int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT s.kiosk_id, s.epoch, s.seq, r.hash FROM signatures s
		JOIN records r ON r.kiosk_id = s.kiosk_id AND r.epoch = s.epoch AND r.seq = s.seq
		WHERE s.project_id = ? AND s.counted = 1 ORDER BY s.signed_unix, s.kiosk_id, s.epoch, s.seq`, projectID)
	if err != nil {
		return "", 0, fmt.Errorf("sqlite: digest: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var kiosk, epoch, hash string
		var seq uint64
		if err := rows.Scan(&kiosk, &epoch, &seq, &hash); err != nil {
			return "", 0, err
		}
		h.Write([]byte(kiosk + "|" + epoch + "|" + strconv.FormatUint(seq, 10) + "|" + hash + "\n"))
		n++
	}
	return hex.EncodeToString(h.Sum(nil)), n, rows.Err()
}

// IssuedProtocol is a protocol the server produced.
type IssuedProtocol struct {
	Digest, ProjectID, Date      string
	Signatures, Required, Sheets int
	Signature                    string // the server's, base64
	CreatedAt                    time.Time
}

// RecordProtocol remembers an issued protocol for /verify.
func (db *DB) RecordProtocol(ctx context.Context, p IssuedProtocol) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO protocols (digest, project_id, date, signatures, required, sheets, signature, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest, project_id) DO NOTHING`,
			p.Digest, p.ProjectID, p.Date, p.Signatures, p.Required, p.Sheets, p.Signature, db.stamp())
		return err
	})
}

// Protocol finds an issued protocol by digest.
func (db *DB) Protocol(ctx context.Context, digest string) (IssuedProtocol, bool, error) {
	var p IssuedProtocol
	var created string
	err := db.db.QueryRowContext(ctx, `SELECT digest, project_id, date, signatures, required, sheets, signature, created_at
		FROM protocols WHERE digest = ? ORDER BY created_at LIMIT 1`, digest).
		Scan(&p.Digest, &p.ProjectID, &p.Date, &p.Signatures, &p.Required, &p.Sheets, &p.Signature, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("sqlite: protocol: %w", err)
	}
	p.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return p, true, nil
}

// CollectorCounts returns a project's counted signatures per collector.
func (db *DB) CollectorCounts(ctx context.Context, projectID string) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT collector_id, COUNT(*) FROM signatures WHERE project_id = ? AND counted = 1 GROUP BY collector_id", projectID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: collector counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// EachCounted streams a project's counted signatures grouped by collector
// (in id order), each collector's in signing order: the order of the
// signature sheets.
func (db *DB) EachCounted(ctx context.Context, projectID string, fn func(SignatureRow) error) error {
	return db.eachSignature(ctx, `WHERE project_id = ? AND counted = 1 ORDER BY collector_id, signed_unix, kiosk_id, epoch, seq`, projectID, fn)
}
