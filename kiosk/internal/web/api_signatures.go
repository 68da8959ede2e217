package web

import (
	"net/http"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/signature"
)

// handleSign stores a resident's signature; 201 only after it committed.
func (s *Server) handleSign(w http.ResponseWriter, r *http.Request) {
	shift, err := s.station.Shift(r.Context(), shiftToken(r), clientOf(r).deviceID())
	if err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	var form signature.Form
	if err := api.Decode(w, r, s.cfg.BodyLimit, &form); err != nil {
		s.fail(w, r, err)
		return
	}
	receipt, err := s.station.Sign(r.Context(), shift, r.PathValue("id"), form)
	if err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	api.WriteJSON(w, http.StatusCreated, receipt)
}
