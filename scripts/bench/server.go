package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/scripts/bench/workload"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/storage"
)

// serverResult holds the server's figures.
type serverResult struct {
	Spec workload.Spec

	// Ingest: phase A, every kiosk sending the first part of its log at once.
	IngestN              int
	IngestTime           time.Duration
	BareN                int
	BareTimes            []time.Duration // the bare batched INSERT, before and after phase A
	Total                int             // signatures the server holds at the end
	Counted, Duplicates  int             // as the server's progress reports them
	WantCounted, WantDup int             // as the generator made them
	TotalTime            time.Duration   // phase A and B

	Progress latencies // GET /api/projects/{id}/progress during phase B

	Watchers       int
	Events         int
	EventLatency   latencies // kiosk commit → every watcher updated, per event
	WatcherLatency latencies // kiosk commit → one watcher updated, per watcher and event
	Missed         int       // watcher updates never seen

	Memory memory // the server after holding every signature

	DataDir string // for the recount benchmark, once the server stopped
}

// admin talks to the server's admin API with the bearer token.
type admin struct {
	base, token string
	http        *http.Client
}

func (a *admin) do(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// registerKiosk registers a kiosk with the office's API and returns its
// one-time enrollment code.
func (a *admin) registerKiosk(ctx context.Context, name string) (string, error) {
	var reg struct {
		ID   string `json:"id"`
		Code string `json:"enroll_code"`
	}
	if err := a.do(ctx, http.MethodPost, "/api/kiosks", map[string]string{"name": name}, http.StatusCreated, &reg); err != nil {
		return "", err
	}
	return reg.Code, nil
}

// enroll redeems a code as a kiosk does at its first start, registering
// the public half of key.
func (a *admin) enroll(ctx context.Context, code string, key ed25519.PrivateKey) (id, credential string, err error) {
	var got struct {
		ID         string `json:"kiosk_id"`
		Credential string `json:"credential"`
	}
	body := map[string]string{"code": code, "device_key": base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))}
	err = a.do(ctx, http.MethodPost, "/api/enroll", body, http.StatusOK, &got)
	return got.ID, got.Credential, err
}

type progressBody struct {
	Signatures int `json:"signatures"`
	Duplicates int `json:"duplicates"`
}

// runServer measures the server's figures against one real sync-server
// process: the ingest rate (phase A), then, while the rest of the
// signatures arrive (phase B), the progress query's latency and the live
// fan-out from a real kiosk's commit to 1,000 watchers; then the server's
// memory holding them all and whether its counts are the generator's.
func runServer(ctx context.Context, cfg config, spec workload.Spec, watchers int) (serverResult, error) {
	res := serverResult{Spec: spec, Watchers: watchers}
	dir := filepath.Join(cfg.tmp, "server")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, err
	}
	res.DataDir = filepath.Join(dir, "data")
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	tok := make([]byte, 16)
	crand.Read(tok)
	token := hex.EncodeToString(tok)
	srv, err := startChild("sync-server", filepath.Join(cfg.bin, "sync-server"), []string{"-addr", addr, "-data", res.DataDir,
		"-admin-token", token, "-log-level", "WARN"}, cfg.tmp)
	if err != nil {
		return res, err
	}
	defer srv.stop(30 * time.Second)
	base := "http://" + addr
	if err := waitHealthy(ctx, srv, base+"/healthz", 30*time.Second); err != nil {
		return res, err
	}
	adm := &admin{base: base, token: token, http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}

	// The office puts the catalogue and registers the kiosks; each
	// simulated kiosk enrolls with its code.
	today := calendar.In(time.Now(), time.UTC)
	var put struct {
		Version int `json:"version"`
	}
	if err := adm.do(ctx, http.MethodPut, "/api/catalog", spec.Catalog(1, today), http.StatusOK, &put); err != nil {
		return res, err
	}
	// Kiosks seal personal data to the office key the server stamps into
	// its catalogue, so the server opens every signature, as in the field.
	var stamped struct {
		OfficeKey string `json:"office_key"`
	}
	if err := adm.do(ctx, http.MethodGet, "/api/catalog", nil, http.StatusOK, &stamped); err != nil {
		return res, err
	}
	office, err := seal.ParsePublicKey(stamped.OfficeKey)
	if err != nil {
		return res, fmt.Errorf("the server's catalogue has no usable office key: %w", err)
	}
	newChain := func(i int) *workload.Chain {
		c := workload.NewChain(uint64(i))
		c.Office = office
		return c
	}
	kiosks := make([]*simKiosk, spec.Kiosks)
	for i := range kiosks {
		code, err := adm.registerKiosk(ctx, workload.KioskName(i))
		if err != nil {
			return res, err
		}
		_, key, err := ed25519.GenerateKey(nil)
		if err != nil {
			return res, err
		}
		id, cred, err := adm.enroll(ctx, code, key)
		if err != nil {
			return res, err
		}
		kiosks[i] = &simKiosk{idx: i, id: id, cred: cred, key: key, total: spec.PerKiosk, gen: spec.Kiosk(i), chain: newChain(i)}
	}
	cfg.progress("server: catalogue of %d projects, %d kiosks enrolled", spec.Projects+1, spec.Kiosks)

	// The real kiosk whose commits the live watchers wait for.
	live, err := startLiveKiosk(ctx, cfg, adm, base)
	if err != nil {
		return res, err
	}
	defer live.proc.stop(10 * time.Second)

	// Phase A, prepared in memory so that generating records does not
	// compete with the server for the CPU while the rate is measured.
	perA := max(1, spec.PerKiosk/10)
	framesA := make([][]frame, len(kiosks))
	var batchesA []workload.Batch
	for i, k := range kiosks {
		g, c := spec.Kiosk(i), newChain(i)
		batchesA = append(batchesA, workload.Batches(g, c, k.id, perA, 200)...)
		if framesA[i], err = k.encode(perA); err != nil {
			return res, err
		}
		res.IngestN += int(k.chain.Seq)
	}
	res.BareN = res.IngestN

	// The limit, measured before and after phase A on fresh files.
	bare := func(n int) error {
		f := filepath.Join(dir, fmt.Sprintf("bare-%d.db", n))
		db, err := storage.OpenSQLite(ctx, f)
		if err != nil {
			return err
		}
		defer os.Remove(f)
		defer os.Remove(f + "-wal")
		defer os.Remove(f + "-shm")
		defer db.Close()
		if err := storage.Migrate(ctx, db, os.DirFS(filepath.Join(cfg.repo, "sync-server/internal/sqlite")), "migrations"); err != nil {
			return err
		}
		start := time.Now()
		if err := workload.BareServerInsert(ctx, db, batchesA); err != nil {
			return fmt.Errorf("bare server insert: %w", err)
		}
		res.BareTimes = append(res.BareTimes, time.Since(start))
		cfg.progress("server: bare batched INSERT of %d signatures: %.0f/s", res.BareN, float64(res.BareN)/time.Since(start).Seconds())
		return nil
	}
	if err := bare(1); err != nil {
		return res, err
	}

	wsURL := "ws://" + addr + "/sync"
	for _, k := range kiosks {
		if err := k.connect(ctx, wsURL, put.Version); err != nil {
			return res, err
		}
		defer k.close()
	}
	start := time.Now()
	if err := parallel(kiosks, func(k *simKiosk) error { return k.send(ctx, framesA[k.idx]) }); err != nil {
		return res, fmt.Errorf("phase A: %w\n%s", err, srv.tail())
	}
	res.IngestTime = time.Since(start)
	framesA = nil
	cfg.progress("server: ingest of %d signatures from %d kiosks: %.0f/s", res.IngestN, len(kiosks), float64(res.IngestN)/res.IngestTime.Seconds())
	if err := bare(2); err != nil {
		return res, err
	}
	batchesA = nil

	// Phase B: the rest of every log, with the progress poller, the
	// watchers and the real kiosk's signatures alongside.
	maxEvents := 600
	ws, err := openWatchers(ctx, "ws://"+addr+"/p/"+workload.LiveProject+"/ws", watchers, maxEvents)
	if err != nil {
		return res, err
	}
	defer ws.close()
	cfg.progress("server: %d watchers of project %q connected", watchers, workload.LiveProject)

	phaseB := make(chan struct{})
	var side sync.WaitGroup
	var pollErr, liveErr error
	side.Add(2)
	go func() {
		defer side.Done()
		res.Progress, pollErr = pollProgress(ctx, base, spec, phaseB)
	}()
	var commits []time.Time
	go func() {
		defer side.Done()
		commits, liveErr = live.signEvery(ctx, time.Second, maxEvents, phaseB)
	}()
	var acked atomic.Int64
	for _, k := range kiosks {
		k.progress = &acked
	}
	ticker := time.NewTicker(15 * time.Second)
	go func() {
		for {
			select {
			case <-ticker.C:
				m, _ := srv.memory()
				cfg.progress("server: phase B, %d of %d signatures acknowledged, server RSS %.0f MB", res.IngestN+int(acked.Load()),
					spec.Kiosks*spec.PerKiosk, m.RSS)
			case <-phaseB:
				return
			}
		}
	}()
	err = parallel(kiosks, func(k *simKiosk) error { return k.stream(ctx) })
	ticker.Stop()
	close(phaseB)
	side.Wait()
	res.TotalTime = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("phase B: %w\n%s", err, srv.tail())
	}
	if pollErr != nil {
		return res, pollErr
	}
	if liveErr != nil {
		return res, fmt.Errorf("live kiosk: %w\n%s", liveErr, live.proc.tail())
	}
	res.Events = len(commits)
	res.EventLatency, res.WatcherLatency, res.Missed = ws.latencies(commits, 10*time.Second)
	ws.close()
	if res.Memory, err = srv.memory(); err != nil {
		return res, err
	}

	// The counts the server reports must be the generator's.
	for _, k := range kiosks {
		res.Total += int(k.acked)
		res.WantCounted += k.uniques
		res.WantDup += k.dups
	}
	for i := 0; i < spec.Projects; i++ {
		var p progressBody
		if err := adm.do(ctx, http.MethodGet, "/api/projects/"+workload.ProjectID(i)+"/progress", nil, http.StatusOK, &p); err != nil {
			return res, err
		}
		res.Counted += p.Signatures
		res.Duplicates += p.Duplicates
	}
	cfg.progress("server: holds %d signatures, %d counted (want %d), %d duplicates (want %d); RSS %.0f MB, peak %.0f MB",
		res.Total, res.Counted, res.WantCounted, res.Duplicates, res.WantDup, res.Memory.RSS, res.Memory.Peak)
	if res.Counted != res.WantCounted || res.Duplicates != res.WantDup {
		return res, fmt.Errorf("server counts %d counted, %d duplicates; the workload has %d and %d", res.Counted, res.Duplicates, res.WantCounted, res.WantDup)
	}
	for _, k := range kiosks {
		k.close()
	}
	if err := srv.stop(60 * time.Second); err != nil {
		return res, err
	}
	return res, nil
}

// parallel runs fn for every kiosk at once and returns the first error.
func parallel(kiosks []*simKiosk, fn func(*simKiosk) error) error {
	errs := make(chan error, len(kiosks))
	for _, k := range kiosks {
		go func() { errs <- fn(k) }()
	}
	var first error
	for range kiosks {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// pollProgress asks a random project's progress, one request at a time
// with a short pause, until stop closes.
func pollProgress(ctx context.Context, base string, spec workload.Spec, stop <-chan struct{}) (latencies, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	var out latencies
	for {
		select {
		case <-stop:
			return out, nil
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		url := base + "/api/projects/" + workload.ProjectID(rand.IntN(spec.Projects)) + "/progress"
		t0 := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			return out, err
		}
		var p progressBody
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		took := time.Since(t0)
		if err != nil || resp.StatusCode != http.StatusOK {
			return out, fmt.Errorf("progress: %d %v", resp.StatusCode, err)
		}
		out = append(out, took)
	}
}

// liveKiosk is a real kiosk binary enrolled to the server, signing the
// watched project.
type liveKiosk struct {
	proc   *child
	client *kioskClient
}

func startLiveKiosk(ctx context.Context, cfg config, adm *admin, serverBase string) (*liveKiosk, error) {
	code, err := adm.registerKiosk(ctx, "Киоск в клубе")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	const pin = "1234"
	p, err := startChild("live-kiosk", filepath.Join(cfg.bin, "kiosk"), []string{"-addr", addr,
		"-data", filepath.Join(cfg.tmp, "live-kiosk"), "-server", serverBase, "-enroll", code,
		"-operator-pin", pin, "-log-level", "WARN"}, cfg.tmp)
	if err != nil {
		return nil, err
	}
	lk := &liveKiosk{proc: p, client: newKioskClient("http://" + addr)}
	if err := waitHealthy(ctx, p, lk.client.base+"/healthz", 30*time.Second); err != nil {
		p.stop(5 * time.Second)
		return nil, err
	}
	// Wait for the catalogue to arrive over the sync session.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := lk.client.http.Get(lk.client.base + "/api/projects")
		if err == nil {
			var ps []struct {
				ID string `json:"id"`
			}
			json.NewDecoder(resp.Body).Decode(&ps)
			resp.Body.Close()
			found := false
			for _, pr := range ps {
				found = found || pr.ID == workload.LiveProject
			}
			if found {
				break
			}
		}
		if time.Now().After(deadline) {
			p.stop(5 * time.Second)
			return nil, fmt.Errorf("live kiosk got no catalogue within 60 s\n%s", p.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := lk.client.openShift(ctx, pin); err != nil {
		p.stop(5 * time.Second)
		return nil, err
	}
	return lk, nil
}

// signEvery signs the live project every period until stop closes (or
// max signatures) and returns when each commit was confirmed (the 201).
func (lk *liveKiosk) signEvery(ctx context.Context, period time.Duration, max int, stop <-chan struct{}) ([]time.Time, error) {
	var commits []time.Time
	next := time.Now().Add(period)
	for len(commits) < max {
		select {
		case <-stop:
			return commits, nil
		case <-ctx.Done():
			return commits, ctx.Err()
		case <-time.After(time.Until(next)):
		}
		next = next.Add(period)
		if _, err := lk.client.sign(ctx, workload.LiveProject, 500_000+len(commits), 60); err != nil {
			return commits, err
		}
		commits = append(commits, time.Now())
	}
	<-stop
	return commits, nil
}

// watchers are open public progress pages of one project.
type watchers struct {
	conns []*websocket.Conn
	seen  [][]int64 // per watcher: unix nanos it first saw each count
	wg    sync.WaitGroup
	once  sync.Once
}

func openWatchers(ctx context.Context, url string, n, maxEvents int) (*watchers, error) {
	w := &watchers{}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	for i := 0; i < n; i++ {
		conn, _, err := d.DialContext(ctx, url, nil)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("watcher %d: %w", i, err)
		}
		seen := make([]int64, maxEvents+1)
		w.conns, w.seen = append(w.conns, conn), append(w.seen, seen)
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			last := -1
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				var p progressBody
				if json.Unmarshal(data, &p) != nil {
					continue
				}
				for c := last + 1; c <= min(p.Signatures, maxEvents); c++ {
					atomic.StoreInt64(&seen[c], now)
				}
				last = max(last, p.Signatures)
			}
		}()
	}
	return w, nil
}

// latencies turns the watchers' sightings into the fan-out figure: for
// each commit, how long until every watcher showed it (one never seen
// within timeout counts as timeout), and the same per watcher.
func (w *watchers) latencies(commits []time.Time, timeout time.Duration) (every, each latencies, missed int) {
	// Give the last commits time to arrive.
	deadline := time.Now().Add(timeout)
	for len(commits) > 0 && time.Now().Before(deadline) {
		all := true
		for _, s := range w.seen {
			if atomic.LoadInt64(&s[len(commits)]) == 0 {
				all = false
				break
			}
		}
		if all {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.close()
	for i, c := range commits {
		n := i + 1
		var worst time.Duration
		for _, s := range w.seen {
			d := timeout
			if s[n] != 0 {
				d = max(0, time.Duration(s[n]-c.UnixNano()))
			} else {
				missed++
			}
			each = append(each, d)
			worst = max(worst, d)
		}
		every = append(every, worst)
	}
	return every, each, missed
}

func (w *watchers) close() {
	w.once.Do(func() {
		for _, c := range w.conns {
			c.Close()
		}
		w.wg.Wait()
	})
}
