package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/sbor-project/sbor/shared/consent"
	webui "github.com/sbor-project/sbor/web-ui"
)

type kioskPage struct {
	Lang             string
	Consent          string
	IdleResetSeconds int
	// OnscreenKeyboard: the kiosk's screen, with -onscreen-keyboard.
	OnscreenKeyboard bool
	// PairTablets shows "Подключить планшет": the kiosk's screen, with -tablets.
	PairTablets bool
	Messages    map[string]string
}

// handleKioskPage renders the touch UI shell; the script drives it through
// the API. It is never cached: it must not outlive a resident.
func (s *Server) handleKioskPage(w http.ResponseWriter, r *http.Request) {
	kiosk := clientOf(r).kiosk
	data := kioskPage{Lang: s.pageLang(r), Consent: consent.Text, IdleResetSeconds: int(s.cfg.IdleReset.Seconds()),
		OnscreenKeyboard: kiosk && s.cfg.OnscreenKeyboard, PairTablets: kiosk && s.cfg.Tablets,
		Messages: s.scriptMessages(r)}
	s.render(w, r, s.page, http.StatusOK, data)
}

// scriptMessages are the catalogue entries a page's script may show.
func (s *Server) scriptMessages(r *http.Request) map[string]string {
	msgs := s.t(r)
	script := msgs.Prefixed("ui.")
	for k, v := range msgs.Prefixed("problem.") {
		script[k] = v
	}
	for k, v := range msgs.Prefixed("error.") {
		script[k] = v
	}
	return script
}

// pageLang is the request's language if a catalogue has it, else Russian.
func (s *Server) pageLang(r *http.Request) string {
	lang := s.lang(r)
	if _, ok := s.messages[lang]; !ok {
		lang = webui.Languages[0]
	}
	return lang
}

// render executes a page template in the request's language. Pages are
// never stored by the browser: the kiosk page must not outlive a
// resident, and the others say something about this very moment.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page *template.Template, status int, data any) {
	tmpl, err := page.Clone()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tmpl.Funcs(template.FuncMap{"t": s.t(r).T})
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		slog.Error("render page", "page", page.Name(), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
