package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/catalog"
)

// SaveCatalog keeps c as the last good catalogue.
func (db *DB) SaveCatalog(ctx context.Context, c *catalog.Catalog, now time.Time) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("sqlite: encode catalogue: %w", err)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO catalog (id, version, body, loaded_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body, loaded_at = excluded.loaded_at`,
			c.Version, body, now.UTC().Format(time.RFC3339))
		if err != nil {
			return fmt.Errorf("sqlite: save catalogue: %w", err)
		}
		return nil
	})
}

// LastCatalog returns the last good catalogue, or nil if none was saved.
func (db *DB) LastCatalog(ctx context.Context) (*catalog.Catalog, error) {
	var body []byte
	err := db.db.QueryRowContext(ctx, "SELECT body FROM catalog WHERE id = 1").Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: last catalogue: %w", err)
	}
	return catalog.Parse(bytes.NewReader(body))
}
