package hub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/syncproto"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// The tests here run the hub behind a loopback httptest server with a real
// SQLite store and talk to it with a real websocket client, as a kiosk does.

func TestMain(m *testing.M) {
	flag.Parse()
	var out slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if !testing.Verbose() {
		// The hub logs every refused session; keep the test output readable.
		out = slog.NewTextHandler(io.Discard, nil)
	}
	// Warnings are kept too, so tests can check what the office is told.
	slog.SetDefault(slog.New(&warnings{Handler: out}))
	os.Exit(m.Run())
}

// testTiming is short so the whole package runs in a few seconds.
var testTiming = Timing{Hello: 2 * time.Second, Ping: 200 * time.Millisecond, Read: 2 * time.Second, Write: 2 * time.Second}

// wait bounds every single expectation of a test.
const wait = 5 * time.Second

type testEnv struct {
	ctx context.Context
	db  *sqlite.DB
	dir string // the store's data dir
	hub *Hub
	url string
	cat *catalog.Catalog

	mu       sync.Mutex
	ingested []string          // projects OnIngest was told about
	kiosks   map[string]*kiosk // enrolled by newKiosk, by id
}

func newEnv(t *testing.T, timing Timing) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{ctx: ctx, db: db, dir: dir, hub: New(db, timing), cat: catalog.Demo(calendar.Of(time.Now())), kiosks: map[string]*kiosk{}}
	e.hub.OnIngest = func(projects []string) {
		e.mu.Lock()
		e.ingested = append(e.ingested, projects...)
		e.mu.Unlock()
	}
	if err := e.hub.SetCatalog(e.cat); err != nil {
		t.Fatal(err)
	}
	// Sessions run inside the handler; wg tells when every one has ended,
	// so the store is closed only after the last session stopped using it.
	var wg sync.WaitGroup
	mux := http.NewServeMux()
	mux.Handle("GET /sync", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		e.hub.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(mux)
	e.url = "ws" + strings.TrimPrefix(srv.URL, "http") + "/sync"
	t.Cleanup(func() {
		e.hub.Close()
		srv.Close()
		ended := make(chan struct{})
		go func() { wg.Wait(); close(ended) }()
		select {
		case <-ended:
		case <-time.After(wait):
			t.Error("sessions still running after the hub was closed")
		}
		db.Close()
	})
	return e
}

// kiosk is an enrolled kiosk with its device key and hash-chained log.
type kiosk struct {
	id, cred, project, epoch string
	key                      ed25519.PrivateKey
	recs                     []record.Record
	names                    []string
}

var birth = calendar.MustParse("1980-04-12")

// newKiosk registers and enrolls a kiosk that signs for project, with a
// device key of its own as the uplink makes at enrollment.
func (e *testEnv) newKiosk(t *testing.T, id, project string) *kiosk {
	t.Helper()
	if err := e.db.CreateKiosk(e.ctx, id, "Киоск "+id, "code-"+id, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.db.RedeemEnrollCode(e.ctx, "code-"+id, "cred-"+id, pub)
	if err != nil || got != id {
		t.Fatalf("enroll %s: %q %v", id, got, err)
	}
	k := &kiosk{id: id, cred: "cred-" + id, project: project, epoch: record.NewEpoch(), key: priv}
	e.mu.Lock()
	e.kiosks[id] = k
	e.mu.Unlock()
	return k
}

// signed signs b with the kiosk's device key for its epoch, as the
// uplink does every batch.
func (k *kiosk) signed(b *syncproto.Batch) *syncproto.Batch {
	syncproto.SignBatch(k.key, k.id, k.epoch, b)
	return b
}

// seen has the kiosk say hello once, as a kiosk that synced before has:
// a welcome marks a kiosk seen, so snapshots taken after it compare
// only what refused input could change.
func (e *testEnv) seen(t *testing.T, k *kiosk) {
	t.Helper()
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	c.conn.Close()
}

var nameSeq atomic.Uint64

// citizenName returns a valid two-word Cyrillic name no other call returns.
func citizenName() string {
	letters := []rune("абвгдежзиклмнопрстуфхцчшщэюя")
	n := nameSeq.Add(1)
	var b []rune
	for {
		b = append(b, letters[n%uint64(len(letters))])
		n /= uint64(len(letters))
		if n == 0 {
			break
		}
	}
	return "Житель Б" + string(b)
}

func signaturePayload(project, name string) []byte {
	s := signature.Signature{ProjectID: project, IdentityKey: citizen.IdentityKey(name, birth), FullName: name, BirthDate: birth,
		SignedAt: time.Now().UTC().Truncate(time.Second), ClockSource: signature.ClockSystem, ConsentVersion: "v1",
		Strokes: [][][]float64{{{10, 10}, {40, 30}, {80, 12}}}, CollectorID: "m1", Sheet: 1, Row: 1}
	payload, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return payload
}

func (k *kiosk) head() (uint64, record.Hash) {
	if n := len(k.recs); n > 0 {
		return k.recs[n-1].Seq, k.recs[n-1].Hash
	}
	return 0, record.Genesis
}

// sign appends n signature records of new citizens and returns them.
func (k *kiosk) sign(n int) []record.Record {
	for range n {
		name := citizenName()
		seq, prev := k.head()
		k.recs = append(k.recs, record.New(k.epoch, seq, prev, record.TypeSignature, signaturePayload(k.project, name)))
		k.names = append(k.names, name)
	}
	return append([]record.Record(nil), k.recs[len(k.recs)-n:]...)
}

// unsigned builds the n records that would follow the log, without
// adding them to it.
func (k *kiosk) unsigned(n int) []record.Record {
	saved, savedNames := k.recs, k.names
	k.recs = append([]record.Record(nil), k.recs...)
	out := k.sign(n)
	k.recs, k.names = saved, savedNames
	return out
}

func (k *kiosk) hello(catalogVersion int) *syncproto.Hello {
	seq, hash := k.head()
	return &syncproto.Hello{Version: syncproto.Version, KioskID: k.id, Credential: k.cred, Epoch: k.epoch,
		HeadSeq: seq, HeadHash: hash, CatalogVersion: catalogVersion}
}

// client is a kiosk's websocket connection. A goroutine reads all the
// time, as a kiosk does, so pings are answered while a test thinks.
type client struct {
	env  *testEnv
	conn *websocket.Conn
	in   chan frame
	err  error // why reading ended; set before in is closed
	// as is the kiosk the client said hello as, in epoch: it signs the
	// batches sent without a signature with that kiosk's device key.
	as    *kiosk
	epoch string
}

type frame struct {
	kind int
	data []byte
}

func (e *testEnv) dial() (*client, error) { return e.dialTo(e.url) }

// dialTo connects to the hub at url, directly or through a relay.
func (e *testEnv) dialTo(url string) (*client, error) {
	d := websocket.Dialer{HandshakeTimeout: wait}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(syncproto.MaxMessageBytes)
	c := &client{env: e, conn: conn, in: make(chan frame, 256)}
	go func() {
		defer close(c.in)
		for {
			kind, data, err := conn.ReadMessage()
			if err != nil {
				c.err = err
				return
			}
			c.in <- frame{kind, data}
		}
	}()
	return c, nil
}

func (e *testEnv) dialT(t *testing.T) *client { return e.dialToT(t, e.url) }

func (e *testEnv) dialToT(t *testing.T, url string) *client {
	t.Helper()
	c, err := e.dialTo(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.conn.Close() })
	return c
}

func (c *client) send(msg any) error {
	switch m := msg.(type) {
	case *syncproto.Hello:
		c.env.mu.Lock()
		c.as, c.epoch = c.env.kiosks[m.KioskID], m.Epoch
		c.env.mu.Unlock()
	case *syncproto.Batch:
		if m.Signature == nil && c.as != nil {
			syncproto.SignBatch(c.as.key, c.as.id, c.epoch, m)
		}
	}
	b, err := syncproto.Encode(msg)
	if err != nil {
		return err
	}
	return c.sendRaw(websocket.TextMessage, b)
}

func (c *client) sendRaw(kind int, b []byte) error {
	c.conn.SetWriteDeadline(time.Now().Add(wait))
	return c.conn.WriteMessage(kind, b)
}

// recv returns the next message from the server.
func (c *client) recv() (any, error) {
	select {
	case f, ok := <-c.in:
		if !ok {
			return nil, fmt.Errorf("connection ended: %w", c.err)
		}
		if f.kind != websocket.TextMessage {
			return nil, fmt.Errorf("server sent a frame of kind %d", f.kind)
		}
		return syncproto.Decode(f.data)
	case <-time.After(wait):
		return nil, errors.New("nothing from the server in time")
	}
}

// recvNot returns the next message that is not a catalogue push.
func (c *client) recvNot() (any, error) {
	for {
		msg, err := c.recv()
		if _, push := msg.(*syncproto.CatalogPush); err != nil || !push {
			return msg, err
		}
	}
}

func (c *client) mustSend(t *testing.T, msg any) {
	t.Helper()
	if err := c.send(msg); err != nil {
		t.Fatal(err)
	}
}

func (c *client) mustSendRaw(t *testing.T, kind int, b []byte) {
	t.Helper()
	if err := c.sendRaw(kind, b); err != nil {
		t.Fatal(err)
	}
}

func recvAs[T any](t *testing.T, c *client) T {
	t.Helper()
	msg, err := c.recv()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := msg.(T)
	if !ok {
		t.Fatalf("got %T %+v, want %T", msg, msg, *new(T))
	}
	return m
}

// helloT opens a session; a catalogVersion at or above the hub's means no
// catalogue push follows the welcome.
func (c *client) helloT(t *testing.T, k *kiosk, catalogVersion int) *syncproto.Welcome {
	t.Helper()
	c.mustSend(t, k.hello(catalogVersion))
	return recvAs[*syncproto.Welcome](t, c)
}

// expectError checks that the next message is an Error with code and that
// the server then closes the connection with the matching close code.
func (c *client) expectError(t *testing.T, code string) {
	t.Helper()
	e := recvAs[*syncproto.Error](t, c)
	if e.Code != code {
		t.Fatalf("error %q (%s), want %q", e.Code, e.Message, code)
	}
	want := websocket.ClosePolicyViolation
	if code == syncproto.CodeBadMessage || code == syncproto.CodeOutOfState {
		want = websocket.CloseProtocolError
	}
	c.expectClosed(t, want)
}

// expectClosed checks that the server ends the connection, sending nothing
// more; closeCode 0 accepts an end without a close frame.
func (c *client) expectClosed(t *testing.T, closeCode int) {
	t.Helper()
	select {
	case f, ok := <-c.in:
		if ok {
			t.Fatalf("server sent %s after the end of the session, want the connection closed", f.data)
		}
	case <-time.After(wait):
		t.Fatal("the server did not close the connection")
	}
	if closeCode == 0 {
		return
	}
	var ce *websocket.CloseError
	if !errors.As(c.err, &ce) || ce.Code != closeCode {
		t.Fatalf("connection ended with %v, want a close frame %d", c.err, closeCode)
	}
}

// sync sends recs as one batch and waits for its ack.
func (c *client) sync(recs []record.Record) (*syncproto.Ack, error) {
	if err := c.send(&syncproto.Batch{Records: recs}); err != nil {
		return nil, err
	}
	msg, err := c.recvNot()
	if err != nil {
		return nil, err
	}
	ack, ok := msg.(*syncproto.Ack)
	if !ok {
		return nil, fmt.Errorf("got %T %+v, want an ack", msg, msg)
	}
	return ack, nil
}

func (c *client) syncT(t *testing.T, recs []record.Record) *syncproto.Ack {
	t.Helper()
	ack, err := c.sync(recs)
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

// stored is what the server holds of a kiosk's epoch.
type stored struct {
	records  int
	acked    uint64
	head     record.Hash
	counted  int
	dups     int
	lastSeen bool
}

func (e *testEnv) stored(t *testing.T, k *kiosk) stored {
	t.Helper()
	n, err := e.db.RecordCount(e.ctx, k.id, k.epoch)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.db.EpochState(e.ctx, k.id, k.epoch)
	if err != nil {
		t.Fatal(err)
	}
	tally, err := e.db.Tally(e.ctx, k.project)
	if err != nil {
		t.Fatal(err)
	}
	out := stored{records: n, acked: st.AckedSeq, head: st.HeadHash, counted: tally.Counted, dups: tally.Duplicates}
	ks, err := e.db.Kiosks(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ks {
		if x.ID == k.id {
			out.lastSeen = x.LastSeen != nil
		}
	}
	return out
}

// checkUnchanged asserts the store holds exactly what it held before.
func (e *testEnv) checkUnchanged(t *testing.T, k *kiosk, before stored) {
	t.Helper()
	if got := e.stored(t, k); got != before {
		t.Fatalf("refused input changed the store: %+v, before %+v", got, before)
	}
}

// bystander is a well-behaved kiosk syncing all the time on one session
// while another kiosk misbehaves.
type bystander struct {
	env    *testEnv
	k      *kiosk
	c      *client
	stop   chan struct{}
	done   chan error
	rounds atomic.Int64
}

func (e *testEnv) startBystander(t *testing.T) *bystander {
	t.Helper()
	b := &bystander{env: e, k: e.newKiosk(t, "bystander", "p2"), c: e.dialT(t), stop: make(chan struct{}), done: make(chan error, 1)}
	if w := b.c.helloT(t, b.k, e.cat.Version); w.AckedSeq != 0 {
		t.Fatalf("bystander welcome %+v", w)
	}
	if err := b.round(); err != nil { // in sync before the abuse starts
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-b.stop:
				b.done <- nil
				return
			case <-time.After(5 * time.Millisecond):
			}
			if err := b.round(); err != nil {
				b.done <- err
				return
			}
		}
	}()
	return b
}

func (b *bystander) round() error {
	recs := b.k.sign(1)
	ack, err := b.c.sync(recs)
	if err != nil {
		return fmt.Errorf("bystander: %w", err)
	}
	if ack.AckedSeq != recs[0].Seq || len(ack.Quarantined) != 0 {
		return fmt.Errorf("bystander: ack %+v for seq %d", ack, recs[0].Seq)
	}
	b.rounds.Add(1)
	return nil
}

// finish checks the bystander synced throughout, still syncs on the same
// session now, and that everything it sent is stored.
func (b *bystander) finish(t *testing.T) {
	t.Helper()
	close(b.stop)
	if err := <-b.done; err != nil {
		t.Fatalf("another kiosk was affected: %v", err)
	}
	if err := b.round(); err != nil {
		t.Fatalf("another kiosk was affected afterwards: %v", err)
	}
	got := b.env.stored(t, b.k)
	seq, hash := b.k.head()
	if got.records != len(b.k.recs) || got.acked != seq || got.head != hash || got.counted != len(b.k.recs) {
		t.Fatalf("bystander stored %+v, sent %d records", got, len(b.k.recs))
	}
	if b.env.hub.Connected(b.k.id) != 1 {
		t.Fatalf("bystander has %d sessions", b.env.hub.Connected(b.k.id))
	}
}

func TestHappyPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	k.sign(3)

	c := e.dialT(t)
	c.mustSend(t, k.hello(0))
	w := recvAs[*syncproto.Welcome](t, c)
	if w.AckedSeq != 0 || w.CatalogVersion != e.cat.Version {
		t.Fatalf("welcome %+v, want acked 0 and catalogue %d", w, e.cat.Version)
	}
	// The kiosk has an older catalogue (none): the current one follows.
	push := recvAs[*syncproto.CatalogPush](t, c)
	if push.Version != e.cat.Version {
		t.Fatalf("pushed catalogue %d, want %d", push.Version, e.cat.Version)
	}
	pushed, err := catalog.Parse(bytes.NewReader(push.Catalog))
	if err != nil || pushed.Version != e.cat.Version || pushed.Project("p1") == nil {
		t.Fatalf("pushed catalogue does not parse: %v %+v", err, pushed)
	}
	for _, p := range []string{"p1", "p2"} {
		if want := hex.EncodeToString(e.db.ProjectKey(p)); push.Keys[p] != want {
			t.Fatalf("key of %s = %q, want %q", p, push.Keys[p], want)
		}
	}
	if len(push.Keys) != len(e.cat.Projects) {
		t.Fatalf("keys %v", push.Keys)
	}

	ack := c.syncT(t, k.recs)
	if ack.AckedSeq != 3 || len(ack.Quarantined) != 0 {
		t.Fatalf("ack %+v, want acked 3", ack)
	}
	seq, hash := k.head()
	st := e.stored(t, k)
	if st.records != 3 || st.acked != seq || st.head != hash || st.counted != 3 || !st.lastSeen {
		t.Fatalf("stored %+v", st)
	}
	// OnIngest is called after the ack is queued: wait for it.
	for deadline := time.Now().Add(wait); ; time.Sleep(time.Millisecond) {
		e.mu.Lock()
		ingested := append([]string(nil), e.ingested...)
		e.mu.Unlock()
		if len(ingested) > 0 || time.Now().After(deadline) {
			if !reflect.DeepEqual(ingested, []string{"p1"}) {
				t.Fatalf("OnIngest told %v", ingested)
			}
			break
		}
	}

	// Status is answered by nothing, but the server records the pending
	// count before it reads the next message.
	c.mustSend(t, &syncproto.Status{Pending: 7})
	c.mustSend(t, &syncproto.Check{ID: 1, ProjectID: "p1", KeyHash: strings.Repeat("0", 64)})
	if got := recvAs[*syncproto.Checked](t, c); got.ID != 1 || got.Signed {
		t.Fatalf("checked %+v", got)
	}
	ks, _ := e.db.Kiosks(e.ctx)
	if len(ks) != 1 || ks[0].Pending != 7 || ks[0].AckedSeq != 3 {
		t.Fatalf("kiosks %+v", ks)
	}
	c.conn.Close()

	// Reconnecting: the server says how far it holds the log, and with the
	// current catalogue nothing is pushed.
	c2 := e.dialT(t)
	if w := c2.helloT(t, k, e.cat.Version); w.AckedSeq != 3 || w.CatalogVersion != e.cat.Version {
		t.Fatalf("welcome after reconnect %+v", w)
	}
	// Resending what the server holds is a no-op.
	ack = c2.syncT(t, k.recs)
	if ack.AckedSeq != 3 || len(ack.Quarantined) != 0 {
		t.Fatalf("resend ack %+v", ack)
	}
	ack = c2.syncT(t, k.recs[1:2])
	if ack.AckedSeq != 3 || len(ack.Quarantined) != 0 {
		t.Fatalf("partial resend ack %+v", ack)
	}
	if got := e.stored(t, k); got != st {
		t.Fatalf("resend changed the store: %+v, was %+v", got, st)
	}
	e.mu.Lock()
	told := len(e.ingested)
	e.mu.Unlock()
	if told != 1 {
		t.Fatalf("resending told OnIngest again (%d calls)", told)
	}
	// And the log goes on from there.
	if ack := c2.syncT(t, k.sign(2)); ack.AckedSeq != 5 {
		t.Fatalf("ack %+v, want 5", ack)
	}
	if got := e.stored(t, k); got.records != 5 || got.counted != 5 {
		t.Fatalf("stored %+v", got)
	}
}

// TestPipelinedBatches: a kiosk keeps up to syncproto.Window batches
// unacknowledged; the acks come back in order.
func TestPipelinedBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	for i := range syncproto.Window {
		c.mustSend(t, &syncproto.Batch{Records: k.sign(3), Pending: 3 * (syncproto.Window - 1 - i)})
	}
	for i := range syncproto.Window {
		if ack := recvAs[*syncproto.Ack](t, c); ack.AckedSeq != uint64(3*(i+1)) {
			t.Fatalf("ack %d: %+v", i, ack)
		}
	}
	if st := e.stored(t, k); st.records != 3*syncproto.Window || st.counted != 3*syncproto.Window {
		t.Fatalf("stored %+v", st)
	}
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	victim := e.newKiosk(t, "victim", "p1")
	victim.sign(2)
	other := e.newKiosk(t, "other", "p1")

	tests := []struct {
		name  string
		hello func() *syncproto.Hello
	}{
		{"wrong credential", func() *syncproto.Hello {
			h := victim.hello(0)
			h.Credential = "cred-guessed"
			return h
		}},
		{"another kiosk's credential", func() *syncproto.Hello {
			h := victim.hello(0)
			h.Credential = other.cred
			return h
		}},
		{"unknown kiosk id", func() *syncproto.Hello {
			h := victim.hello(0)
			h.KioskID = "nobody"
			return h
		}},
		{"not enrolled yet", func() *syncproto.Hello {
			if err := e.db.CreateKiosk(e.ctx, "fresh", "fresh", "code-fresh", time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			h := victim.hello(0)
			h.KioskID = "fresh"
			h.Credential = "code-fresh"
			return h
		}},
	}
	before := e.stored(t, victim)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dialT(t)
			c.mustSend(t, tt.hello())
			c.expectError(t, syncproto.CodeUnauthorized)
			// A refused kiosk is not even marked as seen.
			e.checkUnchanged(t, victim, before)
			if n := e.hub.Connected(victim.id) + e.hub.Connected("nobody") + e.hub.Connected("fresh"); n != 0 {
				t.Fatalf("%d refused sessions registered", n)
			}
		})
	}
	b.finish(t)
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	live := e.dialT(t)
	live.helloT(t, k, e.cat.Version)
	live.syncT(t, k.sign(2))
	if n := e.hub.Connected(k.id); n != 1 {
		t.Fatalf("connected %d", n)
	}
	before := e.stored(t, k)

	if err := e.db.RevokeKiosk(e.ctx, k.id); err != nil {
		t.Fatal(err)
	}
	e.hub.Revoke(k.id)
	live.expectError(t, syncproto.CodeUnauthorized)
	deadline := time.Now().Add(wait)
	for e.hub.Connected(k.id) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("revoked session still registered")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// A new connection is refused, and what it brings is not stored.
	c := e.dialT(t)
	c.mustSend(t, k.hello(0))
	c.expectError(t, syncproto.CodeUnauthorized)
	e.checkUnchanged(t, k, before)
	b.finish(t)
}

func TestOutOfState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	e.seen(t, k)
	before := e.stored(t, k)
	pending := k.unsigned(2)
	keyHash := citizen.KeyHash(citizen.IdentityKey("Житель Бб", birth), e.db.ProjectKey("p1"))

	tests := []struct {
		name    string
		welcome bool // say hello first
		msg     any
	}{
		{"batch before hello", false, k.signed(&syncproto.Batch{Records: pending})},
		{"status before hello", false, &syncproto.Status{Pending: 1}},
		{"check before hello", false, &syncproto.Check{ID: 1, ProjectID: "p1", KeyHash: keyHash}},
		{"ack before hello", false, &syncproto.Ack{AckedSeq: 1}},
		{"second hello", true, k.hello(e.cat.Version)},
		{"ack from a kiosk", true, &syncproto.Ack{AckedSeq: 1}},
		{"welcome from a kiosk", true, &syncproto.Welcome{AckedSeq: 9}},
		{"checked from a kiosk", true, &syncproto.Checked{ID: 1, Signed: true}},
		{"catalogue from a kiosk", true, &syncproto.CatalogPush{Version: 99, Catalog: json.RawMessage(`{}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dialT(t)
			if tt.welcome {
				c.helloT(t, k, e.cat.Version)
			}
			c.mustSend(t, tt.msg)
			c.expectError(t, syncproto.CodeOutOfState)
			e.checkUnchanged(t, k, before)
		})
	}
	// Before hello nothing about the kiosk is known: out-of-state frames
	// before it did not mark it as seen (checked above), and the
	// kiosk can still sync normally.
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	if ack := c.syncT(t, pending); ack.AckedSeq != 2 {
		t.Fatalf("ack %+v", ack)
	}
	b.finish(t)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	before := e.stored(t, k)
	c := e.dialT(t)
	h := k.hello(0)
	h.Version = syncproto.Version + 1
	c.mustSend(t, h)
	c.expectError(t, syncproto.CodeVersion)
	e.checkUnchanged(t, k, before)
	b.finish(t)
}

// batchFrame encodes a batch signed by k by hand, so it can carry what
// Encode would not.
func batchFrame(t *testing.T, k *kiosk, recs []record.Record, extra string) []byte {
	t.Helper()
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := json.Marshal(k.signed(&syncproto.Batch{Records: recs}).Signature)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"type":"batch","records":` + string(b) + `,"pending":0,"signature":` + string(sig) + extra + `}`)
}

func TestGarbageFrames(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	e.seen(t, k)
	before := e.stored(t, k)
	recs := k.unsigned(3)
	valid := batchFrame(t, k, recs, "")

	tests := []struct {
		name    string
		welcome bool
		kind    int
		frame   []byte
	}{
		{"non-JSON text", true, websocket.TextMessage, []byte("hello, server")},
		{"non-JSON text before hello", false, websocket.TextMessage, []byte("\x00\xff")},
		{"empty frame", true, websocket.TextMessage, nil},
		{"JSON but not an object", true, websocket.TextMessage, []byte(`[1,2,3]`)},
		{"binary frame with a valid batch", true, websocket.BinaryMessage, valid},
		{"binary frame before hello", false, websocket.BinaryMessage, []byte{1, 2, 3}},
		{"unknown message type", true, websocket.TextMessage, []byte(`{"type":"gossip"}`)},
		{"no message type", true, websocket.TextMessage, []byte(`{"records":[]}`)},
		{"unknown field in a batch", true, websocket.TextMessage, batchFrame(t, k, recs, `,"priority":1`)},
		{"unknown field in hello", false, websocket.TextMessage, func() []byte {
			b, _ := syncproto.Encode(k.hello(0))
			return append(b[:len(b)-1], `,"admin":true}`...)
		}()},
		{"data after the batch", true, websocket.TextMessage, append(append([]byte(nil), valid...), `{"type":"batch"}`...)},
		{"batch with seq 0", true, websocket.TextMessage, func() []byte {
			bad := append([]record.Record(nil), recs...)
			bad[0].Seq = 0
			return batchFrame(t, k, bad[:1], "")
		}()},
		{"empty batch", true, websocket.TextMessage, []byte(`{"type":"batch","records":[],"pending":0}`)},
		{"negative pending", true, websocket.TextMessage, bytes.Replace(valid, []byte(`"pending":0`), []byte(`"pending":-1`), 1)},
		{"bad hash hex", true, websocket.TextMessage, bytes.Replace(valid, []byte(`"hash":"`), []byte(`"hash":"zz`), 1)},
		{"batch without a signature", true, websocket.TextMessage, func() []byte {
			b, _ := syncproto.Encode(&syncproto.Batch{Records: recs})
			return b
		}()},
		{"signature not 64 bytes", true, websocket.TextMessage, func() []byte {
			b, _ := syncproto.Encode(&syncproto.Batch{Records: recs, Signature: k.signed(&syncproto.Batch{Records: recs}).Signature[:63]})
			return b
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dialT(t)
			if tt.welcome {
				c.helloT(t, k, e.cat.Version)
			}
			c.mustSendRaw(t, tt.kind, tt.frame)
			c.expectError(t, syncproto.CodeBadMessage)
			e.checkUnchanged(t, k, before)
		})
	}
	// The valid batch the garbage was made of is accepted.
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	c.mustSendRaw(t, websocket.TextMessage, valid)
	if ack := recvAs[*syncproto.Ack](t, c); ack.AckedSeq != 3 {
		t.Fatalf("ack %+v", ack)
	}
	b.finish(t)
}

// oversizedBatch is a well-formed batch frame over the read limit.
func oversizedBatch(t *testing.T, k *kiosk) []byte {
	t.Helper()
	var recs []record.Record
	seq, prev := k.head()
	for range 8 { // 8 × 200 KiB payloads: 2.1 MiB of base64
		payload := bytes.Repeat([]byte("x"), 200<<10)
		r := record.New(k.epoch, seq, prev, record.TypeSignature, payload)
		recs = append(recs, r)
		seq, prev = r.Seq, r.Hash
	}
	frame := batchFrame(t, k, recs, "")
	if len(frame) <= syncproto.MaxMessageBytes {
		t.Fatalf("frame of %d bytes is not over the limit", len(frame))
	}
	return frame
}

// TestOversizedFrame sends a frame over syncproto.MaxMessageBytes. The
// session must end with nothing stored and other kiosks unaffected;
// TestOversizedFrameBadMessage checks the bad_message error it gets.
func TestOversizedFrame(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	e.seen(t, k)
	before := e.stored(t, k)
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	frame := oversizedBatch(t, k)
	sent := make(chan error, 1)
	go func() { sent <- c.sendRaw(websocket.TextMessage, frame) }() // may fail: the server stops reading
	select {
	case f, ok := <-c.in:
		if ok {
			msg, err := syncproto.Decode(f.data)
			if perr, isErr := msg.(*syncproto.Error); err != nil || !isErr || perr.Code != syncproto.CodeBadMessage {
				t.Fatalf("server sent %s, want a bad_message error or the connection closed", f.data)
			}
			c.expectClosed(t, 0)
		} else {
			var ce *websocket.CloseError
			if errors.As(c.err, &ce) && ce.Code != websocket.CloseMessageTooBig && ce.Code != websocket.CloseProtocolError {
				t.Fatalf("closed with %v", c.err)
			}
			t.Logf("connection ended with %v and no bad_message error", c.err)
		}
	case <-time.After(wait):
		t.Fatal("the server did not end the session")
	}
	<-sent
	e.checkUnchanged(t, k, before)
	b.finish(t)
}

// TestOversizedFrameBadMessage is the protocol's promise (syncproto:
// bad_message is "undecodable, unknown type, over a limit").
func TestOversizedFrameBadMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	go c.sendRaw(websocket.TextMessage, oversizedBatch(t, k))
	c.expectError(t, syncproto.CodeBadMessage)
}

// TestBatchWithinLimitsFitsTheReadLimit: a batch within the batch limits
// (payloads ≤ MaxBatchBytes, as the kiosk's uplink sizes its batches) must
// fit in a frame the server reads. Payloads travel as base64, a third
// larger, so MaxMessageBytes must allow for that.
func TestBatchWithinLimitsFitsTheReadLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	var recs []record.Record
	seq, prev := k.head()
	for range 5 { // 5 × 180 KiB = 900 KiB of payload, under MaxBatchBytes
		r := record.New(k.epoch, seq, prev, record.TypeSignature, bytes.Repeat([]byte("x"), 180<<10))
		recs = append(recs, r)
		seq, prev = r.Seq, r.Hash
	}
	frame, err := syncproto.Encode(k.signed(&syncproto.Batch{Records: recs}))
	if err != nil {
		t.Fatal(err)
	}
	// What kiosk/internal/uplink's nextBatch checks before sending.
	size := 0
	for _, r := range recs {
		size += len(r.Payload)
	}
	if len(recs) > syncproto.MaxBatchRecords || size > syncproto.MaxBatchBytes {
		t.Fatalf("batch of %d records, %d payload bytes is over the limits", len(recs), size)
	}
	t.Logf("%d payload bytes make a frame of %d bytes; the read limit is %d", size, len(frame), syncproto.MaxMessageBytes)
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	go c.sendRaw(websocket.TextMessage, frame)
	if ack := recvAs[*syncproto.Ack](t, c); ack.AckedSeq != 5 {
		t.Fatalf("ack %+v", ack)
	}
}

func TestBatchOverLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	e.seen(t, k)
	before := e.stored(t, k)
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	recs := k.unsigned(syncproto.MaxBatchRecords + 1) // a well-formed chain, one record too many
	c.mustSend(t, &syncproto.Batch{Records: recs})
	c.expectError(t, syncproto.CodeBadMessage)
	e.checkUnchanged(t, k, before)

	// A record over MaxPayloadBytes in a frame under the read limit.
	c = e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	seq, prev := k.head()
	big := record.New(k.epoch, seq, prev, record.TypeSignature, bytes.Repeat([]byte("x"), syncproto.MaxPayloadBytes+1))
	c.mustSend(t, &syncproto.Batch{Records: []record.Record{big}})
	c.expectError(t, syncproto.CodeBadMessage)
	e.checkUnchanged(t, k, before)

	// Exactly MaxBatchRecords is accepted.
	c = e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	if ack := c.syncT(t, k.sign(syncproto.MaxBatchRecords)); ack.AckedSeq != syncproto.MaxBatchRecords {
		t.Fatalf("ack %+v", ack)
	}
	b.finish(t)
}

func TestChainBroken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	if ack := c.syncT(t, k.sign(3)); ack.AckedSeq != 3 {
		t.Fatalf("ack %+v", ack)
	}
	c.conn.Close()
	before := e.stored(t, k)
	next := k.unsigned(3) // seq 4, 5, 6, properly chained

	tests := []struct {
		name  string
		batch func() []record.Record
	}{
		{"wrong prev_hash", func() []record.Record {
			recs := append([]record.Record(nil), next...)
			r := &recs[1]
			r.PrevHash = record.Genesis // and a hash that matches the wrong prev
			r.Hash = record.Sum(k.epoch, r.Seq, r.Type, r.Payload, r.PrevHash)
			return recs[:2]
		}},
		{"flipped payload byte with the old hash", func() []record.Record {
			recs := append([]record.Record(nil), next...)
			p := append([]byte(nil), recs[2].Payload...)
			p[len(p)/2] ^= 1
			recs[2].Payload = p
			return recs
		}},
		{"gap in seq", func() []record.Record {
			return next[1:] // 5 and 6 after 3
		}},
		{"record of another epoch", func() []record.Record {
			other := &kiosk{epoch: record.NewEpoch(), project: "p1", recs: k.recs}
			return other.unsigned(2)
		}},
		{"hash of the wrong seq", func() []record.Record {
			recs := append([]record.Record(nil), next[:1]...)
			recs[0].Hash = record.Sum(k.epoch, recs[0].Seq+1, recs[0].Type, recs[0].Payload, recs[0].PrevHash)
			return recs
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dialT(t)
			if w := c.helloT(t, k, e.cat.Version); w.AckedSeq != 3 {
				t.Fatalf("welcome %+v", w)
			}
			c.mustSend(t, &syncproto.Batch{Records: tt.batch()})
			c.expectError(t, syncproto.CodeChain)
			// Nothing of the batch, not even its valid first records.
			e.checkUnchanged(t, k, before)
		})
	}

	// The chain still goes on from where the server held it.
	c = e.dialT(t)
	if w := c.helloT(t, k, e.cat.Version); w.AckedSeq != 3 {
		t.Fatalf("welcome %+v", w)
	}
	k.recs = append(k.recs, next...)
	if ack := c.syncT(t, next); ack.AckedSeq != 6 {
		t.Fatalf("ack %+v", ack)
	}
	if st := e.stored(t, k); st.records != 6 || st.counted != 6 {
		t.Fatalf("stored %+v", st)
	}
	b.finish(t)
}

// checkSigned asks the server whether a citizen signed project.
func (e *testEnv) checkSigned(t *testing.T, c *client, id uint64, project string, key []byte, name string) bool {
	t.Helper()
	c.mustSend(t, &syncproto.Check{ID: id, ProjectID: project, KeyHash: citizen.KeyHash(citizen.IdentityKey(name, birth), key)})
	got := recvAs[*syncproto.Checked](t, c)
	if got.ID != id {
		t.Fatalf("checked %+v, want id %d", got, id)
	}
	return got.Signed
}

func TestQuarantine(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	if ack := c.syncT(t, k.sign(3)); ack.AckedSeq != 3 {
		t.Fatalf("ack %+v", ack)
	}
	before := e.stored(t, k)

	// Seq 2 again: a well-formed, properly chained record of another
	// citizen, as a restored kiosk database without a new epoch sends.
	forgedName := citizenName()
	forged := record.New(k.epoch, 1, k.recs[0].Hash, record.TypeSignature, signaturePayload("p1", forgedName))
	ack := c.syncT(t, []record.Record{forged})
	if ack.AckedSeq != 3 || !reflect.DeepEqual(ack.Quarantined, []uint64{2}) {
		t.Fatalf("ack %+v, want acked 3 and seq 2 quarantined", ack)
	}
	// The same conflict within a batch that also carries held records.
	ack = c.syncT(t, []record.Record{k.recs[0], forged, k.recs[2]})
	if ack.AckedSeq != 3 || !reflect.DeepEqual(ack.Quarantined, []uint64{2}) {
		t.Fatalf("ack %+v, want acked 3 and seq 2 quarantined", ack)
	}
	e.checkUnchanged(t, k, before)
	// The original is what counts; the forged citizen is not counted.
	key := e.db.ProjectKey("p1")
	if !e.checkSigned(t, c, 1, "p1", key, k.names[1]) {
		t.Fatal("the original signature of seq 2 is gone")
	}
	if e.checkSigned(t, c, 2, "p1", key, forgedName) {
		t.Fatal("the quarantined record was counted")
	}
	// The session goes on.
	if ack := c.syncT(t, k.sign(1)); ack.AckedSeq != 4 || len(ack.Quarantined) != 0 {
		t.Fatalf("ack %+v", ack)
	}
	b.finish(t)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.mustSend(t, k.hello(0))
	recvAs[*syncproto.Welcome](t, c)
	push := recvAs[*syncproto.CatalogPush](t, c)
	c.syncT(t, k.sign(2))

	// The kiosk hashes with the key the catalogue push gave it.
	key, err := hex.DecodeString(push.Keys["p1"])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key, e.db.ProjectKey("p1")) {
		t.Fatal("pushed key is not the project key")
	}
	if !e.checkSigned(t, c, 10, "p1", key, k.names[0]) {
		t.Fatal("a signature the server holds: signed false")
	}
	// Spelling that normalizes to the same identity key.
	if !e.checkSigned(t, c, 11, "p1", key, "  "+strings.ToUpper(k.names[1])+" ") {
		t.Fatal("the same citizen in capitals: signed false")
	}
	if e.checkSigned(t, c, 12, "p1", key, citizenName()) {
		t.Fatal("an unknown citizen: signed true")
	}
	// Per project: the same citizen has not signed p2, and p2's key differs.
	if e.checkSigned(t, c, 13, "p2", e.db.ProjectKey("p2"), k.names[0]) {
		t.Fatal("signed p2 without a p2 signature")
	}
	if e.checkSigned(t, c, 14, "p1", e.db.ProjectKey("p2"), k.names[0]) {
		t.Fatal("a hash under another project's key matched")
	}
	if e.checkSigned(t, c, 15, "unknown-project", key, k.names[0]) {
		t.Fatal("signed an unknown project")
	}
}

// TestNewerSessionReplacesOlder: a kiosk runs one uplink, so a new
// session (after a half-open connection, say) closes the older one.
func TestNewerSessionReplacesOlder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	old := e.dialT(t)
	old.helloT(t, k, e.cat.Version)
	fresh := e.dialT(t)
	fresh.helloT(t, k, e.cat.Version)
	old.expectClosed(t, 0)
	if ack := fresh.syncT(t, k.sign(1)); ack.AckedSeq != 1 {
		t.Fatalf("ack %+v", ack)
	}
	if n := e.hub.Connected("k1"); n != 1 {
		t.Fatalf("%d sessions of k1", n)
	}
}

func TestCatalogPush(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	kb := e.newKiosk(t, "k1b", "p1")
	c2 := e.dialT(t) // another connected kiosk gets it too
	c2.helloT(t, kb, e.cat.Version)

	next := catalog.Demo(calendar.Of(time.Now()))
	next.Version = e.cat.Version + 1
	next.Projects[0].Name = "Новое название"
	if err := e.hub.SetCatalog(next); err != nil {
		t.Fatal(err)
	}
	for _, cl := range []*client{c, c2} {
		push := recvAs[*syncproto.CatalogPush](t, cl)
		got, err := catalog.Parse(bytes.NewReader(push.Catalog))
		if err != nil {
			t.Fatal(err)
		}
		if push.Version != next.Version || got.Version != next.Version || got.Project("p1").Name != "Новое название" {
			t.Fatalf("push %d: %+v", push.Version, got)
		}
		if push.Keys["p1"] != hex.EncodeToString(e.db.ProjectKey("p1")) {
			t.Fatalf("keys %v", push.Keys)
		}
	}
	if e.hub.Catalog() != next {
		t.Fatal("Catalog() is not the one set")
	}
	// The session carries on after the push.
	if ack := c.syncT(t, k.sign(1)); ack.AckedSeq != 1 {
		t.Fatalf("ack %+v", ack)
	}
	// A kiosk connecting with the previous version gets the new one.
	k2 := e.newKiosk(t, "k2", "p1")
	c3 := e.dialT(t)
	if w := c3.helloT(t, k2, e.cat.Version); w.CatalogVersion != next.Version {
		t.Fatalf("welcome %+v", w)
	}
	if push := recvAs[*syncproto.CatalogPush](t, c3); push.Version != next.Version {
		t.Fatalf("push %+v", push)
	}
	b.finish(t)
}

func TestHelloTimeout(t *testing.T) {
	t.Parallel()
	timing := testTiming
	// As in DefaultTiming, the first ping comes after the hello deadline;
	// see TestHelloTimeoutWithPings for the other order.
	timing.Hello, timing.Ping = 300*time.Millisecond, time.Second
	e := newEnv(t, timing)
	b := e.startBystander(t)
	expectHelloTimeout(t, e, timing)
	b.finish(t)
}

// TestHelloTimeoutWithPings: a connection that never says hello must be
// closed after Timing.Hello even when pings are due sooner: pongs must not
// extend the deadline before the welcome.
func TestHelloTimeoutWithPings(t *testing.T) {
	t.Parallel()
	timing := testTiming
	timing.Hello, timing.Ping = 500*time.Millisecond, 100*time.Millisecond
	expectHelloTimeout(t, newEnv(t, timing), timing)
}

func expectHelloTimeout(t *testing.T, e *testEnv, timing Timing) {
	t.Helper()
	k := e.newKiosk(t, "k1", "p1")
	before := e.stored(t, k)
	c := e.dialT(t)
	start := time.Now()
	c.expectClosed(t, 0)
	if took := time.Since(start); took < timing.Hello-50*time.Millisecond || took > timing.Hello+2*time.Second {
		t.Fatalf("closed after %v, hello timeout %v", took, timing.Hello)
	}
	// A hello after the timeout finds the connection gone.
	if err := c.send(k.hello(0)); err == nil {
		if _, err := c.recv(); err == nil {
			t.Fatal("the server answered a hello after its timeout")
		}
	}
	e.checkUnchanged(t, k, before)
}

// TestIdleSessionKeptByPings: a kiosk with nothing to send that answers
// pings stays connected past Timing.Read.
func TestIdleSessionKeptByPings(t *testing.T) {
	t.Parallel()
	timing := testTiming
	timing.Read = 500 * time.Millisecond
	timing.Ping = 100 * time.Millisecond
	e := newEnv(t, timing)
	k := e.newKiosk(t, "k1", "p1")
	c := e.dialT(t)
	c.helloT(t, k, e.cat.Version)
	time.Sleep(3 * timing.Read)
	if ack := c.syncT(t, k.sign(1)); ack.AckedSeq != 1 {
		t.Fatalf("ack %+v", ack)
	}
}

// TestWelcomeComesFirst: the welcome must be the first message of a
// session, whatever catalogue changes happen meanwhile; the kiosk's uplink
// ends the session otherwise ("expected welcome, got
// *syncproto.CatalogPush"). A SetCatalog racing the welcome must queue
// its push after it.
func TestWelcomeComesFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "k1", "p1")
	stop := make(chan struct{})
	var setter sync.WaitGroup
	setter.Add(1)
	go func() {
		defer setter.Done()
		for v := e.cat.Version + 1; ; v++ {
			select {
			case <-stop:
				return
			default:
			}
			c := catalog.Demo(calendar.Of(time.Now()))
			c.Version = v
			if err := e.hub.SetCatalog(c); err != nil {
				panic(err)
			}
		}
	}()
	defer setter.Wait()
	defer close(stop)
	bad := 0
	for range 300 {
		c, err := e.dial()
		if err != nil {
			t.Fatal(err)
		}
		// A catalogue version from the future: no push is due at hello.
		if err := c.send(k.hello(1 << 30)); err == nil {
			// A session can also be dropped as too slow for the pushes.
			if msg, err := c.recv(); err == nil {
				if _, ok := msg.(*syncproto.Welcome); !ok {
					bad++
				}
			}
		}
		c.conn.Close()
	}
	if bad > 0 {
		t.Fatalf("%d of 300 sessions began with something other than the welcome", bad)
	}
}

// TestRevokeDuringHello: a kiosk revoked while its hello is being answered
// must not keep a session, even when the Revoke lands between the
// credential check and the session's registration.
func TestRevokeDuringHello(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	for i := range 100 {
		k := e.newKiosk(t, fmt.Sprintf("k%d", i), "p1")
		c := e.dialT(t)
		revoked := make(chan error, 1)
		go func() {
			time.Sleep(time.Duration(i%5) * 100 * time.Microsecond)
			err := e.db.RevokeKiosk(e.ctx, k.id)
			e.hub.Revoke(k.id)
			revoked <- err
		}()
		c.mustSend(t, k.hello(e.cat.Version))
		if err := <-revoked; err != nil {
			t.Fatal(err)
		}
		msg, err := c.recv()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := msg.(*syncproto.Welcome); !ok {
			continue // refused at hello: fine
		}
		// Welcomed before the revoke: the revoke must close the session.
		select {
		case f, ok := <-c.in:
			if ok {
				if m, _ := syncproto.Decode(f.data); !reflect.DeepEqual(m, &syncproto.Error{Type: syncproto.TypeError, Code: syncproto.CodeUnauthorized, Message: "kiosk revoked"}) {
					t.Fatalf("after the welcome: %s", f.data)
				}
			}
			continue
		case <-time.After(300 * time.Millisecond):
		}
		ack, err := c.sync(k.sign(1))
		t.Fatalf("kiosk %s was revoked during its hello, yet its session lives (%d connected) and stores batches: %+v %v",
			k.id, e.hub.Connected(k.id), ack, err)
	}
}
