package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
)

// The tests here run the real programs: the server's Main in process or
// as a child process, kiosks as child processes of a freshly built binary.

const (
	adminToken = "test-admin-token-0123456789"
	testPIN    = "2468"
)

var kioskBinary string

func TestMain(m *testing.M) {
	if os.Getenv("SBOR_TEST_RUN_SERVER") == "1" {
		os.Args = append([]string{"sync-server"}, strings.Fields(os.Getenv("SBOR_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "sbor-kiosk-bin")
	if err != nil {
		panic(err)
	}
	kioskBinary = filepath.Join(dir, "kiosk")
	build := exec.Command("go", "build", "-o", kioskBinary, "../kiosk")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the kiosk for the tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freeAddr reserves a loopback port that a restarted server can bind again.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t *testing.T, addr, data string) *Main {
	t.Helper()
	m := NewMain()
	m.Timing.Ping, m.Timing.Read = 500*time.Millisecond, 3*time.Second
	err := m.ParseFlags([]string{"-addr", addr, "-data", data, "-admin-token", adminToken, "-log-level", "WARN"},
		func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

// testCatalog is a catalogue whose collection window contains today.
func testCatalog(t *testing.T) []byte {
	t.Helper()
	c := catalog.Demo(calendar.Of(time.Now()))
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// httpc is a small JSON client.
type httpc struct {
	t     *testing.T
	base  string
	token string
	c     *http.Client
}

func newHTTP(t *testing.T, base, token string) *httpc {
	jar, _ := cookiejar.New(nil)
	return &httpc{t: t, base: base, token: token, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (h *httpc) do(method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	code, raw := h.raw(method, path, body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return code, out
}

func (h *httpc) raw(method, path string, body any) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// kioskProc is a kiosk running as a child process.
type kioskProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	api  *httpc
	logs *syncBuffer
	args []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startKiosk(t *testing.T, args ...string) *kioskProc {
	t.Helper()
	k := &kioskProc{t: t, args: args, logs: &syncBuffer{}}
	k.start()
	t.Cleanup(func() {
		k.kill()
		if t.Failed() {
			t.Logf("kiosk %v log:\n%s", args, k.logs.String())
		}
	})
	return k
}

func (k *kioskProc) start() {
	k.t.Helper()
	cmd := exec.Command(kioskBinary, k.args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		k.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(k.logs, line)
			if a, ok := strings.CutPrefix(line, "kiosk: listening on "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		k.cmd = cmd
		if k.api == nil {
			k.api = newHTTP(k.t, a, "")
		}
		k.api.base = a
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		k.t.Fatalf("kiosk did not start:\n%s", k.logs.String())
	}
}

func (k *kioskProc) kill() {
	if k.cmd != nil {
		k.cmd.Process.Signal(syscall.SIGKILL)
		k.cmd.Wait()
		k.cmd = nil
	}
}

func (k *kioskProc) openShift(collector string) {
	k.t.Helper()
	if code, body := k.api.do("POST", "/api/shift", map[string]string{"pin": testPIN, "collector_id": collector}); code != 200 {
		k.t.Fatalf("open shift: %d %v\n%s", code, body, k.logs.String())
	}
}

func (k *kioskProc) sign(project, name, birth string) (int, map[string]any) {
	return k.api.do("POST", "/api/projects/"+project+"/signatures", map[string]any{
		"full_name": name, "birth_date": birth, "resident": true, "consent": true,
		"signature": map[string]any{"strokes": [][][]float64{{{10, 10}, {60, 40}, {120, 15}}}},
	})
}

// syncStatus returns the kiosk's sync block of /api/status.
func (k *kioskProc) syncStatus() (online bool, pending int) {
	code, body := k.api.do("GET", "/api/status", nil)
	if code != 200 {
		return false, -1
	}
	s, _ := body["sync"].(map[string]any)
	if s == nil {
		return false, -1
	}
	p, _ := s["pending"].(float64)
	on, _ := s["online"].(bool)
	return on, int(p)
}

// eventually polls cond until it holds or the bound passes. The bound is
// a safety net against hanging, not a performance claim.
func eventually(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not true after %v: %s", bound, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// enrollKiosk registers a kiosk on the server and starts it enrolled.
func enrollKiosk(t *testing.T, admin *httpc, server, name string) (*kioskProc, string) {
	t.Helper()
	code, body := admin.do("POST", "/api/kiosks", map[string]string{"name": name})
	if code != 201 {
		t.Fatalf("create kiosk: %d %v", code, body)
	}
	k := startKiosk(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "kiosk"), "-server", server,
		"-enroll", body["enroll_code"].(string), "-operator-pin", testPIN,
		"-sync-retry-min", "50ms", "-sync-retry-max", "300ms", "-log-level", "INFO")
	return k, body["id"].(string)
}

func (h *httpc) decode(method, path string, v any) int {
	h.t.Helper()
	code, raw := h.raw(method, path, nil)
	if code == 200 {
		if err := json.Unmarshal(raw, v); err != nil {
			h.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return code
}

// testCatalogWith returns the test catalogue with project p1 renamed.
func testCatalogWith(t *testing.T, p1Name string) []byte {
	t.Helper()
	c := catalog.Demo(calendar.Of(time.Now()))
	c.Projects[0].Name = p1Name
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
