package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/scripts/bench/workload"
	"github.com/sbor-project/sbor/shared/syncproto"
)

// simKiosk is a simulated kiosk: its own hash-chained log of signatures
// (shared/record), sent over one websocket in the real protocol
// (shared/syncproto): hello, welcome, batches of up to 200 records with at
// most syncproto.Window unacknowledged, acks.
type simKiosk struct {
	idx      int
	id, cred string
	key      ed25519.PrivateKey // device key; every batch is signed with it
	total    int                // signatures in the kiosk's whole log
	gen      *workload.Kiosk
	chain    *workload.Chain
	uniques  int // first-time signatures made so far
	dups     int // cross-kiosk repeats made so far

	conn  *websocket.Conn
	acks  chan uint64
	errc  chan error
	acked uint64
	// progress, if set, counts every kiosk's acknowledged records.
	progress *atomic.Int64
}

// frame is one encoded batch and the last seq it carries.
type frame struct {
	data []byte
	last uint64
}

// encode makes the frames of the kiosk's next n signatures.
func (k *simKiosk) encode(n int) ([]frame, error) {
	var out []frame
	for _, b := range workload.Batches(k.gen, k.chain, k.id, n, syncproto.MaxBatchRecords) {
		for _, d := range b.Dup {
			if d {
				k.dups++
			} else {
				k.uniques++
			}
		}
		last := b.Records[len(b.Records)-1].Seq
		batch := &syncproto.Batch{Records: b.Records, Pending: k.total - int(last)}
		syncproto.SignBatch(k.key, k.id, k.chain.Epoch, batch)
		data, err := syncproto.Encode(batch)
		if err != nil {
			return nil, err
		}
		out = append(out, frame{data, last})
	}
	return out, nil
}

// connect opens the session: hello, then the welcome. A kiosk that is
// up to date with the catalogue says so, and the server pushes none.
func (k *simKiosk) connect(ctx context.Context, wsURL string, catalogVersion int) error {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 16 << 10, WriteBufferSize: 64 << 10}
	conn, _, err := d.DialContext(ctx, wsURL, nil)
	if err != nil {
		return fmt.Errorf("kiosk %s: dial: %w", k.id, err)
	}
	conn.SetReadLimit(syncproto.MaxMessageBytes)
	k.conn = conn
	hello, err := syncproto.Encode(&syncproto.Hello{Version: syncproto.Version, KioskID: k.id, Credential: k.cred,
		Epoch: k.chain.Epoch, HeadSeq: k.chain.Seq, HeadHash: k.chain.Head, Pending: k.total - int(k.acked),
		CatalogVersion: catalogVersion})
	if err != nil {
		return err
	}
	conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if err := conn.WriteMessage(websocket.TextMessage, hello); err != nil {
		return fmt.Errorf("kiosk %s: hello: %w", k.id, err)
	}
	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil {
		return fmt.Errorf("kiosk %s: welcome: %w", k.id, err)
	}
	msg, err := syncproto.Decode(data)
	if err != nil {
		return fmt.Errorf("kiosk %s: welcome: %w", k.id, err)
	}
	w, ok := msg.(*syncproto.Welcome)
	if !ok {
		return fmt.Errorf("kiosk %s: expected welcome, got %T %s", k.id, msg, data)
	}
	k.acked = w.AckedSeq
	k.acks, k.errc = make(chan uint64, syncproto.Window+4), make(chan error, 1)
	go k.readLoop()
	return nil
}

func (k *simKiosk) readLoop() {
	for {
		k.conn.SetReadDeadline(time.Now().Add(5 * time.Minute))
		_, data, err := k.conn.ReadMessage()
		if err != nil {
			k.errc <- err
			return
		}
		msg, err := syncproto.Decode(data)
		if err != nil {
			k.errc <- err
			return
		}
		switch m := msg.(type) {
		case *syncproto.Ack:
			if len(m.Quarantined) > 0 {
				k.errc <- fmt.Errorf("kiosk %s: server quarantined %v", k.id, m.Quarantined)
				return
			}
			k.acks <- m.AckedSeq
		case *syncproto.Error:
			k.errc <- m
			return
		}
	}
}

// pump sends the frames next yields, keeping at most syncproto.Window
// unacknowledged, and returns when every one is acknowledged.
func (k *simKiosk) pump(ctx context.Context, next func() (frame, bool, error)) error {
	inflight := 0
	var last uint64
	wait := func() error {
		select {
		case seq := <-k.acks:
			if k.progress != nil {
				k.progress.Add(int64(seq - k.acked))
			}
			k.acked = seq
			inflight--
			return nil
		case err := <-k.errc:
			return fmt.Errorf("kiosk %s: session ended: %w", k.id, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Minute):
			return fmt.Errorf("kiosk %s: no ack for 5 minutes", k.id)
		}
	}
	for {
		f, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		for inflight >= syncproto.Window {
			if err := wait(); err != nil {
				return err
			}
		}
		k.conn.SetWriteDeadline(time.Now().Add(time.Minute))
		if err := k.conn.WriteMessage(websocket.TextMessage, f.data); err != nil {
			return fmt.Errorf("kiosk %s: send: %w", k.id, err)
		}
		inflight++
		last = f.last
	}
	for inflight > 0 {
		if err := wait(); err != nil {
			return err
		}
	}
	if last != 0 && k.acked != last {
		return fmt.Errorf("kiosk %s: acked %d, sent up to %d", k.id, k.acked, last)
	}
	return nil
}

// send sends prepared frames.
func (k *simKiosk) send(ctx context.Context, frames []frame) error {
	i := 0
	return k.pump(ctx, func() (frame, bool, error) {
		if i == len(frames) {
			return frame{}, false, nil
		}
		i++
		return frames[i-1], true, nil
	})
}

// stream generates and sends the rest of the kiosk's log one batch at a
// time, so memory holds only what is in flight.
func (k *simKiosk) stream(ctx context.Context) error {
	return k.pump(ctx, func() (frame, bool, error) {
		if k.gen.Done() {
			return frame{}, false, nil
		}
		fs, err := k.encode(syncproto.MaxBatchRecords)
		if err != nil || len(fs) == 0 {
			return frame{}, false, err
		}
		return fs[0], true, nil
	})
}

func (k *simKiosk) close() {
	if k.conn != nil {
		k.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		k.conn.Close()
	}
}
