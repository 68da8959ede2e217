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
// every change, whatever version the uploaded file claimed. It carries
// the office key in use (see UseOfficeKey); one naming another key is
// refused with a *catalog.FieldError.
func (db *DB) PutCatalog(ctx context.Context, c *catalog.Catalog) (*catalog.Catalog, error) {
	out := *c
	if err := db.stampOfficeKey(&out); err != nil {
		return nil, err
	}
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
	c, err := catalog.Parse(strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	// One saved before the server had a key gets it too: kiosks must
	// seal to the key in force, whatever catalogue they were sent.
	if kp := db.officeKey(); kp != nil {
		c.OfficeKey = kp.Public.String()
	}
	return c, nil
}

// stampOfficeKey sets the office key in use in c. A catalogue naming
// another key is refused, not overwritten: it was made for another
// office's server, and saying so is kinder than kiosks' data silently
// going to a key nobody here holds, or the other way round.
func (db *DB) stampOfficeKey(c *catalog.Catalog) error {
	kp := db.officeKey()
	if kp == nil {
		return nil
	}
	if strings.TrimSpace(c.OfficeKey) != "" {
		k, err := c.SealKey()
		if err != nil {
			return err
		}
		if k != kp.Public {
			return &catalog.FieldError{Field: "office_key", Message: fmt.Sprintf(
				"ключ офиса %s не совпадает с ключом этого сервера %s: уберите поле office_key, сервер подставит свой ключ",
				k.Fingerprint(), kp.Public.Fingerprint())}
		}
	}
	c.OfficeKey = kp.Public.String()
	return nil
}
