package uplink

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/syncproto"
)

// TestBatchLimitAdapts: batches shrink when sessions end before an ack and
// grow back with acks; nextBatch respects the limit.
func TestBatchLimitAdapts(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := calendar.MustParse("1980-01-01")
	office, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		name := "Житель " + string(rune('А'+i)) + " Тест"
		if _, err := db.AddSignature(ctx, signature.Signature{ProjectID: "p1", IdentityKey: citizen.IdentityKey(name, b), FullName: name,
			BirthDate: b, SignedAt: time.Now(), Strokes: [][][]float64{{{0, 0}, {50, 50}}}, CollectorID: "m1"}, 10,
			sqlite.Sealing{Office: office.Public, KeyHash: name}, sqlite.Near{}); err != nil {
			t.Fatal(err)
		}
	}
	_, key, _ := ed25519.GenerateKey(nil)
	u, err := New(DefaultConfig, db, Credential{KioskID: "k1", DeviceKey: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.batchLimit.Load() != syncproto.MaxBatchRecords {
		t.Fatalf("initial limit %d", u.batchLimit.Load())
	}
	for i := 0; i < 6; i++ { // sessions lost before their ack: 200 → 100 → … → 3
		u.shrinkBatches()
	}
	if u.batchLimit.Load() != 3 {
		t.Fatalf("limit after six lost sessions: %d", u.batchLimit.Load())
	}
	batch, err := u.nextBatch(ctx, 0)
	if err != nil || len(batch.Records) != 3 || batch.Records[0].Seq != 1 || batch.Pending != 7 {
		t.Fatalf("batch of %d from seq %d, pending %d: %v", len(batch.Records), batch.Records[0].Seq, batch.Pending, err)
	}
	if !syncproto.VerifyBatch(key.Public().(ed25519.PublicKey), "k1", db.Epoch(), batch) {
		t.Fatal("the batch is not signed with the device key")
	}
}

func TestBatchLimitBounds(t *testing.T) {
	u := &Uplink{}
	u.batchLimit.Store(1)
	u.shrinkBatches()
	if u.batchLimit.Load() != 1 {
		t.Fatal("limit went below one record")
	}
	for i := 0; i < 20; i++ {
		u.growBatches()
	}
	if u.batchLimit.Load() != syncproto.MaxBatchRecords {
		t.Fatalf("limit grew to %d", u.batchLimit.Load())
	}
}
