package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// TestSyncThroughFaults: a kiosk syncs to the server through a proxy that
// adds latency, slices writes, cuts and resets connections mid-stream and
// refuses or black-holes new ones, while residents keep signing. Once the
// network heals, the server holds the kiosk's log exactly once: every
// record, no gap, nothing twice, every resident counted once.
func TestSyncThroughFaults(t *testing.T) {
	start := time.Now()
	addr := freeAddr(t)
	base := "http://" + addr
	data := filepath.Join(t.TempDir(), "server")
	srv := startServer(t, addr, data)
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	proxy := newFaultProxy(t, addr)
	// Enrollment goes through the proxy too: the kiosk only knows its address.
	k, kioskID := enrollKiosk(t, admin, "http://"+proxy.Addr(), "Школа")
	waitReady(t, k)
	k.openShift("m1")

	// One goroutine streams signatures; this one breaks the network.
	stop := make(chan struct{})
	var signed signLog
	var wg sync.WaitGroup
	// The signers stop before anything else is torn down, even on failure.
	stopSigning := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopSigning)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			code, body := k.sign("p1", citizenName(i), birthOf(i))
			signed.add(i, code, body)
		}
	}()

	var cuts, resets int
	cut := func(reset bool) {
		waitTraffic(proxy)
		if reset {
			resets += proxy.Reset()
		} else {
			cuts += proxy.Cut()
		}
	}
	pause := func(lo, hi int) { time.Sleep(time.Duration(lo+rand.IntN(hi-lo+1)) * time.Millisecond) }

	proxy.SetLatency(25 * time.Millisecond)
	pause(300, 500)
	proxy.SetSlicing(true)
	pause(300, 500)
	for range 3 { // abrupt cuts while batches are on the wire, slow and sliced
		cut(false)
		pause(200, 400)
	}
	cut(true)
	pause(200, 400)
	proxy.SetLatency(0)
	proxy.SetSlicing(false)
	cut(false) // and the way back is closed for a while: refused…
	proxy.Down(false)
	pause(500, 700)
	proxy.Heal()
	pause(200, 400)
	cut(true) // …then black-holed
	proxy.Down(true)
	pause(500, 700)
	proxy.Heal()
	pause(200, 400)
	cut(false)
	proxy.Heal()
	pause(200, 400)
	// Half-open links: a batch held on the old connection reaches the
	// server after the kiosk reconnected and resent it on a new one.
	var halfOpen int
	for range 3 {
		waitTraffic(proxy)
		proxy.Stall(800*time.Millisecond, 400)
		waitHolding(proxy)
		halfOpen += proxy.CutClients()
		pause(900, 1000)
	}
	stopSigning()

	eventually(t, 30*time.Second, "kiosk online with nothing pending after the network healed", func() bool {
		on, pending := k.syncStatus()
		return on && pending == 0
	})
	st := proxy.Stats()
	t.Logf("%d signatures; proxy: %d connections, %d cut, %d reset, %d refused, %d black-holed, %d half-open with %d stale deliveries, %d bytes; %v",
		len(signed.ok), st.Accepted, cuts, resets, st.Refused, st.Held, halfOpen, st.Late, proxy.Bytes(), time.Since(start).Round(time.Millisecond))
	if len(signed.other) > 0 {
		t.Errorf("the kiosk answered other than 201 (status: count): %v", signed.other)
	}
	if cuts+resets < 4 {
		t.Errorf("only %d connections were cut or reset mid-stream: the faults did not bite", cuts+resets)
	}
	n := len(signed.ok)
	if n == 0 {
		t.Fatal("no signature was stored")
	}

	// The server's view of the kiosk: acked, stored, contiguous, once.
	ctx := context.Background()
	if acked := ackedSeq(t, srv, kioskID); acked != uint64(n) {
		t.Errorf("server acked_seq %d, want %d (the kiosk's 201s)", acked, n)
	}
	db := openRO(t, filepath.Join(data, "sync.db"))
	spans := recordSpans(t, db, kioskID)
	if len(spans) != 1 || spans[0].count != n || spans[0].min != 1 || spans[0].max != n {
		t.Fatalf("server records of the kiosk: %+v, want one epoch holding seq 1…%d once each", spans, n)
	}
	if got, err := srv.DB.RecordCount(ctx, kioskID, spans[0].epoch); err != nil || got != n {
		t.Errorf("RecordCount = %d, %v; want %d", got, err, n)
	}
	checkServerTally(t, admin, db, signed.keys(), 0)
	if v, err := srv.DB.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Errorf("server integrity_check %q %v", v, err)
	}
}

// signLog collects what a kiosk answered to signatures.
type signLog struct {
	mu    sync.Mutex
	ok    []int          // name indexes that got 201
	other map[string]int // any other answer, by status and error code
}

func (s *signLog) add(i, code int, body map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 201 {
		s.ok = append(s.ok, i)
		return
	}
	if s.other == nil {
		s.other = map[string]int{}
	}
	s.other[fmt.Sprintf("%d %v", code, body["error"])]++
}

// keys returns the identity keys of the residents who got a 201.
func (s *signLog) keys() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for _, i := range s.ok {
		out[identityKey(i)] = true
	}
	return out
}

// citizenName returns the i-th of many distinct valid names: letters and
// spaces only, distinct after case folding and ё/е folding.
func citizenName(i int) string {
	letters := []rune("абвгдежзиклмнопрстуфхцчшэюя")
	w := make([]rune, 4)
	for j := len(w) - 1; j >= 0; j-- {
		w[j] = letters[i%len(letters)]
		i /= len(letters)
	}
	w[0] = unicode.ToUpper(w[0])
	return "Житель Тестовый " + string(w)
}

// birthOf spreads residents over adult birth dates, so the kiosk's
// near-duplicate scan (same birth date) stays short.
func birthOf(i int) string {
	return fmt.Sprintf("%d-%02d-%02d", 1940+i%50, 1+(i/50)%12, 1+(i/600)%28)
}

func identityKey(i int) string {
	return string(citizen.IdentityKey(citizenName(i), calendar.MustParse(birthOf(i))))
}

// waitReady waits until the kiosk is online and has the catalogue.
func waitReady(t *testing.T, k *kioskProc) {
	t.Helper()
	eventually(t, 15*time.Second, "kiosk online with the catalogue", func() bool {
		on, _ := k.syncStatus()
		code, _ := k.api.do("GET", "/api/projects/p1/progress", nil)
		return on && code == 200
	})
}

// waitTraffic waits (briefly, bounded) until bytes are moving through a
// proxied connection, so that a cut lands mid-stream.
func waitTraffic(p *faultProxy) {
	deadline := time.Now().Add(3 * time.Second)
	mark := p.Bytes()
	for time.Now().Before(deadline) {
		if p.Links() > 0 && p.Bytes() > mark {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitHolding waits (briefly, bounded) until a stalled connection holds a
// chunk on its way to the server.
func waitHolding(p *faultProxy) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && p.Holding() == 0 {
		time.Sleep(2 * time.Millisecond)
	}
}

func ackedSeq(t *testing.T, srv *Main, kioskID string) uint64 {
	t.Helper()
	ks, err := srv.DB.Kiosks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.ID == kioskID {
			return k.AckedSeq
		}
	}
	t.Fatalf("kiosk %s not on the server", kioskID)
	return 0
}

// openRO opens an SQLite file read-only, beside the program that owns it.
func openRO(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+file+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if v := integrityCheck(t, db); v != "ok" {
		t.Errorf("integrity_check of %s: %q", file, v)
	}
	return db
}

func integrityCheck(t *testing.T, db *sql.DB) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

type epochSpan struct {
	epoch           string
	count, min, max int
}

// recordSpans summarises the server's records of a kiosk, per epoch.
func recordSpans(t *testing.T, db *sql.DB, kioskID string) []epochSpan {
	t.Helper()
	rows, err := db.Query("SELECT epoch, COUNT(*), MIN(seq), MAX(seq) FROM records WHERE kiosk_id = ? GROUP BY epoch", kioskID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []epochSpan
	for rows.Next() {
		var s epochSpan
		if err := rows.Scan(&s.epoch, &s.count, &s.min, &s.max); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkServerTally checks the server counts exactly the residents in want,
// each once, with dups duplicates, through the progress API and its
// database, and quarantined nothing.
func checkServerTally(t *testing.T, admin *httpc, db *sql.DB, want map[string]bool, dups int) {
	t.Helper()
	if admin != nil {
		code, body := admin.do("GET", "/api/projects/p1/progress", nil)
		if code != 200 || body["signatures"] != float64(len(want)) || body["duplicates"] != float64(dups) {
			t.Errorf("progress: %d signatures=%v duplicates=%v; want %d and %d", code, body["signatures"], body["duplicates"], len(want), dups)
		}
	}
	rows, err := db.Query("SELECT identity_key FROM signatures WHERE project_id = 'p1' AND counted = 1 ORDER BY identity_key")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	var exp []string
	for k := range want {
		exp = append(exp, k)
	}
	sort.Strings(exp)
	if fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("counted set: %d residents, want %d\n got %v\nwant %v", len(got), len(exp), got, exp)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM signatures WHERE project_id = 'p1' AND counted = 0"); n != dups {
		t.Errorf("%d uncounted signatures on the server, want %d", n, dups)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM quarantine"); n != 0 {
		t.Errorf("%d records quarantined", n)
	}
}
