package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/lockout"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

func login(t *testing.T, base, user, password string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestLoginBruteForce: failures slow sign-in down, then lock it, even for
// the right password; the slowdown lifts after the wait.
func TestLoginBruteForce(t *testing.T) {
	addr := freeAddr(t)
	m := NewMain()
	m.LoginPolicy = lockout.Policy{Free: 2, Base: 300 * time.Millisecond, Max: time.Second, LockAt: 6, LockFor: time.Hour, Forget: time.Hour, MaxKeys: 100}
	if err := m.ParseFlags([]string{"-addr", addr, "-data", t.TempDir(), "-log-level", "ERROR"}, func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.DB.AddUser(context.Background(), sqlite.User{Username: "anna", Role: sqlite.RoleAdmin}, officePassword); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	for i := 0; i < 2; i++ { // the free tries
		if resp := login(t, base, "anna", "wrong password"); resp.StatusCode != 401 {
			t.Fatalf("free try %d: %d", i, resp.StatusCode)
		}
	}
	if resp := login(t, base, "anna", "wrong password"); resp.StatusCode != 401 {
		t.Fatalf("third failure: %d", resp.StatusCode)
	}
	// Now a wait is due: even the right password is refused at once.
	resp := login(t, base, "anna", officePassword)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("attempt during the wait: %d", resp.StatusCode)
	}
	// After waiting, the right password works and clears the count.
	time.Sleep(350 * time.Millisecond)
	if resp := login(t, base, "anna", officePassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after the wait: %d", resp.StatusCode)
	}
	// A patient guesser who waits out every slowdown is locked out.
	locked := false
	for i := 0; i < 12 && !locked; i++ {
		resp := login(t, base, "anna", "guess")
		if resp.StatusCode == http.StatusTooManyRequests {
			if m.Server.LoginLocked("user:anna") {
				locked = true
				break
			}
			time.Sleep(time.Second + 50*time.Millisecond)
		}
	}
	if !locked {
		t.Fatal("never locked")
	}
	if resp := login(t, base, "anna", officePassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: %d", resp.StatusCode)
	}
	// Every failure is in the audit log.
	log, _ := m.DB.AuditLog(context.Background(), 100)
	failed := 0
	for _, e := range log {
		if e.Action == "login.failed" {
			failed++
		}
	}
	if failed < 6 {
		t.Fatalf("%d failed sign-ins audited", failed)
	}
}

// TestTLSAndAuditVerify: the server speaks HTTPS from cert/key files with
// HSTS; `sync-server audit verify` finds a tampered audit row.
func TestTLSAndAuditVerify(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	addr := freeAddr(t)
	m := NewMain()
	if err := m.ParseFlags([]string{"-addr", addr, "-data", dir, "-tls-cert", cert, "-tls-key", key, "-admin-token", adminToken, "-log-level", "ERROR"},
		func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, Timeout: 5 * time.Second}
	resp, err := c.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("https: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP on the TLS port gets Go's 400, never the page.
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP on the TLS port: %d", resp.StatusCode)
		}
	}
	for _, a := range []string{"a", "b", "c"} {
		m.DB.Audit(context.Background(), sqlite.AuditEntry{Actor: "x", Action: a, Object: "o"})
	}
	m.Close()

	var out strings.Builder
	if err := runAuditCommand(context.Background(), []string{"verify", "-data", dir}, &out, func(string) (string, bool) { return "", false }); err != nil ||
		!strings.Contains(out.String(), "3 entries") {
		t.Fatalf("verify: %v %q", err, out.String())
	}
	// Someone with the database file edits a row.
	raw, err := sql.Open("sqlite3", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE audit SET actor = 'someone else' WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := runAuditCommand(context.Background(), []string{"verify", "-data", dir}, &out, func(string) (string, bool) { return "", false }); err == nil ||
		!strings.Contains(err.Error(), "entry 2") {
		t.Fatalf("tampered row not found: %v", err)
	}
}

func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(k)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, key
}
