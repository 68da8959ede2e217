package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
)

// projectBallot indexes a ballot record: a registered resident's vote on
// one agenda item. The identity key is worked out here from the name and
// birth date, as for attendance. unreadable quarantines the record.
func (db *DB) projectBallot(ctx context.Context, tx *sql.Tx, o record.Origin, payload []byte,
	unreadable func() ([]string, error)) ([]string, error) {
	var b meeting.Ballot
	if json.Unmarshal(payload, &b) != nil || b.MeetingID == "" || b.ProjectID == "" || !meeting.ValidChoice(b.Choice) ||
		citizen.ValidateName(b.FullName) != nil || b.BirthDate.IsZero() || b.CastAt.IsZero() {
		return unreadable()
	}
	key := string(citizen.IdentityKey(b.FullName, b.BirthDate))
	if _, err := tx.ExecContext(ctx, `INSERT INTO ballots (kiosk_id, epoch, seq, meeting_id, project_id, identity_key, full_name,
		birth_date, choice, cast_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.KioskID, o.Epoch, o.Seq, b.MeetingID, b.ProjectID, key,
		citizen.Clean(b.FullName), b.BirthDate.String(), b.Choice, b.CastAt.UTC().Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("sqlite: ballot: %w", err)
	}
	return []string{b.ProjectID}, nil
}

// BallotVotes counts a meeting's ballots into a vote per agenda item:
// the latest ballot of each person on each item (by the time cast, then
// by origin), and only from persons whose registration at the meeting is
// counted.
func (db *DB) BallotVotes(ctx context.Context, meetingID string) (map[string]meeting.Vote, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT b.project_id, b.identity_key, b.choice, b.cast_at FROM ballots b
		WHERE b.meeting_id = ? AND EXISTS (SELECT 1 FROM attendance a
			WHERE a.meeting_id = b.meeting_id AND a.identity_key = b.identity_key AND a.counted = 1)
		ORDER BY b.cast_at, b.kiosk_id, b.epoch, b.seq`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ballots: %w", err)
	}
	defer rows.Close()
	var ballots []meeting.Ballot
	for rows.Next() {
		b := meeting.Ballot{MeetingID: meetingID}
		var key, at string
		if err := rows.Scan(&b.ProjectID, &key, &b.Choice, &at); err != nil {
			return nil, err
		}
		b.IdentityKey = citizen.Key(key)
		b.CastAt, _ = time.Parse(time.RFC3339, at)
		ballots = append(ballots, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return meeting.TallyBallots(meetingID, ballots), nil
}
