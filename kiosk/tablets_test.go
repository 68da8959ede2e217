package main

// Tablets over HTTP, without a browser. A tablet is played on this one
// machine by a client that connects to 127.0.0.2: it comes from a
// loopback address like the kiosk's own screen, but arrives on an address
// that is not the screen's (127.0.0.1, ::1), which is the kiosk's rule.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"github.com/sbor-project/sbor/shared/lockout"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/storage"
)

// twoAddrs listens where the kiosk's screen and a test tablet reach it.
const twoAddrs = "127.0.0.1:0,127.0.0.2:0"

// screenAndTablet returns a client of the kiosk's own screen and one of a
// tablet (unpaired), each with its own cookies.
func screenAndTablet(t *testing.T, m *Main) (screen, tablet *client) {
	t.Helper()
	addrs := m.Server.Addrs()
	if len(addrs) != 2 {
		t.Fatalf("kiosk listens on %v, want two addresses", addrs)
	}
	screen = newClient(t, m)
	jar, _ := cookiejar.New(nil)
	tablet = &client{t: t, base: "http://" + addrs[1].String(), http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	if !strings.HasPrefix(tablet.base, "http://127.0.0.2:") {
		t.Fatalf("tablet address %s", tablet.base)
	}
	return screen, tablet
}

// page fetches a page and returns its status and body.
func (c *client) page(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTabletsOffServesOnlyTheScreen(t *testing.T) {
	m := newKiosk(t, "-addr", twoAddrs)
	screen, tablet := screenAndTablet(t, m)

	if code, body := screen.do("GET", "/api/status", nil, ""); code != 200 || body["device"] != nil {
		t.Fatalf("screen status: %d %v", code, body)
	}
	for _, path := range []string{"/api/status", "/api/projects", "/api/devices", "/api/projects/p1/progress"} {
		if code, body := tablet.do("GET", path, nil, ""); code != 403 || body["error"] != "not_paired" {
			t.Errorf("tablet GET %s: %d %v", path, code, body)
		}
	}
	if code, body := tablet.post("/api/pair", map[string]string{"code": "x", "pin": testPIN}); code != 403 || body["error"] != "not_paired" {
		t.Errorf("tablet pair with tablets off: %d %v", code, body)
	}
	if code, body := tablet.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m1"}); code != 403 || body["error"] != "not_paired" {
		t.Errorf("tablet opens a shift: %d %v", code, body)
	}
	for _, path := range []string{"/", "/pair?code=abc", "/healthz", "/manifest.webmanifest"} {
		code, page := tablet.page(path)
		if code != 403 || !strings.Contains(page, "не подключено к киоску") || !strings.Contains(page, "выключено в настройках") {
			t.Errorf("tablet page %s: %d\n%s", path, code, page)
		}
	}
	// The UI's code is no secret; the refusal page needs its style.
	if code, _ := tablet.page("/static/kiosk.css"); code != 200 {
		t.Errorf("static file: %d", code)
	}
	if code, body := screen.post("/api/pairing", map[string]string{"pin": testPIN}); code != 409 || body["error"] != "tablets_off" {
		t.Errorf("pairing code with tablets off: %d %v", code, body)
	}
}

func TestTabletPairingSigningUnpairing(t *testing.T) {
	m := newKiosk(t, "-addr", twoAddrs, "-tablets")
	screen, tablet := screenAndTablet(t, m)

	// Unpaired: nothing to read, nothing to do, but the pairing page.
	if code, body := tablet.do("GET", "/api/projects", nil, ""); code != 403 || body["error"] != "not_paired" {
		t.Fatalf("unpaired projects: %d %v", code, body)
	}
	if code, body := tablet.post("/api/projects/p1/signatures", form("Иванов Иван", "1980-04-12")); code != 403 || body["error"] != "not_paired" {
		t.Fatalf("unpaired sign: %d %v", code, body)
	}
	if code, page := tablet.page("/"); code != 403 || !strings.Contains(page, "Подключить планшет") {
		t.Fatalf("unpaired page: %d\n%s", code, page)
	}
	if code, page := tablet.page("/pair?code=abc"); code != 200 || !strings.Contains(page, `id="pair-pin"`) {
		t.Fatalf("pairing page: %d\n%s", code, page)
	}
	if code, body := tablet.post("/api/pairing", map[string]string{"pin": testPIN}); code != 403 || body["error"] != "not_paired" {
		t.Fatalf("unpaired tablet makes a code: %d %v", code, body)
	}

	// The kiosk's screen makes a code with the PIN.
	if code, body := screen.post("/api/pairing", map[string]string{"pin": "0000"}); code != 401 || body["error"] != "wrong_pin" {
		t.Fatalf("pairing code, wrong PIN: %d %v", code, body)
	}
	code, pairing := screen.post("/api/pairing", map[string]string{"pin": testPIN})
	if code != 201 {
		t.Fatalf("pairing code: %d %v", code, pairing)
	}
	pairCode, _ := pairing["code"].(string)
	if want := tablet.base + "/pair?code=" + pairCode; pairing["url"] != want || len(pairCode) < 16 {
		t.Fatalf("pairing url %v, want %s", pairing["url"], want)
	}
	if qr, _ := pairing["qr"].(string); !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("pairing qr %.40q", qr)
	}
	if exp, err := time.Parse(time.RFC3339, pairing["expires_at"].(string)); err != nil || time.Until(exp) < 4*time.Minute || time.Until(exp) > 5*time.Minute+time.Second {
		t.Fatalf("expires_at %v %v", pairing["expires_at"], err)
	}

	// The tablet pairs with the code and the PIN.
	if code, body := tablet.post("/api/pair", map[string]string{"code": "nope", "pin": testPIN}); code != 401 || body["error"] != "pair_code" {
		t.Fatalf("unknown code: %d %v", code, body)
	}
	if code, body := tablet.post("/api/pair", map[string]string{"code": pairCode, "pin": "0000"}); code != 401 || body["error"] != "wrong_pin" {
		t.Fatalf("wrong PIN: %d %v", code, body)
	}
	code, dev := tablet.post("/api/pair", map[string]string{"code": pairCode, "pin": testPIN})
	if code != 200 || dev["name"] != "Планшет 1" || dev["user_agent"] != "Go-http-client/1.1" {
		t.Fatalf("pair: %d %v", code, dev)
	}
	var cookie *http.Cookie
	for _, ck := range tablet.http.Jar.Cookies(mustURL(t, tablet.base)) {
		if ck.Name == "sbor_device" {
			cookie = ck
		}
	}
	if cookie == nil || len(cookie.Value) < 40 {
		t.Fatalf("no device cookie: %v", tablet.http.Jar.Cookies(mustURL(t, tablet.base)))
	}
	// The store keeps a hash of the token, never the token.
	sdb, err := storage.OpenSQLite(context.Background(), filepath.Join(m.Config.DataDir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var stored []byte
	if err := sdb.QueryRow("SELECT token_hash FROM devices WHERE id = 1").Scan(&stored); err != nil ||
		bytes.Contains(stored, []byte(cookie.Value)) || len(stored) != sha256.Size {
		t.Fatalf("device token stored as %x (%v), not as its hash", stored, err)
	}
	// The code was used up.
	other := &client{t: t, base: tablet.base, http: &http.Client{Timeout: 10 * time.Second}}
	if code, body := other.post("/api/pair", map[string]string{"code": pairCode, "pin": testPIN}); code != 401 || body["error"] != "pair_code" {
		t.Fatalf("second use of a code: %d %v", code, body)
	}

	// Paired: the tablet works as the kiosk's screen does.
	code, status := tablet.do("GET", "/api/status", nil, "")
	if device, _ := status["device"].(map[string]any); code != 200 || device["name"] != "Планшет 1" {
		t.Fatalf("paired status: %d %v", code, status)
	}
	if code, page := tablet.page("/"); code != 200 || !strings.Contains(page, `id="signing"`) || strings.Contains(page, `id="pair-open"`) || strings.Contains(page, "keyboard.js") {
		t.Fatalf("paired page: %d (want the UI without the pairing button and the kiosk's keyboard)", code)
	}
	if code, body := tablet.post("/api/pairing", map[string]string{"pin": testPIN}); code != 403 || body["error"] != "kiosk_only" {
		t.Fatalf("a tablet makes a pairing code: %d %v", code, body)
	}
	if code, body := tablet.do("GET", "/api/devices", nil, ""); code != 401 || body["error"] != "no_shift" {
		t.Fatalf("devices without a shift: %d %v", code, body)
	}
	if code, body := tablet.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"}); code != 200 {
		t.Fatalf("tablet shift: %d %v", code, body)
	}
	if code, body := tablet.post("/api/projects/p1/signatures", form("Иванов Иван Иванович", "1980-04-12")); code != 201 || body["row"] != 1.0 {
		t.Fatalf("tablet signs: %d %v", code, body)
	}
	code, raw := tablet.doRaw("GET", "/api/devices")
	if code != 200 || !strings.Contains(raw, `"this":true`) || !strings.Contains(raw, `"name":"Планшет 1"`) {
		t.Fatalf("devices from the tablet's shift: %d %s", code, raw)
	}
	// The tablet's shift cookie opens nothing on another device.
	var shiftCookie *http.Cookie
	for _, ck := range tablet.http.Jar.Cookies(mustURL(t, tablet.base)) {
		if ck.Name == "sbor_shift" {
			shiftCookie = ck
		}
	}
	screen.http.Jar.SetCookies(mustURL(t, screen.base), []*http.Cookie{{Name: "sbor_shift", Value: shiftCookie.Value, Path: "/"}})
	if code, body := screen.post("/api/projects/p1/signatures", form("Петров Пётр", "1980-04-12")); code != 401 || body["error"] != "no_shift" {
		t.Fatalf("the tablet's shift cookie on the kiosk's screen: %d %v", code, body)
	}

	// The kiosk's screen sees and unpairs the tablet: cut off at once.
	code, raw = screen.doRaw("GET", "/api/devices")
	if code != 200 || !strings.Contains(raw, `"id":1`) || !strings.Contains(raw, `"paired_at"`) || !strings.Contains(raw, `"last_seen"`) {
		t.Fatalf("devices on the screen: %d %s", code, raw)
	}
	if code, _ := screen.do("DELETE", "/api/devices/1", nil, ""); code != 204 {
		t.Fatalf("unpair: %d", code)
	}
	if code, body := tablet.post("/api/projects/p1/signatures", form("Сидоров Олег", "1980-04-12")); code != 403 || body["error"] != "not_paired" {
		t.Fatalf("sign after unpairing: %d %v", code, body)
	}
	if code, _ := tablet.page("/"); code != 403 {
		t.Fatalf("page after unpairing: %d", code)
	}
	if code, body := screen.do("DELETE", "/api/devices/1", nil, ""); code != 404 || body["error"] != "unknown_device" {
		t.Fatalf("unpair twice: %d %v", code, body)
	}
	// Paired again, the tablet's old shift stays closed.
	_, pairing = screen.post("/api/pairing", map[string]string{"pin": testPIN})
	if code, dev := tablet.post("/api/pair", map[string]any{"code": pairing["code"], "pin": testPIN, "name": "  У входа  "}); code != 200 || dev["name"] != "У входа" {
		t.Fatalf("pair again: %d %v", code, dev)
	}
	if code, status := tablet.do("GET", "/api/status", nil, ""); code != 200 || status["shift"] != nil {
		t.Fatalf("the unpaired tablet's shift survived: %d %v", code, status)
	}
	if n := progress(t, m); n != 1 {
		t.Fatalf("%d signatures, want 1", n)
	}
}

func TestPairingCodeLimits(t *testing.T) {
	dir := t.TempDir()
	var offset atomic.Int64
	m := NewMain()
	m.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	// The code's own limit is under test here, not the per-source PIN
	// throttle (pin_test.go), so the throttle lets these tries through.
	m.PINPolicy = lockout.Policy{Free: 100, Base: time.Second, Max: time.Second, LockAt: 1000, LockFor: time.Second, Forget: time.Hour, MaxKeys: 10}
	args := []string{"-addr", twoAddrs, "-tablets", "-data", filepath.Join(dir, "data"), "-catalog", writeCatalog(t, dir),
		"-operator-pin", testPIN, "-log-level", "WARN"}
	if err := m.ParseFlags(args, func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	screen, tablet := screenAndTablet(t, m)

	// Five wrong PINs burn a code: the right one comes too late.
	_, p := screen.post("/api/pairing", map[string]string{"pin": testPIN})
	for i := 0; i < 5; i++ {
		if code, body := tablet.post("/api/pair", map[string]any{"code": p["code"], "pin": "0000"}); code != 401 || body["error"] != "wrong_pin" {
			t.Fatalf("wrong PIN %d: %d %v", i+1, code, body)
		}
	}
	if code, body := tablet.post("/api/pair", map[string]any{"code": p["code"], "pin": testPIN}); code != 401 || body["error"] != "pair_code" {
		t.Fatalf("burnt code: %d %v", code, body)
	}
	// A code lives five minutes.
	_, p = screen.post("/api/pairing", map[string]string{"pin": testPIN})
	offset.Store(int64(5*time.Minute + time.Second))
	if code, body := tablet.post("/api/pair", map[string]any{"code": p["code"], "pin": testPIN}); code != 401 || body["error"] != "pair_code" {
		t.Fatalf("expired code: %d %v", code, body)
	}
	_, p = screen.post("/api/pairing", map[string]string{"pin": testPIN})
	offset.Store(int64(9*time.Minute + 59*time.Second))
	if code, body := tablet.post("/api/pair", map[string]any{"code": p["code"], "pin": testPIN}); code != 200 {
		t.Fatalf("code within its five minutes: %d %v", code, body)
	}
}

func TestManifestAndServiceWorker(t *testing.T) {
	m := newKiosk(t)
	c := newClient(t, m)
	resp, err := c.http.Get(c.base + "/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`"name":"Сбор подписей"`, `"display":"standalone"`, `"start_url":"/"`,
		`"/static/icons/icon-192.png"`, `"/static/icons/icon-512.png"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("manifest lacks %s:\n%s", want, raw)
		}
	}
	for _, size := range []int{192, 512} {
		resp, err := c.http.Get(c.base + "/static/icons/icon-" + strconv.Itoa(size) + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(resp.Body)
		resp.Body.Close()
		if err != nil || img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Errorf("icon %d: %v %v", size, img, err)
		}
	}
	resp, err = c.http.Get(c.base + "/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	sw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
		bytes.Contains(sw, []byte("__SHELL_VERSION__")) || !bytes.Contains(sw, []byte("'sbor-shell-")) {
		t.Fatalf("sw.js: %d %s\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), sw)
	}
	// No script of the page's own but from files: the CSP allows no inline script.
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
}

// doRaw returns a reply's status and body as text (for JSON arrays).
func (c *client) doRaw(method, path string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTabletSettings(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	for name, args := range map[string][]string{
		"tablet-url without -tablets": {"-operator-pin", "1234", "-demo", "-tablet-url", "http://192.168.4.1:8080"},
		"tablet-url not http":         {"-operator-pin", "1234", "-demo", "-tablets", "-tablet-url", "192.168.4.1:8080"},
		"no address":                  {"-operator-pin", "1234", "-demo", "-addr", " , "},
	} {
		if err := NewMain().ParseFlags(args, noEnv); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	m := NewMain()
	if m.Config.OnscreenKeyboard || m.Config.Tablets {
		t.Fatalf("defaults: keyboard %v, tablets %v; both must be off", m.Config.OnscreenKeyboard, m.Config.Tablets)
	}
	env := map[string]string{"SBOR_OPERATOR_PIN": "9876", "SBOR_ONSCREEN_KEYBOARD": "true", "SBOR_TABLETS": "true",
		"SBOR_ADDR": "127.0.0.1:8080, 192.168.4.1:8080", "SBOR_TABLET_URL": "http://192.168.4.1:8080"}
	if err := m.ParseFlags([]string{"-demo"}, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if !m.Config.OnscreenKeyboard || !m.Config.Tablets || m.Config.TabletURL != "http://192.168.4.1:8080" ||
		strings.Join(m.Config.Addrs(), " ") != "127.0.0.1:8080 192.168.4.1:8080" {
		t.Fatalf("from the environment: %+v", m.Config)
	}
}
