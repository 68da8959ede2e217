package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/lockout"
	"github.com/sbor-project/sbor/sync-server/internal/hub"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
	webui "github.com/sbor-project/sbor/web-ui"
)

// Config is what the web layer needs.
type Config struct {
	AdminToken string
	EnrollTTL  time.Duration
	BodyLimit  int64
	SessionTTL time.Duration
	// Location is the municipality's zone: what "today" is for projections.
	Location *time.Location
	// PublicURL is the server's address as residents and kiosks reach it
	// (QR codes, posters, protocols); empty: taken from each request.
	PublicURL string
	// TrustedProxies may set X-Forwarded-For/-Proto/-Host; nobody else may.
	TrustedProxies []netip.Prefix
	// LoginPolicy throttles failed sign-ins; zero means lockout.Default.
	LoginPolicy lockout.Policy
}

// Server is the sync server's HTTP side.
type Server struct {
	cfg      Config
	db       *sqlite.DB
	hub      *hub.Hub
	live     *live
	pages    *pages
	logins   *lockout.Limiter
	messages webui.Catalog
	mux      *http.ServeMux
	handler  http.Handler
	srv      *http.Server
	ln       net.Listener
}

// New builds the routes.
func New(cfg Config, db *sqlite.DB, h *hub.Hub) (*Server, error) {
	msgs, err := webui.LoadCatalog()
	if err != nil {
		return nil, err
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	s := &Server{cfg: cfg, db: db, hub: h, pages: pg, messages: msgs, mux: http.NewServeMux()}
	s.live = newLive(s)
	prev := h.OnIngest
	h.OnIngest = func(projects []string) {
		if prev != nil {
			prev(projects)
		}
		s.live.kick(projects)
	}
	s.routes()
	headers := api.BaseHeaders()
	headers.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
	policy := cfg.LoginPolicy
	if policy == (lockout.Policy{}) {
		policy = lockout.Default
	}
	s.logins = lockout.New(policy, nil)
	s.handler = api.Protect(s.withSession(s.hsts(s.mux)), headers, s.fail)
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.Handle("GET /sync", s.hub)
	s.mux.HandleFunc("POST /api/enroll", s.handleEnroll)
	s.mux.HandleFunc("GET /api/projects/{id}/progress", s.handleProgress)
	s.mux.HandleFunc("GET /api/catalog", s.admin(s.handleGetCatalog))
	s.mux.HandleFunc("PUT /api/catalog", s.admin(s.handlePutCatalog))
	s.mux.HandleFunc("POST /api/kiosks", s.admin(s.handleCreateKiosk))
	s.mux.HandleFunc("GET /api/kiosks", s.admin(s.handleKiosks))
	s.mux.HandleFunc("DELETE /api/kiosks/{id}", s.admin(s.handleRevokeKiosk))
	s.mux.HandleFunc("GET /api/projects/{id}/duplicates", s.admin(s.handleDuplicates))

	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(webui.Static())))
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/office", http.StatusSeeOther) })
	s.mux.HandleFunc("GET /login", s.handleLoginPage)
	s.mux.HandleFunc("POST /login", s.handleLogin)
	s.mux.HandleFunc("POST /logout", s.page(s.handleLogout))
	s.mux.HandleFunc("GET /office", s.page(s.handleProjects))
	s.mux.HandleFunc("GET /office/projects/{id}", s.page(s.handleProject))
	s.mux.HandleFunc("GET /office/kiosks", s.adminPage(s.handleKiosksPage))
	s.mux.HandleFunc("POST /office/kiosks", s.adminPage(s.handleAddKiosk))
	s.mux.HandleFunc("POST /office/kiosks/{id}/revoke", s.adminPage(s.handleRevokeKioskPage))
	s.mux.HandleFunc("GET /office/audit", s.adminPage(s.handleAudit))
	s.mux.HandleFunc("GET /office/catalog", s.adminPage(s.handleCatalogPage))
	s.mux.HandleFunc("GET /office/catalog/territories/{id}", s.adminPage(s.handleTerritoryPage))
	s.mux.HandleFunc("POST /office/catalog/territories/{id}", s.adminPage(s.handleSaveTerritory))
	s.mux.HandleFunc("GET /office/catalog/projects/{id}", s.adminPage(s.handleProjectEditPage))
	s.mux.HandleFunc("POST /office/catalog/projects/{id}", s.adminPage(s.handleSaveProject))
	s.mux.HandleFunc("GET /office/users", s.adminPage(s.handleUsersPage))
	s.mux.HandleFunc("GET /office/ranking", s.page(s.handleRanking))
	s.mux.HandleFunc("GET /office/meetings", s.page(s.handleMeetingsPage))
	s.mux.HandleFunc("GET /api/meetings/{id}/protocol.pdf", s.handleMeetingProtocol)
	s.mux.HandleFunc("GET /api/surveys/{id}/results.pdf", s.handleSurveyResultsPDF)
	s.mux.HandleFunc("GET /api/surveys/{id}/results.csv", s.handleSurveyResultsCSV)
	s.mux.HandleFunc("POST /office/users", s.adminPage(s.handleAddUser))
	s.mux.HandleFunc("GET /office/projects/{id}/review", s.adminPage(s.handleReview))
	s.mux.HandleFunc("POST /office/projects/{id}/review/{pair}", s.adminPage(s.handleDecide))
	s.mux.HandleFunc("GET /api/projects/{id}/signatures.csv", s.admin(s.handleSignaturesCSV))
	s.mux.HandleFunc("GET /api/projects/{id}/protocol.pdf", s.handleProtocol)
	s.mux.HandleFunc("GET /api/projects/{id}/sheets.pdf", s.handleSheets)
	s.mux.HandleFunc("GET /api/projects/{id}/poster.pdf", s.handlePoster)
	s.mux.HandleFunc("GET /verify/{digest}", s.handleVerify)
	s.mux.HandleFunc("POST /api/score", s.handleScore)
	s.mux.HandleFunc("GET /p/{id}", s.handlePublicProject)
	s.mux.HandleFunc("GET /p/{id}/ws", s.handlePublicSocket)
	s.mux.HandleFunc("GET /p/{id}/live", s.page(s.handleLive))
	s.mux.HandleFunc("GET /p/{id}/live/ws", s.handleLiveSocket)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
	})
}

// ServeHTTP serves the routes with the common headers and panic recovery.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// admin guards an API handler: the admin bearer token (automation) or an
// office admin's session (the browser; a state change needs its CSRF token).
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.hasAdminToken(r) {
			h(w, r)
			return
		}
		sess := currentSession(r)
		switch {
		case sess == nil:
			w.Header().Set("WWW-Authenticate", `Bearer realm="sbor"`)
			s.fail(w, r, &api.Error{Status: http.StatusUnauthorized, Code: "unauthorized"})
		case sess.User.Role != sqlite.RoleAdmin:
			s.forbidden(w, r)
		case r.Method != http.MethodGet && !validCSRF(r, sess):
			s.forbidden(w, r)
		default:
			h(w, r)
		}
	}
}

func (s *Server) hasAdminToken(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.cfg.AdminToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) == 1
}

// Listen binds addr.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	return nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve serves until Shutdown: with TLS when given a certificate and key.
func (s *Server) Serve(certFile, keyFile string) error {
	var err error
	if certFile != "" {
		err = s.srv.ServeTLS(s.ln, certFile, keyFile)
	} else {
		err = s.srv.Serve(s.ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// hsts tells browsers to keep to HTTPS once they reached us over it.
func (s *Server) hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.isHTTPS(r) {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Shutdown stops the server, ending sync sessions first: they are
// hijacked connections that http.Server.Shutdown does not wait for.
func (s *Server) Shutdown(ctx context.Context) error {
	s.hub.Close()
	s.live.close()
	return s.srv.Shutdown(ctx)
}

func (s *Server) t(r *http.Request) webui.Messages { return s.messages.Lang(s.lang(r)) }

// publicBase is the server's address for links that leave the screen.
func (s *Server) publicBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if s.isHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + s.forwardedHost(r)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	api.WriteError(w, r, s.t(r), err)
}

func (s *Server) logFailure(r *http.Request, err error) {
	slog.Error("request failed after the response began", "method", r.Method, "path", r.URL.Path, "err", err)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.db.Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
