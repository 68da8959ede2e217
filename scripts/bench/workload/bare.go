package workload

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
)

// Batch is one kiosk batch: the records as sent and the signatures they
// carry, with whether each repeats a citizen signed at another kiosk.
type Batch struct {
	KioskID, Epoch string
	Records        []record.Record
	Signatures     []signature.Signature
	Dup            []bool
}

// Batches cuts n of kiosk k's next signatures into batches of size.
func Batches(g *Kiosk, c *Chain, kioskID string, n, size int) []Batch {
	var out []Batch
	for n > 0 && !g.Done() {
		b := Batch{KioskID: kioskID, Epoch: c.Epoch}
		for len(b.Records) < size && n > 0 && !g.Done() {
			s, dup := g.Next()
			b.Signatures = append(b.Signatures, s)
			b.Records = append(b.Records, c.Signature(s))
			b.Dup = append(b.Dup, dup)
			n--
		}
		out = append(out, b)
	}
	return out
}

// BareServerInsert is the limit the server's ingest is measured against:
// each batch's records and signature rows inserted into the server's
// tables (its migrations applied to db) in one transaction with prepared
// statements, and nothing else — no chain check, no dedupe lookups, no
// decoding. A duplicate is stored uncounted so the partial UNIQUE index
// holds, as the server leaves it.
func BareServerInsert(ctx context.Context, db *sql.DB, batches []Batch) error {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	type row struct {
		key, keyHash, strokes string
	}
	// The columns the server derives from a payload (identity key, key
	// hash, strokes) are derived here too, cheaply, inside the caller's
	// timing.
	for _, b := range batches {
		rows := make([]row, len(b.Signatures))
		for i, s := range b.Signatures {
			key := string(citizen.IdentityKey(s.FullName, s.BirthDate))
			h := sha256.Sum256([]byte(key))
			strokes, err := json.Marshal(s.Strokes)
			if err != nil {
				return err
			}
			rows[i] = row{key, hex.EncodeToString(h[:]), string(strokes)}
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		rec, err := tx.PrepareContext(ctx, `INSERT INTO records (kiosk_id, epoch, seq, type, payload, seal_digest, prev_hash, hash, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		sig, err := tx.PrepareContext(ctx, `INSERT INTO signatures (kiosk_id, epoch, seq, project_id, identity_key, group_key, key_hash,
			full_name, birth_date, signed_at, signed_unix, clock_source, consent_version, strokes, collector_id, sheet, row,
			counted, receipt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i, r := range b.Records {
			s, w := b.Signatures[i], rows[i]
			var digest any // as the server keeps it: hex, or NULL for a record with nothing sealed
			if r.SealDigest != (record.Hash{}) {
				digest = r.SealDigest.String()
			}
			if _, err := rec.ExecContext(ctx, b.KioskID, b.Epoch, r.Seq, string(r.Type), r.Payload, digest, r.PrevHash.String(), r.Hash.String(), now); err != nil {
				tx.Rollback()
				return err
			}
			counted := 1
			if b.Dup[i] {
				counted = 0
			}
			if _, err := sig.ExecContext(ctx, b.KioskID, b.Epoch, r.Seq, s.ProjectID, w.key, w.key, w.keyHash,
				s.FullName, s.BirthDate.String(), s.SignedAt.Format(time.RFC3339), s.SignedAt.Unix(), s.ClockSource,
				s.ConsentVersion, w.strokes, s.CollectorID, s.Sheet, s.Row, counted, s.Receipt); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
