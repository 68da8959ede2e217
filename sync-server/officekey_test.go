package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// runMain runs the real server with args added to a test's, and returns
// the error Run gave, the server closed then.
func runMain(t *testing.T, args ...string) (*Main, error) {
	t.Helper()
	m := NewMain()
	all := append([]string{"-addr", "127.0.0.1:0", "-admin-token", adminToken, "-log-level", "ERROR"}, args...)
	if err := m.ParseFlags(all, func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		return nil, err
	}
	t.Cleanup(func() { m.Close() })
	return m, nil
}

// TestOfficeKeyGuard: the first start makes the office key in the data
// dir and the database remembers it; a later start with another key
// file, or none, is refused rather than sealing to a new key.
func TestOfficeKeyGuard(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	keyFile := filepath.Join(data, "office.key")
	m, err := runMain(t, "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := seal.ReadFile(keyFile)
	if err != nil || kp.Public != m.Office.Public {
		t.Fatalf("key file after the first start: %v", err)
	}
	if fp, _ := m.DB.OfficeKeyFingerprint(context.Background()); fp != kp.Public.Fingerprint() {
		t.Fatalf("the database remembers %q, want %q", fp, kp.Public.Fingerprint())
	}
	admin := newHTTP(t, "http://"+m.Server.Addr().String(), adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d", code)
	}
	if code, c := admin.do("GET", "/api/catalog", nil); code != 200 || c["office_key"] != kp.Public.String() {
		t.Fatalf("GET /api/catalog: %d office_key %v", code, c["office_key"])
	}
	m.Close()

	// Restarted with its key: the same key, and the catalogue loaded
	// from the database carries it.
	m, err = runMain(t, "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Office.Public != kp.Public || m.Hub.Catalog().OfficeKey != kp.Public.String() {
		t.Fatal("the restarted server has another key")
	}
	m.Close()

	// The key file elsewhere, given by -office-key: fine.
	moved := filepath.Join(t.TempDir(), "moved.key")
	if err := os.Rename(keyFile, moved); err != nil {
		t.Fatal(err)
	}
	if m, err = runMain(t, "-data", data, "-office-key", moved); err != nil {
		t.Fatal(err)
	}
	m.Close()

	// No key file where the server looks: refused, no new key made.
	if _, err := runMain(t, "-data", data); !errors.Is(err, errOfficeKeyMissing) || !strings.Contains(err.Error(), kp.Public.Fingerprint()) {
		t.Fatalf("start without the key file: %v", err)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was made for a database that had one: %v", err)
	}

	// Another key file (a wrong backup, another office's): refused.
	other, _ := seal.Generate()
	if err := other.WriteFile(keyFile); err != nil {
		t.Fatal(err)
	}
	if _, err := runMain(t, "-data", data); !errors.Is(err, sqlite.ErrOfficeKey) {
		t.Fatalf("start with a wrong key file: %v", err)
	}
	if back, _ := seal.ReadFile(keyFile); back.Public != other.Public {
		t.Fatal("the wrong key file was replaced")
	}

	// A fresh database may start with a key the office made beforehand.
	fresh := filepath.Join(t.TempDir(), "fresh")
	if m, err = runMain(t, "-data", fresh, "-office-key", moved); err != nil || m.Office.Public != kp.Public {
		t.Fatalf("fresh database with a made key: %v", err)
	}
}

// TestKeygen: keygen writes a key file the server reads, prints its
// public key for catalogue files, and never overwrites a key.
func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "office.key")
	noEnv := func(string) (string, bool) { return "", false }
	var out bytes.Buffer
	if err := runKeygenCommand([]string{"-out", path}, &out, noEnv); err != nil {
		t.Fatal(err)
	}
	kp, err := seal.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"office_key": "`+kp.Public.String()+`"`) || !strings.Contains(out.String(), kp.Public.Fingerprint()) {
		t.Fatalf("keygen printed:\n%s", out.String())
	}
	// The printed line is what a catalogue file takes.
	c := catalog.Demo(calendar.Of(time.Now()))
	c.OfficeKey = kp.Public.String()
	body, _ := json.Marshal(c)
	if parsed, err := catalog.Parse(bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	} else if k, err := parsed.SealKey(); err != nil || k != kp.Public {
		t.Fatalf("SealKey: %v", err)
	}

	before, _ := os.ReadFile(path)
	out.Reset()
	err = runKeygenCommand([]string{"-out", path}, &out, noEnv)
	if err == nil || !strings.Contains(err.Error(), kp.Public.Fingerprint()) {
		t.Fatalf("second keygen: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("the key file was overwritten")
	}

	// Without -out: the file the server would use, in SBOR_DATA.
	data := filepath.Join(dir, "data")
	env := func(k string) (string, bool) {
		if k == "SBOR_DATA" {
			return data, true
		}
		return "", false
	}
	if err := runKeygenCommand(nil, &out, env); err != nil {
		t.Fatal(err)
	}
	made, err := seal.ReadFile(filepath.Join(data, "office.key"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := runMain(t, "-data", data)
	if err != nil || m.Office.Public != made.Public {
		t.Fatalf("the server did not take the key keygen made: %v", err)
	}
}

// TestSealedSignaturesRetention: residents' data sealed at the kiosk are
// opened into the signatures table, the log holds none of them, and
// retention leaves nothing personal, quarantined sealed parts included.
func TestSealedSignaturesRetention(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "server")
	m, err := runMain(t, "-data", data)
	if err != nil {
		t.Fatal(err)
	}
	c := catalog.Demo(calendar.Of(time.Now()))
	c.Projects[0].SelectionEnd = calendar.Of(time.Now().AddDate(0, 0, -100))
	body, _ := json.Marshal(c)
	admin := newHTTP(t, "http://"+m.Server.Addr().String(), adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", body); code != 200 {
		t.Fatal("put catalogue")
	}
	office, err := m.Hub.Catalog().SealKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.CreateKiosk(ctx, "k1", "Киоск", "code-k1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	other, _ := seal.Generate()
	birth := calendar.MustParse("1949-02-28")
	names := []string{"Печатникова Зоя Артёмовна", "Конвертов Лев Борисович", "Чужой Ключ Иванович"}
	epoch := record.NewEpoch()
	var recs []record.Record
	seq, prev := uint64(0), record.Genesis
	for i, n := range names {
		s := signature.Signature{ProjectID: "p1", IdentityKey: citizen.IdentityKey(n, birth), FullName: n, BirthDate: birth,
			SignedAt: time.Now().Add(time.Duration(i) * time.Minute), ClockSource: "system", ConsentVersion: "v", CollectorID: "m1",
			Strokes: [][][]float64{{{0, 0}, {30, 30}}}}
		payload, _ := json.Marshal(s)
		to := office
		if i == 2 {
			to = other.Public // a kiosk with another office's catalogue file
		}
		public, sealed, err := record.Seal(record.TypeSignature, payload, to)
		if err != nil {
			t.Fatal(err)
		}
		r := record.NewSealed(epoch, seq, prev, record.TypeSignature, public, sealed)
		recs, seq, prev = append(recs, r), r.Seq, r.Hash
	}
	if got, err := m.DB.Ingest(ctx, "k1", epoch, recs); err != nil || got.AckedSeq != 3 {
		t.Fatalf("ingest: %+v %v", got, err)
	}
	if tally, _ := m.DB.Tally(ctx, "p1"); tally.Counted != 2 {
		t.Fatalf("tally %+v", tally)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var inLog, quarantined int
	raw.QueryRow("SELECT COUNT(*) FROM records WHERE instr(CAST(payload AS TEXT), ?) > 0 OR instr(CAST(payload AS TEXT), ?) > 0",
		names[0], birth.String()).Scan(&inLog)
	raw.QueryRow("SELECT COUNT(*) FROM quarantine WHERE sealed IS NOT NULL").Scan(&quarantined)
	if inLog != 0 || quarantined != 1 {
		t.Fatalf("before the purge: %d log payloads with personal data (want 0), %d sealed in quarantine (want 1)", inLog, quarantined)
	}

	loc, _ := time.LoadLocation("Europe/Moscow")
	if n, err := purgeDue(ctx, m.DB, m.Hub.Catalog(), 60*24*time.Hour, time.Now(), loc, "test"); err != nil || n != 1 {
		t.Fatalf("purged %d: %v", n, err)
	}
	raw.QueryRow("SELECT COUNT(*) FROM quarantine WHERE sealed IS NOT NULL").Scan(&quarantined)
	var left int
	raw.QueryRow("SELECT COUNT(*) FROM signatures WHERE full_name <> '' OR birth_date <> ''").Scan(&left)
	if quarantined != 0 || left != 0 {
		t.Fatalf("after the purge: %d sealed parts in quarantine, %d signatures with names", quarantined, left)
	}
	if tally, _ := m.DB.Tally(ctx, "p1"); tally.Counted != 2 {
		t.Fatalf("tally after purge %+v", tally)
	}
}
