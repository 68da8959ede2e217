package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
)

// ErrNotRegistered: the citizen is not registered at this meeting here,
// so may not vote at it.
var ErrNotRegistered = errors.New("sqlite: citizen not registered at this meeting")

// AddBallot stores a registered resident's vote on one agenda item as a
// ballot record and its row, in one transaction. The registration is
// looked up inside that transaction: a citizen not registered at the
// meeting here is ErrNotRegistered and nothing is written.
func (db *DB) AddBallot(ctx context.Context, b meeting.Ballot, collector string, sl Sealing) error {
	if err := sl.check(); err != nil {
		return err
	}
	payload, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("sqlite: encode ballot: %w", err)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM attendance WHERE meeting_id = ? AND key_hash = ?",
			b.MeetingID, sl.KeyHash).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: registration: %w", err)
		}
		if n == 0 {
			return ErrNotRegistered
		}
		stamp := b.CastAt.Format(time.RFC3339)
		rec, err := db.appendRecord(ctx, tx, record.TypeBallot, payload, sl.Office, stamp)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ballots (seq, meeting_id, project_id, key_hash, choice, cast_at, collector_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, rec.Seq, b.MeetingID, b.ProjectID, sl.KeyHash, b.Choice, stamp, collector)
		if err != nil {
			return fmt.Errorf("sqlite: insert ballot: %w", err)
		}
		return nil
	})
}

// Ballots returns a meeting's ballots cast here, oldest first. Each names
// its voter by the keyed hash alone (in IdentityKey), which is all a tally
// needs.
func (db *DB) Ballots(ctx context.Context, meetingID string) ([]meeting.Ballot, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT project_id, key_hash, choice, cast_at FROM ballots
		WHERE meeting_id = ? ORDER BY seq`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ballots: %w", err)
	}
	defer rows.Close()
	var out []meeting.Ballot
	for rows.Next() {
		b := meeting.Ballot{MeetingID: meetingID}
		var key, at string
		if err := rows.Scan(&b.ProjectID, &key, &b.Choice, &at); err != nil {
			return nil, err
		}
		b.IdentityKey = citizen.Key(key)
		if b.CastAt, err = time.Parse(time.RFC3339, at); err != nil {
			return nil, fmt.Errorf("sqlite: ballot cast_at: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
