package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
)

func openTest(t *testing.T, kioskIDs ...string) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, id := range kioskIDs {
		if err := db.CreateKiosk(context.Background(), id, id, "code-"+id, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// kioskLog builds a kiosk's hash-chained log of signatures.
type kioskLog struct {
	id, epoch string
	recs      []record.Record
}

func (k *kioskLog) sign(t *testing.T, project, name string, at time.Time) {
	b := calendar.MustParse("1970-01-01")
	s := signature.Signature{ProjectID: project, IdentityKey: citizen.IdentityKey(name, b), FullName: name, BirthDate: b,
		SignedAt: at, ClockSource: "system", ConsentVersion: "v", Strokes: [][][]float64{{{0, 0}, {40, 40}}}, CollectorID: "m1", Sheet: 1, Row: 1}
	payload, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	if n := len(k.recs); n > 0 {
		prevSeq, prev = k.recs[n-1].Seq, k.recs[n-1].Hash
	}
	k.recs = append(k.recs, record.New(k.epoch, prevSeq, prev, record.TypeSignature, payload))
}

func TestIngestIdempotentAndChained(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, "k1")
	k := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		k.sign(t, "p1", fmt.Sprintf("Житель %c", 'А'+rune(i)), t0.Add(time.Duration(i)*time.Minute))
	}
	got, err := db.Ingest(ctx, k.id, k.epoch, k.recs[:3])
	if err != nil || got.AckedSeq != 3 || len(got.Projects) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	// Resending overlapping records is a no-op for those held.
	got, err = db.Ingest(ctx, k.id, k.epoch, k.recs[1:5])
	if err != nil || got.AckedSeq != 5 || len(got.Quarantined) != 0 {
		t.Fatalf("overlap: %+v %v", got, err)
	}
	if n, _ := db.RecordCount(ctx, k.id, k.epoch); n != 5 {
		t.Fatalf("records held: %d", n)
	}
	// A record with a held seq and another hash is quarantined, not stored.
	forged := k.recs[2]
	forged.Payload = []byte(`{"forged":true}`)
	forged.Hash = record.Sum(k.epoch, forged.Seq, forged.Type, forged.Payload, forged.PrevHash)
	got, err = db.Ingest(ctx, k.id, k.epoch, []record.Record{forged})
	if err != nil || !reflect.DeepEqual(got.Quarantined, []uint64{3}) {
		t.Fatalf("conflict: %+v %v", got, err)
	}
	var q int
	db.db.QueryRow("SELECT COUNT(*) FROM quarantine").Scan(&q)
	if q != 1 {
		t.Fatalf("quarantine holds %d", q)
	}
	// A record that breaks the chain refuses the whole batch.
	k.sign(t, "p1", "Житель Е", t0)
	k.sign(t, "p1", "Житель Ж", t0)
	broken := k.recs[6]
	broken.PrevHash = record.Genesis
	if _, err := db.Ingest(ctx, k.id, k.epoch, []record.Record{k.recs[5], broken}); !errors.Is(err, record.ErrChain) {
		t.Fatalf("broken chain: %v", err)
	}
	if n, _ := db.RecordCount(ctx, k.id, k.epoch); n != 5 {
		t.Fatalf("a refused batch stored records: %d", n)
	}
	gap := []record.Record{k.recs[6]}
	if _, err := db.Ingest(ctx, k.id, k.epoch, gap); !errors.Is(err, record.ErrChain) {
		t.Fatalf("gap: %v", err)
	}
	tally, _ := db.Tally(ctx, "p1")
	if tally.Counted != 5 {
		t.Fatalf("tally %+v", tally)
	}
}

// TestCountedSetIndependentOfArrivalOrder is the dedupe property: three
// kiosks' logs with shared residents, delivered in many interleavings,
// always leave the same counted set and the same duplicates.
func TestCountedSetIndependentOfArrivalOrder(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	kiosks := []*kioskLog{{id: "k1", epoch: record.NewEpoch()}, {id: "k2", epoch: record.NewEpoch()}, {id: "k3", epoch: record.NewEpoch()}}
	residents := 40
	for r := 0; r < residents; r++ {
		name := fmt.Sprintf("Житель %s", spell(r))
		// Each resident signs at 1–3 kiosks, some at the same second.
		first := rng.IntN(len(kiosks))
		for i, k := range kiosks {
			if i == first || rng.IntN(2) == 0 {
				k.sign(t, "p1", name, t0.Add(time.Duration(rng.IntN(4))*time.Second))
			}
		}
	}
	var want []Counted
	var wantDup int
	for trial := 0; trial < 8; trial++ {
		db := openTest(t, "k1", "k2", "k3")
		// Split each log into batches and interleave kiosks at random,
		// each kiosk's batches staying in order.
		next := make([]int, len(kiosks))
		for {
			var open []int
			for i, k := range kiosks {
				if next[i] < len(k.recs) {
					open = append(open, i)
				}
			}
			if len(open) == 0 {
				break
			}
			i := open[rng.IntN(len(open))]
			n := min(1+rng.IntN(5), len(kiosks[i].recs)-next[i])
			if _, err := db.Ingest(ctx, kiosks[i].id, kiosks[i].epoch, kiosks[i].recs[next[i]:next[i]+n]); err != nil {
				t.Fatal(err)
			}
			next[i] += n
		}
		got, err := db.CountedSet(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		tally, _ := db.Tally(ctx, "p1")
		if len(got) != residents {
			t.Fatalf("trial %d: %d counted, want %d", trial, len(got), residents)
		}
		if trial == 0 {
			want, wantDup = got, tally.Duplicates
			continue
		}
		if !reflect.DeepEqual(got, want) || tally.Duplicates != wantDup {
			t.Fatalf("trial %d: counted set differs from trial 0", trial)
		}
		dups, _ := db.Duplicates(ctx, "p1")
		for _, d := range dups {
			var counted int
			db.db.QueryRow("SELECT counted FROM signatures WHERE id = ?", d.DuplicateOf).Scan(&counted)
			if counted != 1 {
				t.Fatalf("duplicate %d points at an uncounted signature", d.ID)
			}
		}
	}
	if wantDup == 0 {
		t.Fatal("no duplicates generated; the property was not exercised")
	}
}

func spell(n int) string {
	r := []rune("абвгдежзиклмнопрстуфхцчшэюя")
	out := []rune{'Ж'}
	for {
		out = append(out, r[n%len(r)])
		n /= len(r)
		if n == 0 {
			return string(out)
		}
	}
}

func TestEnrollment(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	now := time.Now()
	db.now = func() time.Time { return now }
	if err := db.CreateKiosk(ctx, "k1", "Школа", "code-1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemEnrollCode(ctx, "wrong", "cred", testDeviceKey); !errors.Is(err, ErrEnrollCode) {
		t.Fatal(err)
	}
	id, err := db.RedeemEnrollCode(ctx, "code-1", "cred-1", testDeviceKey)
	if err != nil || id != "k1" {
		t.Fatal(id, err)
	}
	if _, err := db.RedeemEnrollCode(ctx, "code-1", "cred-2", testDeviceKey); !errors.Is(err, ErrEnrollCode) {
		t.Fatalf("replayed code: %v", err)
	}
	if err := db.Authenticate(ctx, "k1", "cred-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Authenticate(ctx, "k1", "cred-2"); !errors.Is(err, ErrUnauthorized) {
		t.Fatal(err)
	}
	if err := db.CreateKiosk(ctx, "k2", "Клуб", "code-2", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	db.now = func() time.Time { return now.Add(2 * time.Hour) }
	if _, err := db.RedeemEnrollCode(ctx, "code-2", "cred", testDeviceKey); !errors.Is(err, ErrEnrollCode) {
		t.Fatalf("expired code: %v", err)
	}
	if err := db.RevokeKiosk(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Authenticate(ctx, "k1", "cred-1"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("revoked kiosk: %v", err)
	}
	ks, err := db.Kiosks(ctx)
	if err != nil || len(ks) != 2 || ks[0].RevokedAt == nil || ks[0].EnrolledAt == nil || ks[1].EnrolledAt != nil {
		t.Fatalf("%+v %v", ks, err)
	}
}
