package citizen

import "testing"

func TestKeyHash(t *testing.T) {
	k := IdentityKey("Иванов Иван", birth)
	h := KeyHash(k, []byte("s1"))
	if len(h) != 64 || h != KeyHash(IdentityKey("ИВАНОВ  иван", birth), []byte("s1")) {
		t.Fatalf("hash %q is not stable under normalization", h)
	}
	if h == KeyHash(k, []byte("s2")) {
		t.Fatal("hash does not depend on the secret")
	}
	if h == KeyHash(IdentityKey("Иванов Пётр", birth), []byte("s1")) {
		t.Fatal("different citizens share a hash")
	}
}
