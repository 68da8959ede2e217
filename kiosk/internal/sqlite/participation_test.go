package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/storage"
	"github.com/sbor-project/sbor/shared/survey"
)

var at = time.Date(2026, 5, 20, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))

func attendee(meetingID, name, birth string) meeting.Attendance {
	b := calendar.MustParse(birth)
	return meeting.Attendance{MeetingID: meetingID, IdentityKey: citizen.IdentityKey(name, b), FullName: citizen.Clean(name),
		BirthDate: b, RegisteredAt: at, ConsentVersion: "v"}
}

func answer(surveyID, name, birth string, replies map[string]survey.Reply) survey.Answer {
	b := calendar.MustParse(birth)
	return survey.Answer{SurveyID: surveyID, IdentityKey: citizen.IdentityKey(name, b), FullName: citizen.Clean(name),
		BirthDate: b, Replies: replies, AnsweredAt: at, ConsentVersion: "v"}
}

// verifyChain checks the whole log is one verifying chain and returns it.
func verifyChain(t *testing.T, db *DB) []record.Record {
	t.Helper()
	recs, err := db.Records(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	for _, r := range recs {
		if err := r.Verify(db.Epoch(), prevSeq, prev); err != nil {
			t.Fatal(err)
		}
		prevSeq, prev = r.Seq, r.Hash
	}
	return recs
}

func TestMeetingsAttendanceVotes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())

	m := meeting.Meeting{ID: "k-1", Kind: meeting.KindAssembly, Date: calendar.MustParse("2026-05-20"), Place: "Клуб",
		TerritoryID: "t1", Agenda: []string{"p1", "p2"}, Chair: "Петрова Мария", Secretary: "Сидоров Пётр", Rule: meeting.MajorityPresent}
	if _, err := db.AddMeeting(ctx, m, "m1", at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMeeting(ctx, m, "m1", at); !errors.Is(err, ErrMeetingExists) {
		t.Fatalf("same meeting id twice: %v", err)
	}
	list, err := db.Meetings(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "k-1" || list[0].Agenda[1] != "p2" || list[0].Date != m.Date {
		t.Fatalf("meetings: %+v %v", list, err)
	}

	steps := []struct {
		name         string
		a            meeting.Attendance
		wantErr      error
		wantPresent  int
		wantSameSeqs bool // nothing appended
	}{
		{"first", attendee("k-1", "Иванов Иван", "1980-01-01"), nil, 1, false},
		{"another", attendee("k-1", "Петров Пётр", "1981-02-02"), nil, 2, false},
		{"same citizen typed otherwise", attendee("k-1", "  ИВАНОВ   иван ", "1980-01-01"), ErrAlreadyRegistered, 0, true},
		{"same name, other birth date", attendee("k-1", "Иванов Иван", "1980-01-02"), nil, 3, false},
		{"same citizen at another meeting", attendee("mt1", "Иванов Иван", "1980-01-01"), nil, 1, false},
	}
	for _, st := range steps {
		before, _, _ := db.Head(ctx)
		present, err := db.AddAttendance(ctx, st.a, "m1", sealingOf(st.a.IdentityKey))
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil && present != st.wantPresent) {
			t.Errorf("%s: present %d, err %v; want %d, %v", st.name, present, err, st.wantPresent, st.wantErr)
		}
		after, _, _ := db.Head(ctx)
		if st.wantSameSeqs != (after == before) {
			t.Errorf("%s: log head %d → %d", st.name, before, after)
		}
	}
	// The refusal is the database's own: a row inserted behind the
	// store's back is refused too.
	if _, err := db.db.Exec(`INSERT INTO attendance (seq, meeting_id, key_hash, registered_at,
		consent_version, collector_id) VALUES (1, 'k-1', ?, 'now', 'v', 'm1')`,
		sealingOf(citizen.IdentityKey("Иванов Иван", calendar.MustParse("1980-01-01"))).KeyHash); !storage.IsUniqueViolation(err) {
		t.Fatalf("a second registration inserted directly: %v, want a UNIQUE violation", err)
	}

	votes := []struct {
		name    string
		v       meeting.Vote
		wantErr error
	}{
		{"over those present", meeting.Vote{MeetingID: "k-1", ProjectID: "p1", For: 2, Against: 1, Abstained: 1}, meeting.ErrVotesOverAll},
		{"negative", meeting.Vote{MeetingID: "k-1", ProjectID: "p1", For: -1}, meeting.ErrInvalid},
		{"first count", meeting.Vote{MeetingID: "k-1", ProjectID: "p1", For: 1, Against: 1, Abstained: 1}, nil},
		{"correction", meeting.Vote{MeetingID: "k-1", ProjectID: "p1", For: 2, Against: 1}, nil},
		{"other item", meeting.Vote{MeetingID: "k-1", ProjectID: "p2", Against: 3}, nil},
		{"other meeting has one present", meeting.Vote{MeetingID: "mt1", ProjectID: "p1", For: 2}, meeting.ErrVotesOverAll},
	}
	for _, st := range votes {
		before, _, _ := db.Head(ctx)
		st.v.RecordedAt = at
		err := db.AddVote(ctx, st.v, "m1")
		if !errors.Is(err, st.wantErr) {
			t.Errorf("%s: err %v, want %v", st.name, err, st.wantErr)
		}
		if after, _, _ := db.Head(ctx); (st.wantErr == nil) != (after == before+1) {
			t.Errorf("%s: log head %d → %d", st.name, before, after)
		}
	}
	tally, err := db.Tally(ctx, "k-1")
	if err != nil {
		t.Fatal(err)
	}
	if tally.Present != 3 || tally.Votes["p1"].For != 2 || tally.Votes["p1"].Abstained != 0 || tally.Votes["p2"].Against != 3 || len(tally.Votes) != 2 {
		t.Fatalf("tally %+v", tally)
	}
	counts, err := db.AttendanceCounts(ctx)
	if err != nil || counts["k-1"] != 3 || counts["mt1"] != 1 {
		t.Fatalf("attendance counts %v %v", counts, err)
	}

	// The log: a verifying chain of typed records whose payloads are the
	// shared types, as the server reads them.
	recs := verifyChain(t, db)
	types := map[record.Type]int{}
	for _, r := range recs {
		types[r.Type]++
	}
	if len(recs) != 8 || types[record.TypeMeeting] != 1 || types[record.TypeAttendance] != 4 || types[record.TypeVote] != 3 {
		t.Fatalf("%d records: %v", len(recs), types)
	}
	var got meeting.Meeting
	if err := json.Unmarshal(recs[0].Payload, &got); err != nil || got.ID != "k-1" || got.Secretary != "Сидоров Пётр" {
		t.Fatalf("meeting payload %s: %v", recs[0].Payload, err)
	}
	// The registration's name and birth date travel sealed: absent from
	// the public payload, present once the office opens it.
	if strings.Contains(string(recs[1].Payload), "Иванов") || strings.Contains(string(recs[1].Payload), "1980") || recs[1].Sealed == nil {
		t.Fatalf("attendance payload in the clear: %s", recs[1].Payload)
	}
	whole, err := recs[1].Open(testOffice)
	var a meeting.Attendance
	if err != nil || json.Unmarshal(whole, &a) != nil || a.FullName != "Иванов Иван" || a.BirthDate.String() != "1980-01-01" || a.MeetingID != "k-1" {
		t.Fatalf("attendance payload %s: %v", whole, err)
	}
}

func TestSurveyAnswers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	replies := map[string]survey.Reply{"q1": {Choices: []string{"p1"}}, "q3": {Text: "Скамейки"}}
	tests := []struct {
		name      string
		a         survey.Answer
		wantErr   error
		wantCount int
	}{
		{"first", answer("s1", "Иванов Иван", "1980-01-01", replies), nil, 1},
		{"same citizen again", answer("s1", "иванов  ИВАН", "1980-01-01", replies), ErrAlreadyAnswered, 0},
		{"another citizen", answer("s1", "Петров Пётр", "1980-01-01", replies), nil, 2},
		{"same citizen, another survey", answer("s2", "Иванов Иван", "1980-01-01", replies), nil, 1},
	}
	for _, tt := range tests {
		before, _, _ := db.Head(ctx)
		seq, n, err := db.AddSurveyAnswer(ctx, tt.a, "m1", sealingOf(tt.a.IdentityKey))
		if !errors.Is(err, tt.wantErr) || n != tt.wantCount {
			t.Errorf("%s: count %d, err %v; want %d, %v", tt.name, n, err, tt.wantCount, tt.wantErr)
		}
		after, _, _ := db.Head(ctx)
		if tt.wantErr == nil && (seq != before+1 || after != seq) || tt.wantErr != nil && after != before {
			t.Errorf("%s: seq %d, log head %d → %d", tt.name, seq, before, after)
		}
	}
	counts, err := db.SurveyAnswerCounts(ctx)
	if err != nil || counts["s1"] != 2 || counts["s2"] != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
	recs := verifyChain(t, db)
	if strings.Contains(string(recs[0].Payload), "Скамейки") || strings.Contains(string(recs[0].Payload), "Иванов") {
		t.Fatalf("survey answer in the clear: %s", recs[0].Payload)
	}
	whole, err := recs[0].Open(testOffice)
	var a survey.Answer
	if err != nil || json.Unmarshal(whole, &a) != nil || recs[0].Type != record.TypeSurveyAnswer ||
		a.Replies["q3"].Text != "Скамейки" || a.Replies["q1"].Choices[0] != "p1" || a.SurveyID != "s1" {
		t.Fatalf("answer record %s %s: %v", recs[0].Type, whole, err)
	}
	// Reopened, the database still refuses the second answer.
	db.Close()
	db = openTest(t, dir)
	if _, _, err := db.AddSurveyAnswer(ctx, answer("s1", "Иванов Иван", "1980-01-01", nil), "m1", sealingOf(citizen.IdentityKey("Иванов Иван", calendar.MustParse("1980-01-01")))); !errors.Is(err, ErrAlreadyAnswered) {
		t.Fatalf("after reopening: %v", err)
	}
}
