package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
)

const testPIN = "2468"

// testOffice stands for the office: kiosks under test seal to its key, and
// the tests, holding the private key, open what they stored.
var testOffice = func() *seal.KeyPair {
	kp, err := seal.Generate()
	if err != nil {
		panic(err)
	}
	return kp
}()

// opened is a record's whole payload, opened with the office's key as the
// server opens it. The public part alone must name no one.
func opened(t testing.TB, r record.Record) []byte {
	t.Helper()
	if record.HasPersonal(r.Type) && (r.Sealed == nil || bytes.Contains(r.Payload, []byte("full_name"))) {
		t.Fatalf("record %d (%s) not sealed: %s", r.Seq, r.Type, r.Payload)
	}
	b, err := r.Open(testOffice)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeCatalog writes a catalogue whose collection window contains today.
func writeCatalog(t *testing.T, dir string) string {
	t.Helper()
	today := calendar.Of(time.Now())
	c := catalog.Demo(today)
	c.OfficeKey = testOffice.Public.String()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "catalog.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// startKiosk runs the real Main on port 0 over dataDir.
func startKiosk(t *testing.T, dataDir, catalogFile string) *Main {
	t.Helper()
	m := NewMain()
	noEnv := func(string) (string, bool) { return "", false }
	err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-data", dataDir, "-catalog", catalogFile,
		"-operator-pin", testPIN, "-log-level", "WARN"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, m *Main) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: "http://" + m.Server.Addr().String(), http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// do sends body as JSON (or raw bytes with ctype) and decodes the reply.
func (c *client) do(method, path string, body any, ctype string) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			out = map[string]any{"_raw": string(raw)}
		}
	}
	return resp.StatusCode, out
}

func (c *client) post(path string, body any) (int, map[string]any) {
	return c.do("POST", path, body, "application/json")
}

func form(name, birth string) map[string]any {
	return map[string]any{
		"full_name": name, "birth_date": birth, "resident": true, "consent": true,
		"signature": map[string]any{"strokes": [][][]float64{{{10, 10}, {60, 40}, {120, 15}}}},
	}
}

func TestKioskEndToEnd(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := writeCatalog(t, dir)
	m := startKiosk(t, data, file)

	c := newClient(t, m)
	if code, _ := c.do("GET", "/healthz", nil, ""); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	// No shift: refused.
	if code, body := c.post("/api/projects/p1/signatures", form("Иванов Иван Иванович", "1980-04-12")); code != 401 || body["error"] != "no_shift" {
		t.Fatalf("sign without shift: %d %v", code, body)
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": "0000", "collector_id": "m1"}); code != 401 || body["error"] != "wrong_pin" {
		t.Fatalf("wrong PIN: %d %v", code, body)
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "nobody"}); code != 422 || body["error"] != "unknown_collector" {
		t.Fatalf("unknown collector: %d %v", code, body)
	}
	code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"})
	if code != 200 || body["collector_name"] != "Сидоров Пётр Алексеевич" {
		t.Fatalf("open shift: %d %v", code, body)
	}
	// m2 is only in p1's group.
	if code, body := c.post("/api/projects/p2/signatures", form("Иванов Иван Иванович", "1980-04-12")); code != 403 || body["error"] != "not_collector" {
		t.Fatalf("other group's project: %d %v", code, body)
	}
	code, body = c.post("/api/projects/p1/signatures", form("Иванов Иван Иванович", "1980-04-12"))
	if code != 201 || body["sheet"] != 1.0 || body["row"] != 1.0 || body["signatures"] != 1.0 || body["required"] != 301.0 {
		t.Fatalf("sign: %d %v", code, body)
	}
	// The same citizen typed differently is refused as a duplicate, revealing nothing.
	code, body = c.post("/api/projects/p1/signatures", form("  иванов   ИВАН иванович ", "1980-04-12"))
	if code != 409 || body["error"] != "duplicate" || !strings.Contains(body["message"].(string), "уже подписался") {
		t.Fatalf("duplicate: %d %v", code, body)
	}
	if s := fmt.Sprint(body); strings.Contains(s, "sheet") || strings.Contains(s, "signed_at") {
		t.Fatalf("duplicate reply reveals the other record: %v", body)
	}

	// Bad input: each refused with its code, nothing stored.
	young := form("Петров Пётр", calendar.Of(time.Now()).AddYears(-16).String())
	if code, body := c.post("/api/projects/p1/signatures", young); code != 201 {
		t.Fatalf("16th birthday today: %d %v", code, body)
	}
	tooYoung := form("Петров Павел", calendar.Of(time.Now().AddDate(0, 0, 1)).AddYears(-16).String())
	code, body = c.post("/api/projects/p1/signatures", tooYoung)
	fields, _ := body["fields"].(map[string]any)
	codes, _ := body["codes"].(map[string]any)
	if code != 422 || codes["birth_date"] != "too_young" || fields["birth_date"] == "" {
		t.Fatalf("too young: %d %v", code, body)
	}
	bad := form("<script>x</script>", "1980-13-01")
	bad["consent"] = false
	code, body = c.post("/api/projects/p1/signatures", bad)
	codes, _ = body["codes"].(map[string]any)
	if code != 422 || codes["full_name"] != "name_characters" || codes["birth_date"] != "bad_date" || codes["consent"] != "no_consent" {
		t.Fatalf("bad form: %d %v", code, body)
	}
	if code, body := c.post("/api/projects/nope/signatures", form("Иванов Иван", "1980-04-12")); code != 404 || body["error"] != "not_found" {
		t.Fatalf("unknown project: %d %v", code, body)
	}
	withExtra := form("Орлов Игорь", "1980-04-12")
	withExtra["admin"] = true
	if code, body := c.post("/api/projects/p1/signatures", withExtra); code != 400 || body["error"] != "unknown_field" {
		t.Fatalf("unknown field: %d %v", code, body)
	}
	if code, body := c.do("POST", "/api/projects/p1/signatures", []byte("full_name=x"), "application/x-www-form-urlencoded"); code != 415 || body["error"] != "unsupported_media_type" {
		t.Fatalf("form post: %d %v", code, body)
	}
	huge := form("Орлов Игорь", "1980-04-12")
	huge["full_name"] = strings.Repeat("а", 300<<10)
	if code, body := c.post("/api/projects/p1/signatures", huge); code != 413 || body["error"] != "too_large" {
		t.Fatalf("huge body: %d %v", code, body)
	}
	dot := form("Орлов Игорь", "1980-04-12")
	dot["signature"] = map[string]any{"strokes": [][][]float64{{{5, 5}}}}
	if code, body := c.post("/api/projects/p1/signatures", dot); code != 422 || body["codes"].(map[string]any)["signature"] != "signature_empty" {
		t.Fatalf("one-dot signature: %d %v", code, body)
	}
	code, body = c.do("GET", "/api/projects/p1/progress", nil, "")
	if code != 200 || body["signatures"] != 2.0 || body["required"] != 301.0 || body["residents"] != 1001.0 || body["reached"] != false {
		t.Fatalf("progress: %d %v", code, body)
	}
	// English switch for messages.
	code, body = c.do("POST", "/api/projects/p1/signatures?lang=en", mustJSON(t, form("Иванов Иван Иванович", "1980-04-12")), "application/json")
	if code != 409 || !strings.Contains(body["message"].(string), "already signed") {
		t.Fatalf("english duplicate: %d %v", code, body)
	}

	// Restart on the same data dir: still refused, count intact, shift kept.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m2 := startKiosk(t, data, file)
	defer m2.Close()
	c.base = "http://" + m2.Server.Addr().String()
	code, body = c.post("/api/projects/p1/signatures", form("Иванов Иван Иванович", "1980-04-12"))
	if code != 409 || body["error"] != "duplicate" {
		t.Fatalf("duplicate after restart: %d %v", code, body)
	}
	code, body = c.do("GET", "/api/projects/p1/progress", nil, "")
	if code != 200 || body["signatures"] != 2.0 {
		t.Fatalf("progress after restart: %d %v", code, body)
	}
	if v, err := m2.DB.IntegrityCheck(context.Background()); err != nil || v != "ok" {
		t.Fatalf("integrity_check %q %v", v, err)
	}
	// Closing the shift ends signing in this browser.
	if code, _ := c.do("DELETE", "/api/shift", nil, ""); code != 204 {
		t.Fatalf("close shift: %d", code)
	}
	if code, _ := c.post("/api/projects/p1/signatures", form("Орлов Игорь", "1980-04-12")); code != 401 {
		t.Fatalf("sign after closing the shift: %d", code)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBadCatalogueKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := writeCatalog(t, dir)
	m := startKiosk(t, data, file)
	m.Close()

	// The file goes bad: the kiosk starts on the last good catalogue.
	if err := os.WriteFile(file, []byte(`{"version": 2, "territories": [{"id": "t1", "name": "x", "residents": 0}], "projects": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m = startKiosk(t, data, file)
	defer m.Close()
	if m.Station.Catalog().Version != 1 || m.Station.Catalog().Project("p1") == nil {
		t.Fatalf("catalogue in force: %+v", m.Station.Catalog())
	}
	m.ReloadCatalog(context.Background())
	if m.Station.Catalog().Version != 1 {
		t.Fatal("a bad reload replaced the catalogue")
	}
}

func TestUntrustedClock(t *testing.T) {
	dir := t.TempDir()
	m := NewMain()
	// A Pi without an RTC booting offline: 1 January 1970.
	m.Now = func() time.Time { return time.Date(1970, 1, 1, 0, 0, 5, 0, time.UTC) }
	noEnv := func(string) (string, bool) { return "", false }
	file := writeCatalog(t, dir)
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-catalog", file, "-operator-pin", testPIN}, noEnv); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := newClient(t, m)
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m1"}); code != 409 || body["error"] != "clock_untrusted" {
		t.Fatalf("shift on a 1970 clock: %d %v", code, body)
	}
	if code, body := c.post("/api/clock", map[string]string{"pin": "0000", "now": "2026-05-20T09:00"}); code != 401 {
		t.Fatalf("clock with wrong PIN: %d %v", code, body)
	}
	if code, body := c.post("/api/clock", map[string]string{"pin": testPIN, "now": "20.05.2026"}); code != 422 || body["error"] != "bad_clock" {
		t.Fatalf("bad clock: %d %v", code, body)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	day := time.Now().In(moscow).Format("2006-01-02")
	code, body := c.post("/api/clock", map[string]string{"pin": testPIN, "now": day + "T09:00"})
	if code != 200 || body["trusted"] != true || body["source"] != "operator" || body["date"] != day {
		t.Fatalf("set clock: %d %v", code, body)
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m1"}); code != 200 {
		t.Fatalf("shift after setting the clock: %d %v", code, body)
	}
	if code, body := c.post("/api/projects/p1/signatures", form("Иванов Иван", "1980-04-12")); code != 201 {
		t.Fatalf("sign: %d %v", code, body)
	}
	recs, err := m.DB.Records(context.Background(), 0, 10)
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	var sig struct {
		SignedAt    string `json:"signed_at"`
		ClockSource string `json:"clock_source"`
	}
	if err := json.Unmarshal(recs[0].Payload, &sig); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sig.SignedAt, day+"T09:00") || !strings.HasSuffix(sig.SignedAt, "+03:00") || sig.ClockSource != "operator" {
		t.Fatalf("signature dated %q by %q", sig.SignedAt, sig.ClockSource)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := map[string][]string{
		"short PIN":          {"-operator-pin", "12", "-demo"},
		"bad zone":           {"-operator-pin", "1234", "-timezone", "Mars/Olympus"},
		"demo and catalogue": {"-operator-pin", "1234", "-demo", "-catalog", "x.json"},
		"tiny idle":          {"-operator-pin", "1234", "-idle-reset", "1s"},
		"stray argument":     {"-operator-pin", "1234", "extra"},
	}
	for name, args := range tests {
		m := NewMain()
		if err := m.ParseFlags(args, func(string) (string, bool) { return "", false }); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	m := NewMain()
	env := map[string]string{"SBOR_OPERATOR_PIN": "9876", "SBOR_ADDR": ":9999"}
	if err := m.ParseFlags([]string{"-addr", ":7777"}, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if m.Config.OperatorPIN != "9876" || m.Config.Addr != ":7777" {
		t.Fatalf("env/flags: %+v", m.Config)
	}
}

func mustDate(s string) calendar.Date { return calendar.MustParse(s) }

// TestUnenrolledKioskCollectsOffline: a kiosk told its server but holding
// no usable credential for it (here, one enrolled before device keys)
// starts anyway, collects offline, and tells the operator it must be
// enrolled again, instead of exiting in a hall where nobody reads its log.
func TestUnenrolledKioskCollectsOffline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	db, err := sqlite.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMeta(ctx, map[string]string{"sync_server": "http://127.0.0.1:9", "sync_kiosk_id": "k-old",
		"sync_credential": "OLD"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	m := startKioskArgs(t, data, writeCatalog(t, dir), "-server", "http://127.0.0.1:9")
	c := newClient(t, m)
	code, body := c.do("GET", "/api/status", nil, "")
	sync, _ := body["sync"].(map[string]any)
	if code != 200 || sync["needs_enroll"] != true || !strings.Contains(sync["last_error"].(string), "-enroll") {
		t.Fatalf("status: %d %v", code, body)
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"}); code != 200 {
		t.Fatalf("open shift: %d %v", code, body)
	}
	if code, body := c.post("/api/projects/p1/signatures", form("Старова Нина Петровна", "1950-02-03")); code != 201 {
		t.Fatalf("sign offline: %d %v", code, body)
	}
	_, body = c.do("GET", "/api/status", nil, "")
	if sync, _ := body["sync"].(map[string]any); sync["pending"] != 1.0 {
		t.Fatalf("status after signing: %v", body)
	}
}
