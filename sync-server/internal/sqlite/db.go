package sqlite

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/storage"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the server's data dir.
const FileName = "sync.db"

// DB is the sync server's store.
type DB struct {
	db     *sql.DB
	secret []byte
	writer storage.Writer
	gate   writeGate
	// preparing admits one large batch at a time to be prepared.
	preparing chan struct{}
	now       func() time.Time
	signer    ed25519.PrivateKey           // loaded on first use, see signingKey
	office    atomic.Pointer[seal.KeyPair] // see UseOfficeKey
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
	db := &DB{db: sdb, writer: storage.Writer{DB: sdb}, now: time.Now, preparing: make(chan struct{}, 1)}
	if db.secret, err = db.ensureSecret(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) ensureSecret(ctx context.Context) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	if _, err := db.db.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('project_key_secret', ?) ON CONFLICT (key) DO NOTHING",
		hex.EncodeToString(fresh[:])); err != nil {
		return nil, fmt.Errorf("sqlite: secret: %w", err)
	}
	var s string
	if err := db.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'project_key_secret'").Scan(&s); err != nil {
		return nil, fmt.Errorf("sqlite: secret: %w", err)
	}
	return hex.DecodeString(s)
}

// Close closes the database.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// IntegrityCheck runs PRAGMA integrity_check.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	return storage.IntegrityCheck(ctx, db.db)
}

// ProjectKey returns the secret a project's identity-key hashes are made
// with. It is derived, so nothing per project needs storing, and it
// differs per project, so a hash tells nothing across projects.
func (db *DB) ProjectKey(projectID string) []byte {
	mac := hmac.New(sha256.New, db.secret)
	mac.Write([]byte("project-key:" + projectID))
	return mac.Sum(nil)
}

// write runs fn in one transaction, serialized with other writers.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	db.gate.enter(false)
	defer db.gate.leave()
	return db.writer.Write(ctx, fn)
}

// writeBulk is write for a kiosk's backlog: it lets every other writer
// waiting go first, so that a signature made a moment ago, an office's
// action or a kiosk's contact never queues behind the batches of many
// kiosks catching up.
func (db *DB) writeBulk(ctx context.Context, fn func(*sql.Tx) error) error {
	db.gate.enter(true)
	defer db.gate.leave()
	return db.writer.Write(ctx, fn)
}

func isUnique(err error) bool { return storage.IsUniqueViolation(err) }

func (db *DB) stamp() string { return db.now().UTC().Format(time.RFC3339Nano) }
