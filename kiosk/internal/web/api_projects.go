package web

import (
	"errors"
	"net/http"

	"github.com/skip2/go-qrcode"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

func (s *Server) handleProjects(w http.ResponseWriter, r *http.Request) {
	projects, err := s.station.Projects(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, projects)
}

func (s *Server) handleProgress(w http.ResponseWriter, r *http.Request) {
	p, err := s.station.Progress(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	api.WriteJSON(w, http.StatusOK, p)
}

// handleQR draws the QR code of the project's page for the thank-you screen.
func (s *Server) handleQR(w http.ResponseWriter, r *http.Request) {
	c := s.station.Catalog()
	if c == nil || c.Project(r.PathValue("id")) == nil || c.Project(r.PathValue("id")).PageURL == "" {
		s.fail(w, r, mapError(station.ErrNotFound))
		return
	}
	s.writeQR(w, r, c.Project(r.PathValue("id")).PageURL, "no-cache")
}

// handleReceiptQR draws a signature's receipt QR code: the project's page
// with the receipt code. Only who holds the code (the resident, on the
// thank-you screen) can ask for it, and it is never stored or cached.
func (s *Server) handleReceiptQR(w http.ResponseWriter, r *http.Request) {
	u, ok := s.station.ReceiptURL(r.PathValue("id"), r.PathValue("receipt"))
	if !ok {
		s.fail(w, r, mapError(station.ErrNotFound))
		return
	}
	s.writeQR(w, r, u, "no-store")
}

func (s *Server) writeQR(w http.ResponseWriter, r *http.Request, content, cache string) {
	png, err := qrcode.Encode(content, qrcode.Medium, 320)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", cache)
	w.Write(png)
}

// mapError turns station errors into API errors.
func mapError(err error) error {
	if e := pairErrors(err); e != nil {
		return e
	}
	var invalid *station.InvalidError
	switch {
	case errors.As(err, &invalid):
		fields := map[string]string{}
		for f, code := range invalid.Problems {
			fields[f] = string(code)
		}
		return api.Invalid(fields)
	case errors.Is(err, station.ErrDuplicate), errors.Is(err, station.ErrAlreadyRegistered), errors.Is(err, station.ErrAlreadyAnswered):
		// One code for "this citizen did this once already"; the message
		// names what (see inContext).
		return &api.Error{Status: http.StatusConflict, Code: "duplicate", Err: err}
	case errors.Is(err, station.ErrNotFound), errors.Is(err, station.ErrNoMeeting), errors.Is(err, station.ErrNoSurvey):
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Err: err}
	case errors.Is(err, station.ErrNotRegistered):
		return &api.Error{Status: http.StatusForbidden, Code: "not_registered", Err: err}
	case errors.Is(err, station.ErrNoShift):
		return &api.Error{Status: http.StatusUnauthorized, Code: "no_shift", Err: err}
	case errors.Is(err, station.ErrWrongPIN):
		return &api.Error{Status: http.StatusUnauthorized, Code: "wrong_pin", Err: err}
	case errors.Is(err, station.ErrUnknownCollector):
		return &api.Error{Status: http.StatusUnprocessableEntity, Code: "unknown_collector", Err: err}
	case errors.Is(err, station.ErrNotCollector):
		return &api.Error{Status: http.StatusForbidden, Code: "not_collector", Err: err}
	case errors.Is(err, station.ErrClockUntrusted):
		return &api.Error{Status: http.StatusConflict, Code: "clock_untrusted", Err: err}
	case errors.Is(err, station.ErrNoCatalog):
		return &api.Error{Status: http.StatusServiceUnavailable, Code: "no_catalog", Err: err}
	case errors.Is(err, station.ErrNoOfficeKey):
		return &api.Error{Status: http.StatusServiceUnavailable, Code: "no_office_key", Err: err}
	}
	return err
}
