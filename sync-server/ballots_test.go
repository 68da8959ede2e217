package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBallotsMeetingProtocol: a meeting called at a kiosk to vote by
// ballots; three residents register, two vote for and one against (one
// of the "for" after first voting against), and a ballot of someone not
// registered is refused at the kiosk. After sync the server counts the
// latest ballot of each registered person, and the meeting protocol shows
// those counts.
func TestBallotsMeetingProtocol(t *testing.T) {
	ctx := context.Background()
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, t.TempDir())
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	k, _ := enrollKiosk(t, admin, base, "Дом культуры")
	var meetings []map[string]any
	eventually(t, 15*time.Second, "kiosk online with the catalogue", func() bool {
		on, _ := k.syncStatus()
		meetings = nil
		k.api.decode("GET", "/api/meetings", &meetings)
		return on && len(meetings) == 1
	})
	k.openShift("m1")

	office := meetings[0]
	code, body := k.api.do("POST", "/api/meetings", map[string]any{"kind": "gathering", "date": time.Now().Format("2006-01-02"),
		"place": "Дом культуры", "territory_id": office["territory_id"], "agenda": office["agenda"],
		"chair": "Петрова Мария Ивановна", "secretary": "Сидоров Пётр", "vote_mode": "ballots"})
	id, _ := body["id"].(string)
	if code != 201 || id == "" || body["vote_mode"] != "ballots" {
		t.Fatalf("create meeting: %d %v", code, body)
	}
	project := office["agenda"].([]any)[0].(string)
	people := [][2]string{{"Иванов Иван Иванович", "1980-04-12"}, {"Петрова Анна Сергеевна", "1975-07-01"}, {"Кузнецов Олег", "1990-11-20"}}
	ballot := func(p [2]string, choice string) (int, map[string]any) {
		return k.api.do("POST", "/api/meetings/"+id+"/ballots",
			map[string]any{"project_id": project, "full_name": p[0], "birth_date": p[1], "choice": choice})
	}
	if code, body := ballot(people[0], "for"); code != 403 || body["error"] != "not_registered" {
		t.Fatalf("ballot before registering: %d %v", code, body)
	}
	for _, p := range people {
		if code, body := k.api.do("POST", "/api/meetings/"+id+"/attendance",
			map[string]any{"full_name": p[0], "birth_date": p[1], "resident": true, "consent": true}); code != 201 {
			t.Fatalf("register %s: %d %v", p[0], code, body)
		}
	}
	for _, b := range []struct {
		who    int
		choice string
	}{{0, "against"}, {0, "for"}, {1, "for"}, {2, "against"}} {
		if code, body := ballot(people[b.who], b.choice); code != 201 {
			t.Fatalf("ballot %d %s: %d %v", b.who, b.choice, code, body)
		}
	}
	eventually(t, 20*time.Second, "kiosk synced", func() bool {
		on, pending := k.syncStatus()
		return on && pending == 0
	})

	m, tally, err := srv.DB.MeetingTally(ctx, id)
	if err != nil || m == nil || !m.Ballots() {
		t.Fatalf("meeting %+v %v", m, err)
	}
	if v := tally.Votes[project]; tally.Present != 3 || v.For != 2 || v.Against != 1 || v.Abstained != 0 {
		t.Fatalf("tally: %+v", tally)
	}
	code, pdf := admin.raw("GET", "/api/meetings/"+id+"/protocol.pdf", nil)
	if code != 200 {
		t.Fatalf("meeting protocol: %d", code)
	}
	text, _ := pdfText(t, pdf)
	text = strings.ReplaceAll(text, "\u00a0", " ")
	for _, want := range []string{"Присутствовали: 3 человек", "«за» — 2", "«против» — 1", "«воздержались» — 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("meeting protocol lacks %q:\n%s", want, text)
		}
	}
}
