package score

import (
	"errors"
	"fmt"
	"sort"
)

// DefaultPassScore is the total a project needs to pass (point 31).
const DefaultPassScore = 50

// ErrInput is wrapped by every refused input; Field names the input.
var ErrInput = errors.New("score: bad input")

// InputError names the input that was refused.
type InputError struct {
	Field, Reason string
}

func (e *InputError) Error() string { return "score: " + e.Field + ": " + e.Reason }
func (e *InputError) Unwrap() error { return ErrInput }

// Input is what the commission enters. Money is in kopecks so shares of
// amounts with kopecks stay exact.
type Input struct {
	Residents     int64 // of the territory
	Beneficiaries int64 // direct beneficiaries
	Participants  int64 // distinct residents who took part (meetings, surveys, signatures)
	Cost          int64 // project cost, kopecks
	Cofinancing   int64 // residents', businesses' and other non-budget money, kopecks
	NonMonetary   int64 // non-monetary contribution valued in kopecks
	Labour        bool  // residents take part in the work
	Presentation  bool  // presentation materials attached
}

// Criteria keys, as the regulation numbers them.
const (
	Beneficiaries = "1.1"
	Participation = "1.2"
	Cofinancing   = "2.1"
	NonMonetary   = "2.2"
	Labour        = "2.3"
	CostPerHead   = "2.4"
	Presentation  = "2.5"
)

// Result is a project's score.
type Result struct {
	Criteria map[string]int `json:"criteria"`
	Total    int            `json:"total"`
	Passed   bool           `json:"passed"`
}

// band is a lower edge as a fraction num/den and the points from there up.
type band struct {
	num, den int64
	points   int
}

// pick returns the points of the highest band whose lower edge value/total
// reaches: value/total ≥ num/den ⇔ value·den ≥ total·num.
func pick(value, total int64, bands []band) int {
	points := 0
	for _, b := range bands {
		if value*b.den >= total*b.num {
			points = b.points
		}
	}
	return points
}

var (
	beneficiaryBands = []band{{0, 1, 15}, {50, 100, 20}}
	participantBands = []band{{0, 1, 5}, {10, 100, 10}, {20, 100, 15}, {30, 100, 20}, {40, 100, 25}, {50, 100, 30}}
	cofinancingBands = []band{{0, 1, 15}, {3, 100, 20}}
	nonMonetaryBands = []band{{0, 1, 5}, {5, 100, 10}}
	// Cost per beneficiary in roubles: lower cost earns more.
	costBands = []struct {
		from   int64 // roubles, inclusive
		points int
	}{{0, 10}, {500, 9}, {2000, 8}, {2500, 7}, {3000, 6}, {3500, 5}}
)

// Score computes every criterion and the total.
func Score(in Input, passScore int) (Result, error) {
	switch {
	case in.Residents <= 0:
		return Result{}, &InputError{"residents", "must be positive"}
	case in.Beneficiaries < 0:
		return Result{}, &InputError{"beneficiaries", "must not be negative"}
	case in.Participants < 0:
		return Result{}, &InputError{"participants", "must not be negative"}
	case in.Cost <= 0:
		return Result{}, &InputError{"cost", "must be positive"}
	case in.Cofinancing < 0:
		return Result{}, &InputError{"cofinancing", "must not be negative"}
	case in.NonMonetary < 0:
		return Result{}, &InputError{"non_monetary", "must not be negative"}
	}
	c := map[string]int{}
	// 1.1: no beneficiaries, no points.
	if in.Beneficiaries > 0 {
		c[Beneficiaries] = pick(in.Beneficiaries, in.Residents, beneficiaryBands)
	} else {
		c[Beneficiaries] = 0
	}
	c[Participation] = pick(in.Participants, in.Residents, participantBands)
	c[Cofinancing] = pick(in.Cofinancing, in.Cost, cofinancingBands)
	// 2.2: 0 % earns nothing; any contribution earns at least 5.
	if in.NonMonetary > 0 {
		c[NonMonetary] = pick(in.NonMonetary, in.Cost, nonMonetaryBands)
	} else {
		c[NonMonetary] = 0
	}
	c[Labour] = boolPoints(in.Labour, 5)
	c[CostPerHead] = costPoints(in.Cost, in.Beneficiaries)
	c[Presentation] = boolPoints(in.Presentation, 5)
	total := 0
	for _, p := range c {
		total += p
	}
	return Result{Criteria: c, Total: total, Passed: total >= passScore}, nil
}

// costPoints scores cost per direct beneficiary. Without beneficiaries the
// cost per head is unbounded: the lowest band.
func costPoints(costKopecks, beneficiaries int64) int {
	if beneficiaries <= 0 {
		return costBands[len(costBands)-1].points
	}
	points := 0
	for _, b := range costBands {
		// cost/beneficiaries ≥ from roubles ⇔ cost ≥ from·100·beneficiaries
		if costKopecks >= b.from*100*beneficiaries {
			points = b.points
		}
	}
	return points
}

func boolPoints(b bool, points int) int {
	if b {
		return points
	}
	return 0
}

// Candidate is a scored project asking the budget for money.
type Candidate struct {
	ID          string `json:"id"`
	Total       int    `json:"total"`
	BudgetFunds int64  `json:"budget_funds"` // kopecks asked of the budget
}

// Ranked is a candidate's place in the selection.
type Ranked struct {
	Candidate
	Place    int  `json:"place"`
	Passed   bool `json:"passed"`   // 50 points or more
	Selected bool `json:"selected"` // passed and within the budget
}

// Rank orders projects by score (ties by id, so the order is stable) and
// selects passing ones while the budget lasts (point 32). It stops at the
// first passing project the remaining budget cannot pay for: a lower score
// never overtakes a higher one. A budget of 0 or less means no limit.
func Rank(cands []Candidate, budget int64, passScore int) []Ranked {
	out := make([]Ranked, len(cands))
	for i, c := range cands {
		out[i] = Ranked{Candidate: c, Passed: c.Total >= passScore}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].ID < out[j].ID
	})
	left, open := budget, true
	for i := range out {
		out[i].Place = i + 1
		if !out[i].Passed || !open {
			continue
		}
		if budget > 0 && out[i].BudgetFunds > left {
			open = false
			continue
		}
		out[i].Selected = true
		left -= out[i].BudgetFunds
	}
	return out
}

// Kopecks converts roubles given with at most two decimals.
func Kopecks(roubles float64) (int64, error) {
	k := roubles * 100
	r := int64(k + 0.5)
	if roubles < 0 {
		r = int64(k - 0.5)
	}
	if d := k - float64(r); d > 1e-6 || d < -1e-6 {
		return 0, fmt.Errorf("%w: %v roubles has more than two decimals", ErrInput, roubles)
	}
	return r, nil
}
