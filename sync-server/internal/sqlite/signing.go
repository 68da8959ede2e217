package sqlite

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
)

// signingKey returns the server's Ed25519 key, made on first use and kept
// in the database: protocols it issued carry its signature.
func (db *DB) signingKey(ctx context.Context) (ed25519.PrivateKey, error) {
	if db.signer != nil {
		return db.signer, nil
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	if _, err := db.db.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('protocol_signing_seed', ?) ON CONFLICT (key) DO NOTHING",
		hex.EncodeToString(seed)); err != nil {
		return nil, fmt.Errorf("sqlite: signing key: %w", err)
	}
	var s string
	if err := db.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'protocol_signing_seed'").Scan(&s); err != nil {
		return nil, fmt.Errorf("sqlite: signing key: %w", err)
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("sqlite: signing key is damaged")
	}
	db.signer = ed25519.NewKeyFromSeed(b)
	return db.signer, nil
}

// protocolMessage is what the server signs: every fact a protocol states
// about the counted set, so changing any of them breaks the signature.
func protocolMessage(p IssuedProtocol) []byte {
	return []byte("sbor-protocol-v1|" + p.ProjectID + "|" + p.Date + "|" + p.Digest + "|" +
		strconv.Itoa(p.Signatures) + "|" + strconv.Itoa(p.Required) + "|" + strconv.Itoa(p.Sheets))
}

// SignProtocol returns the base64 signature of an issued protocol's facts.
func (db *DB) SignProtocol(ctx context.Context, p IssuedProtocol) (string, error) {
	k, err := db.signingKey(ctx)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k, protocolMessage(p))), nil
}

// VerifyProtocol checks a protocol's stored signature against its facts.
func (db *DB) VerifyProtocol(ctx context.Context, p IssuedProtocol) (bool, error) {
	k, err := db.signingKey(ctx)
	if err != nil {
		return false, err
	}
	sig, err := base64.StdEncoding.DecodeString(p.Signature)
	if err != nil {
		return false, nil
	}
	return ed25519.Verify(k.Public().(ed25519.PublicKey), protocolMessage(p), sig), nil
}

// ServerPublicKey is the hex public key protocols are signed with.
func (db *DB) ServerPublicKey(ctx context.Context) (string, error) {
	k, err := db.signingKey(ctx)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k.Public().(ed25519.PublicKey)), nil
}
