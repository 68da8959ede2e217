package web

import (
	"net/http"

	webui "github.com/sbor-project/sbor/web-ui"
)

// staticHandler serves the embedded CSS and JS. They change only with the
// binary, so browsers may cache them for a while but must revalidate.
func staticHandler() http.Handler {
	files := http.FileServerFS(webui.Static())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
