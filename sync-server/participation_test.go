package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/survey"
)

// TestOneResidentTakesPartThreeWays: three enrolled kiosks (child
// processes). One resident attends the office's meeting mt1 at kiosk A,
// where the secretary also enters the vote; answers survey s1 at kiosk B;
// signs p1 at kiosk C. The kiosks do not ask each other about meetings and
// surveys, so the same resident also registers at mt1 on kiosk B and
// answers s1 again on kiosk C, typed otherwise; both are accepted there.
// After sync the server counts the resident once in each tally and once
// among p1's participants, and its documents show what kiosk A recorded.
func TestOneResidentTakesPartThreeWays(t *testing.T) {
	ctx := context.Background()
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, t.TempDir())
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	var kiosks []*kioskProc
	for _, name := range []string{"Дом культуры", "Школа", "Администрация"} {
		k, _ := enrollKiosk(t, admin, base, name)
		kiosks = append(kiosks, k)
	}
	for i, k := range kiosks {
		eventually(t, 15*time.Second, fmt.Sprintf("kiosk %c online with the catalogue", 'A'+i), func() bool {
			on, _ := k.syncStatus()
			var meetings []map[string]any
			k.api.decode("GET", "/api/meetings", &meetings)
			return on && len(meetings) == 1 && meetings[0]["id"] == "mt1"
		})
		k.openShift("m1")
	}
	a, b, c := kiosks[0], kiosks[1], kiosks[2]

	const name, born = "Соколова Вера Павловна", "1969-09-30"
	person := func(typed string) map[string]any {
		return map[string]any{"full_name": typed, "birth_date": born, "resident": true, "consent": true}
	}
	answer := func(typed string) map[string]any {
		p := person(typed)
		p["replies"] = map[string]any{"q1": map[string]any{"choices": []string{"p1"}},
			"q2": map[string]any{"choices": []string{"work"}}, "q3": map[string]any{"text": "Освещение у школы"}}
		return p
	}

	// Kiosk A: the meeting, and its vote.
	if code, body := a.api.do("POST", "/api/meetings/mt1/attendance", person(name)); code != 201 || body["present"] != 1.0 {
		t.Fatalf("kiosk A: register: %d %v", code, body)
	}
	if code, body := a.api.do("POST", "/api/meetings/mt1/votes", map[string]any{"project_id": "p1", "for": 2}); code != 422 {
		t.Fatalf("kiosk A: two votes with one present: %d %v", code, body)
	}
	if code, body := a.api.do("POST", "/api/meetings/mt1/votes", map[string]any{"project_id": "p1", "for": 1}); code != 201 {
		t.Fatalf("kiosk A: vote: %d %v", code, body)
	}
	// Kiosk B: the survey, and the meeting again.
	if code, body := b.api.do("POST", "/api/surveys/s1/answers", answer(name)); code != 201 {
		t.Fatalf("kiosk B: answer: %d %v", code, body)
	}
	if code, body := b.api.do("POST", "/api/meetings/mt1/attendance", person("соколова  ВЕРА павловна")); code != 201 {
		t.Fatalf("kiosk B: second registration: %d %v", code, body)
	}
	// Kiosk C: the signature, and the survey again.
	if code, body := c.sign("p1", name, born); code != 201 {
		t.Fatalf("kiosk C: sign: %d %v", code, body)
	}
	if code, body := c.api.do("POST", "/api/surveys/s1/answers", answer("Соколова Вера Павловна.")); code != 201 {
		t.Fatalf("kiosk C: second answer: %d %v", code, body)
	}
	for i, k := range kiosks {
		eventually(t, 20*time.Second, fmt.Sprintf("kiosk %c synced", 'A'+i), func() bool {
			on, pending := k.syncStatus()
			return on && pending == 0
		})
	}

	// One resident, counted once everywhere.
	key := string(citizen.IdentityKey(name, calendar.MustParse(born)))
	for _, p := range []string{"p1", "p2"} { // s1 is about p1 and p2; mt1 and the signature about p1
		if n, err := srv.DB.Participants(ctx, p); err != nil || n != 1 {
			t.Errorf("%s participants = %d (%v), want 1", p, n, err)
		}
	}
	_, tally, err := srv.DB.MeetingTally(ctx, "mt1")
	if err != nil {
		t.Fatal(err)
	}
	if tally.Present != 1 || tally.Votes["p1"].For != 1 || tally.Votes["p1"].Against != 0 {
		t.Errorf("meeting tally: %+v", tally)
	}
	answers := 0
	if err := srv.DB.SurveyReplies(ctx, "s1", func(_ time.Time, r map[string]survey.Reply) error {
		answers++
		if strings.Join(r["q1"].Choices, ",") != "p1" || r["q3"].Text != "Освещение у школы" {
			t.Errorf("survey replies %+v", r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if answers != 1 {
		t.Errorf("%d survey answers counted, want 1", answers)
	}
	counted, err := srv.DB.CountedSet(ctx, "p1")
	if err != nil || len(counted) != 1 || counted[0].IdentityKey != key {
		t.Errorf("p1 counted signatures: %+v %v", counted, err)
	}
	if code, body := admin.do("GET", "/api/projects/p1/progress", nil); code != 200 || body["signatures"] != 1.0 {
		t.Errorf("p1 progress: %d %v", code, body)
	}

	// The meeting protocol shows those present and kiosk A's vote.
	code, pdf := admin.raw("GET", "/api/meetings/mt1/protocol.pdf", nil)
	if code != 200 {
		t.Fatalf("meeting protocol: %d", code)
	}
	text, _ := pdfText(t, pdf)
	text = strings.ReplaceAll(text, "\u00a0", " ")
	for _, want := range []string{"Присутствовали: 1 человек", "«за» — 1", "«против» — 0", "«воздержались» — 0",
		"РЕШИЛИ: поддержать инициативный проект «Ремонт детской площадки»"} {
		if !strings.Contains(text, want) {
			t.Errorf("meeting protocol lacks %q:\n%s", want, text)
		}
	}
	// The survey's results show the one answer.
	code, csv := admin.raw("GET", "/api/surveys/s1/results.csv?sep=semicolon", nil)
	if code != 200 {
		t.Fatalf("survey results: %d", code)
	}
	for _, row := range []string{"Какой проект вы поддерживаете в первую очередь?;Ремонт детской площадки;1;1",
		"Какой проект вы поддерживаете в первую очередь?;Освещение улицы Мира;0;1", "Чем вы готовы помочь?;Трудом на субботнике;1;1",
		"Ваши предложения;(свободный ответ);1;1"} {
		if !strings.Contains(string(csv), row) {
			t.Errorf("survey CSV lacks %q:\n%s", row, csv)
		}
	}
	if v, err := srv.DB.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("integrity_check %q %v", v, err)
	}
}
