package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/score"
)

// Assessment is a project's score by the criteria, from the catalogue's
// project form and the participation the server counted.
type Assessment struct {
	Participants int
	// ShareTenths is the participation share in tenths of a percent.
	ShareTenths int
	Result      score.Result
	Err         string // why it cannot be scored yet (e.g. no cost entered)
}

// Share formats the participation share with one decimal.
func (a Assessment) Share() string {
	return strconv.Itoa(a.ShareTenths/10) + "," + strconv.Itoa(a.ShareTenths%10)
}

func (s *Server) assess(ctx context.Context, c *catalog.Catalog, p *catalog.Project) (Assessment, error) {
	n, err := s.db.Participants(ctx, p.ID)
	if err != nil {
		return Assessment{}, err
	}
	t := c.Territory(p.TerritoryID)
	a := Assessment{Participants: n}
	if t.Residents > 0 {
		a.ShareTenths = n * 1000 / t.Residents
	}
	res, err := score.Score(score.Input{
		Residents: int64(t.Residents), Beneficiaries: int64(p.Beneficiaries), Participants: int64(n),
		Cost: p.Cost * 100, Cofinancing: (p.PaymentsCitizens + p.PaymentsBusiness) * 100,
		NonMonetary: (p.InKindCitizens + p.InKindBusiness) * 100, Labour: p.LabourParticipation, Presentation: p.Presentation,
	}, score.DefaultPassScore)
	if err != nil {
		a.Err = err.Error()
	}
	a.Result = res
	return a, nil
}

type rankingPage struct {
	view
	Budget  string
	Rows    []rankingRow
	Unrated []string
}

type rankingRow struct {
	score.Ranked
	Name string
}

// handleRanking ranks the projects by score and selects passing ones
// within the budget given in roubles (point 32).
func (s *Server) handleRanking(w http.ResponseWriter, r *http.Request, sess *session) {
	c := s.hub.Catalog()
	page := rankingPage{view: s.view(r), Budget: strings.TrimSpace(r.URL.Query().Get("budget"))}
	var budget int64
	if page.Budget != "" {
		b, err := strconv.ParseInt(strings.ReplaceAll(page.Budget, " ", ""), 10, 64)
		if err != nil || b < 0 {
			s.render(w, r, s.pages.office, "ranking", http.StatusUnprocessableEntity, page)
			return
		}
		budget = b * 100
	}
	var cands []score.Candidate
	names := map[string]string{}
	if c != nil {
		for i := range c.Projects {
			p := &c.Projects[i]
			if !sess.User.CanSeeProject(p.ID) {
				continue
			}
			a, err := s.assess(r.Context(), c, p)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if a.Err != "" {
				page.Unrated = append(page.Unrated, p.Name)
				continue
			}
			names[p.ID] = p.Name
			cands = append(cands, score.Candidate{ID: p.ID, Total: a.Result.Total, BudgetFunds: p.BudgetFunds * 100})
		}
	}
	for _, rk := range score.Rank(cands, budget, score.DefaultPassScore) {
		page.Rows = append(page.Rows, rankingRow{Ranked: rk, Name: names[rk.ID]})
	}
	s.render(w, r, s.pages.office, "ranking", http.StatusOK, page)
}
