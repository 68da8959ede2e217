package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
// Repeated failures for a username or from an address slow down, then
// lock out for a while (shared/lockout).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	keys := []string{"user:" + username, "ip:" + s.clientIP(r).String()}
	for _, k := range keys {
		if ok, wait := s.logins.Allow(k); !ok {
			msg := fmt.Sprintf(s.t(r).T("office.login.wait"), int(wait.Seconds())+1)
			if s.logins.Locked(k) {
				msg = s.t(r).T("office.login.locked")
			}
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.render(w, r, s.pages.office, "login", http.StatusTooManyRequests,
				loginPage{view: s.view(r), Next: next, Username: username, Error: msg})
			return
		}
	}
	u, token, _, err := s.db.Login(r.Context(), username, r.PostFormValue("password"), s.cfg.SessionTTL)
	if errors.Is(err, sqlite.ErrBadLogin) {
		for _, k := range keys {
			s.logins.Fail(k)
		}
		s.audit(r, username, "login.failed", "user:"+username, "from "+s.clientIP(r).String())
		s.render(w, r, s.pages.office, "login", http.StatusUnauthorized,
			loginPage{view: s.view(r), Next: next, Username: username, Error: s.t(r).T("office.login.failed")})
		return
	}
	for _, k := range keys {
		s.logins.Succeed(k)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.isHTTPS(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds())})
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
