package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"

	webui "github.com/sbor-project/sbor/web-ui"
)

//go:generate go run ./genicons ../../../web-ui/static/icons

// handleManifest describes the kiosk UI as an installable app, so a
// tablet can open it full screen from its home screen. The name comes
// from the catalogue like every other string.
func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	title := s.t(r).T("ui.title")
	icon := func(size, purpose string) map[string]string {
		return map[string]string{"src": "/static/icons/icon-" + size + ".png", "sizes": size + "x" + size,
			"type": "image/png", "purpose": purpose}
	}
	m := map[string]any{
		"name":             title,
		"short_name":       title,
		"lang":             s.pageLang(r),
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#f2f4f7",
		"theme_color":      "#0b2e59",
		// The glyph keeps inside the middle 80 %, so launchers may crop
		// the icons to any shape.
		"icons": []map[string]string{icon("192", "any"), icon("512", "any"), icon("192", "maskable"), icon("512", "maskable")},
	}
	b, err := json.Marshal(m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// handleServiceWorker serves sw.js from the root, so its scope is the
// whole UI. The shell's version is written into it: when the binary's
// static files change, the worker's bytes change, the browser installs it
// afresh and the old cache goes.
func (s *Server) handleServiceWorker(w http.ResponseWriter, r *http.Request) {
	src, err := fs.ReadFile(webui.Static(), "sw.js")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	src = bytes.ReplaceAll(src, []byte("__SHELL_VERSION__"), []byte(s.swVersion))
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	// Revalidated on every check, so an upgrade reaches tablets at once.
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(src)
}

// shellVersion hashes every static file: the service worker's cache name.
func shellVersion() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(webui.Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(webui.Static(), path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write([]byte{0})
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
