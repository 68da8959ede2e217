package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
)

// Purged reports which projects' personal data were already erased.
func (db *DB) Purged(ctx context.Context) (map[string]bool, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT project_id FROM purged_projects")
	if err != nil {
		return nil, fmt.Errorf("sqlite: purged: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}

// PurgeCounts is what one purge erased.
type PurgeCounts struct {
	Signatures, Attendance, Answers int
	Quarantined                     int // quarantined records of the project
}

// PurgeProject erases the personal data of a project in one transaction:
// names, birth dates, drawn signatures and the raw payloads of its
// signatures; the identity keys become keyed hashes, so the dedupe groups
// and counts stay as they were. Registrations at meetings and answers to
// surveys go too, when every project they concern is purged, and the
// sealed parts and personal members of its quarantined records. Record
// hashes and seal digests stay, so the chains and the protocols' digests
// still verify.
func (db *DB) PurgeProject(ctx context.Context, projectID string, meetingsDone, surveysDone []string) (PurgeCounts, error) {
	var n PurgeCounts
	err := db.write(ctx, func(tx *sql.Tx) error {
		now := db.stamp()
		_, err := tx.ExecContext(ctx, `UPDATE records SET payload = '{}', purged_at = ? WHERE purged_at IS NULL AND EXISTS (
			SELECT 1 FROM signatures s WHERE s.project_id = ? AND s.kiosk_id = records.kiosk_id AND s.epoch = records.epoch AND s.seq = records.seq)`,
			now, projectID)
		if err != nil {
			return fmt.Errorf("sqlite: purge records: %w", err)
		}
		rows, err := tx.QueryContext(ctx, "SELECT id, identity_key, group_key FROM signatures WHERE project_id = ? AND full_name <> ''", projectID)
		if err != nil {
			return err
		}
		type key struct {
			id         int64
			ident, grp string
		}
		var keys []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.id, &k.ident, &k.grp); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		rows.Close()
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `UPDATE signatures SET full_name = '', birth_date = '', strokes = '[]',
				identity_key = ?, group_key = ? WHERE id = ?`, db.erasedKey(k.ident), db.erasedKey(k.grp), k.id); err != nil {
				return fmt.Errorf("sqlite: purge signature: %w", err)
			}
		}
		n.Signatures = len(keys)
		for _, stmt := range []string{"DELETE FROM near_pairs WHERE project_id = ?", "DELETE FROM identity_aliases WHERE project_id = ?"} {
			if _, err := tx.ExecContext(ctx, stmt, projectID); err != nil {
				return err
			}
		}
		purgeTable := func(table, typ, column string, ids []string) (int, error) {
			total := 0
			for _, id := range ids {
				if _, err := tx.ExecContext(ctx, `UPDATE records SET payload = '{}', purged_at = ? WHERE purged_at IS NULL AND type = ? AND EXISTS (
					SELECT 1 FROM `+table+` t WHERE t.`+column+` = ? AND t.kiosk_id = records.kiosk_id AND t.epoch = records.epoch AND t.seq = records.seq)`,
					now, typ, id); err != nil {
					return 0, err
				}
				extra := ""
				if table == "survey_answers" {
					extra = ", replies = '{}'"
				}
				r, err := tx.ExecContext(ctx, "UPDATE "+table+" SET full_name = '', birth_date = ''"+extra+" WHERE "+column+" = ? AND full_name <> ''", id)
				if err != nil {
					return 0, err
				}
				c, _ := r.RowsAffected()
				total += int(c)
			}
			return total, nil
		}
		if n.Attendance, err = purgeTable("attendance", "attendance", "meeting_id", meetingsDone); err != nil {
			return fmt.Errorf("sqlite: purge attendance: %w", err)
		}
		if _, err = purgeTable("ballots", "ballot", "meeting_id", meetingsDone); err != nil {
			return fmt.Errorf("sqlite: purge ballots: %w", err)
		}
		if n.Answers, err = purgeTable("survey_answers", "survey_answer", "survey_id", surveysDone); err != nil {
			return fmt.Errorf("sqlite: purge answers: %w", err)
		}
		if n.Quarantined, err = purgeQuarantine(ctx, tx, projectID, meetingsDone, surveysDone); err != nil {
			return fmt.Errorf("sqlite: purge quarantine: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO purged_projects (project_id, purged_at) VALUES (?, ?)
			ON CONFLICT (project_id) DO UPDATE SET purged_at = excluded.purged_at`, projectID, now)
		return err
	})
	return n, err
}

// purgeQuarantine erases what is personal in the quarantined records of a
// project, and of the meetings and surveys done: the sealed part, which
// the right key might open, and the personal members an older kiosk sent
// in the clear. Their public payloads name the project, meeting or
// survey; the rest of them stays for the office.
func purgeQuarantine(ctx context.Context, tx *sql.Tx, projectID string, meetingsDone, surveysDone []string) (int, error) {
	personal := []string{"'$.identity_key'", "'$.full_name'", "'$.birth_date'", "'$.strokes'", "'$.replies'"}
	holds := "sealed IS NOT NULL"
	for _, m := range personal {
		holds += " OR json_type(CAST(payload AS TEXT), " + m + ") IS NOT NULL"
	}
	erase := `UPDATE quarantine SET sealed = NULL, payload = CAST(json_remove(CAST(payload AS TEXT), ` + strings.Join(personal, ", ") + `) AS BLOB)
		WHERE json_valid(CAST(payload AS TEXT)) AND (` + holds + `) AND `
	type match struct {
		where string
		ids   []string
	}
	total := 0
	for _, m := range []match{
		{"json_extract(CAST(payload AS TEXT), '$.project_id') = ?", []string{projectID}},
		{"type IN ('attendance', 'ballot') AND json_extract(CAST(payload AS TEXT), '$.meeting_id') = ?", meetingsDone},
		{"type = 'survey_answer' AND json_extract(CAST(payload AS TEXT), '$.survey_id') = ?", surveysDone},
	} {
		for _, id := range m.ids {
			r, err := tx.ExecContext(ctx, erase+m.where, id)
			if err != nil {
				return total, err
			}
			c, _ := r.RowsAffected()
			total += int(c)
		}
	}
	return total, nil
}

// erasedKey replaces an identity key (a name and a birth date) by a keyed
// hash: the same citizen still maps to the same value, nobody can read it.
func (db *DB) erasedKey(k string) string {
	mac := hmac.New(sha256.New, db.secret)
	mac.Write([]byte("erased:" + k))
	return "erased:" + hex.EncodeToString(mac.Sum(nil))
}
