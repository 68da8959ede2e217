package web

import (
	"net/http"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

// handleVote records the count on one agenda item; 201 with the meeting's
// status after the commit.
func (s *Server) handleVote(w http.ResponseWriter, r *http.Request) {
	shift, ok := s.shiftIn(w, r, "meeting")
	if !ok {
		return
	}
	var f station.VoteForm
	if err := api.Decode(w, r, s.cfg.BodyLimit, &f); err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	st, err := s.station.RecordVote(r.Context(), shift, r.PathValue("id"), f)
	if err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, st)
}
