package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// peer is the address the connection came from.
func peer(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the client's address: X-Forwarded-For is believed only
// when the connection comes from a configured proxy, and then only up to
// the first hop that is not one of ours (anything left of it is the
// client's own claim).
func (s *Server) clientIP(r *http.Request) netip.Addr {
	a := peer(r)
	if !s.trusted(a) {
		return a
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return a
		}
		h = h.Unmap()
		if !s.trusted(h) {
			return h
		}
		a = h
	}
	return a
}

// isHTTPS tells whether the browser reached us over TLS: directly, or
// through a configured proxy that says so.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.trusted(peer(r)) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// forwardedHost is the host the browser asked for, through a trusted proxy.
func (s *Server) forwardedHost(r *http.Request) string {
	if s.trusted(peer(r)) {
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			return h
		}
	}
	return r.Host
}
