package syncproto

import (
	"crypto/ed25519"
	"reflect"
	"testing"

	"github.com/sbor-project/sbor/shared/record"
)

// testBatch is a signed batch of a plain record and one with a sealed part.
func testBatch() *Batch {
	r1 := record.New(epoch, 0, record.Genesis, record.TypeSignature, []byte(`{"a":1}`))
	r2 := record.NewSealed(epoch, 1, r1.Hash, record.TypeSignature, []byte(`{"a":2}`), []byte("sealed personal data"))
	return signed(&Batch{Records: []record.Record{r1, r2}, Pending: 5})
}

var testPub = testKey.Public().(ed25519.PublicKey)

// TestBatchSignatureEveryByte flips each byte of a signed batch's frame in
// turn: whatever still decodes must either fail to verify or be the very
// same batch (a flip in base64 padding bits, or a field name's case,
// changes nothing the server keeps).
func TestBatchSignatureEveryByte(t *testing.T) {
	orig := testBatch()
	frame, err := Encode(orig)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(frame)
	if err != nil || !VerifyBatch(testPub, "k1", epoch, want.(*Batch)) {
		t.Fatalf("the untouched batch: %v", err)
	}
	decoded, verified := 0, 0
	for i := range frame {
		for _, bit := range []byte{0x01, 0x20} {
			bad := append([]byte(nil), frame...)
			bad[i] ^= bit
			msg, err := Decode(bad)
			if err != nil {
				continue
			}
			decoded++
			b, ok := msg.(*Batch)
			if !ok {
				t.Fatalf("byte %d ^ %#x: a batch decoded as %T", i, bit, msg)
			}
			if VerifyBatch(testPub, "k1", epoch, b) {
				verified++
				if !reflect.DeepEqual(b, want) {
					t.Fatalf("byte %d ^ %#x (%q): a changed batch verifies: %+v", i, bit, bad[i], b)
				}
			}
		}
	}
	t.Logf("%d flips of a %d-byte frame decoded; %d of them verified, each the same batch", decoded, len(frame), verified)
}

// TestBatchSignatureBinds: the signature covers the kiosk, the epoch,
// pending, every record and whether the sealed part travels.
func TestBatchSignatureBinds(t *testing.T) {
	_, other, _ := ed25519.GenerateKey(nil)
	tests := map[string]func(b *Batch) (ed25519.PublicKey, string, string){
		"another device key": func(b *Batch) (ed25519.PublicKey, string, string) {
			return other.Public().(ed25519.PublicKey), "k1", epoch
		},
		"signed by another key": func(b *Batch) (ed25519.PublicKey, string, string) {
			SignBatch(other, "k1", epoch, b)
			return testPub, "k1", epoch
		},
		"another kiosk": func(b *Batch) (ed25519.PublicKey, string, string) {
			return testPub, "k2", epoch
		},
		"another epoch": func(b *Batch) (ed25519.PublicKey, string, string) {
			return testPub, "k1", "fedcba9876543210fedcba9876543210"
		},
		"pending changed": func(b *Batch) (ed25519.PublicKey, string, string) {
			b.Pending++
			return testPub, "k1", epoch
		},
		"a record dropped": func(b *Batch) (ed25519.PublicKey, string, string) {
			b.Records = b.Records[:1]
			return testPub, "k1", epoch
		},
		"sealed part stripped": func(b *Batch) (ed25519.PublicKey, string, string) {
			b.Records[1].Sealed = nil // its hash still verifies without it
			return testPub, "k1", epoch
		},
		"sealed part changed": func(b *Batch) (ed25519.PublicKey, string, string) {
			b.Records[1].Sealed = []byte("sealed personal dat4")
			return testPub, "k1", epoch
		},
		"record re-chained consistently": func(b *Batch) (ed25519.PublicKey, string, string) {
			r := b.Records[0]
			b.Records[0] = record.New(epoch, 0, record.Genesis, r.Type, []byte(`{"a":9}`))
			return testPub, "k1", epoch
		},
		"no signature": func(b *Batch) (ed25519.PublicKey, string, string) {
			b.Signature = nil
			return testPub, "k1", epoch
		},
		"short key": func(b *Batch) (ed25519.PublicKey, string, string) {
			return testPub[:31], "k1", epoch
		},
	}
	for name, change := range tests {
		b := testBatch()
		b.Records = append([]record.Record(nil), b.Records...)
		pub, kiosk, ep := change(b)
		if VerifyBatch(pub, kiosk, ep, b) {
			t.Errorf("%s: verifies", name)
		}
	}
	if b := testBatch(); !VerifyBatch(testPub, "k1", epoch, b) {
		t.Fatal("the untouched batch does not verify")
	}
}

// TestBatchDigestErasedSealedPart: a record resent after the kiosk erased
// its sealed part signs as one without it, and an empty sealed part is
// none, as it travels.
func TestBatchDigestErasedSealedPart(t *testing.T) {
	b := testBatch()
	b.Records[1].Sealed = nil
	SignBatch(testKey, "k1", epoch, b)
	frame, _ := Encode(b)
	got, err := Decode(frame)
	if err != nil || !VerifyBatch(testPub, "k1", epoch, got.(*Batch)) {
		t.Fatalf("a batch without the erased sealed part: %v", err)
	}
	b.Records[1].Sealed = []byte{}
	if !VerifyBatch(testPub, "k1", epoch, b) {
		t.Fatal("an empty sealed part signs differently from none")
	}
}
