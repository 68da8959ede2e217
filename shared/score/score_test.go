package score

import (
	"errors"
	"testing"
)

// base gives every criterion its lowest band but the one under test.
func base() Input {
	return Input{Residents: 1000, Beneficiaries: 1, Participants: 0, Cost: 100_000_00, Cofinancing: 0, NonMonetary: 0}
}

func TestCriteriaEdges(t *testing.T) {
	tests := []struct {
		name      string
		criterion string
		edit      func(*Input)
		want      int
	}{
		// 1.1 beneficiaries / residents
		{"no beneficiaries", Beneficiaries, func(in *Input) { in.Beneficiaries = 0 }, 0},
		{"one beneficiary", Beneficiaries, func(in *Input) { in.Beneficiaries = 1 }, 15},
		{"49.9 % beneficiaries", Beneficiaries, func(in *Input) { in.Beneficiaries = 499 }, 15},
		{"exactly 50 % beneficiaries", Beneficiaries, func(in *Input) { in.Beneficiaries = 500 }, 20},
		{"all beneficiaries", Beneficiaries, func(in *Input) { in.Beneficiaries = 1000 }, 20},
		// 1.2 participants / residents
		{"no participants", Participation, func(in *Input) { in.Participants = 0 }, 5},
		{"9.9 % participants", Participation, func(in *Input) { in.Participants = 99 }, 5},
		{"exactly 10 %", Participation, func(in *Input) { in.Participants = 100 }, 10},
		{"19.9 %", Participation, func(in *Input) { in.Participants = 199 }, 10},
		{"exactly 20 %", Participation, func(in *Input) { in.Participants = 200 }, 15},
		{"29.9 %", Participation, func(in *Input) { in.Participants = 299 }, 15},
		{"exactly 30 %", Participation, func(in *Input) { in.Participants = 300 }, 20},
		{"39.9 %", Participation, func(in *Input) { in.Participants = 399 }, 20},
		{"exactly 40 %", Participation, func(in *Input) { in.Participants = 400 }, 25},
		{"49.9 %", Participation, func(in *Input) { in.Participants = 499 }, 25},
		{"exactly 50 %", Participation, func(in *Input) { in.Participants = 500 }, 30},
		{"everyone", Participation, func(in *Input) { in.Participants = 1000 }, 30},
		{"1001 residents, 100 took part: 9.99 %", Participation, func(in *Input) { in.Residents, in.Participants = 1001, 100 }, 5},
		// 2.1 co-financing / cost
		{"no co-financing", Cofinancing, func(in *Input) { in.Cofinancing = 0 }, 15},
		{"2.99999 % co-financing", Cofinancing, func(in *Input) { in.Cofinancing = 2_999_99 }, 15},
		{"exactly 3 % co-financing", Cofinancing, func(in *Input) { in.Cofinancing = 3_000_00 }, 20},
		{"half co-financed", Cofinancing, func(in *Input) { in.Cofinancing = 50_000_00 }, 20},
		// 2.2 non-monetary / cost
		{"no non-monetary contribution", NonMonetary, func(in *Input) { in.NonMonetary = 0 }, 0},
		{"one kopeck", NonMonetary, func(in *Input) { in.NonMonetary = 1 }, 5},
		{"4.99 %", NonMonetary, func(in *Input) { in.NonMonetary = 4_999_99 }, 5},
		{"exactly 5 %", NonMonetary, func(in *Input) { in.NonMonetary = 5_000_00 }, 10},
		{"more than 5 %", NonMonetary, func(in *Input) { in.NonMonetary = 20_000_00 }, 10},
		// 2.3, 2.5
		{"no labour", Labour, func(in *Input) { in.Labour = false }, 0},
		{"labour", Labour, func(in *Input) { in.Labour = true }, 5},
		{"no presentation", Presentation, func(in *Input) { in.Presentation = false }, 0},
		{"presentation", Presentation, func(in *Input) { in.Presentation = true }, 5},
		// 2.4 cost per beneficiary (cost 100 000 roubles)
		{"cost per head 499.99", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 499_99, 1 }, 10},
		{"cost per head exactly 500", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 500_00, 1 }, 9},
		{"cost per head 1999.99", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 1999_99, 1 }, 9},
		{"cost per head exactly 2000", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 100_000_00, 50 }, 8},
		{"cost per head 2499.99", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 2499_99, 1 }, 8},
		{"cost per head exactly 2500", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 100_000_00, 40 }, 7},
		{"cost per head 2999.99", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 2999_99, 1 }, 7},
		{"cost per head exactly 3000", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 3000_00, 1 }, 6},
		{"cost per head 3499.99", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 3499_99, 1 }, 6},
		{"cost per head exactly 3500", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 3500_00, 1 }, 5},
		{"cost per head huge", CostPerHead, func(in *Input) { in.Cost, in.Beneficiaries = 100_000_00, 1 }, 5},
		{"cost per head without beneficiaries", CostPerHead, func(in *Input) { in.Beneficiaries = 0 }, 5},
		{"100 000 roubles for 300 people: 333.33", CostPerHead, func(in *Input) { in.Beneficiaries = 300 }, 10},
	}
	for _, tt := range tests {
		in := base()
		tt.edit(&in)
		got, err := Score(in, DefaultPassScore)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got.Criteria[tt.criterion] != tt.want {
			t.Errorf("%s: %s = %d, want %d", tt.name, tt.criterion, got.Criteria[tt.criterion], tt.want)
		}
	}
}

func TestTotalAndPass(t *testing.T) {
	best := Input{Residents: 1000, Beneficiaries: 1000, Participants: 600, Cost: 100_000_00, Cofinancing: 10_000_00, NonMonetary: 10_000_00, Labour: true, Presentation: true}
	got, _ := Score(best, DefaultPassScore)
	if got.Total != 100 || !got.Passed || len(got.Criteria) != 7 {
		t.Fatalf("best project: %+v", got)
	}
	// 15 + 5 + 15 + 0 + 0 + 5 + 0 = 40: does not pass.
	low, _ := Score(base(), DefaultPassScore)
	if low.Total != 40 || low.Passed {
		t.Fatalf("weak project: %+v", low)
	}
	// Exactly 50 passes (point 31: "50 и более").
	fifty := base()
	fifty.Participants, fifty.Labour = 100, true // 10 %: +5, and +5
	if got, _ := Score(fifty, DefaultPassScore); got.Total != 50 || !got.Passed {
		t.Fatalf("50 points: %+v", got)
	}
	fifty.Labour = false
	if got, _ := Score(fifty, DefaultPassScore); got.Total != 45 || got.Passed {
		t.Fatalf("45 points: %+v", got)
	}
}

func TestScoreRefuses(t *testing.T) {
	tests := map[string]func(*Input){
		"residents":     func(in *Input) { in.Residents = 0 },
		"beneficiaries": func(in *Input) { in.Beneficiaries = -1 },
		"participants":  func(in *Input) { in.Participants = -1 },
		"cost":          func(in *Input) { in.Cost = 0 },
		"cofinancing":   func(in *Input) { in.Cofinancing = -1 },
		"non_monetary":  func(in *Input) { in.NonMonetary = -5 },
	}
	for field, edit := range tests {
		in := base()
		edit(&in)
		_, err := Score(in, DefaultPassScore)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != field || !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v", field, err)
		}
	}
}

func TestRank(t *testing.T) {
	cands := []Candidate{
		{ID: "a", Total: 70, BudgetFunds: 400},
		{ID: "b", Total: 90, BudgetFunds: 300},
		{ID: "c", Total: 70, BudgetFunds: 200}, // ties with a; a goes first by id
		{ID: "d", Total: 40, BudgetFunds: 10},  // does not pass
		{ID: "e", Total: 55, BudgetFunds: 50},
	}
	got := Rank(cands, 800, DefaultPassScore)
	want := []struct {
		id            string
		place         int
		passed, chose bool
	}{
		{"b", 1, true, true},   // 300, left 500
		{"a", 2, true, true},   // 400, left 100
		{"c", 3, true, false},  // 200 does not fit: the budget stops here
		{"e", 4, true, false},  // would fit, but may not overtake c
		{"d", 5, false, false}, // below 50
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.Place != w.place || g.Passed != w.passed || g.Selected != w.chose {
			t.Errorf("place %d: %+v, want %+v", i+1, g, w)
		}
	}
	// No budget limit: every passing project is selected.
	for _, r := range Rank(cands, 0, DefaultPassScore) {
		if r.Selected != r.Passed {
			t.Errorf("unlimited budget: %+v", r)
		}
	}
}

func TestKopecks(t *testing.T) {
	for in, want := range map[float64]int64{0: 0, 1: 100, 12.34: 1234, 0.1: 10, 1e9: 1e11} {
		if got, err := Kopecks(in); err != nil || got != want {
			t.Errorf("Kopecks(%v) = %d, %v", in, got, err)
		}
	}
	if _, err := Kopecks(1.234); !errors.Is(err, ErrInput) {
		t.Errorf("three decimals accepted: %v", err)
	}
}
