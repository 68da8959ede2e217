package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sbor-project/sbor/shared/meeting"
)

func ballot(project, name, birth, choice string) map[string]any {
	return map[string]any{"project_id": project, "full_name": name, "birth_date": birth, "choice": choice}
}

// itemVote returns the vote on the first agenda item of a status reply.
func itemVote(t *testing.T, body map[string]any) (map[string]any, any) {
	t.Helper()
	items, _ := body["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no items: %v", body)
	}
	item := items[0].(map[string]any)
	v, _ := item["vote"].(map[string]any)
	return v, item["supported"]
}

// TestBallotsAPI: at a meeting voted by ballots only a resident registered
// here votes; a change of mind counts once; the secretary's counts are
// refused; at a meeting voted by counts ballots are refused.
func TestBallotsAPI(t *testing.T) {
	m := newKiosk(t)
	c := newClient(t, m)
	if code, body := c.post("/api/meetings/mt1/ballots", map[string]any{}); code != 401 || body["error"] != "no_shift" {
		t.Fatalf("ballot without a shift: %d %v", code, body)
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"}); code != 200 {
		t.Fatalf("open shift: %d %v", code, body)
	}

	bad := map[string]any{"kind": "gathering", "date": "2026-06-01", "place": "Клуб", "territory_id": "t2", "agenda": []string{"p2"},
		"chair": "Петрова Мария Ивановна", "secretary": "Сидоров Пётр", "vote_mode": "shouting"}
	if code, body := c.post("/api/meetings", bad); code != 422 || codesOf(body)["vote_mode"] != "meeting_vote_mode" {
		t.Fatalf("unknown vote mode: %d %v", code, body)
	}
	good := bad
	good["vote_mode"] = "ballots"
	code, body := c.post("/api/meetings", good)
	id, _ := body["id"].(string)
	if code != 201 || body["vote_mode"] != "ballots" {
		t.Fatalf("create meeting: %d %v", code, body)
	}
	if _, list := c.list("/api/meetings"); list[0]["vote_mode"] != "counts" || list[1]["vote_mode"] != "ballots" {
		t.Fatalf("vote modes listed: %v %v", list[0]["vote_mode"], list[1]["vote_mode"])
	}

	// Not registered: refused, nothing written.
	code, body = c.post("/api/meetings/"+id+"/ballots", ballot("p2", "Иванов Иван Иванович", "1980-04-12", "for"))
	if code != 403 || body["error"] != "not_registered" || !strings.Contains(body["message"].(string), "Сначала зарегистрируйтесь на собрании") {
		t.Fatalf("unregistered ballot: %d %v", code, body)
	}
	for _, p := range [][2]string{{"Иванов Иван Иванович", "1980-04-12"}, {"Петров Пётр", "1970-01-01"}, {"Сидорова Анна", "1990-02-02"}} {
		if code, body := c.post("/api/meetings/"+id+"/attendance", attendee(p[0], p[1])); code != 201 {
			t.Fatalf("register %s: %d %v", p[0], code, body)
		}
	}
	if code, body := c.post("/api/meetings/"+id+"/ballots", ballot("p1", "Иванов Иван Иванович", "1980-04-12", "for")); code != 422 || codesOf(body)["project_id"] != "not_on_agenda" {
		t.Fatalf("ballot off the agenda: %d %v", code, body)
	}
	if code, body := c.post("/api/meetings/"+id+"/ballots", ballot("p2", "Иванов Иван Иванович", "1980-04-12", "maybe")); code != 422 || codesOf(body)["choice"] != "choice_unknown" {
		t.Fatalf("unknown choice: %d %v", code, body)
	}

	// Registered: votes. The name is matched as at registration.
	if code, body := c.post("/api/meetings/"+id+"/ballots", ballot("p2", " иванов ИВАН иванович", "1980-04-12", "against")); code != 201 {
		t.Fatalf("ballot: %d %v", code, body)
	}
	if s := string(mustJSON(t, body)); strings.Contains(s, "Иван") {
		t.Fatalf("the ballot reply tells about the resident: %s", s)
	}
	c.post("/api/meetings/"+id+"/ballots", ballot("p2", "Петров Пётр", "1970-01-01", "for"))
	// A change of mind: counted once, as the latest.
	code, body = c.post("/api/meetings/"+id+"/ballots", ballot("p2", "Иванов Иван Иванович", "1980-04-12", "for"))
	v, supported := itemVote(t, body)
	if code != 201 || v["for"] != 2.0 || v["against"] != 0.0 || v["abstained"] != 0.0 || supported != true {
		t.Fatalf("after a change of vote: %d %v %v", code, v, supported)
	}
	code, body = c.do("GET", "/api/meetings/"+id, nil, "")
	if v, _ := itemVote(t, body); code != 200 || body["present"] != 3.0 || v["for"] != 2.0 {
		t.Fatalf("status: %d %v", code, body)
	}

	// The secretary's counts are refused at a meeting voted by ballots.
	code, body = c.post("/api/meetings/"+id+"/votes", map[string]any{"project_id": "p2", "for": 3})
	if code != 422 || codesOf(body)["votes"] != "vote_by_ballots" {
		t.Fatalf("counts at a ballots meeting: %d %v", code, body)
	}
	// Ballots are refused at a meeting voted by counts.
	c.post("/api/meetings/mt1/attendance", attendee("Иванов Иван Иванович", "1980-04-12"))
	code, body = c.post("/api/meetings/mt1/ballots", ballot("p1", "Иванов Иван Иванович", "1980-04-12", "for"))
	if code != 422 || codesOf(body)["choice"] != "vote_by_counts" {
		t.Fatalf("ballot at a counts meeting: %d %v", code, body)
	}

	// Every ballot is in the log, the changed one too.
	recs, err := m.DB.Records(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ballots []meeting.Ballot
	for _, r := range recs {
		if r.Type == "ballot" {
			var b meeting.Ballot
			if err := json.Unmarshal(opened(t, r), &b); err != nil {
				t.Fatal(err)
			}
			ballots = append(ballots, b)
		}
	}
	if len(ballots) != 3 || ballots[0].Choice != "against" || ballots[2].Choice != "for" || ballots[0].IdentityKey != ballots[2].IdentityKey ||
		ballots[2].FullName != "Иванов Иван Иванович" || ballots[0].MeetingID != id {
		t.Fatalf("ballot records: %+v", ballots)
	}
}
