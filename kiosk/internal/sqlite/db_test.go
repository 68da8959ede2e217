package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
)

func openTest(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sig(project, collector, name, birth string) signature.Signature {
	b := calendar.MustParse(birth)
	return signature.Signature{
		ProjectID: project, IdentityKey: citizen.IdentityKey(name, b), FullName: name, BirthDate: b,
		SignedAt: time.Date(2026, 5, 20, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600)), ClockSource: signature.ClockSystem,
		ConsentVersion: "v", Strokes: [][][]float64{{{1, 1}, {50, 50}}}, CollectorID: collector,
	}
}

// testOffice stands for the office: the tests seal to it and, holding its
// private key, can open what the store wrote.
var testOffice = func() *seal.KeyPair {
	kp, err := seal.Generate()
	if err != nil {
		panic(err)
	}
	return kp
}()

var testSecret = []byte("test dedupe secret")

func sealingOf(key citizen.Key) Sealing {
	return Sealing{Office: testOffice.Public, KeyHash: citizen.KeyHash(key, testSecret)}
}

func addSig(ctx context.Context, db *DB, s signature.Signature, size int) (Saved, error) {
	return db.AddSignature(ctx, s, size, sealingOf(s.IdentityKey),
		Near{citizen.NearKeys(s.FullName, s.BirthDate, testSecret), citizen.NearProbes(s.FullName, s.BirthDate, testSecret)})
}

func TestAddSignature(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)

	s1, err := addSig(ctx, db, sig("p1", "m1", "Иванов Иван", "1980-01-01"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Seq != 1 || s1.Sheet != 1 || s1.Row != 1 || s1.Count != 1 {
		t.Fatalf("first: %+v", s1)
	}
	// Exact duplicate after normalization is refused and changes nothing.
	_, err = addSig(ctx, db, sig("p1", "m2", "ИВАНОВ  иван", "1980-01-01"), 2)
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: err = %v", err)
	}
	// The same person may sign another project.
	if _, err := addSig(ctx, db, sig("p2", "m1", "Иванов Иван", "1980-01-01"), 2); err != nil {
		t.Fatal(err)
	}
	// A second collector opens sheet 2; the first fills row 2 of sheet 1, then sheet 3.
	steps := []struct {
		collector, name string
		sheet, row      int
	}{
		{"m2", "Петров Пётр", 2, 1},
		{"m1", "Сидоров Сидор", 1, 2},
		{"m1", "Козлов Олег", 3, 1},
		{"m2", "Орлов Игорь", 2, 2},
	}
	for _, st := range steps {
		s, err := addSig(ctx, db, sig("p1", st.collector, st.name, "1990-02-02"), 2)
		if err != nil {
			t.Fatal(err)
		}
		if s.Sheet != st.sheet || s.Row != st.row {
			t.Errorf("%s by %s: sheet %d row %d, want %d/%d", st.name, st.collector, s.Sheet, s.Row, st.sheet, st.row)
		}
	}
	// A near duplicate is accepted and flagged.
	near, err := addSig(ctx, db, sig("p1", "m1", "Иванов Иваn", "1980-01-01"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if near.NearDuplicateOf != s1.Seq {
		t.Fatalf("near duplicate of %d, want %d", near.NearDuplicateOf, s1.Seq)
	}
	counts, err := db.SignatureCounts(ctx)
	if err != nil || counts["p1"] != 6 || counts["p2"] != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}

	// The log is a verifiable chain with no gaps.
	recs, err := db.Records(ctx, 0, 100)
	if err != nil || len(recs) != 7 {
		t.Fatalf("records: %d, %v", len(recs), err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	for _, r := range recs {
		if err := r.Verify(db.Epoch(), prevSeq, prev); err != nil {
			t.Fatal(err)
		}
		prevSeq, prev = r.Seq, r.Hash
	}
	// Every signature went sealed: the public payload names no one, and
	// the office's key opens the rest.
	for _, r := range recs {
		if r.Sealed == nil || strings.Contains(string(r.Payload), "full_name") || strings.Contains(string(r.Payload), "19") {
			t.Fatalf("record %d not sealed: %s", r.Seq, r.Payload)
		}
		whole, err := r.Open(testOffice)
		if err != nil || !strings.Contains(string(whole), `"full_name":"`) {
			t.Fatalf("record %d does not open: %s %v", r.Seq, whole, err)
		}
	}
	// And append-only.
	if _, err := db.db.Exec("DELETE FROM records WHERE seq = 1"); err == nil {
		t.Fatal("a record was deleted")
	}
	if _, err := db.db.Exec("UPDATE records SET payload = x'00' WHERE seq = 1"); err == nil {
		t.Fatal("a record was edited")
	}
	if _, err := db.db.Exec("UPDATE records SET acked_at = 'now' WHERE seq = 1"); err != nil {
		t.Fatalf("acking a record: %v", err)
	}

	// Reopening keeps the epoch, the data and the uniqueness.
	epoch := db.Epoch()
	db.Close()
	db2 := openTest(t, dir)
	if db2.Epoch() != epoch {
		t.Fatal("epoch changed on reopen")
	}
	if _, err := addSig(ctx, db2, sig("p1", "m1", "Иванов Иван", "1980-01-01"), 2); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("after reopen: %v", err)
	}
	if v, err := db2.IntegrityCheck(ctx); v != "ok" || err != nil {
		t.Fatalf("integrity %q %v", v, err)
	}
}

func TestNewDatabaseNewEpoch(t *testing.T) {
	if openTest(t, t.TempDir()).Epoch() == openTest(t, t.TempDir()).Epoch() {
		t.Fatal("two databases share an epoch")
	}
}

func TestDatabaseRefusesDuplicateItself(t *testing.T) {
	db := openTest(t, t.TempDir())
	insert := func(seq int) error {
		_, err := db.db.Exec(`INSERT INTO records (seq, type, payload, prev_hash, hash, created_at) VALUES (?, 'signature', x'7b7d', x'00', ?, 'x')`, seq, fmt.Sprint(seq))
		if err != nil {
			return err
		}
		_, err = db.db.Exec(`INSERT INTO signatures (seq, project_id, key_hash, signed_at, clock_source,
			consent_version, collector_id, sheet, row) VALUES (?, 'p1', 'k', 's', 'c', 'v', 'm', 1, ?)`, seq, seq)
		return err
	}
	if err := insert(1); err != nil {
		t.Fatal(err)
	}
	if err := insert(2); err == nil {
		t.Fatal("UNIQUE (project, identity key) did not refuse a second row")
	}
}

func TestShifts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	now := time.Now()
	if _, err := db.Shift(ctx, "nope", time.Time{}); !errors.Is(err, ErrNoShift) {
		t.Fatal(err)
	}
	if _, err := db.OpenShift(ctx, "tok1", "", "m1", 0, now); err != nil {
		t.Fatal(err)
	}
	s, err := db.Shift(ctx, "tok1", now.Add(-time.Hour))
	if err != nil || s.CollectorID != "m1" {
		t.Fatalf("%+v %v", s, err)
	}
	if _, err := db.Shift(ctx, "tok1", now.Add(time.Hour)); !errors.Is(err, ErrNoShift) {
		t.Fatalf("expired shift still open: %v", err)
	}
	if _, err := db.OpenShift(ctx, "tok2", "tok1", "m2", 0, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Shift(ctx, "tok1", time.Time{}); !errors.Is(err, ErrNoShift) {
		t.Fatal("previous shift of the browser stayed open")
	}
	if err := db.CloseShift(ctx, "tok2", now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Shift(ctx, "tok2", time.Time{}); !errors.Is(err, ErrNoShift) {
		t.Fatal("closed shift still open")
	}
}

func TestCatalogKept(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	if c, err := db.LastCatalog(ctx); c != nil || err != nil {
		t.Fatalf("empty store returned %v %v", c, err)
	}
	demo := catalog.Demo(calendar.MustParse("2026-05-20"))
	if err := db.SaveCatalog(ctx, demo, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := db.LastCatalog(ctx)
	if err != nil || c.Project("p1") == nil || c.Project("p1").CollectFrom != demo.Project("p1").CollectFrom {
		t.Fatalf("%v %v", c, err)
	}
}

func TestDevices(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	now := time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)
	name := func(n int64) string { return fmt.Sprintf("Планшет %d", n) }
	if _, err := db.DeviceByToken(ctx, "nope"); !errors.Is(err, ErrNoDevice) {
		t.Fatal(err)
	}
	d1, err := db.AddDevice(ctx, "dev1", "", "", "UA 1", name, now)
	if err != nil || d1.Name != "Планшет 1" {
		t.Fatalf("%+v %v", d1, err)
	}
	d2, err := db.AddDevice(ctx, "dev2", "", "У входа", "UA 2", name, now)
	if err != nil || d2.Name != "У входа" || d2.ID == d1.ID {
		t.Fatalf("%+v %v", d2, err)
	}
	// A shift opened on the tablet records it.
	if _, err := db.OpenShift(ctx, "shift1", "", "m1", d1.ID, now); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Shift(ctx, "shift1", time.Time{}); err != nil || s.DeviceID != d1.ID {
		t.Fatalf("%+v %v", s, err)
	}
	later := now.Add(time.Hour)
	if err := db.TouchDevice(ctx, d1.ID, later); err != nil {
		t.Fatal(err)
	}
	if d, err := db.DeviceByToken(ctx, "dev1"); err != nil || !d.LastSeen.Equal(later) || d.UserAgent != "UA 1" {
		t.Fatalf("%+v %v", d, err)
	}
	// Unpairing shuts the token out and closes the tablet's shift at once.
	if err := db.UnpairDevice(ctx, d1.ID, later); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeviceByToken(ctx, "dev1"); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("unpaired token still works: %v", err)
	}
	if _, err := db.Shift(ctx, "shift1", time.Time{}); !errors.Is(err, ErrNoShift) {
		t.Fatalf("the unpaired tablet's shift stays open: %v", err)
	}
	if err := db.UnpairDevice(ctx, d1.ID, later); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("second unpair: %v", err)
	}
	// Pairing the same browser again ends its old pairing; numbers go on.
	d3, err := db.AddDevice(ctx, "dev3", "dev2", "", "UA 2", name, later)
	if err != nil || d3.Name != "Планшет 3" {
		t.Fatalf("%+v %v", d3, err)
	}
	list, err := db.Devices(ctx)
	if err != nil || len(list) != 1 || list[0].ID != d3.ID {
		t.Fatalf("devices after re-pairing: %+v %v", list, err)
	}
}

func TestEraseSealed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	for i, name := range []string{"Орлова Анна", "Лебедев Олег", "Зайцева Ирина"} {
		if _, err := addSig(ctx, db, sig("p1", "m1", name, fmt.Sprintf("198%d-01-01", i)), 10); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)
	if n, err := db.EraseSealed(ctx, t0.Add(time.Hour)); n != 0 || err != nil {
		t.Fatalf("erased %d before any ack: %v", n, err)
	}
	if _, err := db.db.Exec("UPDATE records SET sealed = NULL WHERE seq = 1"); err == nil {
		t.Fatal("a sealed part the server does not hold yet was erased")
	}
	if err := db.MarkAcked(ctx, 2, t0); err != nil {
		t.Fatal(err)
	}
	if n, err := db.EraseSealed(ctx, t0); n != 0 || err != nil {
		t.Fatalf("erased %d acknowledged just now: %v", n, err)
	}
	if n, err := db.EraseSealed(ctx, t0.Add(time.Second)); n != 2 || err != nil {
		t.Fatalf("erased %d, want 2: %v", n, err)
	}
	if held, err := db.SealedHeld(ctx); held != 1 || err != nil {
		t.Fatalf("sealed parts held: %d %v", held, err)
	}
	recs, err := db.Records(ctx, 0, 10)
	if err != nil || len(recs) != 3 {
		t.Fatal(len(recs), err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	for _, r := range recs {
		if (r.Sealed == nil) != (r.Seq <= 2) {
			t.Errorf("record %d: sealed part held = %v", r.Seq, r.Sealed != nil)
		}
		if err := r.Verify(db.Epoch(), prevSeq, prev); err != nil {
			t.Fatalf("chain after erasing: %v", err)
		}
		prevSeq, prev = r.Seq, r.Hash
	}
	if _, err := db.db.Exec("UPDATE records SET sealed = x'00' WHERE seq = 1"); err == nil {
		t.Fatal("an erased sealed part was written back")
	}
	if _, err := db.db.Exec("UPDATE records SET seal_digest = x'00' WHERE seq = 3"); err == nil {
		t.Fatal("a seal digest was edited")
	}
}

func TestDedupeSecretPinned(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	now := time.Now()
	own, err := db.DedupeSecret(ctx, "project:p1", nil, now)
	if err != nil || len(own) != 32 {
		t.Fatalf("kiosk's own secret: %x %v", own, err)
	}
	later, err := db.DedupeSecret(ctx, "project:p1", []byte("from the server"), now)
	if err != nil || string(later) != string(own) {
		t.Fatalf("a pinned secret was replaced: %q %v", later, err)
	}
	server, err := db.DedupeSecret(ctx, "project:p2", []byte("from the server"), now)
	if err != nil || string(server) != "from the server" {
		t.Fatalf("the server's secret was not taken: %q %v", server, err)
	}
}

// Without the office key, nothing personal is written at all.
func TestNoOfficeKeyNothingWritten(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	s := sig("p1", "m1", "Орлова Анна", "1980-01-01")
	_, err := db.AddSignature(ctx, s, 10, Sealing{KeyHash: "h"}, Near{})
	if !errors.Is(err, ErrNoOfficeKey) {
		t.Fatalf("err = %v, want ErrNoOfficeKey", err)
	}
	if seq, _, _ := db.Head(ctx); seq != 0 {
		t.Fatalf("a record was written: head %d", seq)
	}
}
