package meeting

import (
	"errors"
	"testing"

	"github.com/sbor-project/sbor/shared/calendar"
)

func yes(string) bool { return true }

func TestValidate(t *testing.T) {
	good := func() Meeting {
		return Meeting{ID: "mt1", Kind: KindGathering, Date: calendar.MustParse("2026-05-20"), Place: "Дом культуры",
			TerritoryID: "t1", Agenda: []string{"p1", "p2"}, Chair: "Петрова Мария", Secretary: "Сидоров Пётр"}
	}
	m := good()
	if err := m.Validate(yes, yes); err != nil || m.Rule != MajorityPresent {
		t.Fatalf("%v %q", err, m.Rule)
	}
	bad := map[string]func(*Meeting){
		"kind":            func(m *Meeting) { m.Kind = "party" },
		"no date":         func(m *Meeting) { m.Date = calendar.Date{} },
		"no place":        func(m *Meeting) { m.Place = " " },
		"no agenda":       func(m *Meeting) { m.Agenda = nil },
		"repeated item":   func(m *Meeting) { m.Agenda = []string{"p1", "p1"} },
		"chair":           func(m *Meeting) { m.Chair = "Петрова" },
		"rule":            func(m *Meeting) { m.Rule = "loudest" },
		"unknown project": func(m *Meeting) { m.Agenda = []string{"nope"} },
	}
	for name, edit := range bad {
		m := good()
		edit(&m)
		hasProject := func(p string) bool { return p != "nope" }
		if err := m.Validate(yes, hasProject); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestVotes(t *testing.T) {
	if err := (Vote{For: 5, Against: 3, Abstained: 2}).Check(10); err != nil {
		t.Fatal(err)
	}
	if err := (Vote{For: 6, Against: 3, Abstained: 2}).Check(10); !errors.Is(err, ErrVotesOverAll) {
		t.Fatalf("11 votes of 10 present: %v", err)
	}
	if err := (Vote{For: -1}).Check(10); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative: %v", err)
	}
	tests := []struct {
		rule    string
		v       Vote
		present int
		want    bool
	}{
		{MajorityPresent, Vote{For: 6}, 10, true},
		{MajorityPresent, Vote{For: 5, Against: 1}, 10, false}, // half is not a majority
		{MajorityPresent, Vote{For: 5}, 9, true},
		{MajorityPresent, Vote{For: 4, Against: 1, Abstained: 5}, 10, false},
		{MajorityVoting, Vote{For: 4, Against: 1, Abstained: 5}, 10, true},
		{MajorityVoting, Vote{For: 3, Against: 3}, 10, false},
		{"", Vote{For: 6}, 10, true}, // default rule: majority of those present
	}
	for _, tt := range tests {
		if got := Supported(tt.rule, tt.v, tt.present); got != tt.want {
			t.Errorf("%s %+v of %d: %v", tt.rule, tt.v, tt.present, got)
		}
	}
}
