package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sbor-project/sbor/shared/seal"
)

func TestChain(t *testing.T) {
	epoch := NewEpoch()
	if len(epoch) != 32 || epoch == NewEpoch() {
		t.Fatalf("epoch %q", epoch)
	}
	a := New(epoch, 0, Genesis, TypeSignature, []byte(`{"n":1}`))
	b := New(epoch, a.Seq, a.Hash, TypeSignature, []byte(`{"n":2}`))
	if err := a.Verify(epoch, 0, Genesis); err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(epoch, 1, a.Hash); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func() error{
		"gap":             func() error { return b.Verify(epoch, 0, Genesis) },
		"other epoch":     func() error { return a.Verify(NewEpoch(), 0, Genesis) },
		"wrong prev hash": func() error { return b.Verify(epoch, 1, Genesis) },
		"edited payload": func() error {
			c := b
			c.Payload = []byte(`{"n":3}`)
			return c.Verify(epoch, 1, a.Hash)
		},
		"edited type": func() error {
			c := b
			c.Type = "vote"
			return c.Verify(epoch, 1, a.Hash)
		},
	}
	for name, verify := range tests {
		if err := verify(); !errors.Is(err, ErrChain) {
			t.Errorf("%s: err = %v, want ErrChain", name, err)
		}
	}
}

func TestFieldBoundaries(t *testing.T) {
	// Moving bytes between type and payload must change the hash.
	if Sum("e", 1, "ab", []byte("c"), Genesis) == Sum("e", 1, "a", []byte("bc"), Genesis) {
		t.Fatal("type/payload boundary is not part of the hash")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := New("e", 0, Genesis, TypeSignature, []byte(`{"x":1}`))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Verify("e", 0, Genesis); err != nil {
		t.Fatal(err)
	}
}

func TestSealedRecord(t *testing.T) {
	kp, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"project_id":"p1","full_name":"Сидорова Анна","birth_date":"1980-03-04","identity_key":"k","strokes":[[[1,2]]],"sheet":1}`)
	public, sealed, err := Seal(TypeSignature, payload, kp.Public)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(public, []byte("Сидорова")) || bytes.Contains(public, []byte("1980")) || bytes.Contains(sealed, []byte("Сидорова")) {
		t.Fatalf("personal data left in the clear: %s", public)
	}
	epoch := NewEpoch()
	r := NewSealed(epoch, 0, Genesis, TypeSignature, public, sealed)
	if err := r.Verify(epoch, 0, Genesis); err != nil {
		t.Fatal(err)
	}
	whole, err := r.Open(kp)
	if err != nil || !bytes.Contains(whole, []byte(`"full_name":"Сидорова Анна"`)) || !bytes.Contains(whole, []byte(`"sheet":1`)) {
		t.Fatalf("Open = %s, %v", whole, err)
	}
	// Erased at the kiosk after the ack: the chain still verifies.
	erased := r
	erased.Sealed = nil
	if err := erased.Verify(epoch, 0, Genesis); err != nil {
		t.Fatalf("chain broken by erasing the sealed part: %v", err)
	}
	if _, err := erased.Open(kp); !errors.Is(err, ErrUnsealed) {
		t.Fatalf("erased record opened: %v", err)
	}
	// Any change to the sealed part breaks the hash.
	altered := r
	altered.Sealed = bytes.Clone(r.Sealed)
	altered.Sealed[5] ^= 1
	if err := altered.Verify(epoch, 0, Genesis); !errors.Is(err, ErrChain) {
		t.Fatalf("altered sealed part verified: %v", err)
	}
	other, _ := seal.Generate()
	if _, err := r.Open(other); !errors.Is(err, ErrUnsealed) {
		t.Fatalf("opened with another key: %v", err)
	}
	// Types without personal data are not parted.
	p, s, err := Seal(TypeVote, []byte(`{"for":3}`), kp.Public)
	if err != nil || s != nil || string(p) != `{"for":3}` {
		t.Fatalf("vote sealed: %s %v", p, err)
	}
	// A plain record and a sealed one never share a hash.
	if Sum(epoch, 1, TypeSignature, public, Genesis) == r.Hash {
		t.Fatal("sealed record hashes as a plain one")
	}
}
