package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	kp, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"full_name":"Иванова Мария Петровна"}`)
	a, err := Seal(kp.Public, plain)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Seal(kp.Public, plain)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one message are equal: the ephemeral key is not fresh")
	}
	if bytes.Contains(a, []byte("Иванова")) || len(a) != len(plain)+Overhead {
		t.Fatalf("sealed message leaks or has the wrong size: %d bytes", len(a))
	}
	got, err := kp.Open(a)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	a[len(a)-1] ^= 1
	if _, err := kp.Open(a); !errors.Is(err, ErrOpen) {
		t.Fatalf("altered message opened: %v", err)
	}
	other, _ := Generate()
	if _, err := other.Open(b); !errors.Is(err, ErrOpen) {
		t.Fatalf("message opened with another key: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	kp, _ := Generate()
	path := filepath.Join(t.TempDir(), "keys", "office.key")
	if err := kp.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	if err := kp.WriteFile(path); err == nil {
		t.Fatal("an existing key file was overwritten")
	}
	back, err := ReadFile(path)
	if err != nil || back.Public != kp.Public || back.private != kp.private {
		t.Fatalf("ReadFile: %v", err)
	}
	body, _ := os.ReadFile(path)
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, bytes.Replace(body, []byte("public "), []byte("public A"), 1), 0o600)
	if _, err := ReadFile(bad); !errors.Is(err, ErrKey) {
		t.Fatalf("a key file with a mismatched public key was read: %v", err)
	}
	pub, err := ParsePublicKey(kp.Public.String())
	if err != nil || pub != kp.Public {
		t.Fatalf("ParsePublicKey: %v", err)
	}
	for _, s := range []string{"", "abc", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="} {
		if _, err := ParsePublicKey(s); !errors.Is(err, ErrKey) {
			t.Errorf("ParsePublicKey(%q) = %v, want ErrKey", s, err)
		}
	}
}

func TestSplitMerge(t *testing.T) {
	obj := []byte(`{"project_id":"p1","full_name":"Петров Пётр","birth_date":"1970-01-02","sheet":1}`)
	pub, priv, err := Split(obj, []string{"full_name", "birth_date", "strokes"})
	if err != nil {
		t.Fatal(err)
	}
	if string(pub) != `{"project_id":"p1","sheet":1}` || string(priv) != `{"birth_date":"1970-01-02","full_name":"Петров Пётр"}` {
		t.Fatalf("Split = %s | %s", pub, priv)
	}
	all, err := Merge(pub, priv)
	if err != nil || string(all) != `{"birth_date":"1970-01-02","full_name":"Петров Пётр","project_id":"p1","sheet":1}` {
		t.Fatalf("Merge = %s, %v", all, err)
	}
	if _, priv, _ := Split([]byte(`{"sheet":1}`), []string{"full_name"}); priv != nil {
		t.Fatalf("no personal members, yet a personal part: %s", priv)
	}
	if _, err := Merge([]byte(`{"a":1}`), []byte(`{"a":2}`)); err == nil {
		t.Fatal("overlapping halves merged")
	}
	for _, bad := range []string{`[]`, `null`, `"x"`, `{`} {
		if _, _, err := Split([]byte(bad), nil); err == nil {
			t.Errorf("Split(%s) accepted", bad)
		}
	}
}
