package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/storage"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the kiosk's data dir.
const FileName = "kiosk.db"

// DB is the kiosk's store.
type DB struct {
	db     *sql.DB
	epoch  string
	writer storage.Writer // the log's seq and hash chain need one writer
}

// Open opens or creates the store in dataDir.
func Open(ctx context.Context, dataDir string) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: data dir: %w", err)
	}
	sdb, err := storage.OpenSQLite(ctx, filepath.Join(dataDir, FileName))
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, sdb, migrations, "migrations"); err != nil {
		sdb.Close()
		return nil, err
	}
	db := &DB{db: sdb, writer: storage.Writer{DB: sdb}}
	if db.epoch, err = db.ensureEpoch(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// ensureEpoch returns the database's epoch, creating it on first open.
func (db *DB) ensureEpoch(ctx context.Context) (string, error) {
	_, err := db.db.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO NOTHING", record.NewEpoch())
	if err != nil {
		return "", fmt.Errorf("sqlite: epoch: %w", err)
	}
	var epoch string
	err = db.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&epoch)
	return epoch, err
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Epoch returns the random id this database was created with.
func (db *DB) Epoch() string { return db.epoch }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// IntegrityCheck runs PRAGMA integrity_check.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	return storage.IntegrityCheck(ctx, db.db)
}

// write runs fn in one transaction, serialized with other writers.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.writer.Write(ctx, fn)
}

// ErrNoOfficeKey is returned when a record with personal data would be
// written without the office's key to seal it to.
var ErrNoOfficeKey = errors.New("sqlite: no office key to seal personal data to")

// appendRecord adds a record to the log inside tx and returns it. The
// personal members of its payload are sealed to office first, so they
// never reach the disk in the clear.
func (db *DB) appendRecord(ctx context.Context, tx *sql.Tx, typ record.Type, payload []byte, office seal.PublicKey, now string) (record.Record, error) {
	if record.HasPersonal(typ) && office.IsZero() {
		return record.Record{}, ErrNoOfficeKey
	}
	public, sealed, err := record.Seal(typ, payload, office)
	if err != nil {
		return record.Record{}, err
	}
	var lastSeq uint64
	var lastHash []byte
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").Scan(&lastSeq, &lastHash)
	prev := record.Genesis
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return record.Record{}, fmt.Errorf("sqlite: last record: %w", err)
	default:
		if prev, err = record.HashFromBytes(lastHash); err != nil {
			return record.Record{}, err
		}
	}
	r := record.NewSealed(db.epoch, lastSeq, prev, typ, public, sealed)
	var digest []byte
	if sealed != nil {
		digest = r.SealDigest[:]
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO records (seq, type, payload, sealed, seal_digest, prev_hash, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		r.Seq, string(r.Type), r.Payload, sealed, digest, r.PrevHash[:], r.Hash[:], now)
	if err != nil {
		return record.Record{}, fmt.Errorf("sqlite: append record: %w", err)
	}
	return r, nil
}
