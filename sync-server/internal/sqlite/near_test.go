package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/record"
)

func TestNearDuplicateReview(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, "k1", "k2")
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	k1 := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	k2 := &kioskLog{id: "k2", epoch: record.NewEpoch()}
	k1.sign(t, "p1", "Иванов Иван", t0)
	k2.sign(t, "p1", "Иваноф Иван", t0.Add(time.Hour)) // one letter away, same birth date
	k2.sign(t, "p1", "Петров Пётр", t0.Add(time.Hour))
	k1.sign(t, "p1", "Петрова Пётр", t0.Add(2*time.Hour)) // one letter away from Петров
	for _, k := range []*kioskLog{k1, k2} {
		if _, err := db.Ingest(ctx, k.id, k.epoch, k.recs); err != nil {
			t.Fatal(err)
		}
	}
	pairs, err := db.OpenNearPairs(ctx, "p1")
	if err != nil || len(pairs) != 2 {
		t.Fatalf("pairs: %+v %v", pairs, err)
	}
	if tally, _ := db.Tally(ctx, "p1"); tally.Counted != 4 {
		t.Fatalf("near duplicates must not be refused or uncounted before review: %+v", tally)
	}
	// One person: the later signature stops counting.
	var ivanov, petrov NearPair
	for _, p := range pairs {
		if p.A.FullName == "Иванов Иван" || p.B.FullName == "Иванов Иван" {
			ivanov = p
		} else {
			petrov = p
		}
	}
	if project, err := db.DecideNearPair(ctx, ivanov.ID, true, "admin"); err != nil || project != "p1" {
		t.Fatal(project, err)
	}
	// Two people: both keep counting.
	if _, err := db.DecideNearPair(ctx, petrov.ID, false, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideNearPair(ctx, petrov.ID, true, "admin"); !errors.Is(err, ErrPairDecided) {
		t.Fatalf("deciding twice: %v", err)
	}
	tally, _ := db.Tally(ctx, "p1")
	if tally.Counted != 3 || tally.Duplicates != 1 {
		t.Fatalf("after review: %+v", tally)
	}
	counted, _ := db.CountedSet(ctx, "p1")
	for _, c := range counted {
		if c.KioskID == "k2" && c.Seq == 1 {
			t.Fatal("the later of the merged pair still counts")
		}
	}
	// The merged citizen signing again elsewhere, even earlier, stays one person.
	k3 := &kioskLog{id: "k1", epoch: record.NewEpoch()}
	k3.sign(t, "p1", "Иваноф Иван", t0.Add(-time.Hour))
	if _, err := db.Ingest(ctx, k3.id, k3.epoch, k3.recs); err != nil {
		t.Fatal(err)
	}
	if tally, _ := db.Tally(ctx, "p1"); tally.Counted != 3 || tally.Duplicates != 2 {
		t.Fatalf("after a merged citizen signed again: %+v", tally)
	}
	if pairs, _ := db.OpenNearPairs(ctx, "p1"); len(pairs) != 0 {
		t.Fatalf("decided pairs still open: %+v", pairs)
	}
}
