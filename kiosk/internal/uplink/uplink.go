package uplink

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/syncproto"
)

// ErrOffline is returned by SignedElsewhere when no session is up.
var ErrOffline = errors.New("uplink: not connected to the server")

// CatalogSink receives catalogues the server pushes.
type CatalogSink interface {
	SetCatalog(ctx context.Context, c *catalog.Catalog) error
	Catalog() *catalog.Catalog
}

// Config tunes reconnection and liveness.
type Config struct {
	RetryMin, RetryMax time.Duration // exponential backoff bounds
	Ping               time.Duration // between pings
	Read               time.Duration // silence after which the session is dead
	Status             time.Duration // how often pending is reported while idle
	CheckTimeout       time.Duration // wait for a duplicate check before going on offline
}

// DefaultConfig suits a rural mobile link.
var DefaultConfig = Config{RetryMin: time.Second, RetryMax: time.Minute, Ping: 20 * time.Second, Read: 60 * time.Second,
	Status: 30 * time.Second, CheckTimeout: 2 * time.Second}

// Uplink syncs the kiosk's log to the server.
type Uplink struct {
	cfg   Config
	db    *sqlite.DB
	cred  Credential
	sink  CatalogSink
	wake  chan struct{}
	keys  atomic.Pointer[map[string][]byte]
	state atomic.Pointer[session]

	online  atomic.Bool
	lastAck atomic.Int64 // unix nanos of the last ack
	// batchLimit adapts to the link: it halves when a session ends before
	// any ack (a batch that never gets across a link that keeps dropping)
	// and doubles back with each ack.
	batchLimit atomic.Int64
	lastErr    atomic.Pointer[string]
	checkSeq   atomic.Uint64
}

// New returns an uplink for an enrolled kiosk.
func New(cfg Config, db *sqlite.DB, cred Credential, sink CatalogSink) (*Uplink, error) {
	if len(cred.DeviceKey) != ed25519.PrivateKeySize {
		return nil, ErrNoDeviceKey // the server would refuse every batch
	}
	u := &Uplink{cfg: cfg, db: db, cred: cred, sink: sink, wake: make(chan struct{}, 1)}
	u.batchLimit.Store(syncproto.MaxBatchRecords)
	keys := map[string][]byte{}
	if raw, err := db.Meta(context.Background(), metaKeys); err != nil {
		return nil, err
	} else if raw != "" {
		var hexKeys map[string]string
		if err := json.Unmarshal([]byte(raw), &hexKeys); err != nil {
			return nil, fmt.Errorf("uplink: stored project keys: %w", err)
		}
		for p, k := range hexKeys {
			if b, err := hex.DecodeString(k); err == nil {
				keys[p] = b
			}
		}
	}
	u.keys.Store(&keys)
	return u, nil
}

// Notify tells the uplink a record was added, so it sends without waiting.
func (u *Uplink) Notify() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// Status is what the operator's screen shows about sync.
type Status struct {
	Online    bool       `json:"online"`
	Pending   int        `json:"pending"`
	LastAck   *time.Time `json:"last_ack"`
	LastError string     `json:"last_error,omitempty"`
	KioskID   string     `json:"kiosk_id"`
	// NeedsEnroll: the kiosk has no usable credential for its server and
	// sends nothing until it is started once with -enroll CODE.
	NeedsEnroll bool `json:"needs_enroll,omitempty"`
}

// Unenrolled stands in for the uplink of a kiosk given a server it cannot
// sync with until it is enrolled (again): it goes on collecting offline,
// and its status tells the operator why nothing is sent, rather than the
// kiosk refusing to start in a hall where nobody reads its log.
type Unenrolled struct {
	DB     *sqlite.DB
	Reason error
}

// Status reports the records waiting and why they wait.
func (u Unenrolled) Status(ctx context.Context) (Status, error) {
	n, err := u.DB.Pending(ctx)
	return Status{Pending: n, LastError: u.Reason.Error(), NeedsEnroll: true}, err
}

// Status reports the uplink's state and the records not yet acknowledged.
func (u *Uplink) Status(ctx context.Context) (Status, error) {
	n, err := u.db.Pending(ctx)
	st := Status{Online: u.online.Load(), Pending: n, KioskID: u.cred.KioskID}
	if ns := u.lastAck.Load(); ns != 0 {
		t := time.Unix(0, ns)
		st.LastAck = &t
	}
	if e := u.lastErr.Load(); e != nil {
		st.LastError = *e
	}
	return st, err
}

// Run keeps a session up until ctx ends, reconnecting with exponential
// backoff and jitter.
func (u *Uplink) Run(ctx context.Context) {
	delay := u.cfg.RetryMin
	for ctx.Err() == nil {
		started := time.Now()
		err := u.session(ctx)
		u.online.Store(false)
		if ctx.Err() != nil {
			return
		}
		msg := err.Error()
		u.lastErr.Store(&msg)
		slog.Info("sync session ended", "err", err)
		if time.Since(started) > 2*u.cfg.RetryMax {
			delay = u.cfg.RetryMin // it was a good session; start over
		}
		// Full jitter between delay/2 and delay, so kiosks that lost the
		// server together do not return together.
		sleep := delay/2 + time.Duration(rand.Int64N(int64(delay/2)+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(sleep):
		}
		delay = min(2*delay, u.cfg.RetryMax)
	}
}

// session is one connection's state, shared by its reader and sender.
type session struct {
	sent   atomic.Bool // a batch went out
	acked  atomic.Bool // an ack came back
	conn   *websocket.Conn
	out    chan []byte
	done   chan struct{}
	once   sync.Once
	acks   chan uint64
	mu     sync.Mutex
	checks map[uint64]chan bool
	err    error
}

func (s *session) stop(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
		s.conn.Close()
	})
}

func (s *session) send(msg any) error {
	frame, err := syncproto.Encode(msg)
	if err != nil {
		return err
	}
	select {
	case s.out <- frame:
		return nil
	case <-s.done:
		return s.err
	}
}

func (u *Uplink) session(ctx context.Context) error {
	wsURL, err := syncURL(u.cred.Server)
	if err != nil {
		return err
	}
	dialer := websocket.Dialer{HandshakeTimeout: 15 * time.Second}
	conn, _, err := dialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		return fmt.Errorf("dial %s: %w", wsURL, err)
	}
	conn.SetReadLimit(syncproto.MaxMessageBytes)
	s := &session{conn: conn, out: make(chan []byte, syncproto.Window+8), done: make(chan struct{}),
		acks: make(chan uint64, 16), checks: map[uint64]chan bool{}}
	defer s.stop(errors.New("session over"))
	go u.writeLoop(s)
	go func() {
		select {
		case <-ctx.Done():
			s.stop(ctx.Err())
		case <-s.done:
		}
	}()

	headSeq, headHash, err := u.db.Head(ctx)
	if err != nil {
		return err
	}
	pending, err := u.db.Pending(ctx)
	if err != nil {
		return err
	}
	catVersion := 0
	if c := u.sink.Catalog(); c != nil {
		catVersion = c.Version
	}
	if err := s.send(&syncproto.Hello{Version: syncproto.Version, KioskID: u.cred.KioskID, Credential: u.cred.Credential,
		Epoch: u.db.Epoch(), HeadSeq: headSeq, HeadHash: headHash, Pending: pending, CatalogVersion: catVersion}); err != nil {
		return err
	}
	conn.SetReadDeadline(time.Now().Add(u.cfg.Read))
	msg, err := u.read(s)
	if err != nil {
		return err
	}
	welcome, ok := msg.(*syncproto.Welcome)
	if !ok {
		return fmt.Errorf("expected welcome, got %T", msg)
	}
	if welcome.AckedSeq > headSeq {
		slog.Error("server holds more of this kiosk's log than the kiosk: was the database restored without a new epoch?",
			"server_acked", welcome.AckedSeq, "head", headSeq)
	}
	if err := u.acked(ctx, welcome.AckedSeq); err != nil {
		return err
	}
	u.online.Store(true)
	u.state.Store(s)
	defer u.state.CompareAndSwap(s, nil)
	slog.Info("sync session up", "server", u.cred.Server, "acked_seq", welcome.AckedSeq, "head_seq", headSeq)

	go u.readLoop(ctx, s)
	err = u.sendLoop(ctx, s, welcome.AckedSeq)
	if s.sent.Load() && !s.acked.Load() {
		u.shrinkBatches()
	}
	return err
}

// shrinkBatches halves the batch limit after a session that got nothing
// across, down to one record a batch.
func (u *Uplink) shrinkBatches() { u.batchLimit.Store(max(1, u.batchLimit.Load()/2)) }

// growBatches doubles the batch limit back after an ack.
func (u *Uplink) growBatches() {
	u.batchLimit.Store(min(syncproto.MaxBatchRecords, 2*u.batchLimit.Load()))
}

// sendLoop sends the log from acked on, keeping at most Window batches
// unacknowledged, and waits for new records when it has sent everything.
func (u *Uplink) sendLoop(ctx context.Context, s *session, acked uint64) error {
	sent := acked
	var inflight []uint64 // last seq of each unacknowledged batch
	status := time.NewTicker(u.cfg.Status)
	defer status.Stop()
	for {
		for len(inflight) < syncproto.Window {
			batch, err := u.nextBatch(ctx, sent)
			if err != nil {
				return err
			}
			if len(batch.Records) == 0 {
				break
			}
			if err := s.send(batch); err != nil {
				return err
			}
			s.sent.Store(true)
			sent = batch.Records[len(batch.Records)-1].Seq
			inflight = append(inflight, sent)
		}
		select {
		case <-s.done:
			return s.err
		case a := <-s.acks:
			for len(inflight) > 0 && inflight[0] <= a {
				inflight = inflight[1:]
			}
			if a > sent { // the server holds more than we sent this session
				sent = a
			}
		case <-u.wake:
		case <-status.C:
			if len(inflight) == 0 {
				n, err := u.db.Pending(ctx)
				if err != nil {
					return err
				}
				if err := s.send(&syncproto.Status{Pending: n}); err != nil {
					return err
				}
			}
		}
	}
}

// nextBatch reads records after seq, bounded in count and bytes, and signs
// them with the device key.
func (u *Uplink) nextBatch(ctx context.Context, after uint64) (*syncproto.Batch, error) {
	recs, err := u.db.Records(ctx, after, int(u.batchLimit.Load()))
	if err != nil {
		return nil, err
	}
	size := 0
	for i, r := range recs {
		size += len(r.Payload) + len(r.Sealed)
		if size > syncproto.MaxBatchBytes && i > 0 {
			recs = recs[:i]
			break
		}
	}
	pending, err := u.db.Pending(ctx)
	if err != nil {
		return nil, err
	}
	b := &syncproto.Batch{Records: recs, Pending: max(0, pending-len(recs))}
	if len(recs) > 0 {
		syncproto.SignBatch(u.cred.DeviceKey, u.cred.KioskID, u.db.Epoch(), b)
	}
	return b, nil
}

func (u *Uplink) read(s *session) (any, error) {
	kind, frame, err := s.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	if kind != websocket.TextMessage {
		return nil, errors.New("binary frame from server")
	}
	msg, err := syncproto.Decode(frame)
	if err != nil {
		return nil, err
	}
	if e, ok := msg.(*syncproto.Error); ok {
		return nil, e
	}
	return msg, nil
}

func (u *Uplink) readLoop(ctx context.Context, s *session) {
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(u.cfg.Read)) })
	for {
		s.conn.SetReadDeadline(time.Now().Add(u.cfg.Read))
		msg, err := u.read(s)
		if err != nil {
			s.stop(err)
			return
		}
		switch m := msg.(type) {
		case *syncproto.Ack:
			s.acked.Store(true)
			u.growBatches()
			if len(m.Quarantined) > 0 {
				slog.Error("server quarantined records of this kiosk: they conflict with what it already holds", "seqs", m.Quarantined)
			}
			if err := u.acked(ctx, m.AckedSeq); err != nil {
				s.stop(err)
				return
			}
			select {
			case s.acks <- m.AckedSeq:
			case <-s.done:
				return
			}
		case *syncproto.CatalogPush:
			if err := u.applyCatalog(ctx, m); err != nil {
				// A catalogue the kiosk refuses is logged; the one in force stays.
				slog.Error("catalogue from the server refused", "version", m.Version, "err", err)
			}
		case *syncproto.Checked:
			s.mu.Lock()
			ch := s.checks[m.ID]
			delete(s.checks, m.ID)
			s.mu.Unlock()
			if ch != nil {
				ch <- m.Signed
			}
		default:
			s.stop(fmt.Errorf("unexpected %T from server", msg))
			return
		}
	}
}

func (u *Uplink) writeLoop(s *session) {
	ping := time.NewTicker(u.cfg.Ping)
	defer ping.Stop()
	for {
		select {
		case frame := <-s.out:
			s.conn.SetWriteDeadline(time.Now().Add(u.cfg.Read))
			if err := s.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				s.stop(err)
				return
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(u.cfg.Read)); err != nil {
				s.stop(err)
				return
			}
		case <-s.done:
			s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			return
		}
	}
}

func (u *Uplink) acked(ctx context.Context, seq uint64) error {
	if seq == 0 {
		return nil
	}
	if err := u.db.MarkAcked(ctx, seq, time.Now()); err != nil {
		return err
	}
	u.lastAck.Store(time.Now().UnixNano())
	return nil
}

func (u *Uplink) applyCatalog(ctx context.Context, m *syncproto.CatalogPush) error {
	c, err := catalog.Parse(bytes.NewReader(m.Catalog))
	if err != nil {
		return err
	}
	keys := map[string][]byte{}
	for p, k := range m.Keys {
		b, err := hex.DecodeString(k)
		if err != nil {
			return fmt.Errorf("project key %s: %w", p, err)
		}
		keys[p] = b
	}
	raw, _ := json.Marshal(m.Keys)
	if err := u.db.SetMeta(ctx, map[string]string{metaKeys: string(raw)}); err != nil {
		return err
	}
	u.keys.Store(&keys)
	if err := u.sink.SetCatalog(ctx, c); err != nil {
		return err
	}
	slog.Info("catalogue from the server in force", "version", c.Version)
	return nil
}

// SignedElsewhere asks the server whether a citizen already signed the
// project at another kiosk, naming them only by a keyed hash. Offline, or
// without an answer in time, it returns ErrOffline and the caller goes on:
// the server settles duplicates when the record arrives.
func (u *Uplink) SignedElsewhere(ctx context.Context, projectID string, key citizen.Key) (bool, error) {
	s := u.state.Load()
	secret := (*u.keys.Load())[projectID]
	if s == nil || secret == nil {
		return false, ErrOffline
	}
	id := u.checkSeq.Add(1)
	ch := make(chan bool, 1)
	s.mu.Lock()
	s.checks[id] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.checks, id)
		s.mu.Unlock()
	}()
	if err := s.send(&syncproto.Check{ID: id, ProjectID: projectID, KeyHash: citizen.KeyHash(key, secret)}); err != nil {
		return false, ErrOffline
	}
	timer := time.NewTimer(u.cfg.CheckTimeout)
	defer timer.Stop()
	select {
	case signed := <-ch:
		return signed, nil
	case <-timer.C:
		return false, ErrOffline
	case <-s.done:
		return false, ErrOffline
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// ProjectKey returns the project's identity-hash secret the server sent
// with the catalogue, or nil before any arrived.
func (u *Uplink) ProjectKey(projectID string) []byte {
	return (*u.keys.Load())[projectID]
}
