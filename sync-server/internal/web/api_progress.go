package web

import (
	"net/http"

	"github.com/sbor-project/sbor/shared/api"
)

// handleProgress reports a project's counted signatures toward its
// threshold, and each kiosk's contact and unsent records, so an offline
// kiosk does not make progress look smaller than it is. No personal data.
func (s *Server) handleProgress(w http.ResponseWriter, r *http.Request) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	if c == nil || c.Project(id) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	prog, err := s.progress(r.Context(), c, c.Project(id))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, prog)
}

// handleDuplicates lists uncounted repeat signatures: personal data, so
// every view is audited.
func (s *Server) handleDuplicates(w http.ResponseWriter, r *http.Request) {
	dups, err := s.db.Duplicates(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, actor(r), "view.duplicates", "project:"+r.PathValue("id"), "")
	api.WriteJSON(w, http.StatusOK, dups)
}
