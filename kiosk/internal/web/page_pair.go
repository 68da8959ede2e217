package web

import "net/http"

// pairPage is the tablet's pairing form, and also the kiosk-gate page
// (not paired, offline), which shares its data.
type pairPage struct {
	Lang string
	// Kind selects the kiosk-gate page's text: "not_paired", "tablets_off", "offline".
	Kind     string
	Code     string
	Messages map[string]string
}

// handlePairPage asks a tablet for the operator PIN; pair.js posts it with
// the code from the QR code to POST /api/pair.
func (s *Server) handlePairPage(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	if len(code) > 64 {
		code = ""
	}
	s.render(w, r, s.pairPage, http.StatusOK, pairPage{Lang: s.pageLang(r), Code: code, Messages: s.scriptMessages(r)})
}

// renderNotPaired is the page an unknown browser gets instead of the UI.
func (s *Server) renderNotPaired(w http.ResponseWriter, r *http.Request) {
	kind := "not_paired"
	if !s.cfg.Tablets {
		kind = "tablets_off"
	}
	s.render(w, r, s.gatePage, http.StatusForbidden, pairPage{Lang: s.pageLang(r), Kind: kind})
}

// handleOffline is the page the service worker shows when a navigation
// finds no kiosk: it is cached when the worker installs.
func (s *Server) handleOffline(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.gatePage, http.StatusOK, pairPage{Lang: s.pageLang(r), Kind: "offline"})
}
