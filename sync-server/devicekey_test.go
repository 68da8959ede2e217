package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// newDevicePublicKey is a kiosk's device key for tests that store records
// without signing batches.
func newDevicePublicKey(t *testing.T) ed25519.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// tamperingLink stands between a real kiosk and the real server as a
// compromised network would: HTTP passes untouched, and on /sync every
// websocket frame is passed on, except that the first batch from the
// kiosk has one byte of a record's payload changed. Once it has done so
// it holds new connections until release is closed, so the test can look
// at the server before the kiosk retries.
type tamperingLink struct {
	*httptest.Server
	tampered atomic.Int64 // batches changed
	refused  chan string  // the server's error frames, as sent
	release  chan struct{}
}

func newTamperingLink(t *testing.T, upstream string) *tamperingLink {
	t.Helper()
	l := &tamperingLink{refused: make(chan string, 8), release: make(chan struct{})}
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	up := websocket.Upgrader{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sync" {
			proxy.ServeHTTP(w, r)
			return
		}
		if l.tampered.Load() > 0 {
			select {
			case <-l.release:
			case <-r.Context().Done():
				return
			}
		}
		kc, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer kc.Close()
		sc, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(upstream, "http")+"/sync", nil)
		if err != nil {
			return
		}
		defer sc.Close()
		done := make(chan struct{}, 2)
		go func() {
			defer func() { done <- struct{}{} }()
			relayFrames(sc, kc, func(f []byte) []byte {
				if bytes.HasPrefix(f, []byte(`{"type":"error"`)) {
					l.refused <- string(f)
				}
				return f
			})
		}()
		go func() {
			defer func() { done <- struct{}{} }()
			relayFrames(kc, sc, func(f []byte) []byte {
				if bytes.HasPrefix(f, []byte(`{"type":"batch"`)) && l.tampered.CompareAndSwap(0, 1) {
					return flipPayloadByte(f)
				}
				return f
			})
		}()
		<-done
	}))
	t.Cleanup(func() {
		select {
		case <-l.release:
		default:
			close(l.release)
		}
		l.Close()
	})
	return l
}

// relayFrames copies frames from src to dst through change, and passes a
// close frame on.
func relayFrames(src, dst *websocket.Conn, change func([]byte) []byte) {
	for {
		kind, data, err := src.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				dst.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ce.Code, ce.Text), time.Now().Add(time.Second))
			}
			return
		}
		if kind == websocket.TextMessage {
			data = change(data)
		}
		if err := dst.WriteMessage(kind, data); err != nil {
			return
		}
	}
}

// flipPayloadByte changes one base64 character well inside the first
// record's payload to another, so the frame still decodes.
func flipPayloadByte(frame []byte) []byte {
	frame = bytes.Clone(frame)
	key := []byte(`"payload":"`)
	at := bytes.Index(frame, key) + len(key) + 20
	if frame[at] == 'A' {
		frame[at] = 'B'
	} else {
		frame[at] = 'A'
	}
	return frame
}

// TestTamperedBatchFromRealKiosk: a real kiosk enrolled over a link that
// changes one byte of its first batch. The real server refuses the batch
// (signature), audits it and stores nothing of it; the kiosk keeps the
// record and, once the link is clean, sends it again and it is counted.
func TestTamperedBatchFromRealKiosk(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	link := newTamperingLink(t, base)
	k, kioskID := enrollKiosk(t, admin, link.URL, "Школа")
	eventually(t, 15*time.Second, "kiosk online with the catalogue", func() bool {
		on, _ := k.syncStatus()
		code, _ := k.api.do("GET", "/api/projects/p1/progress", nil)
		return on && code == 200
	})
	k.openShift("m1")
	if code, body := k.sign("p1", resident(1), birth); code != 201 {
		t.Fatalf("sign: %d %v", code, body)
	}

	select {
	case f := <-link.refused:
		if !strings.Contains(f, `"code":"signature"`) {
			t.Fatalf("the server answered the changed batch with %s", f)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the server did not refuse the changed batch (%d changed)\n%s", link.tampered.Load(), k.logs.String())
	}
	// Nothing of it is on the server; the kiosk still holds the record.
	ctx := context.Background()
	if tally, err := srv.DB.Tally(ctx, "p1"); err != nil || tally.Counted != 0 || tally.Duplicates != 0 {
		t.Fatalf("tally after the refusal %+v: %v", tally, err)
	}
	ks, err := srv.DB.Kiosks(ctx)
	if err != nil || len(ks) != 1 || ks[0].ID != kioskID || ks[0].AckedSeq != 0 {
		t.Fatalf("kiosks after the refusal %+v: %v", ks, err)
	}
	log, err := srv.DB.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, e := range log {
		if e.Action == "sync.bad_signature" && e.Object == "kiosk:"+kioskID {
			audited++
		}
	}
	if audited != 1 {
		t.Fatalf("%d audit entries of the refusal: %+v", audited, log)
	}
	if _, pending := k.syncStatus(); pending != 1 {
		t.Fatalf("kiosk pending %d after the refusal, want 1", pending)
	}
	eventually(t, 10*time.Second, "the kiosk logs the refusal", func() bool {
		return strings.Contains(k.logs.String(), "syncproto: signature:")
	})

	// The link is clean from now on: the kiosk's retry is accepted.
	close(link.release)
	eventually(t, 20*time.Second, "the kiosk synced", func() bool {
		on, pending := k.syncStatus()
		return on && pending == 0
	})
	if tally, err := srv.DB.Tally(ctx, "p1"); err != nil || tally.Counted != 1 {
		t.Fatalf("tally after the retry %+v: %v", tally, err)
	}
	if n := link.tampered.Load(); n != 1 {
		t.Fatalf("%d batches changed", n)
	}
}
