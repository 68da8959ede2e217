package record

import (
	"errors"
	"fmt"

	"github.com/sbor-project/sbor/shared/seal"
)

// ErrUnsealed is returned when a record's sealed part is gone (a kiosk
// erased it after the server acknowledged it) or cannot be opened.
var ErrUnsealed = errors.New("record: personal data cannot be opened")

// personal names the payload members of each type that are residents'
// personal data under 152-FZ: who they are, how they signed, what they
// wrote. They leave the kiosk's memory only sealed. Meetings and counted
// votes name officials and numbers, nothing of a resident.
var personal = map[Type][]string{
	TypeSignature:    {"identity_key", "full_name", "birth_date", "strokes"},
	TypeAttendance:   {"identity_key", "full_name", "birth_date"},
	TypeBallot:       {"identity_key", "full_name", "birth_date"},
	TypeSurveyAnswer: {"identity_key", "full_name", "birth_date", "replies"},
}

// HasPersonal reports whether records of type t carry personal data.
func HasPersonal(t Type) bool { return personal[t] != nil }

// Seal parts a record's payload: the public members stay in payload, and
// the personal ones come back sealed to the office's key (nil when the
// type has none).
func Seal(t Type, payload []byte, office seal.PublicKey) (public, sealed []byte, err error) {
	fields := personal[t]
	if fields == nil {
		return payload, nil, nil
	}
	public, private, err := seal.Split(payload, fields)
	if err != nil {
		return nil, nil, fmt.Errorf("record: %s: %w", t, err)
	}
	if private == nil {
		return public, nil, nil
	}
	sealed, err = seal.Seal(office, private)
	if err != nil {
		return nil, nil, err
	}
	return public, sealed, nil
}

// Open returns r's whole payload, its sealed part opened with the office's
// key and joined to the public one. A record without a seal is returned as
// it is; one whose seal was erased, or is not for kp, gives ErrUnsealed.
func (r Record) Open(kp *seal.KeyPair) ([]byte, error) {
	private, err := r.OpenPersonal(kp)
	if err != nil || private == nil {
		return r.Payload, err
	}
	return seal.Merge(r.Payload, private)
}

// OpenPersonal returns only the opened personal members (nil for a record
// without a seal), for a reader that decodes the two parts into one value
// and so need not join them (json.Unmarshal of each fills its own fields).
func (r Record) OpenPersonal(kp *seal.KeyPair) ([]byte, error) {
	switch {
	case r.SealDigest == (Hash{}):
		return nil, nil
	case r.Sealed == nil:
		return nil, fmt.Errorf("%w: seq %d: the kiosk erased it", ErrUnsealed, r.Seq)
	case kp == nil:
		return nil, fmt.Errorf("%w: seq %d: no office key", ErrUnsealed, r.Seq)
	}
	private, err := kp.Open(r.Sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: seq %d: %w", ErrUnsealed, r.Seq, err)
	}
	return private, nil
}
