package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestMigrateLateStep: a step numbered below one already applied (merged
// later) still runs.
func TestMigrateLateStep(t *testing.T) {
	ctx := context.Background()
	db, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("0001_a.sql", "CREATE TABLE a (x INTEGER);")
	write("0003_c.sql", "CREATE TABLE c (x INTEGER);")
	if err := Migrate(ctx, db, os.DirFS(dir), "."); err != nil {
		t.Fatal(err)
	}
	write("0002_b.sql", "CREATE TABLE b (x INTEGER);")
	if err := Migrate(ctx, db, os.DirFS(dir), "."); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO b (x) VALUES (1)"); err != nil {
		t.Fatalf("the late step did not run: %v", err)
	}
}

func TestOpenAndMigrate(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "x.db")
	db, err := OpenSQLite(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys := os.DirFS("testdata")
	if err := Migrate(ctx, db, fsys, "migrations"); err != nil {
		t.Fatal(err)
	}
	if v, _ := Version(ctx, db); v != 2 {
		t.Fatalf("version = %d", v)
	}
	// Applying again is a no-op.
	if err := Migrate(ctx, db, fsys, "migrations"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO people (name) VALUES ('a')"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("INSERT INTO people (name) VALUES ('a')")
	if !IsUniqueViolation(err) {
		t.Fatalf("unique violation not recognised: %v", err)
	}
	if _, err := db.Exec("INSERT INTO pets (owner) VALUES (99)"); err == nil {
		t.Fatal("foreign keys are off")
	}
	// A broken step rolls back whole: no toys table, version stays 2.
	if err := Migrate(ctx, db, os.DirFS("testdata"), "broken"); err == nil {
		t.Fatal("broken migration applied")
	}
	if v, _ := Version(ctx, db); v != 2 {
		t.Fatalf("version after failed migration = %d", v)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'toys'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("half-applied migration left toys table (n=%d, err=%v)", n, err)
	}
	if v, err := IntegrityCheck(ctx, db); err != nil || v != "ok" {
		t.Fatalf("integrity_check = %q, %v", v, err)
	}
}
