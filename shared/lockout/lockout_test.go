package lockout

import (
	"testing"
	"time"
)

func TestBackoffAndLock(t *testing.T) {
	now := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	l := New(Default, func() time.Time { return now })
	var waits []time.Duration
	for i := 0; i < Default.LockAt; i++ {
		if ok, wait := l.Allow("u"); !ok {
			now = now.Add(wait) // a patient guesser waits each time
		}
		waits = append(waits, l.Fail("u"))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 15 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if !l.Locked("u") {
		t.Fatal("not locked after 10 failures")
	}
	if ok, wait := l.Allow("u"); ok || wait != 15*time.Minute {
		t.Fatalf("locked key allowed: %v %v", ok, wait)
	}
	if ok, _ := l.Allow("other"); !ok {
		t.Fatal("another key is slowed by u's failures")
	}
	now = now.Add(15*time.Minute + time.Second)
	if ok, _ := l.Allow("u"); !ok || l.Locked("u") {
		t.Fatal("lock did not expire")
	}
	// Success clears.
	l.Fail("u")
	l.Succeed("u")
	if ok, _ := l.Allow("u"); !ok {
		t.Fatal("success did not clear")
	}
}

func TestForgetsAndBoundsMemory(t *testing.T) {
	now := time.Now()
	p := Default
	p.MaxKeys = 3
	l := New(p, func() time.Time { return now })
	for _, k := range []string{"a", "b", "c", "d"} {
		l.Fail(k)
		now = now.Add(time.Second)
	}
	if len(l.m) != 3 || l.m["a"] != nil {
		t.Fatalf("keys kept: %v", len(l.m))
	}
	for i := 0; i < 5; i++ {
		l.Fail("x")
	}
	now = now.Add(2 * time.Hour)
	if ok, _ := l.Allow("x"); !ok {
		t.Fatal("old failures not forgotten")
	}
}
