package web

import (
	"errors"
	"net/http"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/score"
)

type scoreRequest struct {
	Residents     *int64   `json:"residents"`
	Beneficiaries *int64   `json:"beneficiaries"`
	Participants  *int64   `json:"participants"`
	Cost          *float64 `json:"cost"`
	Cofinancing   *float64 `json:"cofinancing"`
	NonMonetary   *float64 `json:"non_monetary"`
	Labour        *bool    `json:"labour"`
	Presentation  *bool    `json:"presentation"`
}

// handleScore computes the criteria score of Приложение 2 from the
// commission's inputs (counts, roubles, booleans). Every input is
// required; a missing or negative one is a 422 naming it.
func (s *Server) handleScore(w http.ResponseWriter, r *http.Request) {
	var req scoreRequest
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	count := func(name string, v *int64) int64 {
		switch {
		case v == nil:
			fields[name] = "required"
		case *v < 0:
			fields[name] = "negative"
		default:
			return *v
		}
		return 0
	}
	money := func(name string, v *float64) int64 {
		if v == nil {
			fields[name] = "required"
			return 0
		}
		k, err := score.Kopecks(*v)
		switch {
		case err != nil:
			fields[name] = "bad_number"
		case k < 0:
			fields[name] = "negative"
		}
		return k
	}
	flag := func(name string, v *bool) bool {
		if v == nil {
			fields[name] = "required"
			return false
		}
		return *v
	}
	in := score.Input{
		Residents: count("residents", req.Residents), Beneficiaries: count("beneficiaries", req.Beneficiaries),
		Participants: count("participants", req.Participants), Cost: money("cost", req.Cost),
		Cofinancing: money("cofinancing", req.Cofinancing), NonMonetary: money("non_monetary", req.NonMonetary),
		Labour: flag("labour", req.Labour), Presentation: flag("presentation", req.Presentation),
	}
	if len(fields) > 0 {
		s.fail(w, r, api.Invalid(fields))
		return
	}
	res, err := score.Score(in, score.DefaultPassScore)
	var ie *score.InputError
	if errors.As(err, &ie) {
		s.fail(w, r, api.Invalid(map[string]string{ie.Field: "not_positive"}))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, res)
}
