package storage

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Writer runs write transactions one at a time. SQLite has a single
// writer; queueing in the process is cheaper than spinning on its busy
// handler, and a hash chain or sequence needs one writer anyway.
type Writer struct {
	DB *sql.DB
	mu sync.Mutex
}

// Write runs fn in one transaction and commits it, or rolls back on error.
func (w *Writer) Write(ctx context.Context, fn func(*sql.Tx) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	tx, err := w.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}
