package sqlite

import (
	"context"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
)

// dedupeState is the counted rows and the duplicate pointers, read from
// their indexes.
type dedupeState struct {
	counted  []int64
	pointers map[int64]int64
}

func readDedupeState(b *testing.B, db *DB) dedupeState {
	b.Helper()
	ctx := context.Background()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	var st dedupeState
	if st.counted, err = ids(ctx, tx, "SELECT id FROM signatures INDEXED BY signatures_counted WHERE counted = 1"); err != nil {
		b.Fatal(err)
	}
	st.pointers = map[int64]int64{}
	rows, err := tx.Query("SELECT id, duplicate_of FROM signatures INDEXED BY signatures_duplicate WHERE duplicate_of IS NOT NULL")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, to int64
		if err := rows.Scan(&id, &to); err != nil {
			b.Fatal(err)
		}
		st.pointers[id] = to
	}
	return st
}

// scramble breaks about share of the groups: in a group with repeats a
// repeat counts instead of the earliest, a lone signature stops counting.
// It returns how many rows it changed.
func scramble(b *testing.B, db *DB, st dedupeState, share float64, rng *rand.Rand) int {
	b.Helper()
	tx, err := db.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	changed := 0
	swapped := map[int64]bool{}
	for dup, winner := range st.pointers {
		if swapped[winner] || rng.Float64() >= share {
			continue
		}
		swapped[winner] = true
		if _, err := tx.Exec("UPDATE signatures SET counted = 0 WHERE id = ?", winner); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec("UPDATE signatures SET counted = 1, duplicate_of = NULL WHERE id = ?", dup); err != nil {
			b.Fatal(err)
		}
		changed += 2
	}
	for _, id := range st.counted {
		if !swapped[id] && rng.Float64() < share {
			if _, err := tx.Exec("UPDATE signatures SET counted = 0 WHERE id = ?", id); err != nil {
				b.Fatal(err)
			}
			changed++
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return changed
}

// BenchmarkRecountAll times RecountAll over a whole store after breaking
// the flags of 1 % of its groups, and checks it restores exactly the
// counted set and pointers incremental ingest left. SBOR_BENCH_DATA names
// a server data dir to use (scripts/bench points it at the server's after
// 1,000,000 signatures; it is changed only back to what it was); without
// it the benchmark ingests 20,000 signatures first.
func BenchmarkRecountAll(b *testing.B) {
	ctx := context.Background()
	var db *DB
	if dir := os.Getenv("SBOR_BENCH_DATA"); dir != "" {
		var err error
		if db, err = Open(ctx, dir); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
	} else {
		db = benchDB(b, b.TempDir())
		for _, bt := range benchBatches(20000) {
			if _, err := db.Ingest(ctx, bt.KioskID, bt.Epoch, bt.Records); err != nil {
				b.Fatal(err)
			}
		}
	}
	want := readDedupeState(b, db)
	rng := rand.New(rand.NewPCG(1, 2))
	var got Recounted
	broken := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		broken = scramble(b, db, want, 0.01, rng)
		b.StartTimer()
		var err error
		if got, err = db.RecountAll(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if after := readDedupeState(b, db); !reflect.DeepEqual(after, want) {
		b.Fatal("RecountAll left other flags than incremental ingest")
	}
	b.ReportMetric(float64(got.Signatures), "signatures")
	b.ReportMetric(float64(got.Groups), "groups")
	b.ReportMetric(float64(broken), "scrambled")
	b.ReportMetric(float64(got.Changed), "changed")
}
