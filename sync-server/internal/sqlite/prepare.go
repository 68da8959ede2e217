package sqlite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
)

// prepared is what a record tells on its own, worked out before its batch
// waits for the writer: whether its hash is right, its whole payload with
// the sealed part opened (opening is the costly part) and, for a
// signature, the row to store (nil if the payload cannot be read).
type prepared struct {
	hashOK bool
	// payload is what the typed tables read; nil, with unsealed saying
	// why, when the sealed part cannot be opened.
	payload  []byte
	unsealed error
	sig      *sigRow
}

// sigRow is a signature as the signatures table stores it.
type sigRow struct {
	s        signature.Signature
	key      string    // identity key, recomputed, never the kiosk's
	keyHash  string    // HMAC of key under the project's key, for check
	name     string    // the name as it goes on the sheet
	signedAt string    // RFC 3339 to the second, as stored
	at       time.Time // signedAt read back: the dedupe order's time
	strokes  string    // the drawing, JSON text
}

func (db *DB) prepare(epoch string, r record.Record) prepared {
	p := prepared{hashOK: r.Recompute(epoch) == r.Hash}
	if !p.hashOK {
		return p // refused with its batch: nothing to open
	}
	if r.Type != record.TypeSignature {
		p.payload, p.unsealed = r.Open(db.officeKey())
		return p
	}
	// A signature's two parts are decoded into one value, each filling
	// its own fields, rather than joined into one JSON text first: the
	// join cost ten times the opening.
	private, err := r.OpenPersonal(db.officeKey())
	if p.unsealed = err; err != nil {
		return p
	}
	var w wireSignature
	if err := json.Unmarshal(r.Payload, &w); err != nil {
		return p
	}
	if private != nil && !w.addPersonal(private) {
		return p
	}
	if !readable(w.Signature) {
		return p
	}
	strokes, ok := strokesText(w.Strokes)
	if !ok {
		return p
	}
	row := &sigRow{s: w.Signature, strokes: strokes, name: citizen.Clean(w.FullName), signedAt: w.SignedAt.Format(time.RFC3339)}
	row.key = string(citizen.IdentityKey(w.FullName, w.BirthDate))
	row.keyHash = citizen.KeyHash(citizen.Key(row.key), db.ProjectKey(w.ProjectID))
	if row.at, err = time.Parse(time.RFC3339, row.signedAt); err != nil {
		return p // a year outside 0–9999: not a date a kiosk records
	}
	p.sig = row
	return p
}

// follows checks that r follows (prevSeq, prev) in the chain, as
// record.Verify does, with the hash already checked.
func (p prepared) follows(r record.Record, prevSeq uint64, prev record.Hash) error {
	switch {
	case r.Seq != prevSeq+1:
		return fmt.Errorf("%w: seq %d after %d", record.ErrChain, r.Seq, prevSeq)
	case r.PrevHash != prev:
		return fmt.Errorf("%w: seq %d does not follow the previous hash", record.ErrChain, r.Seq)
	case !p.hashOK:
		return fmt.Errorf("%w: seq %d hash does not match its content", record.ErrChain, r.Seq)
	}
	return nil
}

// personalSignature is what a signature's sealed part may hold; anything
// else there is refused, as seal.Merge refuses a member in both parts.
type personalSignature struct {
	IdentityKey citizen.Key     `json:"identity_key"`
	FullName    string          `json:"full_name"`
	BirthDate   calendar.Date   `json:"birth_date"`
	Strokes     json.RawMessage `json:"strokes"`
}

// addPersonal fills w's personal fields from the opened sealed part.
func (w *wireSignature) addPersonal(private []byte) bool {
	if w.IdentityKey != "" || w.FullName != "" || !w.BirthDate.IsZero() || w.Strokes != nil {
		return false // personal members in the clear beside a sealed part
	}
	var ps personalSignature
	dec := json.NewDecoder(bytes.NewReader(private))
	dec.DisallowUnknownFields()
	if dec.Decode(&ps) != nil || dec.More() {
		return false
	}
	w.IdentityKey, w.FullName, w.BirthDate, w.Strokes = ps.IdentityKey, ps.FullName, ps.BirthDate, ps.Strokes
	return true
}
