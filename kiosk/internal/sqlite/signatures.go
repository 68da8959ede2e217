package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/sheet"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/storage"
)

// ErrDuplicate is returned when the citizen already signed the project here.
var ErrDuplicate = errors.New("sqlite: citizen already signed this project")

// Saved is what the store reports once a signature has committed.
type Saved struct {
	Seq uint64
	sheet.Position
	// Count is the project's signatures on this kiosk, this one included.
	Count int
	// NearDuplicateOf is the seq of an earlier signature with the same
	// birth date and a name one edit away, or 0.
	NearDuplicateOf uint64
}

// Near is what finds a signer's near duplicates without their name:
// citizen.NearKeys to store, citizen.NearProbes to look up, both under the
// project's dedupe secret.
type Near struct {
	Keys, Probes [][]byte
}

// AddSignature numbers s onto the collector's sheet, appends it to the log
// (its personal data sealed) and indexes it by keyed hashes alone, in one
// transaction. It returns only after the commit.
func (db *DB) AddSignature(ctx context.Context, s signature.Signature, sheetSize int, sl Sealing, near Near) (Saved, error) {
	if err := sl.check(); err != nil {
		return Saved{}, err
	}
	var saved Saved
	err := db.write(ctx, func(tx *sql.Tx) error {
		var exists int
		err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM signatures WHERE project_id = ? AND key_hash = ?",
			s.ProjectID, sl.KeyHash).Scan(&exists)
		if err != nil {
			return fmt.Errorf("sqlite: duplicate check: %w", err)
		}
		if exists > 0 {
			return ErrDuplicate
		}
		pos, err := nextPosition(ctx, tx, s.ProjectID, s.CollectorID, sheetSize)
		if err != nil {
			return err
		}
		s.Sheet, s.Row = pos.Sheet, pos.Row
		nearOf, err := nearDuplicate(ctx, tx, s.ProjectID, near.Probes)
		if err != nil {
			return err
		}
		payload, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("sqlite: encode signature: %w", err)
		}
		rec, err := db.appendRecord(ctx, tx, record.TypeSignature, payload, sl.Office, s.SignedAt.Format(time.RFC3339))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO signatures (seq, project_id, key_hash,
			signed_at, clock_source, consent_version, collector_id, sheet, row, near_duplicate_of)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.Seq, s.ProjectID, sl.KeyHash, s.SignedAt.Format(time.RFC3339), s.ClockSource, s.ConsentVersion,
			s.CollectorID, s.Sheet, s.Row, nullSeq(nearOf))
		if storage.IsUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("sqlite: insert signature: %w", err)
		}
		if err := insertNearKeys(ctx, tx, s.ProjectID, rec.Seq, near.Keys); err != nil {
			return err
		}
		saved = Saved{Seq: rec.Seq, Position: pos, NearDuplicateOf: nearOf}
		return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM signatures WHERE project_id = ?", s.ProjectID).Scan(&saved.Count)
	})
	if err != nil {
		return Saved{}, err
	}
	return saved, nil
}

// nextPosition finds the collector's next row: their own sheet while it has
// room, else the project's next sheet number.
func nextPosition(ctx context.Context, tx *sql.Tx, project, collector string, size int) (sheet.Position, error) {
	var last *sheet.Position
	var p sheet.Position
	err := tx.QueryRowContext(ctx, `SELECT sheet, row FROM signatures WHERE project_id = ? AND collector_id = ?
		ORDER BY seq DESC LIMIT 1`, project, collector).Scan(&p.Sheet, &p.Row)
	switch {
	case err == nil:
		last = &p
	case !errors.Is(err, sql.ErrNoRows):
		return sheet.Position{}, fmt.Errorf("sqlite: last sheet: %w", err)
	}
	var maxSheet int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(sheet), 0) FROM signatures WHERE project_id = ?", project).Scan(&maxSheet); err != nil {
		return sheet.Position{}, fmt.Errorf("sqlite: max sheet: %w", err)
	}
	return sheet.Next(last, maxSheet, size), nil
}

// insertNearKeys stores a signer's near keys in one statement: some
// sixty rows, which one by one would cost more than the rest of a
// signature's writing.
func insertNearKeys(ctx context.Context, tx *sql.Tx, project string, seq uint64, keys [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, project, k, seq)
	}
	q := "INSERT INTO near_keys (project_id, near_key, seq) VALUES (?, ?, ?)" + strings.Repeat(", (?, ?, ?)", len(keys)-1)
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("sqlite: near keys: %w", err)
	}
	return nil
}

// nearDuplicate returns the first earlier signature of the project one of
// whose near keys is among probes (citizen.NearProbes), or 0.
func nearDuplicate(ctx context.Context, tx *sql.Tx, project string, probes [][]byte) (uint64, error) {
	if len(probes) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(probes)+1)
	args = append(args, project)
	for _, p := range probes {
		args = append(args, p)
	}
	q := "SELECT COALESCE(MIN(seq), 0) FROM near_keys WHERE project_id = ? AND near_key IN (?" + strings.Repeat(", ?", len(probes)-1) + ")"
	var seq uint64
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: near duplicates: %w", err)
	}
	return seq, nil
}

func nullSeq(seq uint64) any {
	if seq == 0 {
		return nil
	}
	return seq
}

// SignatureCounts returns the number of signatures per project on this kiosk.
func (db *DB) SignatureCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT project_id, COUNT(*) FROM signatures GROUP BY project_id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: counts: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		counts[p] = n
	}
	return counts, rows.Err()
}

// Records returns up to limit log records with seq > after, in order.
func (db *DB) Records(ctx context.Context, after uint64, limit int) ([]record.Record, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT seq, type, payload, sealed, seal_digest, prev_hash, hash FROM records WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: records: %w", err)
	}
	defer rows.Close()
	var out []record.Record
	for rows.Next() {
		var r record.Record
		var typ string
		var prev, hash, digest []byte
		if err := rows.Scan(&r.Seq, &typ, &r.Payload, &r.Sealed, &digest, &prev, &hash); err != nil {
			return nil, err
		}
		if digest != nil {
			if r.SealDigest, err = record.HashFromBytes(digest); err != nil {
				return nil, err
			}
		}
		r.Type = record.Type(typ)
		if r.PrevHash, err = record.HashFromBytes(prev); err != nil {
			return nil, err
		}
		if r.Hash, err = record.HashFromBytes(hash); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
