package record

import (
	"encoding/json"
	"errors"
	"testing"
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
