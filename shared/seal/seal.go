package seal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
)

// KeySize is the length of public and private keys.
const KeySize = 32

// A sealed message is
//
//	version (1) | ephemeral public key (32) | nonce (24) | box (message + 16)
//
// the box made with nacl/box between the ephemeral key and the office's.
// An ephemeral key serves one sealing session of up to SessionMessages
// messages, each with its own random nonce, and lives only in the sealing
// process's memory: it is never written, so nothing on the kiosk's disk
// opens a message. The office computes each session's shared key once
// instead of once per record, which is most of the cost of opening.
const (
	version         = 1
	headerSize      = 1 + KeySize + 24
	Overhead        = headerSize + box.Overhead
	SessionMessages = 256
)

// Errors callers test.
var (
	ErrOpen = errors.New("seal: cannot open: not sealed to this key, or altered")
	ErrKey  = errors.New("seal: malformed key")
)

// PublicKey is the office's X25519 public key, which kiosks seal to.
type PublicKey [KeySize]byte

// KeyPair is the office's key pair; only the sync server holds one.
type KeyPair struct {
	Public  PublicKey
	private [KeySize]byte

	mu     sync.Mutex
	shared map[[KeySize]byte]*[KeySize]byte // per sealing session
}

// Generate makes a new key pair.
func Generate() (*KeyPair, error) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal: generate: %w", err)
	}
	return &KeyPair{Public: *pub, private: *priv}, nil
}

// fromPrivate derives the pair of a private key.
func fromPrivate(priv []byte) (*KeyPair, error) {
	if len(priv) != KeySize {
		return nil, ErrKey
	}
	pub, err := curve25519.X25519(priv, curve25519.Basepoint)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	kp := &KeyPair{}
	copy(kp.private[:], priv)
	copy(kp.Public[:], pub)
	return kp, nil
}

// String writes the key in standard base64, as the catalogue carries it.
func (k PublicKey) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// IsZero reports whether k is unset.
func (k PublicKey) IsZero() bool { return k == PublicKey{} }

// Fingerprint is a short, stable name for the key in logs and on screens:
// the first 8 bytes of its SHA-256, in hex.
func (k PublicKey) Fingerprint() string {
	sum := sha256.Sum256(k[:])
	return hex.EncodeToString(sum[:8])
}

// ParsePublicKey reads a key written by String.
func ParsePublicKey(s string) (PublicKey, error) {
	var k PublicKey
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != KeySize {
		return k, fmt.Errorf("%w: want %d bytes in base64", ErrKey, KeySize)
	}
	copy(k[:], b)
	if k.IsZero() {
		return k, fmt.Errorf("%w: all zero", ErrKey)
	}
	return k, nil
}

// Seal encrypts plain to pub. Every call gives a different ciphertext.
func Seal(pub PublicKey, plain []byte) ([]byte, error) {
	ss, err := sessionFor(pub)
	if err != nil {
		return nil, err
	}
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	out := make([]byte, 0, Overhead+len(plain))
	out = append(out, version)
	out = append(out, ss.public[:]...)
	out = append(out, nonce[:]...)
	return box.SealAfterPrecomputation(out, plain, &nonce, &ss.shared), nil
}

// session is one ephemeral key and its shared key with an office key.
type session struct {
	public [KeySize]byte
	shared [KeySize]byte
	left   int
}

var sessions struct {
	sync.Mutex
	m map[PublicKey]*session
}

// sessionFor returns the current sealing session for pub, starting a new
// one with a fresh ephemeral key when the last is used up.
func sessionFor(pub PublicKey) (*session, error) {
	sessions.Lock()
	defer sessions.Unlock()
	ss := sessions.m[pub]
	if ss == nil || ss.left == 0 {
		ephPub, ephPriv, err := box.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("seal: ephemeral key: %w", err)
		}
		ss = &session{public: *ephPub, left: SessionMessages}
		box.Precompute(&ss.shared, (*[KeySize]byte)(&pub), ephPriv)
		clear(ephPriv[:])
		if sessions.m == nil {
			sessions.m = map[PublicKey]*session{}
		}
		sessions.m[pub] = ss
	}
	ss.left--
	return ss, nil
}

// maxShared bounds the office's cache of sessions' shared keys: a few
// per kiosk and day is the usual load.
const maxShared = 4096

// Open decrypts a message sealed to kp's public key.
func (kp *KeyPair) Open(sealed []byte) ([]byte, error) {
	if len(sealed) < Overhead || sealed[0] != version {
		return nil, ErrOpen
	}
	var eph [KeySize]byte
	var nonce [24]byte
	copy(eph[:], sealed[1:1+KeySize])
	copy(nonce[:], sealed[1+KeySize:headerSize])
	plain, ok := box.OpenAfterPrecomputation(nil, sealed[headerSize:], &nonce, kp.sharedWith(eph))
	if !ok {
		return nil, ErrOpen
	}
	return plain, nil
}

// sharedWith returns the shared key with an ephemeral key, computing it
// once per sealing session.
func (kp *KeyPair) sharedWith(eph [KeySize]byte) *[KeySize]byte {
	kp.mu.Lock()
	k, ok := kp.shared[eph]
	kp.mu.Unlock()
	if ok {
		return k
	}
	k = new([KeySize]byte)
	box.Precompute(k, &eph, &kp.private)
	kp.mu.Lock()
	if len(kp.shared) >= maxShared || kp.shared == nil {
		kp.shared = make(map[[KeySize]byte]*[KeySize]byte)
	}
	kp.shared[eph] = k
	kp.mu.Unlock()
	return k
}

// keyFileHeader opens a key file, so a wrong file is recognised.
const keyFileHeader = "SBOR OFFICE SEAL KEY v1"

// WriteFile stores the pair's private key in path, readable by its owner
// only. An existing file is never overwritten: losing the key that kiosks
// seal to loses every record not yet opened.
func (kp *KeyPair) WriteFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("seal: key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("seal: key file: %w", err)
	}
	body := fmt.Sprintf("%s\npublic %s\nprivate %s\n", keyFileHeader, kp.Public, base64.StdEncoding.EncodeToString(kp.private[:]))
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return fmt.Errorf("seal: key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("seal: key file: %w", err)
	}
	return f.Close()
}

// ReadFile loads a key pair written by WriteFile.
func ReadFile(path string) (*KeyPair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != keyFileHeader || !strings.HasPrefix(lines[2], "private ") {
		return nil, fmt.Errorf("%w: %s is not an office seal key file", ErrKey, path)
	}
	priv, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[2], "private "))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKey, path, err)
	}
	kp, err := fromPrivate(priv)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal([]byte("public "+kp.Public.String()), []byte(lines[1])) {
		return nil, fmt.Errorf("%w: %s: public key does not match the private key", ErrKey, path)
	}
	return kp, nil
}
