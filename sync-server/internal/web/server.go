package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/sync-server/internal/hub"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
	webui "github.com/sbor-project/sbor/web-ui"
)

// Config is what the web layer needs.
type Config struct {
	AdminToken string
	EnrollTTL  time.Duration
	BodyLimit  int64
}

// Server is the sync server's HTTP side.
type Server struct {
	cfg      Config
	db       *sqlite.DB
	hub      *hub.Hub
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
	s := &Server{cfg: cfg, db: db, hub: h, messages: msgs, mux: http.NewServeMux()}
	s.routes()
	s.handler = api.Protect(s.mux, api.BaseHeaders(), s.fail)
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
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
	})
}

// ServeHTTP serves the routes with the common headers and panic recovery.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// admin guards a handler with the admin bearer token.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sbor"`)
			s.fail(w, r, &api.Error{Status: http.StatusUnauthorized, Code: "unauthorized"})
			return
		}
		h(w, r)
	}
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

// Serve serves until Shutdown.
func (s *Server) Serve() error {
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops the server, ending sync sessions first: they are
// hijacked connections that http.Server.Shutdown does not wait for.
func (s *Server) Shutdown(ctx context.Context) error {
	s.hub.Close()
	return s.srv.Shutdown(ctx)
}

func (s *Server) t(r *http.Request) webui.Messages {
	lang := r.URL.Query().Get("lang")
	if c, err := r.Cookie("lang"); lang == "" && err == nil {
		lang = c.Value
	}
	return s.messages.Lang(lang)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	api.WriteError(w, r, s.t(r), err)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.db.Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
