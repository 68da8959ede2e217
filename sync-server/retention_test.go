package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// TestRetentionErasesPersonalData: past the retention period after the
// selection ends, names, birth dates and strokes leave the database —
// its file included — while counts and the protocol's digest stay.
func TestRetentionErasesPersonalData(t *testing.T) {
	ctx := context.Background()
	addr := freeAddr(t)
	data := filepath.Join(t.TempDir(), "server")
	srv := startServer(t, addr, data)
	defer srv.Close()
	c := catalog.Demo(calendar.Of(time.Now()))
	c.Projects[0].SelectionEnd = calendar.Of(time.Now().AddDate(0, 0, -100))
	body, _ := json.Marshal(c)
	admin := newHTTP(t, "http://"+addr, adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", body); code != 200 {
		t.Fatal("put catalogue")
	}
	birth := calendar.MustParse("1961-07-15")
	names := []string{"Забытова Евдокия Сергеевна", "Стёртый Аркадий Львович"}
	var sigs []signature.Signature
	for i, n := range names {
		sigs = append(sigs, signature.Signature{ProjectID: "p1", IdentityKey: citizen.IdentityKey(n, birth), FullName: n, BirthDate: birth,
			SignedAt: time.Now().Add(time.Duration(i) * time.Minute), ClockSource: "system", ConsentVersion: "v", CollectorID: "m1",
			Strokes: [][][]float64{{{0, 0}, {30, 30}}}})
	}
	seedKiosk(t, srv, "k1", sigs)
	digest, counted, _ := srv.DB.CountedDigest(ctx, "p1")

	loc, _ := time.LoadLocation("Europe/Moscow")
	// 60 days of retention: 100 days after the end, p1 is due; p2 has no end.
	n, err := purgeDue(ctx, srv.DB, srv.Hub.Catalog(), 60*24*time.Hour, time.Now(), loc, "test")
	if err != nil || n != 1 {
		t.Fatalf("purged %d: %v", n, err)
	}
	if n, _ := purgeDue(ctx, srv.DB, srv.Hub.Catalog(), 60*24*time.Hour, time.Now(), loc, "test"); n != 0 {
		t.Fatalf("a second run purged %d again", n)
	}
	after, counted2, _ := srv.DB.CountedDigest(ctx, "p1")
	if after != digest || counted2 != counted {
		t.Fatalf("the counted set changed: %s/%d → %s/%d", digest, counted, after, counted2)
	}
	if tally, _ := srv.DB.Tally(ctx, "p1"); tally.Counted != 2 {
		t.Fatalf("tally after purge: %+v", tally)
	}
	log, _ := srv.DB.AuditLog(ctx, 10)
	if len(log) == 0 || log[0].Action != "retention.purge" || log[0].Object != "project:p1" {
		t.Fatalf("purge not audited: %+v", log)
	}
	// Not in the database file, nor its WAL, once checkpointed.
	raw, err := sql.Open("sqlite3", filepath.Join(data, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for _, f := range []string{sqlite.FileName, sqlite.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(data, f))
		if err != nil {
			continue
		}
		for _, name := range names {
			if bytes.Contains(b, []byte(name)) {
				t.Errorf("%s still holds %q after the purge", f, name)
			}
		}
		if bytes.Contains(b, []byte(birth.String())) {
			t.Errorf("%s still holds the birth date after the purge", f)
		}
	}
}
