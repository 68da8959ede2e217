package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/survey"
)

// list GETs a JSON array.
func (c *client) list(path string) (int, []map[string]any) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out []map[string]any
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("GET %s: %v: %s", path, err, raw)
		}
	}
	return resp.StatusCode, out
}

func attendee(name, birth string) map[string]any {
	return map[string]any{"full_name": name, "birth_date": birth, "resident": true, "consent": true}
}

func surveyAnswer(name, birth string, replies map[string]any) map[string]any {
	a := attendee(name, birth)
	a["replies"] = replies
	return a
}

func codesOf(body map[string]any) map[string]any {
	c, _ := body["codes"].(map[string]any)
	return c
}

// TestMeetingsAndSurveysAPI drives the real kiosk over HTTP: a meeting
// registered and voted, a meeting called at the kiosk, a survey answered,
// each refusal with its code, and the records in the log.
func TestMeetingsAndSurveysAPI(t *testing.T) {
	m := newKiosk(t)
	c := newClient(t, m)

	// Lists need no shift; everything that writes or tells who came does.
	code, meetings := c.list("/api/meetings")
	if code != 200 || len(meetings) != 1 || meetings[0]["id"] != "mt1" || meetings[0]["from_catalog"] != true ||
		meetings[0]["territory"] != "с. Кевсала" || meetings[0]["rule"] != "majority_present" {
		t.Fatalf("meetings: %d %v", code, meetings)
	}
	code, surveys := c.list("/api/surveys")
	if code != 200 || len(surveys) != 1 || surveys[0]["id"] != "s1" || len(surveys[0]["questions"].([]any)) != 3 {
		t.Fatalf("surveys: %d %v", code, surveys)
	}
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/meetings/mt1"}, {"POST", "/api/meetings/mt1/attendance"}, {"POST", "/api/meetings/mt1/votes"},
		{"POST", "/api/meetings"}, {"POST", "/api/surveys/s1/answers"},
	} {
		if code, body := c.do(req.method, req.path, map[string]any{}, "application/json"); code != 401 || body["error"] != "no_shift" {
			t.Errorf("%s %s without a shift: %d %v", req.method, req.path, code, body)
		}
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"}); code != 200 {
		t.Fatalf("open shift: %d %v", code, body)
	}

	// Registration at the office's meeting.
	code, body := c.post("/api/meetings/mt1/attendance", attendee("Иванов Иван Иванович", "1980-04-12"))
	if code != 201 || body["present"] != 1.0 || body["residents"] != 1001.0 {
		t.Fatalf("register: %d %v", code, body)
	}
	if s := string(mustJSON(t, body)); strings.Contains(s, "Иван Иванович") || strings.Contains(s, "1980") {
		t.Fatalf("the registration reply tells about the resident: %s", s)
	}
	code, body = c.post("/api/meetings/mt1/attendance", attendee(" иванов  ИВАН иванович", "1980-04-12"))
	if code != 409 || body["error"] != "duplicate" || !strings.Contains(body["message"].(string), "уже зарегистрирован на этом собрании") {
		t.Fatalf("second registration: %d %v", code, body)
	}
	code, body = c.do("POST", "/api/meetings/mt1/attendance?lang=en", mustJSON(t, attendee("Иванов Иван Иванович", "1980-04-12")), "application/json")
	if code != 409 || !strings.Contains(body["message"].(string), "already registered at this meeting") {
		t.Fatalf("second registration in English: %d %v", code, body)
	}
	away := attendee("Петров Пётр", "2015-01-01")
	away["resident"], away["consent"] = false, false
	code, body = c.post("/api/meetings/mt1/attendance", away)
	fields, _ := body["fields"].(map[string]any)
	if code != 422 || codesOf(body)["resident"] != "not_resident" || codesOf(body)["consent"] != "no_consent" || codesOf(body)["birth_date"] != "too_young" ||
		!strings.Contains(fields["resident"].(string), "в собрании") {
		t.Fatalf("refused registration: %d %v", code, body)
	}
	if code, body := c.post("/api/meetings/nope/attendance", attendee("Петров Пётр", "1980-01-01")); code != 404 || body["error"] != "not_found" || body["message"] != "Такого собрания нет." {
		t.Fatalf("unknown meeting: %d %v", code, body)
	}
	if code, body := c.post("/api/meetings/mt1/attendance", attendee("Петров Пётр", "1980-01-01")); code != 201 || body["present"] != 2.0 {
		t.Fatalf("second resident: %d %v", code, body)
	}

	// Votes: more than present refused naming the field; then counted.
	code, body = c.post("/api/meetings/mt1/votes", map[string]any{"project_id": "p1", "for": 2, "against": 1, "abstained": 0})
	if code != 422 || body["error"] != "invalid" || codesOf(body)["votes"] != "votes_over_present" {
		t.Fatalf("votes over present: %d %v", code, body)
	}
	code, body = c.post("/api/meetings/mt1/votes", map[string]any{"project_id": "p2", "for": 1})
	if code != 422 || codesOf(body)["project_id"] != "not_on_agenda" {
		t.Fatalf("vote off the agenda: %d %v", code, body)
	}
	code, body = c.post("/api/meetings/mt1/votes", map[string]any{"project_id": "p1", "for": 2})
	items, _ := body["items"].([]any)
	if code != 201 || len(items) != 1 || items[0].(map[string]any)["supported"] != true {
		t.Fatalf("vote: %d %v", code, body)
	}
	code, body = c.do("GET", "/api/meetings/mt1", nil, "")
	if code != 200 || body["present"] != 2.0 || body["share_percent"] != 0.1 {
		t.Fatalf("status: %d %v", code, body)
	}

	// A meeting called at the kiosk.
	bad := map[string]any{"kind": "rally", "date": "2026-13-01", "place": "", "territory_id": "t1", "agenda": []string{},
		"chair": "Петрова", "secretary": "Сидоров Пётр"}
	code, body = c.post("/api/meetings", bad)
	cs := codesOf(body)
	if code != 422 || cs["kind"] != "meeting_kind" || cs["date"] != "bad_date" || cs["place"] != "required" || cs["agenda"] != "agenda_empty" || cs["chair"] != "name_incomplete" {
		t.Fatalf("bad meeting: %d %v", code, body)
	}
	good := map[string]any{"kind": "assembly", "date": "2026-06-01", "place": "Клуб", "territory_id": "t2", "agenda": []string{"p2"},
		"chair": "Петрова Мария Ивановна", "secretary": "Сидоров Пётр"}
	code, body = c.post("/api/meetings", good)
	id, _ := body["id"].(string)
	if code != 201 || !strings.HasPrefix(id, "k-") || body["from_catalog"] != false || body["territory"] != "пос. Красочный" {
		t.Fatalf("create meeting: %d %v", code, body)
	}
	if _, meetings = c.list("/api/meetings"); len(meetings) != 2 || meetings[1]["id"] != id {
		t.Fatalf("meetings after calling one: %v", meetings)
	}
	if code, body := c.post("/api/meetings/"+id+"/attendance", attendee("Иванов Иван Иванович", "1980-04-12")); code != 201 || body["present"] != 1.0 {
		t.Fatalf("register at the kiosk's meeting: %d %v", code, body)
	}

	// A survey.
	code, body = c.post("/api/surveys/s1/answers", surveyAnswer("Иванов Иван Иванович", "1980-04-12",
		map[string]any{"q2": map[string]any{"choices": []string{"work", "gold"}}}))
	fields, _ = body["fields"].(map[string]any)
	if code != 422 || body["error"] != "invalid" || codesOf(body)["q1"] != "answer_required" || codesOf(body)["q2"] != "answer_unknown_option" ||
		fields["q1"] != "Ответьте на этот вопрос." {
		t.Fatalf("survey without the required answer: %d %v", code, body)
	}
	replies := map[string]any{"q1": map[string]any{"choices": []string{"p1"}}, "q3": map[string]any{"text": "Скамейки"}}
	code, body = c.post("/api/surveys/s1/answers", surveyAnswer("Иванов Иван Иванович", "1980-04-12", replies))
	if code != 201 || body["answers"] != 1.0 {
		t.Fatalf("answer: %d %v", code, body)
	}
	code, body = c.post("/api/surveys/s1/answers", surveyAnswer("ИВАНОВ Иван Иванович", "1980-04-12", replies))
	if code != 409 || body["error"] != "duplicate" || !strings.Contains(body["message"].(string), "уже ответил на этот опрос") {
		t.Fatalf("second answer: %d %v", code, body)
	}
	if code, body := c.post("/api/surveys/s9/answers", surveyAnswer("Петров Пётр", "1980-01-01", replies)); code != 404 || body["message"] != "Такого опроса нет." {
		t.Fatalf("unknown survey: %d %v", code, body)
	}
	withExtra := surveyAnswer("Петров Пётр", "1980-01-01", replies)
	withExtra["signature"] = "x"
	if code, body := c.post("/api/surveys/s1/answers", withExtra); code != 400 || body["error"] != "unknown_field" {
		t.Fatalf("unknown field: %d %v", code, body)
	}
	if _, surveys = c.list("/api/surveys"); surveys[0]["answers"] != 1.0 {
		t.Fatalf("survey answers here: %v", surveys[0]["answers"])
	}

	// The log holds each accepted act once, as the shared types, in a
	// verifying chain.
	recs, err := m.DB.Records(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	prevSeq, prev := uint64(0), record.Genesis
	for _, r := range recs {
		if err := r.Verify(m.DB.Epoch(), prevSeq, prev); err != nil {
			t.Fatal(err)
		}
		prevSeq, prev = r.Seq, r.Hash
		types = append(types, string(r.Type))
	}
	if got := strings.Join(types, " "); got != "attendance attendance vote meeting attendance survey_answer" {
		t.Fatalf("records: %s", got)
	}
	var v meeting.Vote
	var a survey.Answer
	if json.Unmarshal(recs[2].Payload, &v) != nil || v.For != 2 || v.ProjectID != "p1" || v.MeetingID != "mt1" {
		t.Fatalf("vote record %s", recs[2].Payload)
	}
	if json.Unmarshal(opened(t, recs[5]), &a) != nil || a.Replies["q1"].Choices[0] != "p1" || a.FullName != "Иванов Иван Иванович" {
		t.Fatalf("answer record %s", recs[5].Payload)
	}
}

// TestMeetingsAndSurveysBehindTheGate: the new endpoints answer only the
// kiosk's screen and paired tablets, like every other.
func TestMeetingsAndSurveysBehindTheGate(t *testing.T) {
	for _, tablets := range []bool{false, true} {
		args := []string{"-addr", twoAddrs}
		if tablets {
			args = append(args, "-tablets")
		}
		m := newKiosk(t, args...)
		screen, tablet := screenAndTablet(t, m)
		if code, _ := screen.list("/api/meetings"); code != 200 {
			t.Fatalf("screen: %d", code)
		}
		for _, req := range []struct{ method, path string }{
			{"GET", "/api/meetings"}, {"GET", "/api/surveys"}, {"GET", "/api/meetings/mt1"}, {"POST", "/api/meetings"},
			{"POST", "/api/meetings/mt1/attendance"}, {"POST", "/api/meetings/mt1/votes"}, {"POST", "/api/surveys/s1/answers"},
		} {
			if code, body := tablet.do(req.method, req.path, map[string]any{}, "application/json"); code != 403 || body["error"] != "not_paired" {
				t.Errorf("tablets %v: unpaired %s %s: %d %v", tablets, req.method, req.path, code, body)
			}
		}
	}
}
