package hub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/syncproto"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// warnings keeps every warning logged while the tests run.
type warnings struct {
	slog.Handler
}

var (
	warnedMu sync.Mutex
	warned   []map[string]string // message and attributes of each warning
)

func (w *warnings) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		entry := map[string]string{"msg": r.Message}
		r.Attrs(func(a slog.Attr) bool {
			entry[a.Key] = a.Value.String()
			return true
		})
		warnedMu.Lock()
		warned = append(warned, entry)
		warnedMu.Unlock()
	}
	return w.Handler.Handle(ctx, r)
}

func (w *warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &warnings{Handler: w.Handler.WithAttrs(attrs)}
}

func (w *warnings) WithGroup(name string) slog.Handler {
	return &warnings{Handler: w.Handler.WithGroup(name)}
}

// signatureWarnings returns the "bad signature" warnings about a kiosk's
// epoch (random, so no other test's kiosk of the same id has it).
func signatureWarnings(kioskID, epoch string) []map[string]string {
	warnedMu.Lock()
	defer warnedMu.Unlock()
	var out []map[string]string
	for _, w := range warned {
		if w["msg"] == "batch refused: bad signature" && w["kiosk"] == kioskID && w["epoch"] == epoch {
			out = append(out, w)
		}
	}
	return out
}

// signatureAudits counts the audit entries of refused signatures of a kiosk.
func (e *testEnv) signatureAudits(t *testing.T, kioskID string) int {
	t.Helper()
	log, err := e.db.AuditLog(e.ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range log {
		if a.Action == "sync.bad_signature" && a.Object == "kiosk:"+kioskID {
			n++
		}
	}
	if _, err := e.db.VerifyAudit(e.ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkRefusedLogged checks that the server logged and audited n refused
// batches of k, the first seq of each being first.
func (e *testEnv) checkRefusedLogged(t *testing.T, k *kiosk, n int, first uint64) {
	t.Helper()
	ws := signatureWarnings(k.id, k.epoch)
	if len(ws) != n {
		t.Fatalf("%d warnings of a bad signature of %s, want %d", len(ws), k.id, n)
	}
	for _, w := range ws {
		if w["first_seq"] != strconv.FormatUint(first, 10) {
			t.Fatalf("warning %v, want first seq %d", w, first)
		}
	}
	if got := e.signatureAudits(t, k.id); got != n {
		t.Fatalf("%d audit entries of a bad signature of %s, want %d", got, k.id, n)
	}
}

// relay stands between kiosks and the hub as a compromised link would:
// it passes every frame on both ways, except that it hands the first batch
// of each connection to tamper first. It returns its websocket address.
func (e *testEnv) relay(t *testing.T, tamper func(frame []byte) []byte) (string, *atomic.Int64) {
	t.Helper()
	var tampered atomic.Int64
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kc, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer kc.Close()
		sc, _, err := websocket.DefaultDialer.Dial(e.url, nil)
		if err != nil {
			return
		}
		defer sc.Close()
		done := make(chan struct{}, 2)
		go func() {
			defer func() { done <- struct{}{} }()
			pipe(sc, kc, nil)
		}()
		go func() {
			defer func() { done <- struct{}{} }()
			first := true
			pipe(kc, sc, func(data []byte) []byte {
				if first && bytes.HasPrefix(data, []byte(`{"type":"batch"`)) {
					first = false
					tampered.Add(1)
					return tamper(bytes.Clone(data))
				}
				return data
			})
		}()
		<-done
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), &tampered
}

// pipe copies frames from src to dst, through change if given, and passes
// a close frame on.
func pipe(src, dst *websocket.Conn, change func([]byte) []byte) {
	for {
		kind, data, err := src.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				dst.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ce.Code, ce.Text), time.Now().Add(wait))
			}
			return
		}
		if change != nil && kind == websocket.TextMessage {
			data = change(data)
		}
		if err := dst.WriteMessage(kind, data); err != nil {
			return
		}
	}
}

// flipIn changes one byte of the value of the n-th (from 0) occurrence of
// field in a frame, keeping it valid base64 or hex, so the frame still
// decodes and only the signature can tell.
func flipIn(field string, n, offset int) func([]byte) []byte {
	return func(frame []byte) []byte {
		key := []byte(`"` + field + `":`)
		at := 0
		for i := 0; ; i++ {
			j := bytes.Index(frame[at:], key)
			if j < 0 {
				panic("no field " + field + " in the frame")
			}
			at += j + len(key)
			if i == n {
				break
			}
		}
		if frame[at] == '"' {
			at++
		}
		at += offset
		// Another character of the same kind and case: hex digits decode
		// whatever their case, so 'a' → 'A' would change nothing.
		switch c := frame[at]; {
		case c == '0' || c == 'a' || c == 'A':
			frame[at] = c + 1
		case c >= '1' && c <= '9' || c >= 'b' && c <= 'z' || c >= 'B' && c <= 'Z':
			frame[at] = c - 1
		default: // '+' or '/' in base64
			frame[at] = 'A'
		}
		return frame
	}
}

// TestTamperedBatchInFlight: a link that changes one byte of a batch on
// its way to the server. The server refuses it (signature), logs and
// audits it, and stores nothing of it; the kiosk's honest retry over a
// clean link is then accepted whole, so the refusal lost nothing.
func TestTamperedBatchInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	k := e.newKiosk(t, "tampered", "p1")
	e.seen(t, k)
	before := e.stored(t, k)
	recs := k.sign(3)

	tests := []struct {
		name   string
		tamper func([]byte) []byte
	}{
		{"a payload byte", flipIn("payload", 1, 40)},
		{"a hash byte", flipIn("hash", 2, 17)},
		{"a prev_hash byte", flipIn("prev_hash", 1, 3)},
		{"the type", flipIn("type", 1, 8)}, // "signature" → "signaturA"
		{"pending", flipIn("pending", 0, 0)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, tampered := e.relay(t, tt.tamper)
			c := e.dialToT(t, url)
			if w := c.helloT(t, k, e.cat.Version); w.AckedSeq != 0 {
				t.Fatalf("welcome %+v", w)
			}
			c.mustSend(t, &syncproto.Batch{Records: recs, Pending: 1})
			c.expectError(t, syncproto.CodeSignature)
			if tampered.Load() != 1 {
				t.Fatalf("the relay changed %d batches", tampered.Load())
			}
			// Nothing of the batch: no record, no epoch, not even pending.
			e.checkUnchanged(t, k, before)
			if n, err := e.db.RecordCount(e.ctx, k.id, k.epoch); err != nil || n != 0 {
				t.Fatalf("%d records of the epoch stored: %v", n, err)
			}
			e.checkRefusedLogged(t, k, i+1, recs[0].Seq)
		})
	}

	// The kiosk tries again over a clean link: everything arrives.
	c := e.dialT(t)
	if w := c.helloT(t, k, e.cat.Version); w.AckedSeq != 0 {
		t.Fatalf("welcome %+v", w)
	}
	if ack := c.syncT(t, recs); ack.AckedSeq != 3 || len(ack.Quarantined) != 0 {
		t.Fatalf("ack %+v", ack)
	}
	seq, hash := k.head()
	if st := e.stored(t, k); st.records != 3 || st.acked != seq || st.head != hash || st.counted != 3 {
		t.Fatalf("stored %+v after the honest retry", st)
	}
	b.finish(t)
}

// TestUntouchedRelayPassesBatches: the relay itself changes nothing when
// told to change nothing, so the refusals above are the flipped byte's.
func TestUntouchedRelayPassesBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "relayed", "p1")
	url, tampered := e.relay(t, func(b []byte) []byte { return b })
	c := e.dialToT(t, url)
	c.helloT(t, k, e.cat.Version)
	if ack := c.syncT(t, k.sign(3)); ack.AckedSeq != 3 || tampered.Load() != 1 {
		t.Fatalf("ack %+v, %d batches through the relay's hands", ack, tampered.Load())
	}
}

// TestForgedDeviceKey: whoever has a kiosk's credential but not its device
// key (a copied credential, a kiosk clone) cannot send batches as it.
func TestForgedDeviceKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	b := e.startBystander(t)
	victim := e.newKiosk(t, "victim", "p1")
	other := e.newKiosk(t, "other", "p1")
	e.seen(t, victim)
	before := e.stored(t, victim)
	recs := victim.sign(2)
	_, forged, _ := ed25519.GenerateKey(nil)

	tests := []struct {
		name string
		sign func(*syncproto.Batch)
	}{
		{"a key of its own", func(b *syncproto.Batch) { syncproto.SignBatch(forged, victim.id, victim.epoch, b) }},
		{"another enrolled kiosk's key", func(b *syncproto.Batch) { syncproto.SignBatch(other.key, victim.id, victim.epoch, b) }},
		{"the other kiosk signing as itself", func(b *syncproto.Batch) { syncproto.SignBatch(other.key, other.id, victim.epoch, b) }},
		{"the victim's signature for another epoch", func(b *syncproto.Batch) {
			syncproto.SignBatch(victim.key, victim.id, record.NewEpoch(), b)
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dialT(t)
			c.helloT(t, victim, e.cat.Version) // the right credential
			batch := &syncproto.Batch{Records: recs}
			tt.sign(batch)
			c.mustSend(t, batch)
			c.expectError(t, syncproto.CodeSignature)
			e.checkUnchanged(t, victim, before)
			e.checkRefusedLogged(t, victim, i+1, recs[0].Seq)
		})
	}
	if n := e.signatureAudits(t, other.id); n != 0 {
		t.Fatalf("%d refusals blamed on the other kiosk", n)
	}
	// The victim itself is still served.
	c := e.dialT(t)
	c.helloT(t, victim, e.cat.Version)
	if ack := c.syncT(t, recs); ack.AckedSeq != 2 {
		t.Fatalf("ack %+v", ack)
	}
	b.finish(t)
}

// TestKioskWithoutDeviceKey: a kiosk enrolled before device keys cannot
// sign, so it is refused at hello and told to enroll again.
func TestKioskWithoutDeviceKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testTiming)
	k := e.newKiosk(t, "old", "p1")
	raw, err := sql.Open("sqlite3", filepath.Join(e.dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE kiosks SET device_key = NULL WHERE id = ?", k.id); err != nil {
		t.Fatal(err)
	}
	before := e.stored(t, k)
	c := e.dialT(t)
	c.mustSend(t, k.hello(e.cat.Version))
	m := recvAs[*syncproto.Error](t, c)
	if m.Code != syncproto.CodeUnauthorized || !strings.Contains(m.Message, "enroll it again") {
		t.Fatalf("error %+v", m)
	}
	e.checkUnchanged(t, k, before)
}
