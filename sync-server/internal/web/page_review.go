package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

type reviewPage struct {
	view
	Project *catalog.Project
	Pairs   []sqlite.NearPair
}

// handleReview lists a project's near-duplicate pairs for an office admin.
// It shows names and birth dates, so every view is audited.
func (s *Server) handleReview(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	pairs, err := s.db.OpenNearPairs(r.Context(), p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, sess.User.Username, "view.near_pairs", "project:"+p.ID, "")
	s.render(w, r, s.pages.office, "review", http.StatusOK, reviewPage{view: s.view(r), Project: p, Pairs: pairs})
}

// handleDecide records "one person" or "two people" for a pair.
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request, sess *session) {
	_, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("pair"), 10, 64)
	decision := r.PostFormValue("decision")
	if err != nil || (decision != "same" && decision != "distinct") {
		s.fail(w, r, api.Invalid(map[string]string{"decision": "required"}))
		return
	}
	project, err := s.db.DecideNearPair(r.Context(), id, decision == "same", sess.User.Username)
	if errors.Is(err, sqlite.ErrPairDecided) || (err == nil && project != p.ID) {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, sess.User.Username, "near_pair."+decision, "project:"+p.ID, "pair "+strconv.FormatInt(id, 10))
	s.live.kick([]string{p.ID})
	http.Redirect(w, r, "/office/projects/"+p.ID+"/review", http.StatusSeeOther)
}
