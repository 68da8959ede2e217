package sqlite

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"
)

// testDeviceKey is a kiosk's public key for tests that do not sign.
var testDeviceKey = ed25519.PublicKey(bytes.Repeat([]byte{7}, ed25519.PublicKeySize))

func TestDeviceKey(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, "k1")

	// Without a valid key the code is refused and not spent.
	for _, key := range []ed25519.PublicKey{nil, testDeviceKey[:31], append(bytes.Clone(testDeviceKey), 0)} {
		if _, err := db.RedeemEnrollCode(ctx, "code-k1", "cred-1", key); !errors.Is(err, ErrDeviceKey) {
			t.Fatalf("key of %d bytes: %v", len(key), err)
		}
	}
	first, _, _ := ed25519.GenerateKey(nil)
	if id, err := db.RedeemEnrollCode(ctx, "code-k1", "cred-1", first); err != nil || id != "k1" {
		t.Fatalf("enroll: %q %v", id, err)
	}
	if got, err := db.DeviceKey(ctx, "k1", "cred-1"); err != nil || !got.Equal(first) {
		t.Fatalf("device key %x %v, want %x", got, err, first)
	}
	for _, c := range []struct{ id, cred string }{{"k1", "cred-2"}, {"k2", "cred-1"}} {
		if _, err := db.DeviceKey(ctx, c.id, c.cred); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("%s with %s: %v", c.id, c.cred, err)
		}
	}

	// Enrolled again with a new code: the new key replaces the old one,
	// and the old credential is void.
	if _, err := db.db.ExecContext(ctx, "UPDATE kiosks SET enroll_code_hash = ?, enroll_expires_at = ? WHERE id = 'k1'",
		SecretHash("code-again"), time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	second, _, _ := ed25519.GenerateKey(nil)
	if _, err := db.RedeemEnrollCode(ctx, "code-again", "cred-2", second); err != nil {
		t.Fatal(err)
	}
	if got, err := db.DeviceKey(ctx, "k1", "cred-2"); err != nil || !got.Equal(second) {
		t.Fatalf("device key after enrolling again %x %v, want %x", got, err, second)
	}
	if _, err := db.DeviceKey(ctx, "k1", "cred-1"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("the old credential: %v", err)
	}

	// A kiosk enrolled before device keys has none.
	if _, err := db.db.ExecContext(ctx, "UPDATE kiosks SET device_key = NULL WHERE id = 'k1'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeviceKey(ctx, "k1", "cred-2"); !errors.Is(err, ErrNoDeviceKey) {
		t.Fatalf("a kiosk without a device key: %v", err)
	}

	if err := db.RevokeKiosk(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeviceKey(ctx, "k1", "cred-2"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("revoked: %v", err)
	}
}
