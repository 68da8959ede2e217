package web

import (
	"net/http"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

// handleSurveys lists the catalogue's surveys with their questions.
func (s *Server) handleSurveys(w http.ResponseWriter, r *http.Request) {
	list, err := s.station.Surveys(r.Context())
	if err != nil {
		s.failIn(w, r, "survey", err)
		return
	}
	api.WriteJSON(w, http.StatusOK, list)
}

// handleAnswer stores a resident's answers; 201 only after the commit.
func (s *Server) handleAnswer(w http.ResponseWriter, r *http.Request) {
	shift, ok := s.shiftIn(w, r, "survey")
	if !ok {
		return
	}
	var f station.AnswerForm
	if err := api.Decode(w, r, s.cfg.BodyLimit, &f); err != nil {
		s.failIn(w, r, "survey", err)
		return
	}
	rc, err := s.station.Answer(r.Context(), shift, r.PathValue("id"), f)
	if err != nil {
		s.failIn(w, r, "survey", err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, rc)
}
