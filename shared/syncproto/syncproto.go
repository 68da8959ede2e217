package syncproto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/sbor-project/sbor/shared/record"
)

// Version is the protocol version a kiosk announces in Hello.
const Version = 1

// Limits. A batch is bounded in count and bytes; a frame never exceeds
// MaxMessageBytes, which both sides set as the websocket read limit.
const (
	MaxBatchRecords = 200
	MaxBatchBytes   = 1 << 20
	// MaxMessageBytes leaves room for payloads travelling as base64 (4/3
	// of their size) plus the records' hashes and the envelope.
	MaxMessageBytes = MaxBatchBytes*4/3 + 256<<10
	MaxPayloadBytes = 256 << 10
	// Window is how many batches a kiosk may have unacknowledged.
	Window = 4
)

// Message types.
const (
	TypeHello   = "hello"   // kiosk → server, first message
	TypeWelcome = "welcome" // server → kiosk, answer to hello
	TypeBatch   = "batch"   // kiosk → server
	TypeAck     = "ack"     // server → kiosk, after a batch committed
	TypeCatalog = "catalog" // server → kiosk, a newer catalogue
	TypeCheck   = "check"   // kiosk → server: did this citizen sign elsewhere?
	TypeChecked = "checked" // server → kiosk, answer to check
	TypeStatus  = "status"  // kiosk → server, pending count while idle
	TypeError   = "error"   // either way, then the sender closes
)

// Error codes sent in Error messages.
const (
	CodeBadMessage   = "bad_message"  // undecodable, unknown type, over a limit
	CodeOutOfState   = "out_of_state" // a valid message at the wrong time
	CodeVersion      = "version"      // protocol version not supported
	CodeUnauthorized = "unauthorized" // unknown kiosk, wrong credential, revoked
	CodeChain        = "chain"        // a record does not follow the hash chain
	CodeSignature    = "signature"    // a batch's signature does not verify under the kiosk's device key
	CodeInternal     = "internal"     // server storage failed; try again later
)

// ErrProtocol wraps every decoding failure.
var ErrProtocol = errors.New("syncproto: protocol error")

// Hello opens a session.
type Hello struct {
	Type           string      `json:"type"`
	Version        int         `json:"version"`
	KioskID        string      `json:"kiosk_id"`
	Credential     string      `json:"credential"`
	Epoch          string      `json:"epoch"`
	HeadSeq        uint64      `json:"head_seq"`
	HeadHash       record.Hash `json:"head_hash"`
	Pending        int         `json:"pending"`
	CatalogVersion int         `json:"catalog_version"`
}

// Welcome answers Hello with what the server already holds.
type Welcome struct {
	Type string `json:"type"`
	// AckedSeq is the highest contiguous seq the server holds for the
	// kiosk's epoch; the kiosk sends from AckedSeq+1.
	AckedSeq       uint64 `json:"acked_seq"`
	CatalogVersion int    `json:"catalog_version"`
}

// Batch carries records in seq order, contiguous, signed by the kiosk.
type Batch struct {
	Type    string          `json:"type"`
	Records []record.Record `json:"records"`
	Pending int             `json:"pending"`
	// Signature is the kiosk's Ed25519 signature of BatchDigest under the
	// device key it registered at enrollment (SignBatch).
	Signature []byte `json:"signature"`
}

// Ack confirms every record up to AckedSeq is committed on the server.
type Ack struct {
	Type     string `json:"type"`
	AckedSeq uint64 `json:"acked_seq"`
	// Quarantined lists seqs the server already held with another hash;
	// it kept its own and set these aside for the office.
	Quarantined []uint64 `json:"quarantined,omitempty"`
}

// CatalogPush delivers a catalogue and the per-project keys for Check.
type CatalogPush struct {
	Type    string          `json:"type"`
	Version int             `json:"version"`
	Catalog json.RawMessage `json:"catalog"`
	// Keys maps project id to the hex HMAC key for identity-key hashes.
	Keys map[string]string `json:"keys"`
}

// Check asks whether a citizen already signed a project elsewhere. The
// citizen is named only by an HMAC of the identity key.
type Check struct {
	Type      string `json:"type"`
	ID        uint64 `json:"id"`
	ProjectID string `json:"project_id"`
	KeyHash   string `json:"key_hash"`
}

// Checked answers Check.
type Checked struct {
	Type   string `json:"type"`
	ID     uint64 `json:"id"`
	Signed bool   `json:"signed"`
}

// Status reports the kiosk's pending count while it has nothing to send.
type Status struct {
	Type    string `json:"type"`
	Pending int    `json:"pending"`
}

// Error ends a session.
type Error struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return "syncproto: " + e.Code + ": " + e.Message }

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	epochPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	hexPattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Decode parses one frame into its message type, refusing unknown types,
// unknown fields, trailing data and values outside the protocol's limits.
func Decode(frame []byte) (any, error) {
	if len(frame) > MaxMessageBytes {
		return nil, fmt.Errorf("%w: frame of %d bytes", ErrProtocol, len(frame))
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(frame, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	var msg interface{ check() error }
	switch head.Type {
	case TypeHello:
		msg = &Hello{}
	case TypeWelcome:
		msg = &Welcome{}
	case TypeBatch:
		msg = &Batch{}
	case TypeAck:
		msg = &Ack{}
	case TypeCatalog:
		msg = &CatalogPush{}
	case TypeCheck:
		msg = &Check{}
	case TypeChecked:
		msg = &Checked{}
	case TypeStatus:
		msg = &Status{}
	case TypeError:
		msg = &Error{}
	default:
		return nil, fmt.Errorf("%w: unknown message type %q", ErrProtocol, head.Type)
	}
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.DisallowUnknownFields()
	if err := dec.Decode(msg); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrProtocol, head.Type, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the message", ErrProtocol)
	}
	if err := msg.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrProtocol, head.Type, err)
	}
	return msg, nil
}

// Encode marshals a message, setting its type field.
func Encode(msg any) ([]byte, error) {
	switch m := msg.(type) {
	case *Hello:
		m.Type = TypeHello
	case *Welcome:
		m.Type = TypeWelcome
	case *Batch:
		m.Type = TypeBatch
	case *Ack:
		m.Type = TypeAck
	case *CatalogPush:
		m.Type = TypeCatalog
	case *Check:
		m.Type = TypeCheck
	case *Checked:
		m.Type = TypeChecked
	case *Status:
		m.Type = TypeStatus
	case *Error:
		m.Type = TypeError
	default:
		return nil, fmt.Errorf("syncproto: cannot encode %T", msg)
	}
	return json.Marshal(msg)
}

func (m *Hello) check() error {
	switch {
	case m.Version < 1:
		return errors.New("version missing")
	case !idPattern.MatchString(m.KioskID):
		return errors.New("bad kiosk_id")
	case m.Credential == "" || len(m.Credential) > 128:
		return errors.New("bad credential")
	case !epochPattern.MatchString(m.Epoch):
		return errors.New("bad epoch")
	case m.Pending < 0 || m.CatalogVersion < 0:
		return errors.New("negative count")
	}
	return nil
}

func (m *Welcome) check() error {
	if m.CatalogVersion < 0 {
		return errors.New("negative catalog_version")
	}
	return nil
}

func (m *Batch) check() error {
	if len(m.Records) == 0 || len(m.Records) > MaxBatchRecords {
		return fmt.Errorf("batch of %d records (1…%d)", len(m.Records), MaxBatchRecords)
	}
	if m.Pending < 0 {
		return errors.New("negative pending")
	}
	if len(m.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("signature of %d bytes (%d)", len(m.Signature), ed25519.SignatureSize)
	}
	size := 0
	for i, r := range m.Records {
		size += len(r.Payload) + len(r.Sealed)
		switch {
		case r.Seq == 0:
			return fmt.Errorf("record %d: seq 0", i)
		case i > 0 && r.Seq != m.Records[i-1].Seq+1:
			return fmt.Errorf("record %d: seq %d does not follow %d", i, r.Seq, m.Records[i-1].Seq)
		case !idPattern.MatchString(string(r.Type)):
			return fmt.Errorf("record %d: bad type", i)
		case len(r.Payload) == 0 || len(r.Payload)+len(r.Sealed) > MaxPayloadBytes:
			return fmt.Errorf("record %d: payload of %d bytes", i, len(r.Payload)+len(r.Sealed))
		case r.Sealed != nil && r.SealDigest == (record.Hash{}):
			return fmt.Errorf("record %d: sealed part without its digest", i)
		}
	}
	if size > MaxBatchBytes {
		return fmt.Errorf("batch payloads of %d bytes", size)
	}
	return nil
}

func (m *Ack) check() error { return nil }

func (m *CatalogPush) check() error {
	if m.Version < 0 || len(m.Catalog) == 0 {
		return errors.New("catalogue missing")
	}
	for id, k := range m.Keys {
		if !idPattern.MatchString(id) || !hexPattern.MatchString(k) {
			return errors.New("bad key")
		}
	}
	return nil
}

func (m *Check) check() error {
	if !idPattern.MatchString(m.ProjectID) || !hexPattern.MatchString(m.KeyHash) {
		return errors.New("bad project_id or key_hash")
	}
	return nil
}

func (m *Checked) check() error { return nil }

func (m *Status) check() error {
	if m.Pending < 0 {
		return errors.New("negative pending")
	}
	return nil
}

func (m *Error) check() error {
	if m.Code == "" {
		return errors.New("code missing")
	}
	return nil
}
