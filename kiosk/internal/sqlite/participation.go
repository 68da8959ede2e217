package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/storage"
	"github.com/sbor-project/sbor/shared/survey"
)

// Errors callers test.
var (
	// ErrAlreadyRegistered: the citizen is registered at this meeting here.
	ErrAlreadyRegistered = errors.New("sqlite: citizen already registered at this meeting")
	// ErrAlreadyAnswered: the citizen answered this survey here.
	ErrAlreadyAnswered = errors.New("sqlite: citizen already answered this survey")
	// ErrMeetingExists: a meeting with this id was called here before.
	ErrMeetingExists = errors.New("sqlite: a meeting with this id exists")
)

// The tables of migration 0004 index records of the log. Each Add* below
// appends the typed record (payload: the shared type as JSON, what the
// server reads) and inserts its row in one transaction, as AddSignature
// does, and returns only after the commit. A refusal by a UNIQUE index
// rolls the record back with the row.

// AddMeeting stores a meeting an operator called here; m must be valid.
func (db *DB) AddMeeting(ctx context.Context, m meeting.Meeting, calledBy string, now time.Time) (uint64, error) {
	payload, err := json.Marshal(m)
	if err != nil {
		return 0, fmt.Errorf("sqlite: encode meeting: %w", err)
	}
	var seq uint64
	err = db.write(ctx, func(tx *sql.Tx) error {
		stamp := now.Format(time.RFC3339)
		rec, err := db.appendRecord(ctx, tx, record.TypeMeeting, payload, seal.PublicKey{}, stamp)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO meetings (id, seq, body, called_by, created_at) VALUES (?, ?, ?, ?, ?)",
			m.ID, rec.Seq, string(payload), calledBy, stamp)
		if storage.IsUniqueViolation(err) {
			return ErrMeetingExists
		}
		if err != nil {
			return fmt.Errorf("sqlite: insert meeting: %w", err)
		}
		seq = rec.Seq
		return nil
	})
	return seq, err
}

// Meetings returns the meetings called here, oldest first.
func (db *DB) Meetings(ctx context.Context) ([]meeting.Meeting, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT body FROM meetings ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("sqlite: meetings: %w", err)
	}
	defer rows.Close()
	var out []meeting.Meeting
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var m meeting.Meeting
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			return nil, fmt.Errorf("sqlite: meeting body: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddAttendance registers a resident at a meeting and returns how many
// are registered at it here, this one included. A second registration of
// the same citizen is refused by the database: ErrAlreadyRegistered.
func (db *DB) AddAttendance(ctx context.Context, a meeting.Attendance, collector string, sl Sealing) (int, error) {
	if err := sl.check(); err != nil {
		return 0, err
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return 0, fmt.Errorf("sqlite: encode attendance: %w", err)
	}
	var present int
	err = db.write(ctx, func(tx *sql.Tx) error {
		stamp := a.RegisteredAt.Format(time.RFC3339)
		rec, err := db.appendRecord(ctx, tx, record.TypeAttendance, payload, sl.Office, stamp)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO attendance (seq, meeting_id, key_hash,
			registered_at, consent_version, collector_id) VALUES (?, ?, ?, ?, ?, ?)`,
			rec.Seq, a.MeetingID, sl.KeyHash, stamp, a.ConsentVersion, collector)
		if storage.IsUniqueViolation(err) {
			return ErrAlreadyRegistered
		}
		if err != nil {
			return fmt.Errorf("sqlite: insert attendance: %w", err)
		}
		present, err = countPresent(ctx, tx, a.MeetingID)
		return err
	})
	if err != nil {
		return 0, err
	}
	return present, nil
}

// AddVote records the vote on one agenda item, replacing (as the one in
// force) any earlier vote on it. The counts are checked against the
// residents registered here inside the same transaction, so a
// registration cannot slip between check and write: more votes than
// people present is meeting.ErrVotesOverAll.
func (db *DB) AddVote(ctx context.Context, v meeting.Vote, collector string) error {
	payload, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sqlite: encode vote: %w", err)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		present, err := countPresent(ctx, tx, v.MeetingID)
		if err != nil {
			return err
		}
		if err := v.Check(present); err != nil {
			return err
		}
		stamp := v.RecordedAt.Format(time.RFC3339)
		rec, err := db.appendRecord(ctx, tx, record.TypeVote, payload, seal.PublicKey{}, stamp)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO votes (seq, meeting_id, project_id, votes_for, against, abstained,
			recorded_at, collector_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.Seq, v.MeetingID, v.ProjectID, v.For, v.Against, v.Abstained, stamp, collector)
		if err != nil {
			return fmt.Errorf("sqlite: insert vote: %w", err)
		}
		return nil
	})
}

func countPresent(ctx context.Context, tx *sql.Tx, meetingID string) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM attendance WHERE meeting_id = ?", meetingID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: present: %w", err)
	}
	return n, nil
}

// MeetingTally is a meeting as registered and voted at this kiosk.
type MeetingTally struct {
	Present int
	// Votes holds the vote in force (the latest) per agenda project.
	Votes map[string]meeting.Vote
}

// Tally returns a meeting's registrations and votes here.
func (db *DB) Tally(ctx context.Context, meetingID string) (MeetingTally, error) {
	t := MeetingTally{Votes: map[string]meeting.Vote{}}
	if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM attendance WHERE meeting_id = ?", meetingID).Scan(&t.Present); err != nil {
		return t, fmt.Errorf("sqlite: present: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT project_id, votes_for, against, abstained, recorded_at FROM votes
		WHERE meeting_id = ? ORDER BY seq`, meetingID)
	if err != nil {
		return t, fmt.Errorf("sqlite: votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		v := meeting.Vote{MeetingID: meetingID}
		var at string
		if err := rows.Scan(&v.ProjectID, &v.For, &v.Against, &v.Abstained, &at); err != nil {
			return t, err
		}
		if v.RecordedAt, err = time.Parse(time.RFC3339, at); err != nil {
			return t, fmt.Errorf("sqlite: vote recorded_at: %w", err)
		}
		t.Votes[v.ProjectID] = v // later rows replace earlier ones
	}
	return t, rows.Err()
}

// AttendanceCounts returns the residents registered here per meeting.
func (db *DB) AttendanceCounts(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "SELECT meeting_id, COUNT(*) FROM attendance GROUP BY meeting_id")
}

// AddSurveyAnswer stores a resident's answers and returns the survey's
// answers here, this one included. A second answer of the same citizen
// is refused by the database: ErrAlreadyAnswered.
func (db *DB) AddSurveyAnswer(ctx context.Context, a survey.Answer, collector string, sl Sealing) (uint64, int, error) {
	if err := sl.check(); err != nil {
		return 0, 0, err
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: encode survey answer: %w", err)
	}
	var seq uint64
	var count int
	err = db.write(ctx, func(tx *sql.Tx) error {
		stamp := a.AnsweredAt.Format(time.RFC3339)
		rec, err := db.appendRecord(ctx, tx, record.TypeSurveyAnswer, payload, sl.Office, stamp)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO survey_answers (seq, survey_id, key_hash,
			answered_at, consent_version, collector_id) VALUES (?, ?, ?, ?, ?, ?)`,
			rec.Seq, a.SurveyID, sl.KeyHash, stamp, a.ConsentVersion, collector)
		if storage.IsUniqueViolation(err) {
			return ErrAlreadyAnswered
		}
		if err != nil {
			return fmt.Errorf("sqlite: insert survey answer: %w", err)
		}
		seq = rec.Seq
		return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM survey_answers WHERE survey_id = ?", a.SurveyID).Scan(&count)
	})
	if err != nil {
		return 0, 0, err
	}
	return seq, count, nil
}

// SurveyAnswerCounts returns the answers held here per survey.
func (db *DB) SurveyAnswerCounts(ctx context.Context) (map[string]int, error) {
	return db.countBy(ctx, "SELECT survey_id, COUNT(*) FROM survey_answers GROUP BY survey_id")
}

// countBy runs a constant "SELECT key, COUNT(*) … GROUP BY key" query.
func (db *DB) countBy(ctx context.Context, query string) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: counts: %w", err)
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
