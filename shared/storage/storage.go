package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// BusyTimeout is how long a writer waits for another before giving up.
const BusyTimeout = 10 * time.Second

// ErrNotDurable is returned when SQLite did not take synchronous=FULL.
var ErrNotDurable = errors.New("storage: database is not in synchronous=FULL mode")

// OpenSQLite opens (creating if needed) the SQLite file at file with WAL,
// synchronous=FULL so a reported commit survives a power cut, a busy
// timeout, foreign keys, and BEGIN IMMEDIATE so writers queue instead of
// failing on lock upgrade. It checks the settings took hold.
func OpenSQLite(ctx context.Context, file string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", strconv.Itoa(int(BusyTimeout/time.Millisecond)))
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	// Erased personal data must not linger in freed pages.
	q.Set("_secure_delete", "on")
	db, err := sql.Open("sqlite3", "file:"+file+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", file, err)
	}
	var sync int
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", file, err)
	}
	if sync != 2 {
		db.Close()
		return nil, fmt.Errorf("%w (got %d)", ErrNotDurable, sync)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("storage: %s: journal_mode %q, want wal: %v", file, mode, err)
	}
	return db, nil
}

// Migrate applies the files NNNN_name.sql of dir in fsys not yet recorded
// as applied, in number order, each in its own transaction together with
// the row that records it, so a crash leaves no half-applied step.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("storage: migrations table: %w", err)
	}
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return err
	}
	type step struct {
		version int
		name    string
	}
	var steps []step
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return fmt.Errorf("storage: migration %s: name must start with a number and _", base)
		}
		if other, dup := seen[v]; dup {
			return fmt.Errorf("storage: migrations %s and %s share number %d", other, base, v)
		}
		seen[v] = base
		steps = append(steps, step{v, name})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].version < steps[j].version })

	// Every step not recorded yet runs, in number order — not only those
	// above the highest: a step merged after a later-numbered one must
	// still run.
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("storage: schema version: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range steps {
		if applied[s.version] {
			continue
		}
		body, err := fs.ReadFile(fsys, s.name)
		if err != nil {
			return err
		}
		if err := apply(ctx, db, s.version, path.Base(s.name), string(body)); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, version int, name, body string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: migration %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return fmt.Errorf("storage: migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		version, name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("storage: migration %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: migration %s: %w", name, err)
	}
	return nil
}

// Version returns the highest migration applied.
func Version(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// IsUniqueViolation reports whether err is SQLite refusing a row that
// breaks a UNIQUE constraint or primary key.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func IntegrityCheck(ctx context.Context, db *sql.DB) (string, error) {
	var verdict string
	err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&verdict)
	return verdict, err
}
