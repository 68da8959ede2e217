package station

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/survey"
)

var now = time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)

// testOffice stands for the office whose key the station seals to.
var testOffice = func() *seal.KeyPair {
	kp, err := seal.Generate()
	if err != nil {
		panic(err)
	}
	return kp
}()

// opened is a record's whole payload as the office reads it; the public
// part alone must name no one.
func opened(t *testing.T, r record.Record) []byte {
	t.Helper()
	if r.Sealed == nil || strings.Contains(string(r.Payload), "full_name") {
		t.Fatalf("record %d not sealed: %s", r.Seq, r.Payload)
	}
	b, err := r.Open(testOffice)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newStation is a station over a fresh store with the demo catalogue and
// a clock standing at now.
func newStation(t *testing.T) *Station {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Europe/Moscow")
	clock := NewClock(loc, calendar.MustParse("2026-01-01"), func() time.Time { return now })
	s := New(db, clock, nil, time.Hour)
	c := catalog.Demo(clock.Today())
	c.OfficeKey = testOffice.Public.String()
	if err := s.SetCatalog(ctx, c); err != nil {
		t.Fatal(err)
	}
	return s
}

var operator = Shift{CollectorID: "m1"}

func person(name, birth string) Person {
	return Person{FullName: name, BirthDate: birth, Resident: true, Consent: true}
}

// problems returns the field problems of a refusal, nil for another error.
func problems(err error) signature.Problems {
	var inv *InvalidError
	if errors.As(err, &inv) {
		return inv.Problems
	}
	return nil
}

func TestRegister(t *testing.T) {
	ctx := context.Background()
	s := newStation(t)
	tests := []struct {
		name    string
		meeting string
		p       Person
		wantErr error
		field   string
		code    signature.Code
		present int
	}{
		{"first", "mt1", person("Иванов Иван Иванович", "1980-04-12"), nil, "", "", 1},
		{"the same citizen typed otherwise", "mt1", person("  иванов ИВАН  иванович.", "1980-04-12"), ErrAlreadyRegistered, "", "", 0},
		{"a namesake born another day", "mt1", person("Иванов Иван Иванович", "1980-04-13"), nil, "", "", 2},
		{"16 today", "mt1", person("Юный Пётр", "2010-05-20"), nil, "", "", 3},
		{"16 tomorrow", "mt1", person("Юный Павел", "2010-05-21"), nil, "birth_date", signature.TooYoung, 0},
		{"born tomorrow", "mt1", person("Будущий Олег", "2026-05-21"), nil, "birth_date", signature.BirthInFuture, 0},
		{"not a date", "mt1", person("Петров Пётр", "1980-02-30"), nil, "birth_date", signature.BadDate, 0},
		{"surname only", "mt1", person("Петров", "1980-01-01"), nil, "full_name", signature.NameIncomplete, 0},
		{"markup in the name", "mt1", person("<b>Пётр</b> Петров", "1980-01-01"), nil, "full_name", signature.NameCharacters, 0},
		{"not a resident", "mt1", Person{FullName: "Петров Пётр", BirthDate: "1980-01-01", Consent: true}, nil, "resident", signature.NotResident, 0},
		{"no consent", "mt1", Person{FullName: "Петров Пётр", BirthDate: "1980-01-01", Resident: true}, nil, "consent", signature.NoConsent, 0},
		{"no such meeting", "nope", person("Петров Пётр", "1980-01-01"), ErrNoMeeting, "", "", 0},
	}
	for _, tt := range tests {
		before, _, _ := s.DB().Head(ctx)
		st, err := s.Register(ctx, operator, tt.meeting, tt.p)
		after, _, _ := s.DB().Head(ctx)
		switch {
		case tt.field != "":
			if got := problems(err)[tt.field]; got != tt.code {
				t.Errorf("%s: %s = %q, want %q (err %v)", tt.name, tt.field, got, tt.code, err)
			}
		case tt.wantErr != nil:
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: err %v, want %v", tt.name, err, tt.wantErr)
			}
		default:
			if err != nil || st.Present != tt.present {
				t.Errorf("%s: present %d, err %v; want %d", tt.name, st.Present, err, tt.present)
			}
		}
		if ok := err == nil; ok != (after == before+1) || !ok && after != before {
			t.Errorf("%s: log head %d → %d", tt.name, before, after)
		}
	}
	st, err := s.MeetingStatus(ctx, "mt1")
	if err != nil {
		t.Fatal(err)
	}
	// 3 of с. Кевсала's 1001 residents: 0.29…% → 0.2 (tenths, rounded down).
	if st.Present != 3 || st.Residents != 1001 || st.SharePercent != 0.2 || st.Territory != "с. Кевсала" || !st.FromCatalog ||
		len(st.Items) != 1 || st.Items[0].Vote != nil || st.Items[0].Supported != nil || st.Items[0].Project != "Ремонт детской площадки" {
		t.Fatalf("status %+v", st)
	}
	// The record carries the shared type with the normalized identity.
	recs, _ := s.DB().Records(ctx, 0, 10)
	var a meeting.Attendance
	if err := json.Unmarshal(opened(t, recs[0]), &a); err != nil || recs[0].Type != record.TypeAttendance ||
		a.IdentityKey != "иванов иван иванович|1980-04-12" || a.FullName != "Иванов Иван Иванович" ||
		!strings.HasPrefix(a.ConsentVersion, "sheet-152fz-v1:") || !a.RegisteredAt.Equal(now) {
		t.Fatalf("attendance record %s: %v", recs[0].Payload, err)
	}
}

func TestRecordVote(t *testing.T) {
	ctx := context.Background()
	s := newStation(t)
	for _, p := range []Person{person("Иванов Иван", "1980-01-01"), person("Петров Пётр", "1980-01-01"), person("Сидоров Олег", "1980-01-01")} {
		if _, err := s.Register(ctx, operator, "mt1", p); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		f         VoteForm
		field     string
		code      signature.Code
		wantIs    error
		supported bool
	}{
		{"more votes than present", VoteForm{ProjectID: "p1", For: 2, Against: 1, Abstained: 1}, "votes", VotesOverPresent, meeting.ErrVotesOverAll, false},
		{"not on the agenda", VoteForm{ProjectID: "p2", For: 1}, "project_id", NotOnAgenda, nil, false},
		{"negative", VoteForm{ProjectID: "p1", For: 3, Against: -1}, "against", Negative, nil, false},
		{"one of three is no majority", VoteForm{ProjectID: "p1", For: 1, Against: 1, Abstained: 1}, "", "", nil, false},
		{"two of three", VoteForm{ProjectID: "p1", For: 2, Against: 1}, "", "", nil, true},
	}
	for _, tt := range tests {
		before, _, _ := s.DB().Head(ctx)
		st, err := s.RecordVote(ctx, operator, "mt1", tt.f)
		after, _, _ := s.DB().Head(ctx)
		if tt.field != "" {
			if got := problems(err)[tt.field]; got != tt.code {
				t.Errorf("%s: %s = %q, want %q (err %v)", tt.name, tt.field, got, tt.code, err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("%s: err %v is not %v", tt.name, err, tt.wantIs)
			}
			if after != before {
				t.Errorf("%s: a refused vote was logged", tt.name)
			}
			continue
		}
		if err != nil || st.Items[0].Vote == nil || *st.Items[0].Supported != tt.supported || st.Items[0].Vote.For != tt.f.For {
			t.Errorf("%s: %+v, %v", tt.name, st.Items, err)
		}
		if after != before+1 {
			t.Errorf("%s: log head %d → %d", tt.name, before, after)
		}
	}
	if _, err := s.RecordVote(ctx, operator, "nope", VoteForm{ProjectID: "p1"}); !errors.Is(err, ErrNoMeeting) {
		t.Fatalf("vote at no meeting: %v", err)
	}
}

func TestCreateMeeting(t *testing.T) {
	ctx := context.Background()
	s := newStation(t)
	good := MeetingForm{Kind: meeting.KindAssembly, Date: "2026-05-21", Place: "  Клуб,   ул. Мира  ", TerritoryID: "t2",
		Agenda: []string{"p2"}, Chair: "Петрова Мария Ивановна", Secretary: "Сидоров Пётр"}
	tests := []struct {
		name  string
		edit  func(*MeetingForm)
		field string
		code  signature.Code
	}{
		{"no kind", func(f *MeetingForm) { f.Kind = "" }, "kind", signature.Required},
		{"unknown kind", func(f *MeetingForm) { f.Kind = "rally" }, "kind", MeetingKind},
		{"no date", func(f *MeetingForm) { f.Date = "" }, "date", signature.Required},
		{"not a date", func(f *MeetingForm) { f.Date = "21.05.2026" }, "date", signature.BadDate},
		{"no place", func(f *MeetingForm) { f.Place = "  " }, "place", signature.Required},
		{"long place", func(f *MeetingForm) { f.Place = strings.Repeat("я", MaxPlaceRunes+1) }, "place", TooLong},
		{"unknown territory", func(f *MeetingForm) { f.TerritoryID = "t9" }, "territory_id", UnknownTerritory},
		{"empty agenda", func(f *MeetingForm) { f.Agenda = nil }, "agenda", AgendaEmpty},
		{"unknown project", func(f *MeetingForm) { f.Agenda = []string{"p9"} }, "agenda", AgendaUnknown},
		{"repeated project", func(f *MeetingForm) { f.Agenda = []string{"p2", "p2"} }, "agenda", AgendaUnknown},
		{"chair without a name", func(f *MeetingForm) { f.Chair = "Петрова" }, "chair", signature.NameIncomplete},
		{"no secretary", func(f *MeetingForm) { f.Secretary = "" }, "secretary", signature.Required},
		{"unknown rule", func(f *MeetingForm) { f.Rule = "unanimity" }, "rule", MeetingRule},
	}
	for _, tt := range tests {
		f := good
		f.Agenda = append([]string(nil), good.Agenda...)
		tt.edit(&f)
		if _, err := s.CreateMeeting(ctx, operator, f); problems(err)[tt.field] != tt.code {
			t.Errorf("%s: %v, want %s: %s", tt.name, err, tt.field, tt.code)
		}
	}
	if seq, _, _ := s.DB().Head(ctx); seq != 0 {
		t.Fatalf("refused meetings logged %d records", seq)
	}
	m, err := s.CreateMeeting(ctx, operator, good)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.ID, "k-") || m.Place != "Клуб, ул. Мира" || m.Rule != meeting.MajorityPresent || m.FromCatalog || m.Residents != 240 {
		t.Fatalf("created %+v", m)
	}
	list, err := s.Meetings(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "mt1" || list[1].ID != m.ID {
		t.Fatalf("meetings %+v %v", list, err)
	}
	// Residents register at it like at the office's.
	if _, err := s.Register(ctx, operator, m.ID, person("Иванов Иван", "1980-01-01")); err != nil {
		t.Fatal(err)
	}
	recs, _ := s.DB().Records(ctx, 0, 10)
	var got meeting.Meeting
	if len(recs) != 2 || recs[0].Type != record.TypeMeeting || json.Unmarshal(recs[0].Payload, &got) != nil || got.ID != m.ID ||
		got.Validate(func(string) bool { return true }, func(string) bool { return true }) != nil {
		t.Fatalf("meeting record: %d records, %s", len(recs), recs[0].Payload)
	}
}

func TestAnswer(t *testing.T) {
	ctx := context.Background()
	s := newStation(t)
	ok := map[string]survey.Reply{"q1": {Choices: []string{"p1"}}, "q2": {Choices: []string{"work", "money"}}, "q3": {Text: "  Скамейки у школы "}}
	answer := func(name string, replies map[string]survey.Reply) AnswerForm {
		return AnswerForm{Person: person(name, "1980-01-01"), Replies: replies}
	}
	tests := []struct {
		name     string
		survey   string
		f        AnswerForm
		wantErr  error
		fields   map[string]signature.Code
		wantSeen int
	}{
		{"required question missing", "s1", answer("Иванов Иван", map[string]survey.Reply{"q2": {Choices: []string{"work"}}}), nil,
			map[string]signature.Code{"q1": survey.Missing}, 0},
		{"blank text is no answer", "s1", answer("Иванов Иван", map[string]survey.Reply{"q1": {Text: "  "}}), nil,
			map[string]signature.Code{"q1": survey.Missing}, 0},
		{"two answers to a single question", "s1", answer("Иванов Иван", map[string]survey.Reply{"q1": {Choices: []string{"p1", "p2"}}}), nil,
			map[string]signature.Code{"q1": survey.OneOnly}, 0},
		{"unknown option", "s1", answer("Иванов Иван", map[string]survey.Reply{"q1": {Choices: []string{"p1"}}, "q2": {Choices: []string{"gold"}}}), nil,
			map[string]signature.Code{"q2": survey.UnknownOption}, 0},
		{"no such question", "s1", answer("Иванов Иван", map[string]survey.Reply{"q1": {Choices: []string{"p1"}}, "q9": {Text: "x"}}), nil,
			map[string]signature.Code{"q9": survey.Unexpected}, 0},
		{"every problem at once", "s1", AnswerForm{Replies: map[string]survey.Reply{"q3": {Text: strings.Repeat("а", survey.MaxTextRunes+1)}}}, nil,
			map[string]signature.Code{"q1": survey.Missing, "q3": survey.TooLong, "full_name": signature.Required,
				"birth_date": signature.Required, "resident": signature.NotResident, "consent": signature.NoConsent}, 0},
		{"good", "s1", answer("Иванов Иван", ok), nil, nil, 1},
		{"the same citizen again", "s1", answer("ИВАНОВ  Иван", ok), ErrAlreadyAnswered, nil, 0},
		{"optional questions may stay empty", "s1", answer("Петров Пётр", map[string]survey.Reply{"q1": {Choices: []string{"p2"}}}), nil, nil, 2},
		{"no such survey", "s9", answer("Петров Пётр", ok), ErrNoSurvey, nil, 0},
	}
	for _, tt := range tests {
		before, _, _ := s.DB().Head(ctx)
		rc, err := s.Answer(ctx, operator, tt.survey, tt.f)
		after, _, _ := s.DB().Head(ctx)
		switch {
		case tt.fields != nil:
			got := problems(err)
			if len(got) != len(tt.fields) {
				t.Errorf("%s: problems %v, want %v", tt.name, got, tt.fields)
			}
			for f, code := range tt.fields {
				if got[f] != code {
					t.Errorf("%s: %s = %q, want %q", tt.name, f, got[f], code)
				}
			}
		case tt.wantErr != nil:
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: err %v, want %v", tt.name, err, tt.wantErr)
			}
		default:
			if err != nil || rc.Answers != tt.wantSeen || rc.ID != after {
				t.Errorf("%s: %+v %v", tt.name, rc, err)
			}
		}
		if (err == nil) != (after == before+1) || err != nil && after != before {
			t.Errorf("%s: log head %d → %d", tt.name, before, after)
		}
	}
	list, err := s.Surveys(ctx)
	if err != nil || len(list) != 1 || list[0].Answers != 2 || strings.Join(list[0].Territories, ", ") != "с. Кевсала, пос. Красочный" {
		t.Fatalf("surveys %+v %v", list, err)
	}
	recs, _ := s.DB().Records(ctx, 0, 10)
	var a survey.Answer
	if err := json.Unmarshal(opened(t, recs[0]), &a); err != nil || a.Replies["q3"].Text != "Скамейки у школы" || len(a.Replies) != 3 {
		t.Fatalf("answer record %s: %v", recs[0].Payload, err)
	}
	var b survey.Answer
	if err := json.Unmarshal(opened(t, recs[1]), &b); err != nil || len(b.Replies) != 1 {
		t.Fatalf("second answer record %s: %v", recs[1].Payload, err)
	}
}

func TestParticipationNeedsTrustedClock(t *testing.T) {
	ctx := context.Background()
	s := newStation(t)
	s.clock = NewClock(s.clock.Location(), calendar.MustParse("2030-01-01"), func() time.Time { return now })
	if _, err := s.Register(ctx, operator, "mt1", person("Иванов Иван", "1980-01-01")); !errors.Is(err, ErrClockUntrusted) {
		t.Errorf("register: %v", err)
	}
	if _, err := s.RecordVote(ctx, operator, "mt1", VoteForm{ProjectID: "p1"}); !errors.Is(err, ErrClockUntrusted) {
		t.Errorf("vote: %v", err)
	}
	if _, err := s.Answer(ctx, operator, "s1", AnswerForm{}); !errors.Is(err, ErrClockUntrusted) {
		t.Errorf("answer: %v", err)
	}
	if _, err := s.CreateMeeting(ctx, operator, MeetingForm{}); !errors.Is(err, ErrClockUntrusted) {
		t.Errorf("create: %v", err)
	}
}
