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

// A sealing session's ephemeral key serves SessionMessages messages and is
// then replaced; the office opens every message, and computes one shared
// key per session.
func TestSessions(t *testing.T) {
	kp, _ := Generate()
	eph := map[string]int{}
	var msgs [][]byte
	for i := range 2*SessionMessages + 1 {
		m, err := Seal(kp.Public, []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		eph[string(m[1:1+KeySize])]++
		msgs = append(msgs, m)
	}
	if len(eph) != 3 {
		t.Fatalf("%d ephemeral keys for %d messages, want 3", len(eph), len(msgs))
	}
	for i, m := range msgs {
		got, err := kp.Open(m)
		if err != nil || len(got) != 1 || got[0] != byte(i) {
			t.Fatalf("message %d: %v %v", i, got, err)
		}
	}
	if len(kp.shared) != 3 {
		t.Fatalf("%d shared keys computed, want one per session", len(kp.shared))
	}
	// A session is per office key.
	other, _ := Generate()
	a, _ := Seal(other.Public, []byte("x"))
	if bytes.Equal(a[1:1+KeySize], msgs[len(msgs)-1][1:1+KeySize]) {
		t.Fatal("two office keys share a sealing session")
	}
	for _, bad := range [][]byte{nil, msgs[0][:Overhead-1], append([]byte{2}, msgs[0][1:]...)} {
		if _, err := kp.Open(bad); !errors.Is(err, ErrOpen) {
			t.Errorf("opened a malformed message of %d bytes: %v", len(bad), err)
		}
	}
}
