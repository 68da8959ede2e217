package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/lockout"
)

// TestPINBruteForce: after three wrong PINs the kiosk makes a guesser
// wait — even the right PIN is refused until then — per source.
func TestPINBruteForce(t *testing.T) {
	dir := t.TempDir()
	m := startKiosk(t, filepath.Join(dir, "data"), writeCatalog(t, dir))
	defer m.Close()
	c := newClient(t, m)
	for i := 0; i < 3; i++ {
		if code, body := c.post("/api/shift", map[string]string{"pin": "0000", "collector_id": "m1"}); code != 401 || body["error"] != "wrong_pin" {
			t.Fatalf("wrong PIN %d: %d %v", i, code, body)
		}
	}
	// The fourth wrong PIN is counted; from then on a wait is due.
	c.post("/api/shift", map[string]string{"pin": "0000", "collector_id": "m1"})
	code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m1"})
	if code != 429 || body["error"] != "pin_wait" || body["message"] == "" {
		t.Fatalf("right PIN during the wait: %d %v", code, body)
	}
	// The clock endpoint shares the count.
	if code, _ := c.post("/api/clock", map[string]any{"pin": testPIN, "confirm": true}); code != 429 {
		t.Fatalf("clock during the wait: %d", code)
	}
}

// TestPINLockout: a guesser who waits out every slowdown is locked out,
// and the right PIN is refused while the lock lasts.
func TestPINLockout(t *testing.T) {
	dir := t.TempDir()
	m := NewMain()
	m.PINPolicy = lockout.Policy{Free: 1, Base: 20 * time.Millisecond, Max: 50 * time.Millisecond, LockAt: 5, LockFor: time.Hour, Forget: time.Hour, MaxKeys: 10}
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-catalog", writeCatalog(t, dir),
		"-operator-pin", testPIN, "-log-level", "ERROR"}, func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := newClient(t, m)
	locked := false
	for i := 0; i < 20 && !locked; i++ {
		code, body := c.post("/api/shift", map[string]string{"pin": "0000", "collector_id": "m1"})
		switch {
		case code == 429 && body["error"] == "pin_locked":
			locked = true
		case code == 429:
			time.Sleep(60 * time.Millisecond)
		case code != 401:
			t.Fatalf("attempt %d: %d %v", i, code, body)
		}
	}
	if !locked {
		t.Fatal("never locked out")
	}
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m1"}); code != 429 || body["error"] != "pin_locked" {
		t.Fatalf("right PIN while locked: %d %v", code, body)
	}
}
