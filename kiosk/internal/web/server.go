package web

import (
	"cmp"
	"context"
	"errors"
	"html/template"
	"net"
	"net/http"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/kiosk/internal/uplink"
	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/lockout"
	webui "github.com/sbor-project/sbor/web-ui"
)

// Config is what the web layer needs to know.
type Config struct {
	BodyLimit int64
	IdleReset time.Duration
	// OnscreenKeyboard shows the page's own keyboard on the kiosk's
	// screen, which has no system keyboard. Tablets keep theirs.
	OnscreenKeyboard bool
	// Tablets lets paired tablets in; off, only the kiosk's own screen
	// is served.
	Tablets bool
	// TabletURL is the base address tablets reach the kiosk at, for the
	// pairing QR code; empty: worked out from the listening addresses.
	TabletURL string
	// PINPolicy throttles wrong operator PINs; zero means the default.
	PINPolicy lockout.Policy
	// Sync reports the uplink's state; nil on an offline-only kiosk.
	Sync interface {
		Status(ctx context.Context) (uplink.Status, error)
	}
}

// Server is the kiosk's HTTP server.
type Server struct {
	cfg       Config
	station   *station.Station
	messages  webui.Catalog
	page      *template.Template
	pairPage  *template.Template
	gatePage  *template.Template
	swVersion string
	mux       *http.ServeMux
	handler   http.Handler
	srv       *http.Server
	lns       []net.Listener
	pins      *lockout.Limiter // wrong operator PINs per source
}

// New builds the server's routes.
func New(cfg Config, st *station.Station) (*Server, error) {
	msgs, err := webui.LoadCatalog()
	if err != nil {
		return nil, err
	}
	page, err := webui.ParsePage("kiosk")
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, station: st, messages: msgs, page: page, mux: http.NewServeMux(), pins: lockout.New(cmp.Or(cfg.PINPolicy, pinPolicy), nil)}
	if s.pairPage, err = webui.ParsePage("kiosk-pair"); err != nil {
		return nil, err
	}
	if s.gatePage, err = webui.ParsePage("kiosk-gate"); err != nil {
		return nil, err
	}
	if s.swVersion, err = shellVersion(); err != nil {
		return nil, err
	}
	s.routes()
	headers := api.BaseHeaders()
	headers.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	s.handler = api.Protect(s.gate(s.mux), headers, s.fail)
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("GET /{$}", s.handleKioskPage)
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	s.mux.HandleFunc("GET /api/status", s.handleStatus)
	s.mux.HandleFunc("GET /api/projects", s.handleProjects)
	s.mux.HandleFunc("GET /api/projects/{id}/progress", s.handleProgress)
	s.mux.HandleFunc("GET /api/projects/{id}/qr.png", s.handleQR)
	s.mux.HandleFunc("GET /api/projects/{id}/receipts/{receipt}/qr.png", s.handleReceiptQR)
	s.mux.HandleFunc("POST /api/projects/{id}/signatures", s.handleSign)
	s.mux.HandleFunc("GET /api/meetings", s.handleMeetings)
	s.mux.HandleFunc("POST /api/meetings", s.handleCreateMeeting)
	s.mux.HandleFunc("GET /api/meetings/{id}", s.handleMeetingStatus)
	s.mux.HandleFunc("POST /api/meetings/{id}/attendance", s.handleRegister)
	s.mux.HandleFunc("POST /api/meetings/{id}/votes", s.handleVote)
	s.mux.HandleFunc("POST /api/meetings/{id}/ballots", s.handleBallot)
	s.mux.HandleFunc("GET /api/surveys", s.handleSurveys)
	s.mux.HandleFunc("POST /api/surveys/{id}/answers", s.handleAnswer)
	s.mux.HandleFunc("POST /api/shift", s.pinLimited(s.handleOpenShift))
	s.mux.HandleFunc("DELETE /api/shift", s.handleCloseShift)
	s.mux.HandleFunc("POST /api/clock", s.pinLimited(s.handleClock))
	s.mux.HandleFunc("POST /api/pairing", s.pinLimited(s.handleNewPairing))
	s.mux.HandleFunc("GET /pair", s.handlePairPage)
	s.mux.HandleFunc("POST /api/pair", s.pinLimited(s.handlePair))
	s.mux.HandleFunc("GET /api/devices", s.handleDevices)
	s.mux.HandleFunc("DELETE /api/devices/{id}", s.handleUnpair)
	s.mux.HandleFunc("GET /manifest.webmanifest", s.handleManifest)
	s.mux.HandleFunc("GET /sw.js", s.handleServiceWorker)
	s.mux.HandleFunc("GET /offline", s.handleOffline)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
	})
}

// ServeHTTP serves the routes with the kiosk's headers and panic recovery.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Listen binds every address of addrs; Addrs reports the bound addresses
// (for port 0). More than one lets a Pi serve its screen on 127.0.0.1 and
// tablets on its Wi-Fi address only, not on a wired uplink.
func (s *Server) Listen(addrs ...string) error {
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range s.lns {
				l.Close()
			}
			s.lns = nil
			return err
		}
		s.lns = append(s.lns, ln)
	}
	if len(s.lns) == 0 {
		return errors.New("web: no address to listen on")
	}
	return nil
}

// Addr returns the first address the server listens on.
func (s *Server) Addr() net.Addr { return s.lns[0].Addr() }

// Addrs returns every address the server listens on.
func (s *Server) Addrs() []net.Addr {
	out := make([]net.Addr, len(s.lns))
	for i, ln := range s.lns {
		out[i] = ln.Addr()
	}
	return out
}

// Serve serves every address until Shutdown.
func (s *Server) Serve() error {
	errs := make(chan error, len(s.lns))
	for _, ln := range s.lns {
		go func() { errs <- s.srv.Serve(ln) }()
	}
	var out []error
	for range s.lns {
		if err := <-errs; !errors.Is(err, http.ErrServerClosed) {
			out = append(out, err)
		}
	}
	return errors.Join(out...)
}

// Shutdown stops accepting and waits for requests in flight, so a
// signature being committed finishes before the kiosk exits.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// lang returns the request's language: ?lang=, then the lang cookie, then Russian.
func (s *Server) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		return c.Value
	}
	return webui.Languages[0]
}

func (s *Server) t(r *http.Request) webui.Messages { return s.messages.Lang(s.lang(r)) }

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	api.WriteError(w, r, s.t(r), err)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.station.DB().Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
