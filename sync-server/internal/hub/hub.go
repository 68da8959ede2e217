package hub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/syncproto"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// Timing of a session; tests shorten them.
type Timing struct {
	Hello time.Duration // to receive hello after connecting
	Ping  time.Duration // between pings
	Read  time.Duration // silence after which a session is dead
	Write time.Duration // to write one message
}

// DefaultTiming suits kiosks on slow rural links.
var DefaultTiming = Timing{Hello: 10 * time.Second, Ping: 20 * time.Second, Read: 60 * time.Second, Write: 15 * time.Second}

// Hub holds the live kiosk sessions.
type Hub struct {
	db     *sqlite.DB
	timing Timing
	up     websocket.Upgrader
	// OnIngest is told which projects' tallies a committed batch changed.
	OnIngest func(projects []string)

	mu       sync.Mutex
	sessions map[string]map[*session]bool
	catalog  *syncproto.CatalogPush
	current  *catalog.Catalog
	closed   bool
}

// New returns a hub over db.
func New(db *sqlite.DB, timing Timing) *Hub {
	return &Hub{
		db:       db,
		timing:   timing,
		up:       websocket.Upgrader{ReadBufferSize: 16 << 10, WriteBufferSize: 16 << 10},
		sessions: map[string]map[*session]bool{},
	}
}

// SetCatalog makes c the catalogue pushed to kiosks and pushes it to every
// connected one now.
func (h *Hub) SetCatalog(c *catalog.Catalog) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	push := &syncproto.CatalogPush{Version: c.Version, Catalog: body, Keys: map[string]string{}}
	for _, p := range c.Projects {
		push.Keys[p.ID] = fmt.Sprintf("%x", h.db.ProjectKey(p.ID))
	}
	frame, err := syncproto.Encode(push)
	if err != nil {
		return err
	}
	// Queued under the lock (enqueue never blocks), so a session being
	// welcomed gets its welcome first and this push after it.
	h.mu.Lock()
	defer h.mu.Unlock()
	h.catalog, h.current = push, c
	for _, s := range h.allLocked() {
		s.enqueue(frame)
	}
	return nil
}

// Catalog returns the catalogue in force, or nil.
func (h *Hub) Catalog() *catalog.Catalog {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.current
}

// Revoke closes every live session of a kiosk.
func (h *Hub) Revoke(kioskID string) {
	h.mu.Lock()
	var ss []*session
	for s := range h.sessions[kioskID] {
		ss = append(ss, s)
	}
	h.mu.Unlock()
	for _, s := range ss {
		s.fail(syncproto.CodeUnauthorized, "kiosk revoked")
	}
}

// Connected reports how many sessions a kiosk has open.
func (h *Hub) Connected(kioskID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions[kioskID])
}

// Close ends every session, for shutdown.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	all := h.allLocked()
	h.mu.Unlock()
	for _, s := range all {
		s.closeNow()
	}
}

// allLocked lists every live session; h.mu must be held.
func (h *Hub) allLocked() []*session {
	var all []*session
	for _, ss := range h.sessions {
		for s := range ss {
			all = append(all, s)
		}
	}
	return all
}

// ServeHTTP upgrades a kiosk's connection and runs its session.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		slog.Info("sync upgrade refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	s := &session{hub: h, conn: conn, out: make(chan []byte, 32), done: make(chan struct{}), written: make(chan struct{}), remote: r.RemoteAddr}
	go s.writeLoop()
	s.run(r.Context())
}

// register adds a session and runs first (which only queues messages)
// under the hub's lock with the catalogue in force.
func (h *Hub) register(s *session, first func(*syncproto.CatalogPush)) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	// One kiosk runs one uplink: an older session is a half-open leftover
	// (or a cloned SD card, which the log should show), so the newest wins.
	for old := range h.sessions[s.kioskID] {
		slog.Warn("a newer session of the kiosk replaces an older one", "kiosk", s.kioskID, "old", old.remote, "new", s.remote)
		delete(h.sessions[s.kioskID], old)
		go old.closeNow()
	}
	if h.sessions[s.kioskID] == nil {
		h.sessions[s.kioskID] = map[*session]bool{}
	}
	h.sessions[s.kioskID][s] = true
	first(h.catalog)
	return true
}

func (h *Hub) unregister(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.sessions[s.kioskID], s)
	if len(h.sessions[s.kioskID]) == 0 {
		delete(h.sessions, s.kioskID)
	}
}

// session is one kiosk connection. Only writeLoop writes to conn.
type session struct {
	hub     *Hub
	conn    *websocket.Conn
	out     chan []byte
	done    chan struct{}
	written chan struct{} // closed when writeLoop has ended
	failing atomic.Bool   // an error and a close frame are queued
	once    sync.Once
	remote  string
	kioskID string
	epoch   string
	key     ed25519.PublicKey // the kiosk's device key; every batch verifies under it
}

// errClose ends a session after the error message has been queued.
var errClose = errors.New("session closed")

func (s *session) run(ctx context.Context) {
	defer func() {
		if s.failing.Load() {
			// Let the writer deliver the queued error and close frame first.
			select {
			case <-s.written:
			case <-time.After(s.hub.timing.Write):
			}
		}
		s.closeNow()
	}()
	t := s.hub.timing
	// A backstop far above the protocol's limit: read() enforces the limit
	// itself so it can answer bad_message before closing.
	s.conn.SetReadLimit(4 * syncproto.MaxMessageBytes)
	s.conn.SetReadDeadline(time.Now().Add(t.Hello))
	// Pongs extend the deadline only after the welcome, so a client that
	// answers pings but never says hello is still dropped.
	s.conn.SetPongHandler(func(string) error { return nil })

	msg, err := s.read()
	if err != nil {
		return
	}
	hello, ok := msg.(*syncproto.Hello)
	if !ok {
		s.fail(syncproto.CodeOutOfState, "the first message must be hello")
		return
	}
	if err := s.welcome(ctx, hello); err != nil {
		return
	}
	defer s.hub.unregister(s)
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(t.Read)) })
	for {
		s.conn.SetReadDeadline(time.Now().Add(t.Read))
		msg, err := s.read()
		if err != nil {
			return
		}
		if err := s.handle(ctx, msg); err != nil {
			return
		}
	}
}

// frames are read buffers: a batch frame is up to 1.6 MB, and growing a
// fresh buffer for each one, a hundred kiosks at a time, kept the garbage
// collector busy.
var frames = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// read returns the next decoded message; a bad frame fails the session.
func (s *session) read() (any, error) {
	kind, r, err := s.conn.NextReader()
	if err != nil {
		slog.Debug("sync session read ended", "kiosk", s.kioskID, "remote", s.remote, "err", err)
		return nil, err
	}
	buf := frames.Get().(*bytes.Buffer)
	buf.Reset()
	defer frames.Put(buf) // Decode copies what it keeps
	_, err = buf.ReadFrom(io.LimitReader(r, syncproto.MaxMessageBytes+1))
	frame := buf.Bytes()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			s.fail(syncproto.CodeBadMessage, fmt.Sprintf("frame over %d bytes", syncproto.MaxMessageBytes))
		}
		return nil, err
	}
	if len(frame) > syncproto.MaxMessageBytes {
		s.fail(syncproto.CodeBadMessage, fmt.Sprintf("frame over %d bytes", syncproto.MaxMessageBytes))
		return nil, errClose
	}
	if kind != websocket.TextMessage {
		s.fail(syncproto.CodeBadMessage, "binary frames are not part of the protocol")
		return nil, errClose
	}
	msg, err := syncproto.Decode(frame)
	if err != nil {
		s.fail(syncproto.CodeBadMessage, err.Error())
		return nil, err
	}
	return msg, nil
}

func (s *session) welcome(ctx context.Context, hello *syncproto.Hello) error {
	if hello.Version != syncproto.Version {
		s.fail(syncproto.CodeVersion, fmt.Sprintf("protocol version %d is not supported; this server speaks %d", hello.Version, syncproto.Version))
		return errClose
	}
	key, err := s.hub.db.DeviceKey(ctx, hello.KioskID, hello.Credential)
	switch {
	case errors.Is(err, sqlite.ErrUnauthorized):
		s.fail(syncproto.CodeUnauthorized, "unknown kiosk, wrong credential or revoked")
		return errClose
	case errors.Is(err, sqlite.ErrNoDeviceKey):
		slog.Warn("kiosk has no device key; it must enroll again", "kiosk", hello.KioskID, "remote", s.remote)
		s.fail(syncproto.CodeUnauthorized, "kiosk enrolled without a device key: enroll it again with a new code")
		return errClose
	case err != nil:
		s.fail(syncproto.CodeInternal, "server storage unavailable")
		return errClose
	}
	s.kioskID, s.epoch, s.key = hello.KioskID, hello.Epoch, key
	st, err := s.hub.db.EpochState(ctx, s.kioskID, s.epoch)
	if err != nil {
		s.fail(syncproto.CodeInternal, "server storage unavailable")
		return errClose
	}
	if err := s.hub.db.Touch(ctx, s.kioskID, hello.Pending); err != nil {
		slog.Warn("touch kiosk", "kiosk", s.kioskID, "err", err)
	}
	// Register and queue the welcome (and a newer catalogue) under the
	// hub's lock, so a catalogue pushed meanwhile cannot overtake them.
	if !s.hub.register(s, func(cat *syncproto.CatalogPush) {
		version := 0
		if cat != nil {
			version = cat.Version
		}
		s.send(&syncproto.Welcome{AckedSeq: st.AckedSeq, CatalogVersion: version})
		if cat != nil && hello.CatalogVersion < cat.Version {
			s.send(cat)
		}
	}) {
		return errClose
	}
	// A revocation between the credential check and registering found no
	// session to close; the store knows of it, so ask again.
	if err := s.hub.db.Authenticate(ctx, hello.KioskID, hello.Credential); err != nil {
		s.fail(syncproto.CodeUnauthorized, "kiosk revoked")
		return errClose
	}
	slog.Info("kiosk connected", "kiosk", s.kioskID, "epoch", s.epoch, "acked_seq", st.AckedSeq,
		"head_seq", hello.HeadSeq, "pending", hello.Pending, "remote", s.remote)
	return nil
}

func (s *session) handle(ctx context.Context, msg any) error {
	switch m := msg.(type) {
	case *syncproto.Batch:
		// Verified before anything of it, even the kiosk's pending count,
		// is stored: a batch changed on the way or signed with another key
		// is not the kiosk's.
		if !syncproto.VerifyBatch(s.key, s.kioskID, s.epoch, m) {
			s.refuseSignature(ctx, m)
			return errClose
		}
		// The kiosk's contact and pending count commit with the batch.
		got, err := s.hub.db.IngestAndTouch(ctx, s.kioskID, s.epoch, m.Records, m.Pending)
		if errors.Is(err, record.ErrChain) {
			slog.Warn("batch refused", "kiosk", s.kioskID, "epoch", s.epoch, "first_seq", m.Records[0].Seq, "err", err)
			s.fail(syncproto.CodeChain, err.Error())
			return errClose
		}
		if err != nil {
			slog.Error("batch not stored", "kiosk", s.kioskID, "err", err)
			s.fail(syncproto.CodeInternal, "server storage failed; try again later")
			return errClose
		}
		s.send(&syncproto.Ack{AckedSeq: got.AckedSeq, Quarantined: got.Quarantined})
		if s.hub.OnIngest != nil && len(got.Projects) > 0 {
			s.hub.OnIngest(got.Projects)
		}
	case *syncproto.Check:
		signed, err := s.hub.db.SignedElsewhere(ctx, m.ProjectID, m.KeyHash)
		if err != nil {
			s.fail(syncproto.CodeInternal, "server storage failed")
			return errClose
		}
		s.send(&syncproto.Checked{ID: m.ID, Signed: signed})
	case *syncproto.Status:
		if err := s.hub.db.Touch(ctx, s.kioskID, m.Pending); err != nil {
			slog.Warn("touch kiosk", "kiosk", s.kioskID, "err", err)
		}
	default:
		s.fail(syncproto.CodeOutOfState, fmt.Sprintf("%T is not expected from a kiosk here", msg))
		return errClose
	}
	return nil
}

// refuseSignature ends a session whose batch does not verify, and leaves
// a trace for the office: it is tampering on the link or a stolen
// credential used without the kiosk's key.
func (s *session) refuseSignature(ctx context.Context, m *syncproto.Batch) {
	first, last := m.Records[0].Seq, m.Records[len(m.Records)-1].Seq
	slog.Warn("batch refused: bad signature", "kiosk", s.kioskID, "epoch", s.epoch, "first_seq", first, "last_seq", last, "remote", s.remote)
	if err := s.hub.db.Audit(ctx, sqlite.AuditEntry{Actor: "kiosk:" + s.kioskID, Action: "sync.bad_signature", Object: "kiosk:" + s.kioskID,
		Detail: fmt.Sprintf("epoch %s, seq %d–%d, from %s", s.epoch, first, last, s.remote)}); err != nil {
		slog.Error("audit entry not written", "action", "sync.bad_signature", "kiosk", s.kioskID, "err", err)
	}
	s.fail(syncproto.CodeSignature, "the batch's signature does not verify under the kiosk's device key; nothing of it was stored")
}

func (s *session) send(msg any) {
	frame, err := syncproto.Encode(msg)
	if err != nil {
		slog.Error("encode sync message", "err", err)
		return
	}
	s.enqueue(frame)
}

// enqueue hands a frame to the writer; a kiosk too slow to take its
// messages is dropped rather than allowed to hold the server's memory.
func (s *session) enqueue(frame []byte) {
	select {
	case s.out <- frame:
	case <-s.done:
	default:
		slog.Warn("kiosk too slow; closing its session", "kiosk", s.kioskID)
		s.closeNow()
	}
}

// fail sends a protocol error and closes the session cleanly.
func (s *session) fail(code, message string) {
	s.failing.Store(true)
	slog.Info("sync session closed with error", "kiosk", s.kioskID, "remote", s.remote, "code", code, "message", message)
	frame, _ := syncproto.Encode(&syncproto.Error{Code: code, Message: message})
	select {
	case s.out <- frame:
	default:
	}
	closeCode := websocket.ClosePolicyViolation
	if code == syncproto.CodeBadMessage || code == syncproto.CodeOutOfState {
		closeCode = websocket.CloseProtocolError
	}
	select {
	case s.out <- closeFrame(closeCode, code):
	default:
		s.closeNow()
	}
}

// closeFrame is queued after an error; writeLoop sends it and stops.
func closeFrame(code int, text string) []byte {
	return append([]byte{0}, websocket.FormatCloseMessage(code, text)...)
}

func (s *session) closeNow() {
	s.once.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

func (s *session) writeLoop() {
	t := s.hub.timing
	ping := time.NewTicker(t.Ping)
	defer ping.Stop()
	defer close(s.written)
	defer s.closeNow()
	for {
		select {
		case frame := <-s.out:
			s.conn.SetWriteDeadline(time.Now().Add(t.Write))
			if len(frame) > 0 && frame[0] == 0 { // a queued close frame
				s.conn.WriteMessage(websocket.CloseMessage, frame[1:])
				return
			}
			if err := s.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				return
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(t.Write)); err != nil {
				return
			}
		case <-s.done:
			return
		}
	}
}
