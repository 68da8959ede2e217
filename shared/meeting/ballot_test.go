package meeting

import (
	"errors"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

func TestVoteModeValidate(t *testing.T) {
	for mode, ok := range map[string]bool{"": true, VoteCounts: true, VoteBallots: true, "show_of_hands": false} {
		m := Meeting{ID: "mt1", Kind: KindGathering, Date: calendar.MustParse("2026-05-20"), Place: "Клуб",
			TerritoryID: "t1", Agenda: []string{"p1"}, Chair: "Петрова Мария", Secretary: "Сидоров Пётр", VoteMode: mode}
		err := m.Validate(yes, yes)
		if ok != (err == nil) || (!ok && !errors.Is(err, ErrInvalid)) {
			t.Errorf("mode %q: %v", mode, err)
		}
		if m.Ballots() != (mode == VoteBallots) {
			t.Errorf("mode %q: Ballots() = %v", mode, m.Ballots())
		}
	}
}

func TestTallyBallots(t *testing.T) {
	t0 := time.Date(2026, 5, 20, 18, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	b := func(project, who, choice string, min int) Ballot {
		return Ballot{MeetingID: "mt1", ProjectID: project, IdentityKey: citizen.Key(who), Choice: choice, CastAt: at(min)}
	}
	tests := []struct {
		name    string
		ballots []Ballot
		want    map[string]Vote
	}{
		{"none", nil, map[string]Vote{}},
		{"one each", []Ballot{b("p1", "a", ChoiceFor, 1), b("p1", "b", ChoiceAgainst, 2), b("p1", "c", ChoiceAbstain, 3)},
			map[string]Vote{"p1": {MeetingID: "mt1", ProjectID: "p1", For: 1, Against: 1, Abstained: 1, RecordedAt: at(3)}}},
		{"changed vote counts once, latest wins", []Ballot{b("p1", "a", ChoiceFor, 1), b("p1", "a", ChoiceAgainst, 5)},
			map[string]Vote{"p1": {MeetingID: "mt1", ProjectID: "p1", Against: 1, RecordedAt: at(5)}}},
		{"latest by time, whatever the order", []Ballot{b("p1", "a", ChoiceAgainst, 5), b("p1", "a", ChoiceFor, 1)},
			map[string]Vote{"p1": {MeetingID: "mt1", ProjectID: "p1", Against: 1, RecordedAt: at(5)}}},
		{"same time: the later in order", []Ballot{b("p1", "a", ChoiceFor, 1), b("p1", "a", ChoiceAbstain, 1)},
			map[string]Vote{"p1": {MeetingID: "mt1", ProjectID: "p1", Abstained: 1, RecordedAt: at(1)}}},
		{"items apart", []Ballot{b("p1", "a", ChoiceFor, 1), b("p2", "a", ChoiceAgainst, 2), b("p2", "b", ChoiceAgainst, 3)},
			map[string]Vote{
				"p1": {MeetingID: "mt1", ProjectID: "p1", For: 1, RecordedAt: at(1)},
				"p2": {MeetingID: "mt1", ProjectID: "p2", Against: 2, RecordedAt: at(3)},
			}},
		{"other meeting and bad choice ignored", []Ballot{b("p1", "a", "maybe", 1), {MeetingID: "mt2", ProjectID: "p1", IdentityKey: "b", Choice: ChoiceFor, CastAt: at(2)}},
			map[string]Vote{}},
	}
	for _, tt := range tests {
		got := TallyBallots("mt1", tt.ballots)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for p, w := range tt.want {
			if g := got[p]; g != w {
				t.Errorf("%s: %s = %+v, want %+v", tt.name, p, g, w)
			}
		}
	}
}
