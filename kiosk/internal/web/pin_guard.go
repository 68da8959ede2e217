package web

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/lockout"
)

// pinPolicy: three free tries, then 2 s, 4 s, 8 s… up to a minute, and a
// 15-minute lock after ten wrong PINs from one place.
var pinPolicy = lockout.Policy{Free: 3, Base: 2 * time.Second, Max: time.Minute, LockAt: 10, LockFor: 15 * time.Minute,
	Forget: time.Hour, MaxKeys: 10_000}

// pinSource names where a PIN attempt comes from: a paired tablet by its
// device cookie, anything else by address. Per source, so a tablet that
// guesses locks itself out, not the operator at the kiosk's own screen.
func pinSource(r *http.Request) string {
	if c, err := r.Cookie(DeviceCookie); err == nil && c.Value != "" {
		return "device:" + c.Value
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// pinLimited throttles an endpoint that takes the operator PIN: attempts
// from a source that has guessed wrong too often wait, then are locked
// out for a while. The handler's 401 is a wrong PIN; a 2xx clears the
// source's count.
func (s *Server) pinLimited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		src := pinSource(r)
		if ok, wait := s.pins.Allow(src); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			code := "pin_wait"
			if s.pins.Locked(src) {
				code = "pin_locked"
			}
			s.fail(w, r, api.Errorf(http.StatusTooManyRequests, code, "PIN attempts from %s held for %v", src, wait))
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h(rec, r)
		switch {
		case rec.status == http.StatusUnauthorized:
			s.pins.Fail(src)
		case rec.status < 300:
			s.pins.Succeed(src)
		}
	}
}
