package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sbor-project/sbor/scripts/bench/workload"
	"github.com/sbor-project/sbor/shared/storage"
)

// In-process benchmarks of the server's store. The suite's figures come
// from scripts/bench, which drives the real binaries; these isolate the
// store for profiling:
//
//	go test -run '^$' -bench 'Ingest|BareInsert' -benchtime 20000x -cpuprofile cpu.out ./sync-server/internal/sqlite

// benchBatches cuts the first n signatures of the dedupe figure's
// workload (100 kiosks, 1,000 projects, 5 % cross-kiosk duplicates) into
// batches of 200, the kiosks taking turns.
func benchBatches(n int) []workload.Batch {
	spec := workload.Default
	spec.PerKiosk = max(1, (n+spec.Kiosks-1)/spec.Kiosks)
	gens := make([]*workload.Kiosk, spec.Kiosks)
	chains := make([]*workload.Chain, spec.Kiosks)
	for k := range gens {
		gens[k], chains[k] = spec.Kiosk(k), workload.NewChain(uint64(k))
	}
	var out []workload.Batch
	for made := 0; made < n; {
		before := made
		for k := range gens {
			for _, b := range workload.Batches(gens[k], chains[k], benchKiosk(k), min(200, n-made), 200) {
				out = append(out, b)
				made += len(b.Records)
			}
		}
		if made == before {
			break
		}
	}
	return out
}

func benchKiosk(k int) string { return fmt.Sprintf("k%03d", k+1) }

func benchDB(b *testing.B, dir string) *DB {
	b.Helper()
	db, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for k := 0; k < workload.Default.Kiosks; k++ {
		if err := db.CreateKiosk(context.Background(), benchKiosk(k), benchKiosk(k), "code-"+benchKiosk(k), time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// BenchmarkIngest stores b.N signatures as the hub does, a batch of 200
// a transaction.
func BenchmarkIngest(b *testing.B) {
	batches := benchBatches(max(b.N, 200))
	db := benchDB(b, b.TempDir())
	ctx := context.Background()
	b.ResetTimer()
	for _, bt := range batches {
		if _, err := db.Ingest(ctx, bt.KioskID, bt.Epoch, bt.Records); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(max(b.N, 200))/b.Elapsed().Seconds(), "sigs/s")
}

// BenchmarkBareInsert is BenchmarkIngest's limit: the same rows inserted
// into the same tables, 200 a transaction, with the same durability.
func BenchmarkBareInsert(b *testing.B) {
	batches := benchBatches(max(b.N, 200))
	ctx := context.Background()
	sdb, err := storage.OpenSQLite(ctx, filepath.Join(b.TempDir(), "bare.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer sdb.Close()
	if err := storage.Migrate(ctx, sdb, migrations, "migrations"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := workload.BareServerInsert(ctx, sdb, batches); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(max(b.N, 200))/b.Elapsed().Seconds(), "sigs/s")
}
