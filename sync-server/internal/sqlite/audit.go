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

// ErrAuditBroken is returned when the audit chain does not verify.
var ErrAuditBroken = errors.New("sqlite: audit log chain broken")

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // username, or "token" for the admin API token
	Action string // e.g. "export.csv", "pdf.sheets", "catalog.put"
	Object string // e.g. "project:p1"
	Detail string
}

func auditHash(prev string, e AuditEntry, at string) string {
	h := sha256.New()
	for _, f := range []string{prev, strconv.FormatInt(e.ID, 10), at, e.Actor, e.Action, e.Object, e.Detail} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends an entry to the hash-chained audit log.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var lastID int64
		var prev string
		err := tx.QueryRowContext(ctx, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").Scan(&lastID, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: audit: %w", err)
		}
		e.ID = lastID + 1
		at := db.stamp()
		_, err = tx.ExecContext(ctx, "INSERT INTO audit (id, at, actor, action, object, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			e.ID, at, e.Actor, e.Action, e.Object, e.Detail, prev, auditHash(prev, e, at))
		if err != nil {
			return fmt.Errorf("sqlite: audit: %w", err)
		}
		return nil
	})
}

// AuditLog returns the newest entries first, at most limit.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT id, at, actor, action, object, detail FROM audit ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks the whole chain and names the first row that breaks it.
func (db *DB) VerifyAudit(ctx context.Context) (int, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT id, at, actor, action, object, detail, prev_hash, hash FROM audit ORDER BY id")
	if err != nil {
		return 0, fmt.Errorf("sqlite: audit verify: %w", err)
	}
	defer rows.Close()
	prev, n := "", 0
	for rows.Next() {
		var e AuditEntry
		var at, prevHash, hash string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &prevHash, &hash); err != nil {
			return n, err
		}
		n++
		if e.ID != int64(n) || prevHash != prev || auditHash(prev, e, at) != hash {
			return n, fmt.Errorf("%w at entry %d", ErrAuditBroken, e.ID)
		}
		prev = hash
	}
	return n, rows.Err()
}
