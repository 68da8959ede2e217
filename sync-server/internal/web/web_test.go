package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/syncproto"
	"github.com/sbor-project/sbor/shared/threshold"
	"github.com/sbor-project/sbor/sync-server/internal/hub"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}

const adminToken = "test-admin-token-0123456789"

var testTiming = hub.Timing{Hello: 2 * time.Second, Ping: 200 * time.Millisecond, Read: 2 * time.Second, Write: 2 * time.Second}

type testEnv struct {
	ctx context.Context
	db  *sqlite.DB
	hub *hub.Hub
	url string
}

func newEnv(t *testing.T, token string) *testEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := hub.New(db, testTiming)
	s, err := New(Config{AdminToken: token, EnrollTTL: time.Hour, BodyLimit: 4 << 10}, db, h)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		srv.Close()
		db.Close()
	})
	return &testEnv{ctx: ctx, db: db, hub: h, url: srv.URL}
}

type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any // nil unless the body is a JSON object
}

// request is one API call; auth is the Authorization header, or "".
func (e *testEnv) request(t *testing.T, method, path, contentType, body, auth string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, raw, err)
		}
	}
	return r
}

// admin calls with the admin token.
func (e *testEnv) admin(t *testing.T, method, path, body string) response {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return e.request(t, method, path, ct, body, "Bearer "+adminToken)
}

// expect checks the status and, for errors, the JSON error code.
func (r response) expect(t *testing.T, status int, code string) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if code != "" {
		if r.body == nil || r.body["error"] != code {
			t.Fatalf("body %s, want error %q", r.raw, code)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("error with content type %q", ct)
		}
		if msg, _ := r.body["message"].(string); msg == "" {
			t.Fatalf("error without a message: %s", r.raw)
		}
	}
	return r
}

func demoJSON(t *testing.T, edit func(*catalog.Catalog)) string {
	t.Helper()
	c := catalog.Demo(calendar.Of(time.Now()))
	if edit != nil {
		edit(c)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAdminNeedsToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	endpoints := []struct{ method, path, body string }{
		{"GET", "/api/catalog", ""},
		{"PUT", "/api/catalog", demoJSON(t, nil)},
		{"POST", "/api/kiosks", `{"name":"Киоск"}`},
		{"GET", "/api/kiosks", ""},
		{"DELETE", "/api/kiosks/k1", ""},
		{"GET", "/api/projects/p1/duplicates", ""},
	}
	auths := map[string]string{
		"no header":                "",
		"wrong token":              "Bearer wrong-token-0123456789abc",
		"token prefix":             "Bearer " + adminToken[:len(adminToken)-1],
		"token with a suffix":      "Bearer " + adminToken + "x",
		"basic scheme":             "Basic " + adminToken,
		"bare token":               adminToken,
		"empty bearer":             "Bearer ",
		"lowercase scheme, spaces": "bearer  " + adminToken,
	}
	for _, ep := range endpoints {
		for name, auth := range auths {
			t.Run(ep.method+" "+ep.path+" "+name, func(t *testing.T) {
				r := e.request(t, ep.method, ep.path, "application/json", ep.body, auth).expect(t, http.StatusUnauthorized, "unauthorized")
				if r.header.Get("WWW-Authenticate") == "" {
					t.Fatal("401 without WWW-Authenticate")
				}
			})
		}
	}
	// Nothing the refused calls asked for happened.
	if e.hub.Catalog() != nil {
		t.Fatal("a catalogue was put without the token")
	}
	if c, err := e.db.Catalog(e.ctx); err != nil || c != nil {
		t.Fatalf("catalogue stored without the token: %v %v", c, err)
	}
	if ks, err := e.db.Kiosks(e.ctx); err != nil || len(ks) != 0 {
		t.Fatalf("kiosks created without the token: %v %v", ks, err)
	}
	// With the token the same calls work.
	e.admin(t, "GET", "/api/kiosks", "").expect(t, http.StatusOK, "")
}

func TestAdminClosedWithoutToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "")
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		e.request(t, "GET", "/api/kiosks", "", "", auth).expect(t, http.StatusUnauthorized, "unauthorized")
	}
	// Public endpoints stay open.
	e.request(t, "GET", "/healthz", "", "", "").expect(t, http.StatusOK, "")
}

func TestCatalog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	e.admin(t, "GET", "/api/catalog", "").expect(t, http.StatusNotFound, "not_found")

	bad := demoJSON(t, func(c *catalog.Catalog) { c.Territories[0].Residents = 0 })
	r := e.admin(t, "PUT", "/api/catalog", bad).expect(t, http.StatusUnprocessableEntity, "invalid_catalog")
	if r.body["field"] != "territories[0].residents" {
		t.Fatalf("field %v, want territories[0].residents: %s", r.body["field"], r.raw)
	}
	e.admin(t, "GET", "/api/catalog", "").expect(t, http.StatusNotFound, "not_found")
	if c, err := e.db.Catalog(e.ctx); err != nil || c != nil {
		t.Fatalf("a refused catalogue was stored: %v %v", c, err)
	}

	// The good one, put three times with the same version in the body:
	// the server numbers versions, so each put is a newer one.
	good := demoJSON(t, nil)
	last := 0
	for i := range 3 {
		r := e.admin(t, "PUT", "/api/catalog", good).expect(t, http.StatusOK, "")
		v, ok := r.body["version"].(float64)
		if !ok || int(v) <= last {
			t.Fatalf("put %d: version %v after %d", i, r.body["version"], last)
		}
		last = int(v)
		got := e.admin(t, "GET", "/api/catalog", "").expect(t, http.StatusOK, "")
		if got.body["version"] != v {
			t.Fatalf("GET version %v, want %v", got.body["version"], v)
		}
		if c, err := e.db.Catalog(e.ctx); err != nil || c.Version != last {
			t.Fatalf("stored %+v %v", c, err)
		}
		if e.hub.Catalog().Version != last {
			t.Fatalf("hub has version %d", e.hub.Catalog().Version)
		}
	}
	// A body claiming a far higher version keeps it, and the next is above.
	r = e.admin(t, "PUT", "/api/catalog", demoJSON(t, func(c *catalog.Catalog) { c.Version = 50 })).expect(t, http.StatusOK, "")
	if r.body["version"] != float64(50) {
		t.Fatalf("version %v, want 50", r.body["version"])
	}
	r = e.admin(t, "PUT", "/api/catalog", good).expect(t, http.StatusOK, "")
	if r.body["version"] != float64(51) {
		t.Fatalf("version %v, want 51", r.body["version"])
	}
	last = 51

	// Refused catalogues leave the current one in force.
	refused := []struct {
		name, ct, body string
		status         int
		field          string
	}{
		{"no residents", "application/json", bad, http.StatusUnprocessableEntity, "territories[0].residents"},
		{"unknown field", "application/json", strings.Replace(good, `"version"`, `"versoin"`, 1), http.StatusUnprocessableEntity, "versoin"},
		{"project of no territory", "application/json", demoJSON(t, func(c *catalog.Catalog) { c.Projects[1].TerritoryID = "t9" }),
			http.StatusUnprocessableEntity, "projects[1].territory_id"},
		{"truncated", "application/json", good[:len(good)/2], http.StatusUnprocessableEntity, ""},
		{"trailing data", "application/json", good + `{}`, http.StatusUnprocessableEntity, ""},
		{"text content type", "text/plain", good, http.StatusUnsupportedMediaType, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := e.request(t, "PUT", "/api/catalog", tt.ct, tt.body, "Bearer "+adminToken)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.field != "" && r.body["field"] != tt.field {
				t.Fatalf("field %v, want %q", r.body["field"], tt.field)
			}
			got := e.admin(t, "GET", "/api/catalog", "").expect(t, http.StatusOK, "")
			if got.body["version"] != float64(last) {
				t.Fatalf("catalogue in force is version %v, want %d", got.body["version"], last)
			}
			if c, err := e.db.Catalog(e.ctx); err != nil || c.Version != last {
				t.Fatalf("stored %+v %v", c, err)
			}
		})
	}
}

func TestCatalogPushedToKiosks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	id, cred := e.enroll(t, "Киоск 1")
	c := e.dialSync(t)
	c.send(t, &syncproto.Hello{Version: syncproto.Version, KioskID: id, Credential: cred, Epoch: record.NewEpoch()})
	if w, ok := c.recv(t).(*syncproto.Welcome); !ok || w.CatalogVersion != 0 {
		t.Fatalf("welcome %+v", w)
	}
	r := e.admin(t, "PUT", "/api/catalog", demoJSON(t, nil)).expect(t, http.StatusOK, "")
	push, ok := c.recv(t).(*syncproto.CatalogPush)
	if !ok || float64(push.Version) != r.body["version"] {
		t.Fatalf("push %+v after put %s", push, r.raw)
	}
}

// enroll creates a kiosk through the API and redeems its code.
func (e *testEnv) enroll(t *testing.T, name string) (id, credential string) {
	t.Helper()
	r := e.admin(t, "POST", "/api/kiosks", fmt.Sprintf(`{"name":%q}`, name)).expect(t, http.StatusCreated, "")
	id, _ = r.body["id"].(string)
	code, _ := r.body["enroll_code"].(string)
	if id == "" || code == "" || r.body["name"] != name {
		t.Fatalf("created %s", r.raw)
	}
	r = e.request(t, "POST", "/api/enroll", "application/json", enrollBody(code, newDeviceKey(t)), "").expect(t, http.StatusOK, "")
	if r.body["kiosk_id"] != id {
		t.Fatalf("enrolled %s, want kiosk %s", r.raw, id)
	}
	credential, _ = r.body["credential"].(string)
	return id, credential
}

// newDeviceKey is a kiosk's device key pair, made as a kiosk makes it.
func newDeviceKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// enrollBody is a kiosk's enrollment request with its public key.
func enrollBody(code string, key ed25519.PrivateKey) string {
	return fmt.Sprintf(`{"code":%q,"device_key":%q}`, code, base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)))
}

func TestEnroll(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	r := e.admin(t, "POST", "/api/kiosks", `{"name":"  Киоск у школы  "}`).expect(t, http.StatusCreated, "")
	id, _ := r.body["id"].(string)
	code, _ := r.body["enroll_code"].(string)
	if id == "" || code == "" || r.body["name"] != "Киоск у школы" {
		t.Fatalf("created %s", r.raw)
	}
	exp, err := time.Parse(time.RFC3339Nano, fmt.Sprint(r.body["expires_at"]))
	if err != nil || exp.Before(time.Now().Add(50*time.Minute)) || exp.After(time.Now().Add(61*time.Minute)) {
		t.Fatalf("expires_at %v (TTL 1h): %v", r.body["expires_at"], err)
	}
	// Listed, not enrolled yet.
	ks := e.kiosks(t)
	if len(ks) != 1 || ks[0]["id"] != id || ks[0]["enrolled_at"] != nil {
		t.Fatalf("kiosks %v", ks)
	}

	// Without the kiosk's device key, or with one that is not a base64
	// Ed25519 public key: refused, and the code is not spent.
	key := newDeviceKey(t)
	pub := key.Public().(ed25519.PublicKey)
	for _, body := range []string{
		fmt.Sprintf(`{"code":%q}`, code),
		fmt.Sprintf(`{"code":%q,"device_key":""}`, code),
		fmt.Sprintf(`{"code":%q,"device_key":"not base64!"}`, code),
		fmt.Sprintf(`{"code":%q,"device_key":%q}`, code, base64.StdEncoding.EncodeToString(pub[:31])),
		fmt.Sprintf(`{"code":%q,"device_key":%q}`, code, base64.StdEncoding.EncodeToString(append(bytes.Clone(pub), 0))),
		fmt.Sprintf(`{"code":%q,"device_key":%q}`, code, base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32))),
	} {
		r := e.request(t, "POST", "/api/enroll", "application/json", body, "").expect(t, http.StatusBadRequest, "device_key")
		if r.body["message"] == "" {
			t.Fatalf("%s: no message: %s", body, r.raw)
		}
	}
	if ks := e.kiosks(t); ks[0]["enrolled_at"] != nil {
		t.Fatalf("enrolled without a device key: %v", ks)
	}

	// The code as a person types it: lower case, spaces around.
	r = e.request(t, "POST", "/api/enroll", "application/json", enrollBody(" "+strings.ToLower(code)+" ", key), "").expect(t, http.StatusOK, "")
	cred, _ := r.body["credential"].(string)
	if r.body["kiosk_id"] != id || len(cred) < 32 {
		t.Fatalf("enrolled %s", r.raw)
	}
	if err := e.db.Authenticate(e.ctx, id, cred); err != nil {
		t.Fatalf("the credential does not authenticate: %v", err)
	}
	if got, err := e.db.DeviceKey(e.ctx, id, cred); err != nil || !got.Equal(pub) {
		t.Fatalf("stored device key %x %v, want %x", got, err, pub)
	}
	if ks := e.kiosks(t); ks[0]["enrolled_at"] == nil {
		t.Fatalf("kiosks %v", ks)
	}

	// Replay: the code is gone, the credential issued stays the only one.
	e.request(t, "POST", "/api/enroll", "application/json", enrollBody(code, newDeviceKey(t)), "").expect(t, http.StatusUnauthorized, "enroll_code")
	if got, err := e.db.DeviceKey(e.ctx, id, cred); err != nil || !got.Equal(pub) {
		t.Fatalf("a replay changed the credential or the key: %x %v", got, err)
	}

	// An expired code, an unknown one, an empty one.
	if err := e.db.CreateKiosk(e.ctx, "kold", "old", "EXPIREDCODE", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"EXPIREDCODE", "NOSUCHCODE", ""} {
		e.request(t, "POST", "/api/enroll", "application/json", enrollBody(c, key), "").expect(t, http.StatusUnauthorized, "enroll_code")
	}
	for _, k := range e.kiosks(t) {
		if k["id"] == "kold" && k["enrolled_at"] != nil {
			t.Fatal("an expired code enrolled its kiosk")
		}
	}
	// A revoked kiosk's code is void.
	r = e.admin(t, "POST", "/api/kiosks", `{"name":"Киоск 2"}`).expect(t, http.StatusCreated, "")
	e.admin(t, "DELETE", "/api/kiosks/"+r.body["id"].(string), "").expect(t, http.StatusNoContent, "")
	e.request(t, "POST", "/api/enroll", "application/json", enrollBody(r.body["enroll_code"].(string), key), "").expect(t, http.StatusUnauthorized, "enroll_code")

	// Enrollment is JSON only, strictly.
	e.request(t, "POST", "/api/enroll", "text/plain", `{"code":"X"}`, "").expect(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.request(t, "POST", "/api/enroll", "application/json", `{"code":"X","kiosk_id":"k1"}`, "").expect(t, http.StatusBadRequest, "unknown_field")
}

func (e *testEnv) kiosks(t *testing.T) []map[string]any {
	t.Helper()
	r := e.admin(t, "GET", "/api/kiosks", "").expect(t, http.StatusOK, "")
	var ks []map[string]any
	if err := json.Unmarshal(r.raw, &ks); err != nil {
		t.Fatalf("kiosks %s: %v", r.raw, err)
	}
	return ks
}

func TestCreateKioskRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	auth := "Bearer " + adminToken
	tests := []struct {
		name, ct, body string
		status         int
		code           string
	}{
		{"text content type", "text/plain", `{"name":"Киоск"}`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"no content type", "", `{"name":"Киоск"}`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"form", "application/x-www-form-urlencoded", `name=x`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"unknown field", "application/json", `{"name":"Киоск","id":"kmine"}`, http.StatusBadRequest, "unknown_field"},
		{"not JSON", "application/json", `name=Киоск`, http.StatusBadRequest, "bad_json"},
		{"trailing data", "application/json", `{"name":"Киоск"}{"name":"Ещё"}`, http.StatusBadRequest, "bad_json"},
		{"wrong type", "application/json", `{"name":7}`, http.StatusBadRequest, "bad_json"},
		{"empty name", "application/json", `{"name":"   "}`, http.StatusUnprocessableEntity, "invalid"},
		{"name too long", "application/json", fmt.Sprintf(`{"name":%q}`, strings.Repeat("я", 201)), http.StatusUnprocessableEntity, "invalid"},
		{"body over the limit", "application/json", `{"name":"` + strings.Repeat("x", 5<<10) + `"}`, http.StatusRequestEntityTooLarge, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.request(t, "POST", "/api/kiosks", tt.ct, tt.body, auth).expect(t, tt.status, tt.code)
		})
	}
	if ks := e.kiosks(t); len(ks) != 0 {
		t.Fatalf("refused requests created kiosks: %v", ks)
	}
	// With a charset parameter the content type is still JSON.
	e.request(t, "POST", "/api/kiosks", "application/json; charset=utf-8", `{"name":"Киоск"}`, auth).expect(t, http.StatusCreated, "")
}

// syncClient is a minimal kiosk connection through the web server.
type syncClient struct{ conn *websocket.Conn }

func (e *testEnv) dialSync(t *testing.T) *syncClient {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.url, "http")+"/sync", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &syncClient{conn}
}

func (c *syncClient) send(t *testing.T, msg any) {
	t.Helper()
	b, err := syncproto.Encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
}

func (c *syncClient) recv(t *testing.T) any {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := syncproto.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestRevokeKiosk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	id, cred := e.enroll(t, "Киоск 1")
	other, otherCred := e.enroll(t, "Киоск 2")

	// Both connected; revoking one ends its session only.
	hello := func(id, cred string) *syncClient {
		c := e.dialSync(t)
		c.send(t, &syncproto.Hello{Version: syncproto.Version, KioskID: id, Credential: cred, Epoch: record.NewEpoch()})
		if _, ok := c.recv(t).(*syncproto.Welcome); !ok {
			t.Fatal("no welcome")
		}
		return c
	}
	c, c2 := hello(id, cred), hello(other, otherCred)

	e.admin(t, "DELETE", "/api/kiosks/"+id, "").expect(t, http.StatusNoContent, "")
	if m, ok := c.recv(t).(*syncproto.Error); !ok || m.Code != syncproto.CodeUnauthorized {
		t.Fatalf("revoked session got %+v", m)
	}
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := c.conn.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Fatalf("revoked session ended with %v", err)
	}
	if err := e.db.Authenticate(e.ctx, id, cred); !errors.Is(err, sqlite.ErrUnauthorized) {
		t.Fatalf("revoked credential: %v", err)
	}
	for _, k := range e.kiosks(t) {
		if (k["id"] == id) != (k["revoked_at"] != nil) {
			t.Fatalf("kiosks %v", k)
		}
	}
	// The other kiosk's session still answers.
	c2.send(t, &syncproto.Check{ID: 1, ProjectID: "p1", KeyHash: strings.Repeat("a", 64)})
	if m, ok := c2.recv(t).(*syncproto.Checked); !ok || m.ID != 1 {
		t.Fatalf("other kiosk got %+v", m)
	}

	// Again, and unknown kiosks: 404 JSON.
	e.admin(t, "DELETE", "/api/kiosks/"+id, "").expect(t, http.StatusNotFound, "not_found")
	e.admin(t, "DELETE", "/api/kiosks/nosuchkiosk", "").expect(t, http.StatusNotFound, "not_found")
}

func TestProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	// No catalogue yet: no project.
	e.request(t, "GET", "/api/projects/p1/progress", "", "", "").expect(t, http.StatusNotFound, "not_found")
	e.admin(t, "PUT", "/api/catalog", demoJSON(t, nil)).expect(t, http.StatusOK, "")
	id, _ := e.enroll(t, "Киоск 1")
	r := e.admin(t, "POST", "/api/kiosks", `{"name":"Не подключён"}`).expect(t, http.StatusCreated, "")
	pendingID := r.body["id"].(string)

	// Three citizens, one of them twice.
	names := []string{"Иванов Иван", "Петрова Анна", "Сидоров Пётр", "иванов  иван"}
	birth := calendar.MustParse("1980-04-12")
	epoch := record.NewEpoch()
	var recs []record.Record
	seq, prev := uint64(0), record.Genesis
	for i, name := range names {
		s := signature.Signature{ProjectID: "p1", IdentityKey: citizen.IdentityKey(name, birth), FullName: name, BirthDate: birth,
			SignedAt: time.Now().UTC().Truncate(time.Second).Add(time.Duration(i) * time.Minute), ClockSource: signature.ClockSystem,
			ConsentVersion: "v1", Strokes: [][][]float64{{{10, 10}, {40, 30}}}, CollectorID: "m1", Sheet: 1, Row: i + 1}
		payload, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		rec := record.New(epoch, seq, prev, record.TypeSignature, payload)
		recs = append(recs, rec)
		seq, prev = rec.Seq, rec.Hash
	}
	if got, err := e.db.Ingest(e.ctx, id, epoch, recs); err != nil || got.AckedSeq != 4 {
		t.Fatalf("ingest %+v %v", got, err)
	}
	if err := e.db.Touch(e.ctx, id, 5); err != nil {
		t.Fatal(err)
	}

	// Public: no token needed.
	r = e.request(t, "GET", "/api/projects/p1/progress", "", "", "").expect(t, http.StatusOK, "")
	p := catalog.Demo(calendar.Of(time.Now())).Project("p1")
	want := threshold.Of(3, 1001, p.ThresholdPercent)
	if r.body["signatures"] != float64(3) || r.body["duplicates"] != float64(1) || r.body["required"] != float64(want.Required) ||
		r.body["residents"] != float64(1001) || r.body["reached"] != want.Reached {
		t.Fatalf("progress %s, want %+v", r.raw, want)
	}
	ks, _ := r.body["kiosks"].([]any)
	if len(ks) != 1 {
		t.Fatalf("kiosks %v: want only the enrolled one, not %s", ks, pendingID)
	}
	k := ks[0].(map[string]any)
	if k["id"] != id || k["acked_seq"] != float64(4) || k["pending"] != float64(5) || k["last_seen"] == nil {
		t.Fatalf("kiosk %v", k)
	}
	// No personal data anywhere in the body.
	var doc any
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"full_name", "birth_date", "identity_key", "key_hash", "strokes", "members", "document", "address"} {
		if path := findKey(doc, key, "$"); path != "" {
			t.Errorf("progress has personal data at %s", path)
		}
	}
	for _, s := range append(names, "1980-04-12", "Петрова Мария") {
		if bytes.Contains(bytes.ToLower(r.raw), bytes.ToLower([]byte(s))) {
			t.Errorf("progress mentions %q", s)
		}
	}
	// The duplicates, by contrast, are for the office only.
	e.request(t, "GET", "/api/projects/p1/duplicates", "", "", "").expect(t, http.StatusUnauthorized, "unauthorized")
	d := e.admin(t, "GET", "/api/projects/p1/duplicates", "").expect(t, http.StatusOK, "")
	if !bytes.Contains(d.raw, []byte(`"duplicate_of"`)) {
		t.Fatalf("duplicates %s", d.raw)
	}

	// A project with no signatures, and unknown projects.
	r = e.request(t, "GET", "/api/projects/p2/progress", "", "", "").expect(t, http.StatusOK, "")
	if r.body["signatures"] != float64(0) || r.body["reached"] != false {
		t.Fatalf("p2 progress %s", r.raw)
	}
	for _, path := range []string{"/api/projects/p9/progress", "/api/projects/%2e%2e/progress"} {
		e.request(t, "GET", path, "", "", "").expect(t, http.StatusNotFound, "not_found")
	}
}

// findKey returns the path of the first object key named key, or "".
func findKey(v any, key, path string) string {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if k == key {
				return path + "." + k
			}
			if p := findKey(child, key, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, child := range x {
			if p := findKey(child, key, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/unknown"},
		{"POST", "/api/unknown"},
		{"GET", "/api/"},
		{"GET", "/api/projects"},
		{"GET", "/api/projects/p1"},
	} {
		r := e.request(t, c.method, c.path, "", "", "").expect(t, http.StatusNotFound, "not_found")
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s %s: headers %v", c.method, c.path, r.header)
		}
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	r := e.request(t, "GET", "/healthz", "", "", "").expect(t, http.StatusOK, "")
	if string(r.raw) != "ok\n" {
		t.Fatalf("healthz %q", r.raw)
	}
}
