package web

import (
	"net/http"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

// handleBallot records a registered resident's vote on one agenda item at
// a meeting voted by ballots; 201 with the meeting's status after the
// commit. The reply tells nothing about the resident.
func (s *Server) handleBallot(w http.ResponseWriter, r *http.Request) {
	shift, ok := s.shiftIn(w, r, "meeting")
	if !ok {
		return
	}
	var f station.BallotForm
	if err := api.Decode(w, r, s.cfg.BodyLimit, &f); err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	st, err := s.station.CastBallot(r.Context(), shift, r.PathValue("id"), f)
	if err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, st)
}
