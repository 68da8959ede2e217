package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/sbor-project/sbor/shared/record"
)

// Recounted is what RecountAll found and changed.
type Recounted struct {
	Signatures int // signatures read
	Groups     int // dedupe groups (citizens per project)
	Changed    int // rows whose counted flag or duplicate pointer was rewritten
}

// RecountAll recomputes, for every project at once, which signature
// counts in each dedupe group, from the signatures themselves and
// ignoring the stored flags: the earliest by record.Origin counts, the
// others point at it — what incremental ingest keeps, whatever order the
// records arrived in. Only rows whose flags differ are written, in one
// transaction. Groups are the office's (group_key, which merges decided
// near-duplicates).
//
// SQLite does the passes over every signature on indexes alone: the
// group index finds the groups of two or more (the repeats, a few per
// cent), whose members are read and settled here; the group index
// against the partial index of counted rows finds the groups where
// nothing counts; the partial index of duplicate pointers finds lone
// signatures that point somewhere.
func (db *DB) RecountAll(ctx context.Context) (Recounted, error) {
	var out Recounted
	err := db.write(ctx, func(tx *sql.Tx) error {
		out = Recounted{}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM signatures").Scan(&out.Signatures); err != nil {
			return fmt.Errorf("sqlite: recount: %w", err)
		}
		type member struct {
			id, dupOf int64
			origin    record.Origin
			counted   bool
		}
		type fix struct{ id, winner int64 }
		var uncount []fix // to uncount, pointing at the group's winner
		var count []int64 // to count, pointing nowhere
		inGroup := map[int64]bool{}

		// Groups of two or more: the earliest member counts, the others
		// point at it uncounted.
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.project_id, s.group_key, s.signed_at, s.kiosk_id, s.epoch, s.seq, s.counted,
			COALESCE(s.duplicate_of, 0)
			FROM (SELECT project_id, group_key FROM signatures INDEXED BY signatures_group
				GROUP BY project_id, group_key HAVING COUNT(*) > 1) g
			JOIN signatures s INDEXED BY signatures_group ON s.project_id = g.project_id AND s.group_key = g.group_key
			ORDER BY s.project_id, s.group_key`)
		if err != nil {
			return fmt.Errorf("sqlite: recount: %w", err)
		}
		var ms []member
		settle := func() {
			if len(ms) == 0 {
				return
			}
			out.Groups++
			first := 0
			for i := range ms {
				if ms[i].origin.Before(ms[first].origin) {
					first = i
				}
			}
			w := ms[first]
			if !w.counted || w.dupOf != 0 {
				count = append(count, w.id)
			}
			for i, m := range ms {
				if i != first && (m.counted || m.dupOf != w.id) {
					uncount = append(uncount, fix{m.id, w.id})
				}
			}
			ms = ms[:0]
		}
		var project, group, prevProject, prevGroup []byte
		for rows.Next() {
			var m member
			var signed string
			var counted int
			if err := rows.Scan(&m.id, &project, &group, &signed, &m.origin.KioskID, &m.origin.Epoch, &m.origin.Seq, &counted, &m.dupOf); err != nil {
				rows.Close()
				return err
			}
			if m.origin.At, err = time.Parse(time.RFC3339, signed); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: signature %d signed_at: %w", m.id, err)
			}
			m.counted = counted == 1
			if string(project) != string(prevProject) || string(group) != string(prevGroup) {
				settle()
				prevProject, prevGroup = append(prevProject[:0], project...), append(prevGroup[:0], group...)
			}
			inGroup[m.id] = true
			ms = append(ms, m)
		}
		settle()
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: recount: %w", err)
		}
		out.Groups += out.Signatures - len(inGroup)

		// Lone signatures: each counts and points nowhere. Those that do
		// not count are in a group where nothing counts…
		lonely, err := ids(ctx, tx, `SELECT g.id FROM signatures g INDEXED BY signatures_group WHERE NOT EXISTS (
			SELECT 1 FROM signatures c INDEXED BY signatures_counted WHERE c.project_id = g.project_id AND c.group_key = g.group_key AND c.counted = 1)`)
		if err != nil {
			return err
		}
		for _, id := range lonely {
			if !inGroup[id] {
				count = append(count, id)
			}
		}
		// … and those that point somewhere are among the pointers.
		pointing, err := ids(ctx, tx, "SELECT id FROM signatures INDEXED BY signatures_duplicate WHERE duplicate_of IS NOT NULL")
		if err != nil {
			return err
		}
		for _, id := range pointing {
			if !inGroup[id] {
				count = append(count, id)
			}
		}
		slices.Sort(count)
		count = slices.Compact(count)

		// Uncount first: the partial UNIQUE index allows one counted row
		// a group.
		if len(uncount) > 0 {
			st, err := tx.PrepareContext(ctx, "UPDATE signatures SET counted = 0, duplicate_of = ? WHERE id = ?")
			if err != nil {
				return err
			}
			for _, f := range uncount {
				if _, err := st.ExecContext(ctx, f.winner, f.id); err != nil {
					return fmt.Errorf("sqlite: recount uncount: %w", err)
				}
			}
		}
		if len(count) > 0 {
			st, err := tx.PrepareContext(ctx, "UPDATE signatures SET counted = 1, duplicate_of = NULL WHERE id = ?")
			if err != nil {
				return err
			}
			for _, id := range count {
				if _, err := st.ExecContext(ctx, id); err != nil {
					return fmt.Errorf("sqlite: recount count: %w", err)
				}
			}
		}
		out.Changed = len(uncount) + len(count)
		return nil
	})
	return out, err
}

// ids runs a query of one integer column and returns its values sorted.
func ids(ctx context.Context, tx *sql.Tx, query string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recount: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out, rows.Err()
}
