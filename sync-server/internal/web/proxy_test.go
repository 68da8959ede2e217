package web

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIPAndScheme(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}}
	tests := []struct {
		name, remote, xff, proto string
		tls                      bool
		wantIP                   string
		wantHTTPS                bool
	}{
		{"direct client", "203.0.113.5:4000", "", "", false, "203.0.113.5", false},
		{"direct client lying", "203.0.113.5:4000", "1.2.3.4", "https", false, "203.0.113.5", false},
		{"through our proxy", "10.0.0.2:5000", "198.51.100.7", "https", false, "198.51.100.7", true},
		{"client spoofs a hop before our proxy", "10.0.0.2:5000", "1.2.3.4, 198.51.100.7", "http", false, "198.51.100.7", false},
		{"two proxies of ours", "10.0.0.2:5000", "198.51.100.7, 10.0.0.3", "https", false, "198.51.100.7", true},
		{"garbage header", "10.0.0.2:5000", "not-an-ip", "", false, "10.0.0.2", false},
		{"IPv6 proxy", "[::1]:5000", "2001:db8::1", "https", false, "2001:db8::1", true},
		{"direct TLS", "203.0.113.5:4000", "", "", true, "203.0.113.5", true},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if tt.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := s.clientIP(r).String(); got != tt.wantIP {
			t.Errorf("%s: clientIP = %s, want %s", tt.name, got, tt.wantIP)
		}
		if got := s.isHTTPS(r); got != tt.wantHTTPS {
			t.Errorf("%s: isHTTPS = %v, want %v", tt.name, got, tt.wantHTTPS)
		}
	}
}
