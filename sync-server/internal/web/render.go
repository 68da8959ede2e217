package web

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"

	webui "github.com/sbor-project/sbor/web-ui"
)

// pages holds the parsed office and public page templates.
type pages struct {
	office map[string]*template.Template
	public map[string]*template.Template
}

func loadPages() (*pages, error) {
	office, err := webui.ParseSet("office")
	if err != nil {
		return nil, err
	}
	public, err := webui.ParseSet("public")
	if err != nil {
		return nil, err
	}
	return &pages{office: office, public: public}, nil
}

// view is what every page template gets besides its own data.
type view struct {
	Lang    string
	Session *session
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, set map[string]*template.Template, name string, status int, data any) {
	base, ok := set[name]
	if !ok {
		s.fail(w, r, errTemplate(name))
		return
	}
	t, err := base.Clone()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t.Funcs(template.FuncMap{"t": s.t(r).T})
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		slog.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		return c.Value
	}
	return webui.Languages[0]
}

func (s *Server) view(r *http.Request) view { return view{Lang: s.lang(r), Session: currentSession(r)} }

type errTemplate string

func (e errTemplate) Error() string { return "no template " + string(e) }
