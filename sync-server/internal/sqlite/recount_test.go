package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
)

// flags is every signature's counted flag and duplicate pointer.
func flags(t *testing.T, db *DB) map[int64][2]int64 {
	t.Helper()
	rows, err := db.db.Query("SELECT id, counted, COALESCE(duplicate_of, 0) FROM signatures")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][2]int64{}
	for rows.Next() {
		var id, counted, dup int64
		if err := rows.Scan(&id, &counted, &dup); err != nil {
			t.Fatal(err)
		}
		out[id] = [2]int64{counted, dup}
	}
	return out
}

// TestRecountAllMatchesIncrementalIngest: whatever the stored flags say,
// RecountAll leaves exactly the counted set and duplicate pointers that
// incremental ingest produced, across projects, kiosks, arrival orders
// and an office's merge of two near-identical citizens.
func TestRecountAllMatchesIncrementalIngest(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(7, seed))
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	kiosks := []*kioskLog{{id: "k1", epoch: record.NewEpoch()}, {id: "k2", epoch: record.NewEpoch()}, {id: "k3", epoch: record.NewEpoch()}}
	for _, project := range []string{"p1", "p2", "p3"} {
		for r := 0; r < 30; r++ {
			name := fmt.Sprintf("Житель %s", spell(r))
			first := rng.IntN(len(kiosks))
			for i, k := range kiosks {
				if i == first || rng.IntN(3) == 0 {
					k.sign(t, project, name, t0.Add(time.Duration(rng.IntN(5))*time.Second))
				}
			}
		}
	}
	// Two spellings of one resident the office will merge.
	kiosks[0].sign(t, "p1", "Иванов Иван Иванович", t0.Add(time.Minute))
	kiosks[1].sign(t, "p1", "Иваноф Иван Иванович", t0)

	db := openTest(t, "k1", "k2", "k3")
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
		n := min(1+rng.IntN(7), len(kiosks[i].recs)-next[i])
		if _, err := db.Ingest(ctx, kiosks[i].id, kiosks[i].epoch, kiosks[i].recs[next[i]:next[i]+n]); err != nil {
			t.Fatal(err)
		}
		next[i] += n
	}
	// Merge the two spellings as the office would.
	b := calendar.MustParse("1970-01-01")
	a, c := string(citizen.IdentityKey("Иванов Иван Иванович", b)), string(citizen.IdentityKey("Иваноф Иван Иванович", b))
	if a > c {
		a, c = c, a
	}
	var pair int64
	if err := db.db.QueryRow("SELECT id FROM near_pairs WHERE project_id = 'p1' AND key_a = ? AND key_b = ?", a, c).Scan(&pair); err != nil {
		t.Fatalf("the two spellings were not flagged: %v", err)
	}
	if _, err := db.DecideNearPair(ctx, pair, true, "office"); err != nil {
		t.Fatal(err)
	}

	want := flags(t, db)
	dups := 0
	for _, f := range want {
		if f[0] == 0 {
			dups++
		}
	}
	if dups == 0 {
		t.Fatal("no duplicates: the property was not exercised")
	}
	got, err := db.RecountAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Changed != 0 || got.Signatures != len(want) {
		t.Fatalf("recount of a consistent store: %+v, %d signatures", got, len(want))
	}

	// Scramble: nothing counts, or the latest of every group counts and
	// points anywhere; the recount must restore the same flags.
	for trial, scramble := range []string{
		"UPDATE signatures SET counted = 0, duplicate_of = NULL",
		`UPDATE signatures SET counted = 0, duplicate_of = id;
		 UPDATE signatures SET counted = 1 WHERE id IN (SELECT MAX(id) FROM signatures GROUP BY project_id, group_key)`,
	} {
		if _, err := db.db.Exec(scramble); err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(flags(t, db), want) {
			t.Fatalf("trial %d: scramble changed nothing", trial)
		}
		got, err := db.RecountAll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after := flags(t, db); !reflect.DeepEqual(after, want) {
			t.Fatalf("trial %d (seed %d): recount differs from incremental ingest", trial, seed)
		}
		if got.Changed == 0 {
			t.Fatalf("trial %d: recount reports no change", trial)
		}
		for _, p := range []string{"p1", "p2", "p3"} {
			if tally, _ := db.Tally(ctx, p); tally.Counted != 30 && !(p == "p1" && tally.Counted == 31) {
				t.Fatalf("trial %d: %s tally %+v", trial, p, tally)
			}
		}
	}
}
