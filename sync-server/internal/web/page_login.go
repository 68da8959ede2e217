package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

type loginPage struct {
	view
	Next, Username, Error string
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/office"
	}
	return next
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pages.office, "login", http.StatusOK, loginPage{view: s.view(r), Next: safeNext(r.URL.Query().Get("next"))})
}

// handleLogin signs a user in. A failure shows the form again with the
// username kept and one message that does not tell which part was wrong.
// TODO(security issue): rate-limit and lock out repeated failures.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	u, token, _, err := s.db.Login(r.Context(), username, r.PostFormValue("password"), s.cfg.SessionTTL)
	if errors.Is(err, sqlite.ErrBadLogin) {
		s.render(w, r, s.pages.office, "login", http.StatusUnauthorized,
			loginPage{view: s.view(r), Next: next, Username: username, Error: s.t(r).T("office.login.failed")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	s.audit(r, u.Username, "login", "user:"+u.Username, "")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, sess *session) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.db.Logout(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
