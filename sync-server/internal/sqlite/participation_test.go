package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/survey"
)

func (k *kioskLog) add(t *testing.T, typ record.Type, v any) {
	t.Helper()
	payload, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	if n := len(k.recs); n > 0 {
		prevSeq, prev = k.recs[n-1].Seq, k.recs[n-1].Hash
	}
	k.recs = append(k.recs, record.New(k.epoch, prevSeq, prev, typ, payload))
}

// One resident attends a meeting at one kiosk, answers a survey at
// another and signs at a third: one participant, counted once in each tally.
func TestParticipationCountsEachResidentOnce(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, "k1", "k2", "k3")
	today := calendar.MustParse("2026-05-20")
	if err := db.SyncCatalogLinks(ctx, catalog.Demo(today)); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	anna, birth := "Смирнова Анна Петровна", calendar.MustParse("1970-01-01")
	k1 := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	k2 := &kioskLog{id: "k2", epoch: record.NewEpoch()}
	k3 := &kioskLog{id: "k3", epoch: record.NewEpoch()}
	attend := func(k *kioskLog, name string, at time.Time) {
		k.add(t, record.TypeAttendance, meeting.Attendance{MeetingID: "mt1", IdentityKey: citizen.IdentityKey(name, birth),
			FullName: name, BirthDate: birth, RegisteredAt: at, ConsentVersion: "v"})
	}
	attend(k1, anna, t0)
	attend(k1, "Орлов Игорь", t0.Add(time.Minute))
	k1.add(t, record.TypeVote, meeting.Vote{MeetingID: "mt1", ProjectID: "p1", For: 1, Against: 1, RecordedAt: t0.Add(time.Hour)})
	k1.add(t, record.TypeVote, meeting.Vote{MeetingID: "mt1", ProjectID: "p1", For: 2, RecordedAt: t0.Add(2 * time.Hour)}) // a correction
	k2.add(t, record.TypeSurveyAnswer, survey.Answer{SurveyID: "s1", IdentityKey: citizen.IdentityKey(anna, birth), FullName: anna,
		BirthDate: birth, AnsweredAt: t0, Replies: map[string]survey.Reply{"q1": {Choices: []string{"p1"}}}})
	attend(k2, anna, t0.Add(-time.Minute)) // registered at the meeting at a second kiosk too, earlier
	k3.sign(t, "p1", anna, t0)             // kioskLog.sign uses birth date 1970-01-01
	for _, k := range []*kioskLog{k1, k2, k3} {
		got, err := db.Ingest(ctx, k.id, k.epoch, k.recs)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Projects) == 0 {
			t.Fatalf("%s changed no project", k.id)
		}
	}
	n, err := db.Participants(ctx, "p1")
	if err != nil || n != 2 {
		t.Fatalf("participants of p1 = %d (%v), want 2: Anna once, Igor", n, err)
	}
	// p2 is only in the survey: Anna alone.
	if n, _ := db.Participants(ctx, "p2"); n != 1 {
		t.Fatalf("participants of p2 = %d, want 1", n)
	}
	_, tally, err := db.MeetingTally(ctx, "mt1")
	if err != nil || tally.Present != 2 || tally.Votes["p1"].For != 2 {
		t.Fatalf("meeting: %+v %v", tally, err)
	}
	var answers int
	db.SurveyReplies(ctx, "s1", func(time.Time, map[string]survey.Reply) error { answers++; return nil })
	if answers != 1 {
		t.Fatalf("survey answers counted: %d", answers)
	}
	if tally, _ := db.Tally(ctx, "p1"); tally.Counted != 1 {
		t.Fatalf("signatures: %+v", tally)
	}
}
