package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/survey"
)

// seedRecords stores typed records of one kiosk through the real ingest.
func seedRecords(t *testing.T, srv *Main, id string, typed []struct {
	typ record.Type
	v   any
}) {
	t.Helper()
	ctx := context.Background()
	if err := srv.DB.CreateKiosk(ctx, id, "Киоск "+id, "code-"+id, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DB.RedeemEnrollCode(ctx, "code-"+id, "cred-"+id, newDevicePublicKey(t)); err != nil {
		t.Fatal(err)
	}
	epoch := record.NewEpoch()
	var recs []record.Record
	seq, prev := uint64(0), record.Genesis
	for _, tv := range typed {
		payload, _ := json.Marshal(tv.v)
		r := record.New(epoch, seq, prev, tv.typ, payload)
		recs, seq, prev = append(recs, r), r.Seq, r.Hash
	}
	if _, err := srv.DB.Ingest(ctx, id, epoch, recs); err != nil {
		t.Fatal(err)
	}
}

func TestMeetingAndSurveyDocuments(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatal("put catalogue")
	}
	birth := calendar.MustParse("1980-01-01")
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	var typed []struct {
		typ record.Type
		v   any
	}
	add := func(typ record.Type, v any) {
		typed = append(typed, struct {
			typ record.Type
			v   any
		}{typ, v})
	}
	// 12 residents register at the demo meeting mt1 (one of them twice).
	for i := 0; i < 12; i++ {
		add(record.TypeAttendance, meeting.Attendance{MeetingID: "mt1", IdentityKey: citizen.IdentityKey(resident(i), birth),
			FullName: resident(i), BirthDate: birth, RegisteredAt: t0.Add(time.Duration(i) * time.Second)})
	}
	add(record.TypeAttendance, meeting.Attendance{MeetingID: "mt1", FullName: resident(3), BirthDate: birth, RegisteredAt: t0.Add(time.Minute)})
	add(record.TypeVote, meeting.Vote{MeetingID: "mt1", ProjectID: "p1", For: 9, Against: 2, Abstained: 1, RecordedAt: t0.Add(time.Hour)})
	// 4 residents answer the demo survey s1.
	choices := []string{"p1", "p1", "p2", "p1"}
	for i, c := range choices {
		add(record.TypeSurveyAnswer, survey.Answer{SurveyID: "s1", FullName: resident(20 + i), BirthDate: birth, AnsweredAt: t0,
			Replies: map[string]survey.Reply{"q1": {Choices: []string{c}}, "q2": {Choices: []string{"work", "money"}}}})
	}
	seedRecords(t, srv, "k1", typed)

	code, pdf := admin.raw("GET", "/api/meetings/mt1/protocol.pdf", nil)
	if code != 200 {
		t.Fatalf("meeting protocol: %d", code)
	}
	text, _ := pdfText(t, pdf)
	for _, want := range []string{"ПРОТОКОЛ", "схода граждан", "Присутствовали: 12 человек", "«за» — 9", "«против» — 2", "«воздержались» — 1",
		"РЕШИЛИ: поддержать инициативный проект «Ремонт детской площадки»", "Петрова Мария Ивановна"} {
		if !strings.Contains(text, want) {
			t.Errorf("meeting protocol lacks %q:\n%s", want, text)
		}
	}
	code, pdf = admin.raw("GET", "/api/surveys/s1/results.pdf", nil)
	if code != 200 {
		t.Fatalf("survey results: %d", code)
	}
	text, _ = pdfText(t, pdf)
	if !strings.Contains(text, "Число участников опроса — 4") {
		t.Errorf("survey results lack the respondents:\n%s", text)
	}
	_, csvBody := admin.raw("GET", "/api/surveys/s1/results.csv?sep=semicolon", nil)
	for _, row := range []string{"Какой проект вы поддерживаете в первую очередь?;Ремонт детской площадки;3;4", "Освещение улицы Мира;1;4", "Трудом на субботнике;4;4"} {
		if !strings.Contains(string(csvBody), row) {
			t.Errorf("survey CSV lacks %q:\n%s", row, csvBody)
		}
	}
	// Participation: 12 at the meeting (about p1) + 4 in the survey (p1, p2).
	if n, _ := srv.DB.Participants(context.Background(), "p1"); n != 16 {
		t.Fatalf("p1 participants = %d, want 16", n)
	}
	if code, _ := admin.raw("GET", "/api/meetings/nope/protocol.pdf", nil); code != 404 {
		t.Fatalf("unknown meeting: %d", code)
	}
}
