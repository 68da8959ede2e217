package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/sbor-project/sbor/shared/consent"
)

type kioskPage struct {
	Lang             string
	Consent          string
	IdleResetSeconds int
	Messages         map[string]string
}

// handleKioskPage renders the touch UI shell; the script drives it through
// the API. It is never cached: it must not outlive a resident.
func (s *Server) handleKioskPage(w http.ResponseWriter, r *http.Request) {
	msgs := s.t(r)
	script := msgs.Prefixed("ui.")
	for k, v := range msgs.Prefixed("problem.") {
		script[k] = v
	}
	for k, v := range msgs.Prefixed("error.") {
		script[k] = v
	}
	lang := s.lang(r)
	if _, ok := s.messages[lang]; !ok {
		lang = "ru"
	}
	data := kioskPage{Lang: lang, Consent: consent.Text, IdleResetSeconds: int(s.cfg.IdleReset.Seconds()), Messages: script}
	tmpl, err := s.page.Clone()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tmpl.Funcs(template.FuncMap{"t": msgs.T})
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		slog.Error("render kiosk page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
