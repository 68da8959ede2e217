package main

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy is a TCP proxy on 127.0.0.1 that puts network faults between
// kiosks and the server while traffic flows: latency, writes sliced into
// small pieces, connections cut or reset mid-stream, and periods when new
// connections are refused or black-holed, and half-open links that hand
// the server a stale batch after the kiosk has already reconnected.
//
// It is a small hand-written equivalent of github.com/Shopify/toxiproxy:
// that library pulls a large dependency tree into the module for the few
// faults these tests need.
type faultProxy struct {
	t        *testing.T
	ln       net.Listener
	upstream string
	bytes    atomic.Int64 // forwarded, both directions

	mu        sync.Mutex
	latency   time.Duration // before forwarding each chunk read
	slice     bool          // forward in 1–64 byte pieces with small delays
	down      bool          // new connections are not served
	blackhole bool          // while down: held silently instead of refused
	links     map[*proxyLink]bool
	held      map[net.Conn]bool
	closed    bool
	wg        sync.WaitGroup
	stats     proxyStats
}

type proxyStats struct {
	Accepted, Refused, Held, Cut, Reset, HalfOpen int
	Late                                          int // chunks handed to the server after the client's end was gone
}

// proxyLink is one proxied connection: the client's end and the server's.
type proxyLink struct {
	client, server net.Conn
	once           sync.Once
	lag            atomic.Int64 // extra delay, ns, before each big chunk to the server (Stall)
	lagMin         atomic.Int64 // the smallest chunk Stall holds
	holding        atomic.Int32 // chunks held back by lag right now
	halfOpen       atomic.Bool  // the client's end is closed, the server's not yet
}

func newFaultProxy(t *testing.T, upstream string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, upstream: upstream, links: map[*proxyLink]bool{}, held: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.close)
	return p
}

// Addr is the address clients dial instead of the upstream's.
func (p *faultProxy) Addr() string { return p.ln.Addr().String() }

// Bytes reports how many bytes were forwarded so far, both directions.
func (p *faultProxy) Bytes() int64 { return p.bytes.Load() }

// Links reports how many connections are being proxied now.
func (p *faultProxy) Links() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Stats reports what the proxy did so far.
func (p *faultProxy) Stats() proxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// SetLatency delays every chunk forwarded, in both directions.
func (p *faultProxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// SetSlicing forwards data in 1–64 byte pieces with small delays.
func (p *faultProxy) SetSlicing(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slice = on
}

// Cut closes both ends of every current connection abruptly (FIN) and
// returns how many it cut.
func (p *faultProxy) Cut() int { return p.cutAll(false) }

// Reset closes both ends of every current connection with SO_LINGER 0, so
// the peers get an RST, and returns how many it reset.
func (p *faultProxy) Reset() int { return p.cutAll(true) }

// Stall holds every chunk of at least minBytes the current connections
// carry toward the server for lag before delivering it (a size that only
// batches reach, not the small messages between them); new connections
// are not affected.
func (p *faultProxy) Stall(lag time.Duration, minBytes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.links {
		l.lagMin.Store(int64(minBytes))
		l.lag.Store(int64(lag))
	}
}

// Holding reports how many connections hold a stalled chunk right now.
func (p *faultProxy) Holding() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for l := range p.links {
		if l.holding.Load() > 0 {
			n++
		}
	}
	return n
}

// CutClients closes only the clients' ends of the current connections:
// each server end stays open until the chunk it holds (see Stall) has
// been delivered, then closes. The client reconnects at once while its
// old connection still hands the server a stale copy of what it sent.
func (p *faultProxy) CutClients() int {
	p.mu.Lock()
	links := make([]*proxyLink, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.stats.HalfOpen += len(links)
	p.mu.Unlock()
	for _, l := range links {
		l.halfOpen.Store(true)
		l.client.Close()
	}
	return len(links)
}

func (p *faultProxy) cutAll(reset bool) int {
	p.mu.Lock()
	links := make([]*proxyLink, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	if reset {
		p.stats.Reset += len(links)
	} else {
		p.stats.Cut += len(links)
	}
	p.mu.Unlock()
	for _, l := range links {
		p.closeLink(l, reset)
	}
	return len(links)
}

// Down stops serving new connections: they are refused with an RST, or,
// with blackhole, accepted and then never answered. Connections already
// up are left alone (Cut them to drop them too).
func (p *faultProxy) Down(blackhole bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.blackhole = true, blackhole
}

// Heal ends every fault: no latency, no slicing, new connections served.
// Black-holed connections are closed, so their clients retry promptly.
func (p *faultProxy) Heal() {
	p.mu.Lock()
	p.latency, p.slice, p.down, p.blackhole = 0, false, false, false
	held := p.held
	p.held = map[net.Conn]bool{}
	p.mu.Unlock()
	for c := range held {
		c.Close()
	}
}

func (p *faultProxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		switch {
		case p.closed:
			c.Close()
		case p.down && p.blackhole:
			p.held[c] = true
			p.stats.Held++
		case p.down:
			p.stats.Refused++
			resetConn(c)
		default:
			p.stats.Accepted++
			p.wg.Add(1)
			go p.serve(c)
		}
		p.mu.Unlock()
	}
}

func (p *faultProxy) serve(client net.Conn) {
	defer p.wg.Done()
	server, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		resetConn(client)
		return
	}
	l := &proxyLink{client: client, server: server}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.links[l] = true
	p.wg.Add(2)
	p.mu.Unlock()
	go p.pipe(l, true)
	go p.pipe(l, false)
}

// pipe copies one direction with the faults in force; when either
// direction ends, the whole link is closed, but for a half-open link,
// whose server end closes once the way toward the server has ended.
func (p *faultProxy) pipe(l *proxyLink, toServer bool) {
	defer p.wg.Done()
	defer func() {
		if toServer || !l.halfOpen.Load() {
			p.closeLink(l, false)
		}
	}()
	src, dst := l.server, l.client
	if toServer {
		src, dst = l.client, l.server
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if werr := p.forward(l, dst, buf[:n], toServer); werr != nil {
				return
			}
		}
		if err != nil { // EOF, or the link was cut
			return
		}
	}
}

func (p *faultProxy) forward(l *proxyLink, dst net.Conn, b []byte, toServer bool) error {
	p.mu.Lock()
	latency, slice := p.latency, p.slice
	p.mu.Unlock()
	if latency > 0 {
		time.Sleep(latency)
	}
	if lag := time.Duration(l.lag.Load()); toServer && lag > 0 && len(b) >= int(l.lagMin.Load()) {
		l.holding.Add(1)
		time.Sleep(lag)
		l.holding.Add(-1)
	}
	late := toServer && l.halfOpen.Load()
	for len(b) > 0 {
		n := len(b)
		if slice {
			n = min(n, 1+rand.IntN(64))
		}
		if _, err := dst.Write(b[:n]); err != nil {
			return err
		}
		p.bytes.Add(int64(n))
		b = b[n:]
		if slice && len(b) > 0 {
			time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
		}
	}
	if late {
		p.mu.Lock()
		p.stats.Late++
		p.mu.Unlock()
	}
	return nil
}

func (p *faultProxy) closeLink(l *proxyLink, reset bool) {
	l.once.Do(func() {
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
		if reset {
			resetConn(l.client)
			resetConn(l.server)
			return
		}
		l.client.Close()
		l.server.Close()
	})
}

// resetConn closes c so that the peer gets an RST rather than a FIN.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

func (p *faultProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.Heal()
	p.Cut()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.t.Errorf("fault proxy: connections still open 10s after close")
	}
}
