package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/signature"
)

// ErrPairDecided is returned when a near-duplicate pair was already decided.
var ErrPairDecided = errors.New("sqlite: pair already decided or unknown")

// flagNearDuplicates records, for the office's review queue, every other
// citizen of the project the shared rule calls a near duplicate of s.
func (db *DB) flagNearDuplicates(ctx context.Context, tx sqlTx, s signature.Signature, key string) error {
	// Pinned to the birth-date index: left to itself SQLite walked every
	// signature of the project in identity-key order for a DISTINCT,
	// which made each new signer cost as much as the project is large.
	// A citizen found twice (a repeat) is flagged twice: the INSERT below
	// keeps one pair.
	rows, err := tx.QueryContext(ctx, `SELECT identity_key, full_name FROM signatures INDEXED BY signatures_birth
		WHERE project_id = ? AND birth_date = ? AND identity_key <> ?`, s.ProjectID, s.BirthDate.String(), key)
	if err != nil {
		return fmt.Errorf("sqlite: near duplicates: %w", err)
	}
	var others []string
	for rows.Next() {
		var k, name string
		if err := rows.Scan(&k, &name); err != nil {
			rows.Close()
			return err
		}
		if citizen.NearDuplicate(name, s.BirthDate, s.FullName, s.BirthDate) {
			others = append(others, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, other := range others {
		a, b := other, key // keys are ordered so a pair is one row whichever came first
		if b < a {
			a, b = b, a
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO near_pairs (project_id, key_a, key_b, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (project_id, key_a, key_b) DO NOTHING`, s.ProjectID, a, b, db.stamp()); err != nil {
			return fmt.Errorf("sqlite: flag pair: %w", err)
		}
	}
	return nil
}

// NearSigner is one side of a near-duplicate pair.
type NearSigner struct {
	FullName  string
	BirthDate calendar.Date
	KioskID   string
	SignedAt  time.Time
}

// NearPair is a pair waiting for a decision.
type NearPair struct {
	ID   int64
	A, B NearSigner
}

// OpenNearPairs lists a project's undecided pairs.
func (db *DB) OpenNearPairs(ctx context.Context, projectID string) ([]NearPair, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT id, key_a, key_b FROM near_pairs WHERE project_id = ? AND status = 'open' ORDER BY id", projectID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: near pairs: %w", err)
	}
	type pk struct {
		id   int64
		a, b string
	}
	var keys []pk
	for rows.Next() {
		var k pk
		if err := rows.Scan(&k.id, &k.a, &k.b); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	var out []NearPair
	for _, k := range keys {
		a, err := db.earliestSigner(ctx, projectID, k.a)
		if err != nil {
			return nil, err
		}
		b, err := db.earliestSigner(ctx, projectID, k.b)
		if err != nil {
			return nil, err
		}
		out = append(out, NearPair{ID: k.id, A: a, B: b})
	}
	return out, nil
}

func (db *DB) earliestSigner(ctx context.Context, project, key string) (NearSigner, error) {
	var s NearSigner
	var birth, signed string
	err := db.db.QueryRowContext(ctx, `SELECT full_name, birth_date, kiosk_id, signed_at FROM signatures
		WHERE project_id = ? AND identity_key = ? ORDER BY signed_unix, kiosk_id, epoch, seq LIMIT 1`, project, key).
		Scan(&s.FullName, &birth, &s.KioskID, &signed)
	if err != nil {
		return s, fmt.Errorf("sqlite: signer: %w", err)
	}
	s.BirthDate, _ = calendar.Parse(birth)
	s.SignedAt, _ = time.Parse(time.RFC3339, signed)
	return s, nil
}

// DecideNearPair records the office's decision. "same" merges the two
// citizens: both keys then form one group, and only its earliest
// signature counts. It returns the project whose tallies changed.
func (db *DB) DecideNearPair(ctx context.Context, id int64, same bool, by string) (string, error) {
	var project string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var a, b string
		err := tx.QueryRowContext(ctx, "SELECT project_id, key_a, key_b FROM near_pairs WHERE id = ? AND status = 'open'", id).Scan(&project, &a, &b)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrPairDecided
		}
		if err != nil {
			return err
		}
		status := "distinct"
		if same {
			status = "same"
			ga, err := resolveGroup(ctx, tx, project, a)
			if err != nil {
				return err
			}
			gb, err := resolveGroup(ctx, tx, project, b)
			if err != nil {
				return err
			}
			if ga != gb {
				// Merge b's group into a's: every key that resolved to gb now resolves to ga.
				if _, err := tx.ExecContext(ctx, `UPDATE identity_aliases SET canonical_key = ? WHERE project_id = ? AND canonical_key = ?`, ga, project, gb); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO identity_aliases (project_id, alias_key, canonical_key) VALUES (?, ?, ?)
					ON CONFLICT (project_id, alias_key) DO UPDATE SET canonical_key = excluded.canonical_key`, project, gb, ga); err != nil {
					return err
				}
				// Uncount b's group first so the merged group never holds two counted rows.
				if _, err := tx.ExecContext(ctx, "UPDATE signatures SET counted = 0 WHERE project_id = ? AND group_key = ?", project, gb); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, "UPDATE signatures SET group_key = ? WHERE project_id = ? AND group_key = ?", ga, project, gb); err != nil {
					return err
				}
				if err := recountGroup(ctx, tx, project, ga); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE near_pairs SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?", status, by, db.stamp(), id)
		return err
	})
	return project, err
}
