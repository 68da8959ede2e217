package sqlite

import "sync"

// writeGate lets one writer in at a time, in order of arrival, except
// that bulk writers wait while anyone else does. A sync.Mutex makes no
// such promise: with a hundred kiosks sending their backlogs, a kiosk's
// one fresh signature could wait behind all of their batches, seconds,
// before the live progress pages saw it.
type writeGate struct {
	mu      sync.Mutex
	busy    bool
	waiting [2][]chan struct{} // [0] first, then [1] bulk
}

func (g *writeGate) enter(bulk bool) {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	i := 0
	if bulk {
		i = 1
	}
	g.waiting[i] = append(g.waiting[i], ch)
	g.mu.Unlock()
	<-ch // leave handed the gate to us
}

func (g *writeGate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, q := range g.waiting {
		if len(q) > 0 {
			next := q[0]
			q[0] = nil // the queue's array must not keep it
			g.waiting[i] = q[1:]
			close(next) // the gate stays busy: it passes to next
			return
		}
	}
	g.busy = false
}
