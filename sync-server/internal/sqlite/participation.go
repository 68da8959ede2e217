package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/survey"
)

// projectMeeting indexes a meeting an operator called at a kiosk.
func (db *DB) projectMeeting(ctx context.Context, tx *sql.Tx, o record.Origin, m meeting.Meeting) ([]string, error) {
	body, _ := json.Marshal(m)
	res, err := tx.ExecContext(ctx, `INSERT INTO meetings (id, kiosk_id, epoch, seq, body) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, m.ID, o.KioskID, o.Epoch, o.Seq, string(body))
	if err != nil {
		return nil, fmt.Errorf("sqlite: meeting: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		slog.Warn("meeting id already held; the later record is kept in the log only", "meeting", m.ID, "kiosk", o.KioskID, "seq", o.Seq)
		return nil, nil
	}
	for _, p := range m.Agenda {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_agenda (meeting_id, project_id, source) VALUES (?, ?, 'kiosk')
			ON CONFLICT (meeting_id, project_id) DO NOTHING`, m.ID, p); err != nil {
			return nil, fmt.Errorf("sqlite: agenda: %w", err)
		}
	}
	return m.Agenda, nil
}

// projectAttendance stores a registration; the earliest per citizen and
// meeting counts, whatever the order of arrival.
func (db *DB) projectAttendance(ctx context.Context, tx *sql.Tx, o record.Origin, a meeting.Attendance) ([]string, error) {
	key := string(citizen.IdentityKey(a.FullName, a.BirthDate))
	if _, err := tx.ExecContext(ctx, `INSERT INTO attendance (kiosk_id, epoch, seq, meeting_id, identity_key, full_name, birth_date, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.KioskID, o.Epoch, o.Seq, a.MeetingID, key, citizen.Clean(a.FullName),
		a.BirthDate.String(), a.RegisteredAt.Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("sqlite: attendance: %w", err)
	}
	if err := recountEarliest(ctx, tx, "attendance", "meeting_id = ? AND identity_key = ?", a.MeetingID, key); err != nil {
		return nil, err
	}
	return db.agendaOf(ctx, tx, a.MeetingID)
}

func (db *DB) projectVote(ctx context.Context, tx *sql.Tx, o record.Origin, v meeting.Vote) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO votes (kiosk_id, epoch, seq, meeting_id, project_id, votes_for, against, abstained, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.KioskID, o.Epoch, o.Seq, v.MeetingID, v.ProjectID, v.For, v.Against, v.Abstained,
		v.RecordedAt.Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("sqlite: vote: %w", err)
	}
	return []string{v.ProjectID}, nil
}

func (db *DB) projectAnswer(ctx context.Context, tx *sql.Tx, o record.Origin, a survey.Answer) ([]string, error) {
	key := string(citizen.IdentityKey(a.FullName, a.BirthDate))
	replies, _ := json.Marshal(a.Replies)
	if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (kiosk_id, epoch, seq, survey_id, identity_key, full_name, birth_date, replies, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.KioskID, o.Epoch, o.Seq, a.SurveyID, key, citizen.Clean(a.FullName),
		a.BirthDate.String(), string(replies), a.AnsweredAt.Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("sqlite: survey answer: %w", err)
	}
	if err := recountEarliest(ctx, tx, "survey_answers", "survey_id = ? AND identity_key = ?", a.SurveyID, key); err != nil {
		return nil, err
	}
	var projects []string
	rows, err := tx.QueryContext(ctx, "SELECT project_id FROM survey_projects WHERE survey_id = ?", a.SurveyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		projects = append(projects, p)
	}
	return projects, rows.Err()
}

func (db *DB) agendaOf(ctx context.Context, tx *sql.Tx, meetingID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT project_id FROM meeting_agenda WHERE meeting_id = ?", meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// recountEarliest marks the earliest row (by record.Origin) of a group in
// table as the counted one. table and where are constants of this package.
func recountEarliest(ctx context.Context, tx *sql.Tx, table, where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, at, kiosk_id, epoch, seq, counted FROM "+table+" WHERE "+where, args...)
	if err != nil {
		return fmt.Errorf("sqlite: %s group: %w", table, err)
	}
	type member struct {
		id      int64
		origin  record.Origin
		counted bool
	}
	var ms []member
	for rows.Next() {
		var m member
		var at string
		var counted int
		if err := rows.Scan(&m.id, &at, &m.origin.KioskID, &m.origin.Epoch, &m.origin.Seq, &counted); err != nil {
			rows.Close()
			return err
		}
		m.origin.At, _ = time.Parse(time.RFC3339, at)
		m.counted = counted == 1
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ms) == 0 {
		return err
	}
	first := 0
	for i := range ms {
		if ms[i].origin.Before(ms[first].origin) {
			first = i
		}
	}
	for i, m := range ms {
		if i != first && m.counted {
			if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET counted = 0 WHERE id = ?", m.id); err != nil {
				return err
			}
		}
	}
	if !ms[first].counted {
		if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET counted = 1 WHERE id = ?", ms[first].id); err != nil {
			return err
		}
	}
	return nil
}

// SyncCatalogLinks rewrites which projects the catalogue's meetings
// discussed and its surveys are about.
func (db *DB) SyncCatalogLinks(ctx context.Context, c *catalog.Catalog) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM meeting_agenda WHERE source = 'catalog'"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM survey_projects"); err != nil {
			return err
		}
		for _, m := range c.Meetings {
			for _, p := range m.Agenda {
				if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_agenda (meeting_id, project_id, source) VALUES (?, ?, 'catalog')
					ON CONFLICT (meeting_id, project_id) DO NOTHING`, m.ID, p); err != nil {
					return err
				}
			}
		}
		for _, s := range c.Surveys {
			for _, p := range s.ProjectIDs {
				if _, err := tx.ExecContext(ctx, "INSERT INTO survey_projects (survey_id, project_id) VALUES (?, ?)", s.ID, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Participants counts the distinct residents (by identity key) who took
// part in a project: signed for it, attended a meeting that discussed it,
// or answered a survey about it. Each citizen counts once.
func (db *DB) Participants(ctx context.Context, projectID string) (int, error) {
	var n int
	err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (
		SELECT identity_key FROM signatures WHERE project_id = ?
		UNION SELECT a.identity_key FROM attendance a JOIN meeting_agenda g ON g.meeting_id = a.meeting_id WHERE g.project_id = ?
		UNION SELECT s.identity_key FROM survey_answers s JOIN survey_projects sp ON sp.survey_id = s.survey_id WHERE sp.project_id = ?
	) AS taking_part`, projectID, projectID, projectID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: participants: %w", err)
	}
	return n, nil
}

// MeetingTally is what a meeting's protocol reports.
type MeetingTally struct {
	Present int
	Votes   map[string]meeting.Vote // by project, the latest recorded
}

// Meeting returns a kiosk-called meeting by id (nil if none) and its tally.
func (db *DB) MeetingTally(ctx context.Context, meetingID string) (*meeting.Meeting, MeetingTally, error) {
	t := MeetingTally{Votes: map[string]meeting.Vote{}}
	var m *meeting.Meeting
	var body string
	err := db.db.QueryRowContext(ctx, "SELECT body FROM meetings WHERE id = ?", meetingID).Scan(&body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, t, err
	default:
		m = &meeting.Meeting{}
		if err := json.Unmarshal([]byte(body), m); err != nil {
			return nil, t, err
		}
	}
	if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM attendance WHERE meeting_id = ? AND counted = 1", meetingID).Scan(&t.Present); err != nil {
		return nil, t, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT project_id, votes_for, against, abstained, recorded_at FROM votes
		WHERE meeting_id = ? ORDER BY recorded_at, kiosk_id, epoch, seq`, meetingID)
	if err != nil {
		return nil, t, err
	}
	defer rows.Close()
	for rows.Next() {
		var v meeting.Vote
		var at string
		if err := rows.Scan(&v.ProjectID, &v.For, &v.Against, &v.Abstained, &at); err != nil {
			return nil, t, err
		}
		v.MeetingID = meetingID
		v.RecordedAt, _ = time.Parse(time.RFC3339, at)
		t.Votes[v.ProjectID] = v // later corrections replace earlier votes
	}
	if err := rows.Err(); err != nil {
		return nil, t, err
	}
	if m != nil && m.Ballots() {
		// Residents voted one by one: count their ballots instead. (A
		// catalogue meeting's mode is the caller's: see BallotVotes.)
		if t.Votes, err = db.BallotVotes(ctx, meetingID); err != nil {
			return nil, t, err
		}
	}
	return m, t, nil
}

// SurveyReplies streams a survey's counted answers.
func (db *DB) SurveyReplies(ctx context.Context, surveyID string, fn func(at time.Time, replies map[string]survey.Reply) error) error {
	rows, err := db.db.QueryContext(ctx, "SELECT at, replies FROM survey_answers WHERE survey_id = ? AND counted = 1 ORDER BY at", surveyID)
	if err != nil {
		return fmt.Errorf("sqlite: survey replies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, body string
		if err := rows.Scan(&at, &body); err != nil {
			return err
		}
		var r map[string]survey.Reply
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return err
		}
		t, _ := time.Parse(time.RFC3339, at)
		if err := fn(t, r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// KioskMeetings lists the meetings operators called at kiosks.
func (db *DB) KioskMeetings(ctx context.Context) ([]meeting.Meeting, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT body FROM meetings ORDER BY id")
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
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
