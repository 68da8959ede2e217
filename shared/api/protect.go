package api

import (
	"errors"
	"log/slog"
	"net/http"
)

// Protect wraps next with the headers every response carries and recovers
// a handler's panic into fail, so one bad request never takes a kiosk or
// the server down.
func Protect(next http.Handler, headers http.Header, fail func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				fail(w, r, errors.New("handler panic"))
			}
		}()
		for k, vs := range headers {
			w.Header()[k] = vs
		}
		next.ServeHTTP(w, r)
	})
}

// BaseHeaders are the security headers both programs send.
func BaseHeaders() http.Header {
	h := http.Header{}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	return h
}
