package record

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Type names what a record's payload is.
type Type string

// Record types. New types are added here, never renamed: old logs keep them.
const (
	TypeSignature    Type = "signature"
	TypeMeeting      Type = "meeting"       // a meeting the kiosk operator called
	TypeAttendance   Type = "attendance"    // a resident registered at a meeting
	TypeVote         Type = "vote"          // the counted vote on one agenda item
	TypeSurveyAnswer Type = "survey_answer" // a resident's answers to a survey
	TypeBallot       Type = "ballot"        // a registered resident's vote on one agenda item
)

// HashSize is the length of a record hash.
const HashSize = sha256.Size

// Hash is a record's SHA-256 chain hash.
type Hash [HashSize]byte

// Genesis is the previous hash of the first record of an epoch.
var Genesis Hash

// ErrChain is returned when a record does not follow the chain.
var ErrChain = errors.New("record: hash chain broken")

// Record is one entry in a kiosk's log. Payload holds the exact JSON bytes
// the kiosk hashed; it is stored and sent verbatim, never re-encoded.
//
// A record with personal data keeps it apart: Payload holds the rest, and
// Sealed the personal members sealed to the office's key (see Seal). The
// hash covers SealDigest, not Sealed, so a kiosk may erase Sealed once the
// server has it and its chain still verifies.
type Record struct {
	Seq        uint64 `json:"seq"`
	Type       Type   `json:"type"`
	Payload    []byte `json:"payload"`
	Sealed     []byte `json:"sealed,omitempty"`
	SealDigest Hash   `json:"seal_digest,omitzero"`
	PrevHash   Hash   `json:"prev_hash"`
	Hash       Hash   `json:"hash"`
}

// Sum computes the hash of a record in an epoch after prev. Every field is
// length-prefixed so no two different records share an encoding.
func Sum(epoch string, seq uint64, typ Type, payload []byte, prev Hash) Hash {
	h := sha256.New()
	h.Write([]byte("sbor-record-v1"))
	h.Write(prev[:])
	writeField(h, []byte(epoch))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], seq)
	h.Write(n[:])
	writeField(h, []byte(typ))
	writeField(h, payload)
	var out Hash
	h.Sum(out[:0])
	return out
}

// SumSealed is Sum for a record with a sealed part whose SHA-256 is
// sealDigest. Its own prefix keeps the two encodings apart.
func SumSealed(epoch string, seq uint64, typ Type, payload []byte, sealDigest, prev Hash) Hash {
	h := sha256.New()
	h.Write([]byte("sbor-record-v2"))
	h.Write(prev[:])
	writeField(h, []byte(epoch))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], seq)
	h.Write(n[:])
	writeField(h, []byte(typ))
	writeField(h, payload)
	h.Write(sealDigest[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

// Recompute returns the hash r's content gives in epoch. A sealed part
// that does not match its digest gives the zero hash, which no record has.
func (r Record) Recompute(epoch string) Hash {
	if r.SealDigest == (Hash{}) {
		if r.Sealed != nil {
			return Hash{}
		}
		return Sum(epoch, r.Seq, r.Type, r.Payload, r.PrevHash)
	}
	if r.Sealed != nil && sha256.Sum256(r.Sealed) != r.SealDigest {
		return Hash{}
	}
	return SumSealed(epoch, r.Seq, r.Type, r.Payload, r.SealDigest, r.PrevHash)
}

func writeField(h interface{ Write([]byte) (int, error) }, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// New makes the record that follows prev (seq prevSeq+1) in epoch.
func New(epoch string, prevSeq uint64, prev Hash, typ Type, payload []byte) Record {
	seq := prevSeq + 1
	return Record{Seq: seq, Type: typ, Payload: payload, PrevHash: prev, Hash: Sum(epoch, seq, typ, payload, prev)}
}

// NewSealed is New for a record with a sealed part (nil for none).
func NewSealed(epoch string, prevSeq uint64, prev Hash, typ Type, payload, sealed []byte) Record {
	if sealed == nil {
		return New(epoch, prevSeq, prev, typ, payload)
	}
	r := Record{Seq: prevSeq + 1, Type: typ, Payload: payload, Sealed: sealed, SealDigest: sha256.Sum256(sealed), PrevHash: prev}
	r.Hash = SumSealed(epoch, r.Seq, typ, payload, r.SealDigest, prev)
	return r
}

// Verify checks that r follows (prevSeq, prev) in epoch and its hash is right.
func (r Record) Verify(epoch string, prevSeq uint64, prev Hash) error {
	if r.Seq != prevSeq+1 {
		return fmt.Errorf("%w: seq %d after %d", ErrChain, r.Seq, prevSeq)
	}
	if r.PrevHash != prev {
		return fmt.Errorf("%w: seq %d does not follow the previous hash", ErrChain, r.Seq)
	}
	if r.Recompute(epoch) != r.Hash {
		return fmt.Errorf("%w: seq %d hash does not match its content", ErrChain, r.Seq)
	}
	return nil
}

// NewEpoch returns a random epoch id. A kiosk database gets one when it is
// created; a restored or reset database gets a new one, so its sequence
// numbers never collide with the old ones.
func NewEpoch() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// String returns the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText writes the hash in hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads a hash in hex.
func (h *Hash) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != HashSize {
		return fmt.Errorf("record: hash must be %d hex digits", 2*HashSize)
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// HashFromBytes converts a stored hash.
func HashFromBytes(b []byte) (Hash, error) {
	var h Hash
	if len(b) != HashSize {
		return h, fmt.Errorf("record: stored hash has %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}
