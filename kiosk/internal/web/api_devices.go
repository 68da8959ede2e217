package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

// operator lets through the kiosk's own screen and a tablet with an open
// shift: the people who may manage tablets.
func (s *Server) operator(w http.ResponseWriter, r *http.Request) bool {
	c := clientOf(r)
	if c.kiosk {
		return true
	}
	if _, err := s.station.Shift(r.Context(), shiftToken(r), c.deviceID()); err != nil {
		s.fail(w, r, mapError(err))
		return false
	}
	return true
}

type deviceView struct {
	station.Device
	// This is the asking tablet itself.
	This bool `json:"this"`
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	if !s.operator(w, r) {
		return
	}
	list, err := s.station.Devices(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]deviceView, 0, len(list))
	for _, d := range list {
		out = append(out, deviceView{Device: d, This: d.ID == clientOf(r).deviceID()})
	}
	api.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) handleUnpair(w http.ResponseWriter, r *http.Request) {
	if !s.operator(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	if err := s.station.Unpair(r.Context(), id); err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pairErrors maps the pairing errors; mapError calls it.
func pairErrors(err error) error {
	switch {
	case errors.Is(err, station.ErrPairCode):
		return &api.Error{Status: http.StatusUnauthorized, Code: "pair_code", Err: err}
	case errors.Is(err, station.ErrNoDevice):
		return &api.Error{Status: http.StatusNotFound, Code: "unknown_device", Err: err}
	}
	return nil
}
