package web

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/sbor-project/sbor/shared/api"
)

// deviceCookieAge is the longest a browser keeps a cookie (Chromium caps
// it at 400 days); a tablet stays paired until the operator unpairs it.
const deviceCookieAge = 400 * 24 * time.Hour

// handleNewPairing makes a one-time pairing code, on the kiosk's own
// screen only: a tablet cannot bring in another tablet.
func (s *Server) handleNewPairing(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PIN string `json:"pin"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !clientOf(r).kiosk {
		s.fail(w, r, &api.Error{Status: http.StatusForbidden, Code: "kiosk_only"})
		return
	}
	if !s.cfg.Tablets {
		s.fail(w, r, &api.Error{Status: http.StatusConflict, Code: "tablets_off"})
		return
	}
	base := s.tabletBase()
	if base == "" {
		s.fail(w, r, &api.Error{Status: http.StatusConflict, Code: "no_tablet_address"})
		return
	}
	code, expires, err := s.station.NewPairingCode(req.PIN)
	if err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	link := base + "/pair?code=" + url.QueryEscape(code)
	png, err := qrcode.Encode(link, qrcode.Medium, 320)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, map[string]any{
		"code":       code,
		"url":        link,
		"expires_at": expires,
		"qr":         "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
	})
}

// handlePair pairs the asking browser with a code and the operator PIN.
// TODO(security issue): rate-limit per client address; for now bcrypt's
// cost and the code burning after a few wrong PINs are the brakes.
func (s *Server) handlePair(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code string `json:"code"`
		PIN  string `json:"pin"`
		Name string `json:"name"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	// A name is only a label for the operator's list: cut, not refused.
	if name := []rune(strings.TrimSpace(req.Name)); len(name) > 60 {
		req.Name = string(name[:60])
	}
	msgs := s.t(r)
	defaultName := func(n int64) string {
		return strings.ReplaceAll(msgs.T("ui.pair.default_name"), "{n}", strconv.FormatInt(n, 10))
	}
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	token, dev, err := s.station.Pair(r.Context(), strings.TrimSpace(req.Code), req.PIN, req.Name, ua, deviceToken(r), defaultName)
	if err != nil {
		s.fail(w, r, mapError(err))
		return
	}
	// Lax, not Strict: a tablet opening the kiosk from a link (the camera
	// app, a home-screen icon) must be let in on that first request. The
	// API's writes need a JSON body, which no other site can send here.
	http.SetCookie(w, &http.Cookie{
		Name: DeviceCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(deviceCookieAge.Seconds()), Secure: r.TLS != nil,
	})
	api.WriteJSON(w, http.StatusOK, dev)
}

// tabletBase is the address tablets reach this kiosk at: -tablet-url, or
// the first listening address that is not the screen's own loopback
// (for a wildcard listener, the machine's Wi-Fi or LAN address).
func (s *Server) tabletBase() string {
	if s.cfg.TabletURL != "" {
		return strings.TrimRight(s.cfg.TabletURL, "/")
	}
	for _, a := range s.Addrs() {
		tcp, ok := a.(*net.TCPAddr)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(tcp.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if ip.IsUnspecified() {
			ip = lanAddress()
			if !ip.IsValid() {
				continue
			}
		} else if isScreenAddr(ip) {
			continue
		}
		return "http://" + netip.AddrPortFrom(ip, uint16(tcp.Port)).String()
	}
	return ""
}

// lanAddress picks the IPv4 address tablets most likely share with the
// kiosk: a private one on a Wi-Fi interface (the Pi's hotspot), then any
// private one, then any global one. -tablet-url overrides the guess.
func lanAddress() netip.Addr {
	ifaces, err := net.Interfaces()
	if err != nil {
		return netip.Addr{}
	}
	var best netip.Addr
	bestRank := 0
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			pfx, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ip := pfx.Addr().Unmap()
			if !ip.Is4() || !ip.IsGlobalUnicast() {
				continue
			}
			rank := 1
			if ip.IsPrivate() {
				rank = 2
				if strings.HasPrefix(ifc.Name, "wl") {
					rank = 3
				}
			}
			if rank > bestRank {
				best, bestRank = ip, rank
			}
		}
	}
	return best
}
