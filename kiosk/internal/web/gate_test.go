package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestIsKioskScreen(t *testing.T) {
	tests := []struct {
		remote, local string
		want          bool
	}{
		{"127.0.0.1:50000", "127.0.0.1", true},            // the Pi's Chromium at http://127.0.0.1:8080/
		{"[::1]:50000", "::1", true},                      // … at http://localhost:8080/ over IPv6
		{"[::ffff:127.0.0.1]:50000", "127.0.0.1", true},   // IPv4 on a dual-stack wildcard listener
		{"127.0.0.1:50000", "127.0.0.2", false},           // a test tablet on this machine
		{"127.0.0.1:50000", "192.168.4.1", false},         // this machine at its Wi-Fi address
		{"192.168.4.23:50000", "192.168.4.1", false},      // a tablet on the Wi-Fi
		{"192.168.4.23:50000", "127.0.0.1", false},        // cannot happen; refused all the same
		{"[fe80::1%wlan0]:50000", "fe80::2%wlan0", false}, // a tablet over link-local IPv6
		{"garbage", "127.0.0.1", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		local := &net.TCPAddr{IP: net.ParseIP(tt.local), Port: 8080}
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, net.Addr(local)))
		if got := isKioskScreen(r); got != tt.want {
			t.Errorf("from %s to %s: kiosk screen %v, want %v", tt.remote, tt.local, got, tt.want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:5"
	if isKioskScreen(r) {
		t.Error("a request with no local address counts as the kiosk's screen")
	}
}

func TestTabletBase(t *testing.T) {
	listen := func(addrs ...string) *Server {
		s := &Server{}
		if err := s.Listen(addrs...); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			for _, ln := range s.lns {
				ln.Close()
			}
		})
		return s
	}
	if got := listen("127.0.0.1:0").tabletBase(); got != "" {
		t.Errorf("screen-only kiosk offers tablets %q", got)
	}
	s := listen("127.0.0.1:0", "127.0.0.2:0")
	if got, want := s.tabletBase(), "http://"+s.Addrs()[1].String(); got != want {
		t.Errorf("tablet address %q, want %q", got, want)
	}
	s.cfg.TabletURL = "http://192.168.4.1:8080/"
	if got := s.tabletBase(); got != "http://192.168.4.1:8080" {
		t.Errorf("with -tablet-url: %q", got)
	}
}

// TestKioskScreenOnWildcard: with -addr :8080 (the Pi with tablets) the
// screen still opens http://127.0.0.1:8080/ and must still count as the
// kiosk, while another address of the machine does not.
func TestKioskScreenOnWildcard(t *testing.T) {
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isKioskScreen(r) {
			w.Write([]byte("kiosk"))
		} else {
			w.Write([]byte("tablet"))
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ask := func(host string) string {
		resp, err := http.Get("http://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/")
		if err != nil {
			return "error: " + err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := ask("127.0.0.1"); got != "kiosk" {
		t.Errorf("127.0.0.1 on a wildcard listener: %s", got)
	}
	if got := ask("127.0.0.2"); got != "tablet" {
		t.Errorf("127.0.0.2 on a wildcard listener: %s", got)
	}
	if got := ask("::1"); got != "kiosk" && !strings.HasPrefix(got, "error") {
		t.Errorf("::1 on a wildcard listener: %s", got)
	}
}
