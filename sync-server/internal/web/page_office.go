package web

import (
	"net/http"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/catalog"
)

type projectRow struct {
	ID, Name, Territory string
	Progress            PublicProgress
}

type projectsPage struct {
	view
	Projects []projectRow
}

// handleProjects lists the projects the user may see with their progress.
func (s *Server) handleProjects(w http.ResponseWriter, r *http.Request, sess *session) {
	page := projectsPage{view: s.view(r)}
	if c := s.hub.Catalog(); c != nil {
		for i := range c.Projects {
			p := &c.Projects[i]
			if !sess.User.CanSeeProject(p.ID) {
				continue
			}
			prog, _, err := s.publicProgress(r.Context(), c, p)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			page.Projects = append(page.Projects, projectRow{ID: p.ID, Name: p.Name, Territory: c.Territory(p.TerritoryID).Name, Progress: prog})
		}
	}
	s.render(w, r, s.pages.office, "projects", http.StatusOK, page)
}

type projectPage struct {
	view
	Project    *catalog.Project
	Territory  *catalog.Territory
	Progress   Progress
	CanExport  bool
	Assessment Assessment
}

// projectFor resolves {id} for a user: 404 unknown, 403 not theirs.
func (s *Server) projectFor(w http.ResponseWriter, r *http.Request) (*catalog.Catalog, *catalog.Project, bool) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	if c == nil || c.Project(id) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return nil, nil, false
	}
	ok, err := s.authorized(r, id)
	if err == errUnauthenticated {
		s.fail(w, r, &api.Error{Status: http.StatusUnauthorized, Code: "unauthorized"})
		return nil, nil, false
	}
	if !ok {
		s.forbidden(w, r)
		return nil, nil, false
	}
	return c, c.Project(id), true
}

func (s *Server) handleProject(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	prog, err := s.progress(r.Context(), c, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.assess(r.Context(), c, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.pages.office, "project", http.StatusOK, projectPage{view: s.view(r), Project: p,
		Territory: c.Territory(p.TerritoryID), Progress: prog, CanExport: sess.User.CanExportPersonalData(), Assessment: a})
}

// handleLive is the live progress page for the group and a meeting screen.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request, sess *session) {
	c, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	prog, err := s.progress(r.Context(), c, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.pages.office, "live", http.StatusOK, projectPage{view: s.view(r), Project: p, Territory: c.Territory(p.TerritoryID), Progress: prog})
}

func (s *Server) handleLiveSocket(w http.ResponseWriter, r *http.Request) {
	if _, p, ok := s.projectFor(w, r); ok {
		s.live.serve(w, r, p.ID, true)
	}
}
