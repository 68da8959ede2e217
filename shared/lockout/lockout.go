// Package lockout slows down and then stops guessing: office passwords at
// the server, operator PINs at a kiosk. After each failure for a key (a
// username, a client address) the next attempt must wait longer; after
// too many the key is locked for a while. Success clears the key.
package lockout

import (
	"sync"
	"time"
)

// Policy sets how failures are punished.
type Policy struct {
	Free    int           // failures allowed before any wait
	Base    time.Duration // wait after the first counted failure, doubling
	Max     time.Duration // the longest wait
	LockAt  int           // failures that lock the key
	LockFor time.Duration // how long a lock lasts
	Forget  time.Duration // a key with no failure this long starts over
	MaxKeys int           // memory bound: the oldest keys are dropped beyond it
}

// Default suits a login form: 3 free tries, then 1 s, 2 s, 4 s…, and a
// 15-minute lock at 10 failures.
var Default = Policy{Free: 3, Base: time.Second, Max: time.Minute, LockAt: 10, LockFor: 15 * time.Minute, Forget: time.Hour, MaxKeys: 100_000}

type entry struct {
	failures int
	next     time.Time // no attempt before this
	last     time.Time
}

// Limiter tracks failures per key.
type Limiter struct {
	p   Policy
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*entry
}

// New returns a limiter; now is the clock (nil: time.Now).
func New(p Policy, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{p: p, now: now, m: map[string]*entry{}}
}

// Allow reports whether an attempt for key may go ahead now, and if not,
// how long until it may.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	if e == nil {
		return true, 0
	}
	now := l.now()
	if now.Sub(e.last) > l.p.Forget && now.After(e.next) {
		delete(l.m, key)
		return true, 0
	}
	if now.Before(e.next) {
		return false, e.next.Sub(now)
	}
	return true, 0
}

// Fail records a failed attempt and returns the wait it imposes.
func (l *Limiter) Fail(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.m[key]
	if e == nil {
		if len(l.m) >= l.p.MaxKeys {
			l.dropOldest()
		}
		e = &entry{}
		l.m[key] = e
	}
	e.failures++
	e.last = now
	var wait time.Duration
	switch {
	case e.failures >= l.p.LockAt:
		wait = l.p.LockFor
	case e.failures > l.p.Free:
		wait = l.p.Base << (e.failures - l.p.Free - 1)
		if wait > l.p.Max || wait <= 0 {
			wait = l.p.Max
		}
	}
	e.next = now.Add(wait)
	return wait
}

// Succeed clears key's failures.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

// Locked reports whether key is locked out (not just slowed down).
func (l *Limiter) Locked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	return e != nil && e.failures >= l.p.LockAt && l.now().Before(e.next)
}

func (l *Limiter) dropOldest() {
	var oldest string
	var at time.Time
	for k, e := range l.m {
		if oldest == "" || e.last.Before(at) {
			oldest, at = k, e.last
		}
	}
	delete(l.m, oldest)
}
