package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/shared/catalog"
)

// live pushes a project's progress to open pages within a moment of a
// sync, so the initiative group and a meeting's screen see it move with no
// polling and no reload.
type live struct {
	server *Server
	up     websocket.Upgrader
	mu     sync.Mutex
	subs   map[string]map[*watcher]bool // project id → watchers
	done   chan struct{}                // closed at shutdown
	once   sync.Once

	pendMu  sync.Mutex
	pending map[string]bool // projects changed since the worker last ran
	wake    chan struct{}
}

// kick schedules a push for projects without holding up the caller (a
// kiosk's batch waiting for its ack); bursts coalesce into one push.
func (l *live) kick(projects []string) {
	l.pendMu.Lock()
	for _, p := range projects {
		l.pending[p] = true
	}
	l.pendMu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *live) worker() {
	for {
		select {
		case <-l.done:
			return
		case <-l.wake:
		}
		l.pendMu.Lock()
		var ids []string
		for p := range l.pending {
			ids = append(ids, p)
		}
		l.pending = map[string]bool{}
		l.pendMu.Unlock()
		l.notify(ids)
	}
}

// close ends every page connection, for shutdown: they are hijacked and
// http.Server.Shutdown does not wait for them.
func (l *live) close() { l.once.Do(func() { close(l.done) }) }

// watcher is one open page. full pages get Progress, public ones only
// PublicProgress.
type watcher struct {
	out  chan []byte
	full bool
}

func newLive(s *Server) *live {
	l := &live{server: s, subs: map[string]map[*watcher]bool{}, done: make(chan struct{}),
		pending: map[string]bool{}, wake: make(chan struct{}, 1)}
	go l.worker()
	return l
}

// notify recomputes and pushes the progress of each project to its watchers.
func (l *live) notify(projects []string) {
	c := l.server.hub.Catalog()
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range projects {
		l.mu.Lock()
		var ws []*watcher
		for w := range l.subs[id] {
			ws = append(ws, w)
		}
		l.mu.Unlock()
		p := c.Project(id)
		if len(ws) == 0 || p == nil {
			continue
		}
		fullMsg, pubMsg, err := l.messages(ctx, c, p)
		if err != nil {
			slog.Error("live progress", "project", id, "err", err)
			continue
		}
		for _, w := range ws {
			w.send(fullMsg, pubMsg)
		}
	}
}

// messages are a project's progress as full and public pages get it.
func (l *live) messages(ctx context.Context, c *catalog.Catalog, p *catalog.Project) (full, public []byte, err error) {
	prog, err := l.server.progress(ctx, c, p)
	if err != nil {
		return nil, nil, err
	}
	full, _ = json.Marshal(prog)
	public, _ = json.Marshal(prog.PublicProgress)
	return full, public, nil
}

// send queues the message for the watcher's kind of page.
func (w *watcher) send(full, public []byte) {
	msg := public
	if w.full {
		msg = full
	}
	select {
	case w.out <- msg:
	default: // a watcher that cannot keep up gets the next update
	}
}

// welcome sends a page that just opened the project's current progress.
// Only it: the pages already open have it, and telling them all again
// whenever one more opens cost as many messages as the square of the
// pages (half a million for a thousand pages opening at once).
func (l *live) welcome(w *watcher, projectID string) {
	c := l.server.hub.Catalog()
	if c == nil || c.Project(projectID) == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	full, public, err := l.messages(ctx, c, c.Project(projectID))
	if err != nil {
		slog.Error("live progress", "project", projectID, "err", err)
		return
	}
	w.send(full, public)
}

// kickAll schedules a push of every watched project, e.g. after a
// catalogue change moved the thresholds.
func (l *live) kickAll() {
	l.mu.Lock()
	var ids []string
	for id := range l.subs {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	l.kick(ids)
}

// serve upgrades a page's connection and streams progress updates to it,
// starting with the current state.
func (l *live) serve(w http.ResponseWriter, r *http.Request, projectID string, full bool) {
	conn, err := l.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	wt := &watcher{out: make(chan []byte, 4), full: full}
	l.mu.Lock()
	if l.subs[projectID] == nil {
		l.subs[projectID] = map[*watcher]bool{}
	}
	l.subs[projectID][wt] = true
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.subs[projectID], wt)
		if len(l.subs[projectID]) == 0 {
			delete(l.subs, projectID)
		}
		l.mu.Unlock()
	}()
	go l.welcome(wt, projectID)

	// The page sends nothing; reading notices when it goes away.
	gone := make(chan struct{})
	conn.SetReadLimit(512)
	go func() {
		defer close(gone)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case msg := <-wt.out:
			conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second)); err != nil {
				return
			}
		case <-gone:
			return
		case <-l.done:
			conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return
		}
	}
}
