package uplink

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
)

// enrollServer answers POST /api/enroll as the sync server does and keeps
// the device keys it was given.
type enrollServer struct {
	*httptest.Server
	mu   sync.Mutex
	keys []ed25519.PublicKey
}

func newEnrollServer(t *testing.T) *enrollServer {
	t.Helper()
	s := &enrollServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Code      string `json:"code"`
			DeviceKey string `json:"device_key"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || r.URL.Path != "/api/enroll" {
			http.Error(w, `{"error":"bad_json"}`, http.StatusBadRequest)
			return
		}
		key, err := base64.StdEncoding.DecodeString(req.DeviceKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"device_key","message":"no device key"}`))
			return
		}
		s.mu.Lock()
		s.keys = append(s.keys, key)
		n := len(s.keys)
		s.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{"kiosk_id": "k1", "credential": "cred-" + req.Code + string(rune('0'+n))})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *enrollServer) registered() []ed25519.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ed25519.PublicKey(nil), s.keys...)
}

func openKioskDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestEnrollDeviceKey: enrolling makes a key pair, registers its public
// half, keeps the private half, and every batch is signed with it.
func TestEnrollDeviceKey(t *testing.T) {
	ctx := context.Background()
	srv := newEnrollServer(t)
	db := openKioskDB(t)
	cred, err := Enroll(ctx, db, srv.URL, "CODE1")
	if err != nil {
		t.Fatal(err)
	}
	keys := srv.registered()
	if len(keys) != 1 || len(cred.DeviceKey) != ed25519.PrivateKeySize || !keys[0].Equal(cred.DeviceKey.Public()) {
		t.Fatalf("registered %x, kept the pair of %x", keys, cred.DeviceKey.Public())
	}
	loaded, err := LoadCredential(ctx, db, srv.URL)
	if err != nil || !loaded.DeviceKey.Equal(cred.DeviceKey) || loaded.Credential != cred.Credential {
		t.Fatalf("loaded %v: %v", loaded.KioskID, err)
	}
	// The same code again (a unit file that keeps -enroll) changes nothing.
	again, err := Enroll(ctx, db, srv.URL, "code1")
	if err != nil || !again.DeviceKey.Equal(cred.DeviceKey) || len(srv.registered()) != 1 {
		t.Fatalf("same code again: %v, %d registrations", err, len(srv.registered()))
	}

	// The uplink signs with it (TestBatchLimitAdapts checks a batch).
	if _, err := New(DefaultConfig, db, loaded, nil); err != nil {
		t.Fatal(err)
	}

	// Enrolling with a new code replaces the key.
	fresh, err := Enroll(ctx, db, srv.URL, "CODE2")
	if err != nil {
		t.Fatal(err)
	}
	keys = srv.registered()
	if len(keys) != 2 || keys[1].Equal(keys[0]) || !keys[1].Equal(fresh.DeviceKey.Public()) {
		t.Fatalf("after a new code: registered %x", keys)
	}
	if loaded, err := LoadCredential(ctx, db, srv.URL); err != nil || !loaded.DeviceKey.Equal(fresh.DeviceKey) {
		t.Fatalf("the new key is not the one kept: %v", err)
	}
}

// TestCredentialWithoutDeviceKey: a kiosk database enrolled before device
// keys is told to enroll again, not left sending batches the server
// refuses.
func TestCredentialWithoutDeviceKey(t *testing.T) {
	ctx := context.Background()
	srv := newEnrollServer(t)
	db := openKioskDB(t)
	if _, err := Enroll(ctx, db, srv.URL, "OLD"); err != nil {
		t.Fatal(err)
	}
	// As an older kiosk left its database: no device key.
	if err := db.SetMeta(ctx, map[string]string{metaDeviceKey: ""}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCredential(ctx, db, srv.URL); !errors.Is(err, ErrNoDeviceKey) {
		t.Fatalf("load: %v", err)
	}
	if _, err := Enroll(ctx, db, srv.URL, "OLD"); !errors.Is(err, ErrNoDeviceKey) {
		t.Fatalf("the old code again: %v", err)
	}
	if _, err := New(DefaultConfig, db, Credential{KioskID: "k1", Credential: "c"}, nil); !errors.Is(err, ErrNoDeviceKey) {
		t.Fatalf("an uplink without a device key: %v", err)
	}
	if err := db.SetMeta(ctx, map[string]string{metaDeviceKey: "c2hvcnQ="}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCredential(ctx, db, srv.URL); err == nil {
		t.Fatal("a damaged device key loaded")
	}
	// A new code mends it.
	if _, err := Enroll(ctx, db, srv.URL, "NEW"); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadCredential(ctx, db, srv.URL); err != nil || len(c.DeviceKey) != ed25519.PrivateKeySize {
		t.Fatalf("after enrolling again: %v", err)
	}
}
