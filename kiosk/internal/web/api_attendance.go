package web

import (
	"net/http"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

// handleRegister registers a resident at a meeting; 201 with the
// meeting's status only after the registration committed. The reply
// tells nothing about the resident.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	shift, ok := s.shiftIn(w, r, "meeting")
	if !ok {
		return
	}
	var p station.Person
	if err := api.Decode(w, r, s.cfg.BodyLimit, &p); err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	st, err := s.station.Register(r.Context(), shift, r.PathValue("id"), p)
	if err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, st)
}
