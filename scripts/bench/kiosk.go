package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sbor-project/sbor/scripts/bench/workload"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/consent"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/storage"
)

// kioskResult is the kiosk figure and the kiosk's memory.
type kioskResult struct {
	N          int
	Submit     latencies // POST … → 201 read, through the kiosk's HTTP API
	Bare       latencies // BEGIN … COMMIT of the same rows, bare
	Idle, Load memory
}

// kioskClient talks to a kiosk's JSON API as its screen does.
type kioskClient struct {
	base string
	http *http.Client
}

func newKioskClient(base string) *kioskClient {
	jar, _ := cookiejar.New(nil)
	return &kioskClient{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
}

// post sends a JSON body and returns the status and body.
func (k *kioskClient) post(ctx context.Context, path string, body any) (int, []byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.base+path, bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := k.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func (k *kioskClient) openShift(ctx context.Context, pin string) error {
	status, body, err := k.post(ctx, "/api/shift", map[string]string{"pin": pin, "collector_id": workload.Collectors[0].ID})
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("open shift: %d %s", status, body)
	}
	return nil
}

// sign submits citizen c's signature and returns how long until the 201
// (sent only after the kiosk's commit) was read.
func (k *kioskClient) sign(ctx context.Context, project string, c, points int) (time.Duration, error) {
	form := workload.Form(c, points)
	start := time.Now()
	status, body, err := k.post(ctx, "/api/projects/"+project+"/signatures", form)
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if status != http.StatusCreated {
		return took, fmt.Errorf("sign citizen %d: %d %s", c, status, body)
	}
	return took, nil
}

// bareKiosk is the kiosk figure's limit: the kiosk's schema (its migration
// files applied) in a SQLite file opened with the same durability (WAL,
// synchronous=FULL), and the rows a signature makes — the log record with
// its sealed part, the signature row and its near keys — committed. The
// sealing and hashing are done before the clock starts.
type bareKiosk struct {
	db     *sql.DB
	epoch  string
	seq    uint64
	head   record.Hash
	office seal.PublicKey
	secret []byte
}

func openBareKiosk(ctx context.Context, repo, dir string) (*bareKiosk, error) {
	db, err := storage.OpenSQLite(ctx, filepath.Join(dir, "bare-kiosk.db"))
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, db, os.DirFS(filepath.Join(repo, "kiosk/internal/sqlite")), "migrations"); err != nil {
		db.Close()
		return nil, err
	}
	kp, err := seal.Generate()
	if err != nil {
		db.Close()
		return nil, err
	}
	return &bareKiosk{db: db, epoch: record.NewEpoch(), office: kp.Public, secret: []byte("bare dedupe secret")}, nil
}

// insert commits citizen c's signature and returns how long BEGIN …
// COMMIT took.
func (b *bareKiosk) insert(ctx context.Context, project string, c, points int) (time.Duration, error) {
	name, birth := workload.Citizen(c)
	now := time.Now().Truncate(time.Second)
	n := int(b.seq)
	s := signature.Signature{ProjectID: project, IdentityKey: citizen.IdentityKey(name, birth), FullName: name, BirthDate: birth,
		SignedAt: now, ClockSource: signature.ClockSystem, ConsentVersion: consent.Version, Strokes: workload.Strokes(c, points),
		CollectorID: workload.Collectors[0].ID, Sheet: n/10 + 1, Row: n%10 + 1, Receipt: fmt.Sprintf("bare%012d", c)}
	payload, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	public, sealed, err := record.Seal(record.TypeSignature, payload, b.office)
	if err != nil {
		return 0, err
	}
	r := record.NewSealed(b.epoch, b.seq, b.head, record.TypeSignature, public, sealed)
	keyHash := citizen.KeyHash(s.IdentityKey, b.secret)
	nearKeys := citizen.NearKeys(name, birth, b.secret)
	at := now.Format(time.RFC3339)
	start := time.Now()
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO records (seq, type, payload, sealed, seal_digest, prev_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		r.Seq, string(r.Type), r.Payload, r.Sealed, r.SealDigest[:], r.PrevHash[:], r.Hash[:], at); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signatures (seq, project_id, key_hash,
			signed_at, clock_source, consent_version, collector_id, sheet, row, near_duplicate_of)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, s.ProjectID, keyHash, at, s.ClockSource, s.ConsentVersion, s.CollectorID, s.Sheet, s.Row, nil); err != nil {
		return 0, err
	}
	// One statement for the near keys, as the kiosk writes them.
	args := make([]any, 0, 3*len(nearKeys))
	for _, k := range nearKeys {
		args = append(args, s.ProjectID, k, r.Seq)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO near_keys (project_id, near_key, seq) VALUES (?, ?, ?)"+
		strings.Repeat(", (?, ?, ?)", len(nearKeys)-1), args...); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	took := time.Since(start)
	b.seq, b.head = r.Seq, r.Hash
	return took, nil
}

// runKiosk measures the kiosk figure: n signatures through a real kiosk's
// HTTP API, interleaved in blocks with the same number of bare commits so
// that whatever else the machine does weighs on both alike.
func runKiosk(ctx context.Context, cfg config, n int) (kioskResult, error) {
	res := kioskResult{N: n}
	dir := filepath.Join(cfg.tmp, "kiosk")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, err
	}
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	const pin = "1234"
	k, err := startChild("kiosk", filepath.Join(cfg.bin, "kiosk"), []string{"-addr", addr, "-data", filepath.Join(dir, "data"),
		"-demo", "-operator-pin", pin, "-log-level", "WARN"}, cfg.tmp)
	if err != nil {
		return res, err
	}
	defer k.stop(10 * time.Second)
	base := "http://" + addr
	if err := waitHealthy(ctx, k, base+"/healthz", 30*time.Second); err != nil {
		return res, err
	}
	time.Sleep(time.Second) // let start-up garbage settle
	if res.Idle, err = k.memory(); err != nil {
		return res, err
	}
	client := newKioskClient(base)
	if err := client.openShift(ctx, pin); err != nil {
		return res, err
	}
	bare, err := openBareKiosk(ctx, cfg.repo, dir)
	if err != nil {
		return res, err
	}
	defer bare.db.Close()

	// Warm-up on the other demo project: connections, caches, first pages.
	const warm = 20
	for i := 0; i < warm; i++ {
		if _, err := client.sign(ctx, "p2", 1_000_000+i, cfg.points); err != nil {
			return res, err
		}
		if _, err := bare.insert(ctx, "p2", 1_000_000+i, cfg.points); err != nil {
			return res, err
		}
	}
	const block = 500
	for done := 0; done < n; {
		m := min(block, n-done)
		for i := 0; i < m; i++ {
			took, err := client.sign(ctx, "p1", done+i, cfg.points)
			if err != nil {
				return res, fmt.Errorf("%w\n%s", err, k.tail())
			}
			res.Submit = append(res.Submit, took)
		}
		for i := 0; i < m; i++ {
			took, err := bare.insert(ctx, "p1", done+i, cfg.points)
			if err != nil {
				return res, fmt.Errorf("bare kiosk insert: %w", err)
			}
			res.Bare = append(res.Bare, took)
		}
		done += m
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		cfg.progress("kiosk: %d of %d signatures (p99 so far %.1f ms, bare %.1f ms)", done, n, ms(res.Submit.pct(99)), ms(res.Bare.pct(99)))
	}
	if res.Load, err = k.memory(); err != nil {
		return res, err
	}
	return res, nil
}

var _ = calendar.Date{}
