package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// SessionCookie holds an office user's session token.
const SessionCookie = "sbor_session"

type userKey struct{}

// session is the signed-in user of a request and the form token that
// proves a state-changing form came from our own page.
type session struct {
	User sqlite.User
	CSRF string
}

// withSession attaches the signed-in user, if any, to the request.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(SessionCookie); err == nil {
			if u, csrf, err := s.db.Session(r.Context(), c.Value); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), userKey{}, &session{User: u, CSRF: csrf}))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func currentSession(r *http.Request) *session {
	sess, _ := r.Context().Value(userKey{}).(*session)
	return sess
}

// page guards an office page: anonymous users go to the login page, and a
// POST must carry the session's CSRF token.
func (s *Server) page(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := currentSession(r)
		if sess == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !validCSRF(r, sess) {
			s.forbidden(w, r)
			return
		}
		h(w, r, sess)
	}
}

// adminPage is page for office admins only.
func (s *Server) adminPage(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return s.page(func(w http.ResponseWriter, r *http.Request, sess *session) {
		if sess.User.Role != sqlite.RoleAdmin {
			s.forbidden(w, r)
			return
		}
		h(w, r, sess)
	})
}

func validCSRF(r *http.Request, sess *session) bool {
	token := r.PostFormValue("csrf")
	if token == "" {
		token = r.Header.Get("X-CSRF-Token")
	}
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) == 1
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, &api.Error{Status: http.StatusForbidden, Code: "forbidden"})
}

// actor names who did something, for the audit log.
func actor(r *http.Request) string {
	if sess := currentSession(r); sess != nil {
		return sess.User.Username
	}
	return "token"
}

// authorized reports whether the request may read a project's protected
// data: the admin token, or a session whose user may see the project.
func (s *Server) authorized(r *http.Request, projectID string) (bool, error) {
	if s.hasAdminToken(r) {
		return true, nil
	}
	sess := currentSession(r)
	if sess == nil {
		return false, errUnauthenticated
	}
	return sess.User.CanSeeProject(projectID), nil
}

var errUnauthenticated = errors.New("not signed in")

// LoginLocked reports whether sign-in for key ("user:NAME" or "ip:ADDR")
// is locked out, not just slowed down.
func (s *Server) LoginLocked(key string) bool { return s.logins.Locked(key) }
