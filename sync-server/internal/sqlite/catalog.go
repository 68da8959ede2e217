package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sbor-project/sbor/shared/catalog"
)

// PutCatalog stores c as the next version and returns it with that
// version set. The server numbers versions, so kiosks comparing them see
// every change, whatever version the uploaded file claimed.
func (db *DB) PutCatalog(ctx context.Context, c *catalog.Catalog) (*catalog.Catalog, error) {
	out := *c
	err := db.write(ctx, func(tx *sql.Tx) error {
		var last int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM catalogs").Scan(&last); err != nil {
			return err
		}
		out.Version = max(last+1, c.Version)
		body, err := json.Marshal(&out)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO catalogs (version, body, created_at) VALUES (?, ?, ?)", out.Version, string(body), db.stamp())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: put catalogue: %w", err)
	}
	return &out, nil
}

// Catalog returns the current catalogue, or nil if none was put.
func (db *DB) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	var body string
	err := db.db.QueryRowContext(ctx, "SELECT body FROM catalogs ORDER BY version DESC LIMIT 1").Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: catalogue: %w", err)
	}
	return catalog.Parse(strings.NewReader(body))
}
