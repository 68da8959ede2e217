package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/sbor-project/sbor/kiosk/internal/station"
	"github.com/sbor-project/sbor/shared/api"
)

// DeviceCookie holds the secret token of a paired tablet.
const DeviceCookie = "sbor_device"

// CodeNotPaired is the error of every request the gate refuses.
const CodeNotPaired = "not_paired"

// client is who sent a request, as the gate found out: the kiosk's own
// screen, a paired tablet, or (only on the few open paths) nobody known.
type client struct {
	kiosk  bool
	device *station.Device
}

// deviceID is the device shifts are bound to: 0 for the kiosk's screen.
func (c client) deviceID() int64 {
	if c.device == nil {
		return 0
	}
	return c.device.ID
}

type clientKey struct{}

func clientOf(r *http.Request) client {
	c, _ := r.Context().Value(clientKey{}).(client)
	return c
}

func withClient(r *http.Request, c client) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), clientKey{}, c))
}

// screenAddrs are the addresses the kiosk's own Chromium opens the UI on
// (http://127.0.0.1:PORT/ or http://localhost:PORT/).
var screenAddrs = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}

func isScreenAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, s := range screenAddrs {
		if a == s {
			return true
		}
	}
	return false
}

// isKioskScreen reports whether a request is the kiosk's own screen: it
// came from a loopback address to 127.0.0.1 or ::1. The kernel drops
// packets from outside addressed to loopback, so no tablet can pass for
// the kiosk. Looking at the address the connection arrived on, not only
// the peer's, is what lets a test play a tablet on one machine: a browser
// opening http://127.0.0.2:PORT/ comes from 127.0.0.1 too, but arrives on
// 127.0.0.2 and so counts as a tablet. (A reverse proxy on the Pi would
// make every tablet look like the kiosk: the kiosk must not sit behind
// one.)
func isKioskScreen(r *http.Request) bool {
	remote, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !remote.Addr().Unmap().IsLoopback() {
		return false
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	tcp, ok := local.(*net.TCPAddr)
	if !ok {
		return false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	return ok && isScreenAddr(ip)
}

// openToAll are served to anyone: the UI's code and pictures, the same
// for every kiosk and public in the repository, without which the
// refusal page would have no style.
func openToAll(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(r.URL.Path, "/static/")
}

// openToUnpaired are what an unpaired tablet needs to pair, when tablets
// are allowed at all.
func openToUnpaired(r *http.Request) bool {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/pair":
		return true
	case r.Method == http.MethodPost && r.URL.Path == "/api/pair":
		return true
	}
	return false
}

// gate is the one place that decides who is served. The kiosk's own
// screen is served everything. With -tablets off nobody else is served
// anything but static files. With -tablets on a browser must carry the
// cookie of a paired device, except to reach the pairing page and
// POST /api/pair. The gate looks the token up on every request, so an
// unpaired tablet is cut off at its very next request.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isKioskScreen(r) {
			next.ServeHTTP(w, withClient(r, client{kiosk: true}))
			return
		}
		if openToAll(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !s.cfg.Tablets {
			s.refuse(w, r)
			return
		}
		if openToUnpaired(r) {
			if d, err := s.station.Device(r.Context(), deviceToken(r)); err == nil {
				r = withClient(r, client{device: &d})
			}
			next.ServeHTTP(w, r)
			return
		}
		d, err := s.station.Device(r.Context(), deviceToken(r))
		if errors.Is(err, station.ErrNoDevice) {
			s.refuse(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, withClient(r, client{device: &d}))
	})
}

// refuse answers 403 not_paired: JSON to the API, a page to a browser.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request) {
	slog.Debug("refused: not the kiosk and not a paired tablet", "remote", r.RemoteAddr, "path", r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/api/") || r.Method != http.MethodGet {
		s.fail(w, r, &api.Error{Status: http.StatusForbidden, Code: CodeNotPaired})
		return
	}
	s.renderNotPaired(w, r)
}

func deviceToken(r *http.Request) string {
	if c, err := r.Cookie(DeviceCookie); err == nil {
		return c.Value
	}
	return ""
}
