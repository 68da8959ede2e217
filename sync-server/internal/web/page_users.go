package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

type usersPage struct {
	view
	Users    []sqlite.User
	Projects []projectRow
	Form     sqlite.User
	Errors   formErrors
}

func (p usersPage) FieldError(name string) string { return p.Errors[name] }
func (p usersPage) IsNew() bool                   { return true }

func (s *Server) handleUsersPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderUsers(w, r, http.StatusOK, usersPage{view: s.view(r), Errors: formErrors{}})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, page usersPage) {
	users, err := s.db.Users(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Users = users
	if c := s.hub.Catalog(); c != nil {
		for _, p := range c.Projects {
			page.Projects = append(page.Projects, projectRow{ID: p.ID, Name: p.Name})
		}
	}
	s.render(w, r, s.pages.office, "users", status, page)
}

// handleAddUser creates an office user; the store refuses bad names,
// roles and short passwords, and the form shows why with values kept.
func (s *Server) handleAddUser(w http.ResponseWriter, r *http.Request, sess *session) {
	u := sqlite.User{Username: strings.TrimSpace(r.PostFormValue("username")), FullName: strings.TrimSpace(r.PostFormValue("full_name")),
		Role: r.PostFormValue("role")}
	if u.Role == sqlite.RoleGroup {
		u.ProjectID = r.PostFormValue("project_id")
	}
	errs := formErrors{}
	if c := s.hub.Catalog(); u.Role == sqlite.RoleGroup && (c == nil || c.Project(u.ProjectID) == nil) {
		errs.add("project_id", s.t(r).T("users.project_required"))
	}
	if len(errs) == 0 {
		created, err := s.db.AddUser(r.Context(), u, r.PostFormValue("password"))
		switch {
		case errors.Is(err, sqlite.ErrUserExists):
			errs.add("username", s.t(r).T("users.taken"))
		case errors.Is(err, sqlite.ErrBadUser):
			errs.add("password", strings.TrimPrefix(err.Error(), sqlite.ErrBadUser.Error()+": "))
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			s.audit(r, sess.User.Username, "user.add", "user:"+created.Username, "role "+created.Role+" "+created.ProjectID)
			http.Redirect(w, r, "/office/users", http.StatusSeeOther)
			return
		}
	}
	s.renderUsers(w, r, http.StatusUnprocessableEntity, usersPage{view: s.view(r), Form: u, Errors: errs})
}
