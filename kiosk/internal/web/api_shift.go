package web

import (
	"net/http"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/kiosk/internal/uplink"
	"github.com/sbor-project/sbor/shared/api"
)

// ShiftCookie holds the secret token of a browser's open shift.
const ShiftCookie = "sbor_shift"

func shiftToken(r *http.Request) string {
	if c, err := r.Cookie(ShiftCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) handleOpenShift(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN         string `json:"pin"`
		CollectorID string `json:"collector_id"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	token, shift, err := s.station.OpenShift(r.Context(), req.PIN, req.CollectorID, shiftToken(r), clientOf(r).deviceID())
	if err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: ShiftCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil,
	})
	api.WriteJSON(w, http.StatusOK, shift)
}

func (s *Server) handleCloseShift(w http.ResponseWriter, r *http.Request) {
	if err := s.station.CloseShift(r.Context(), shiftToken(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ShiftCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	w.WriteHeader(http.StatusNoContent)
}

type clockView struct {
	Now       time.Time `json:"now"`
	Date      string    `json:"date"`
	Trusted   bool      `json:"trusted"`
	Source    string    `json:"source"`
	BuildDate string    `json:"build_date"`
}

func (s *Server) clockView() clockView {
	c := s.station.Clock()
	now, source := c.Now()
	return clockView{Now: now.Truncate(time.Second), Date: c.Today().String(), Trusted: c.Trusted(),
		Source: source, BuildDate: c.BuildDate().String()}
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	var shift *station.Shift
	if sh, err := s.station.Shift(r.Context(), shiftToken(r), clientOf(r).deviceID()); err == nil {
		shift = &sh
	}
	version := 0
	if c := s.station.Catalog(); c != nil {
		version = c.Version
	}
	var sync *uplink.Status
	if s.cfg.Sync != nil {
		st, err := s.cfg.Sync.Status(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sync = &st
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{
		"device":          clientOf(r).device, // null on the kiosk's own screen
		"shift":           shift,
		"clock":           s.clockView(),
		"catalog_version": version,
		"collectors":      s.station.Collectors(),
		"sync":            sync,
	})
}

// handleClock lets the operator set or confirm the date with the PIN.
func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN     string `json:"pin"`
		Now     string `json:"now"`
		Confirm bool   `json:"confirm"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.station.CheckPIN(req.PIN) {
		s.fail(w, r, mapError(station.ErrWrongPIN))
		return
	}
	c := s.station.Clock()
	switch {
	case req.Confirm:
		c.Confirm()
	default:
		t, err := time.ParseInLocation("2006-01-02T15:04", req.Now, c.Location())
		if err != nil {
			s.fail(w, r, api.Errorf(http.StatusUnprocessableEntity, "bad_clock", "%v", err))
			return
		}
		c.Set(t)
	}
	api.WriteJSON(w, http.StatusOK, s.clockView())
}
