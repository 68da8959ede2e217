package web

import (
	"net/http"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
	webui "github.com/sbor-project/sbor/web-ui"
)

// inContext gives an endpoint's errors the messages of its context
// ("meeting", "survey"): for a key K the catalogue's "K.<context>" when it
// has one, else K. So a duplicate keeps its one code, "duplicate", yet
// says "already registered at this meeting" rather than "already signed",
// and a resident who is not one of the territory's is told they cannot
// take part rather than sign.
type inContext struct {
	msgs webui.Messages
	name string
}

func (c inContext) T(key string) string {
	if v, ok := c.msgs[key+"."+c.name]; ok {
		return v
	}
	return c.msgs.T(key)
}

// failIn writes err as fail does, with the messages of context name.
func (s *Server) failIn(w http.ResponseWriter, r *http.Request, name string, err error) {
	api.WriteError(w, r, inContext{s.t(r), name}, mapError(err))
}

// shiftIn returns the open shift of the request's browser, or answers
// 401 no_shift itself.
func (s *Server) shiftIn(w http.ResponseWriter, r *http.Request, name string) (station.Shift, bool) {
	shift, err := s.station.Shift(r.Context(), shiftToken(r), clientOf(r).deviceID())
	if err != nil {
		s.failIn(w, r, name, err)
		return station.Shift{}, false
	}
	return shift, true
}

// handleMeetings lists the catalogue's meetings and those called here.
func (s *Server) handleMeetings(w http.ResponseWriter, r *http.Request) {
	list, err := s.station.Meetings(r.Context())
	if err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	api.WriteJSON(w, http.StatusOK, list)
}

// handleCreateMeeting calls a meeting under the shift; 201 after commit.
func (s *Server) handleCreateMeeting(w http.ResponseWriter, r *http.Request) {
	shift, ok := s.shiftIn(w, r, "meeting")
	if !ok {
		return
	}
	var form station.MeetingForm
	if err := api.Decode(w, r, s.cfg.BodyLimit, &form); err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	m, err := s.station.CreateMeeting(r.Context(), shift, form)
	if err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, m)
}

// handleMeetingStatus tells the operator who is registered and the votes.
func (s *Server) handleMeetingStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.shiftIn(w, r, "meeting"); !ok {
		return
	}
	st, err := s.station.MeetingStatus(r.Context(), r.PathValue("id"))
	if err != nil {
		s.failIn(w, r, "meeting", err)
		return
	}
	api.WriteJSON(w, http.StatusOK, st)
}
