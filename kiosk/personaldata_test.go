package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/record"
)

// TestNoPersonalDataAtRest signs residents, registers them at a meeting and
// takes a survey answer, then reads every byte of the kiosk's data dir —
// the database, its WAL, anything else — while the kiosk runs and again
// after it stops: no name, birth date or free-text answer is found in any
// spelling. What was typed is all there for the office, sealed.
func TestNoPersonalDataAtRest(t *testing.T) {
	m := newKiosk(t)
	c := newClient(t, m)
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"}); code != 200 {
		t.Fatalf("open shift: %d %v", code, body)
	}
	residents := []struct{ name, birth string }{
		{"Ёлкина Дарья Семёновна", "1961-07-23"},
		{"Римский-Корсаков Никита Андреевич", "1974-11-05"},
		{"Шмидт Эльвира", "1999-02-28"},
		{"Абдуллаев Рустам Ильдарович", "1988-12-31"},
	}
	for _, r := range residents {
		if code, body := c.post("/api/projects/p1/signatures", form(r.name, r.birth)); code != 201 {
			t.Fatalf("sign %s: %d %v", r.name, code, body)
		}
	}
	for _, r := range residents[:2] {
		if code, body := c.post("/api/meetings/mt1/attendance", attendee(r.name, r.birth)); code != 201 {
			t.Fatalf("register %s: %d %v", r.name, code, body)
		}
	}
	const wish = "Поставить скамейки у пруда за почтой"
	answer := surveyAnswer(residents[2].name, residents[2].birth, map[string]any{
		"q1": map[string]any{"choices": []string{"p1"}}, "q3": map[string]any{"text": wish}})
	if code, body := c.post("/api/surveys/s1/answers", answer); code != 201 {
		t.Fatalf("survey answer: %d %v", code, body)
	}

	var needles []string
	for _, r := range residents {
		d := r.birth
		needles = append(needles, r.name, strings.ToLower(r.name), strings.ReplaceAll(strings.ToLower(r.name), "ё", "е"),
			strings.Fields(r.name)[0], d, d[8:10]+"."+d[5:7]+"."+d[0:4])
	}
	needles = append(needles, wish, "скамейки у пруда")

	dir := m.Config.DataDir
	search := func(when string) {
		t.Helper()
		files, control := 0, false
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			control = control || bytes.Contains(b, []byte("Сидоров Пётр Алексеевич"))
			for _, n := range needles {
				if i := bytes.Index(b, []byte(n)); i >= 0 {
					t.Errorf("%s: %q found in %s at byte %d", when, n, filepath.Base(path), i)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The search itself works: the catalogue the kiosk keeps names the
		// collectors, which are not residents' data, in the clear.
		if !control {
			t.Fatalf("%s: the collector's name is not found either: the search reads nothing", when)
		}
		t.Logf("%s: %d files searched for %d strings", when, files, len(needles))
	}
	if _, err := os.Stat(filepath.Join(dir, "kiosk.db-wal")); err != nil {
		t.Fatalf("no WAL to search while the kiosk runs: %v", err)
	}
	search("while running")

	// It is all there, sealed: the office's key opens every name.
	recs, err := m.DB.Records(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, r := range recs {
		if record.HasPersonal(r.Type) {
			all = append(all, opened(t, r)...)
		}
	}
	for _, r := range residents {
		if !bytes.Contains(all, []byte(r.name)) || !bytes.Contains(all, []byte(r.birth)) {
			t.Errorf("%s is not in the sealed records", r.name)
		}
	}
	if !bytes.Contains(all, []byte(wish)) {
		t.Error("the free-text answer is not in the sealed records")
	}

	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	search("after stopping")
}

// TestSealedErasedAfterAck: a kiosk started again with -keep-sealed erases,
// at once, the sealed parts of records the server acknowledged longer ago,
// keeps those not yet acknowledged, and its log still verifies.
func TestSealedErasedAfterAck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data, file := filepath.Join(dir, "data"), writeCatalog(t, dir)
	m := startKioskArgs(t, data, file)
	c := newClient(t, m)
	if code, body := c.post("/api/shift", map[string]string{"pin": testPIN, "collector_id": "m2"}); code != 200 {
		t.Fatalf("open shift: %d %v", code, body)
	}
	for _, name := range []string{"Орлова Анна Ильинична", "Лебедев Олег Петрович", "Зайцева Ирина Олеговна"} {
		if code, body := c.post("/api/projects/p1/signatures", form(name, "1975-06-01")); code != 201 {
			t.Fatalf("sign: %d %v", code, body)
		}
	}
	// The server acknowledged the first two two hours ago (as the uplink
	// records an ack), the third not at all.
	if err := m.DB.MarkAcked(ctx, 2, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = startKioskArgs(t, data, file, "-keep-sealed", "1h")
	deadline := time.Now().Add(10 * time.Second)
	for {
		held, err := m.DB.SealedHeld(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if held == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sealed parts held, want 1 (the unacknowledged)", held)
		}
		time.Sleep(50 * time.Millisecond)
	}
	recs, err := m.DB.Records(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	prevSeq, prev := uint64(0), record.Genesis
	for _, r := range recs {
		if err := r.Verify(m.DB.Epoch(), prevSeq, prev); err != nil {
			t.Fatalf("log after erasing: %v", err)
		}
		if (r.Sealed == nil) != (r.Seq <= 2) {
			t.Errorf("record %d: sealed part held = %v", r.Seq, r.Sealed != nil)
		}
		prevSeq, prev = r.Seq, r.Hash
	}
}
