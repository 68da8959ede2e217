package sqlite

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// TestWriteGateOrder: one writer at a time; waiting writers go in order
// of arrival, every ordinary one before any bulk one.
func TestWriteGateOrder(t *testing.T) {
	var g writeGate
	queued := func() int {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.waiting[0]) + len(g.waiting[1])
	}
	g.enter(false)
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for i, w := range []struct {
		name string
		bulk bool
	}{{"bulk1", true}, {"small1", false}, {"bulk2", true}, {"small2", false}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.enter(w.bulk)
			mu.Lock()
			order = append(order, w.name)
			mu.Unlock()
			g.leave()
		}()
		// Each queues before the next arrives.
		for deadline := time.Now().Add(5 * time.Second); queued() < i+1; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("writer %s never queued", w.name)
			}
		}
	}
	g.leave()
	wg.Wait()
	if want := []string{"small1", "small2", "bulk1", "bulk2"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	g.enter(true) // free again
	g.leave()
}
