package uplink

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
)

// Meta keys the kiosk's credential is kept under, in its data dir's database.
const (
	metaServer     = "sync_server"
	metaKioskID    = "sync_kiosk_id"
	metaCredential = "sync_credential"
	metaEnrollCode = "sync_enroll_code_hash"
	metaKeys       = "sync_project_keys"
	// metaDeviceKey holds the seed of the kiosk's Ed25519 device key, in
	// base64; the private key never leaves the kiosk.
	metaDeviceKey = "sync_device_key"
)

// Credential errors callers test.
var (
	// ErrNotEnrolled is returned when -server is given without a credential.
	ErrNotEnrolled = errors.New("uplink: kiosk is not enrolled: start it once with -enroll CODE")
	// ErrNoDeviceKey is returned for a kiosk enrolled before device keys:
	// the server refuses its unsigned batches.
	ErrNoDeviceKey = errors.New("uplink: kiosk was enrolled without a device key: ask the office for a new code and start it once with -enroll CODE")
)

// Credential is what a kiosk proves itself with: the credential at hello,
// the device key on every batch.
type Credential struct {
	Server     string
	KioskID    string
	Credential string
	DeviceKey  ed25519.PrivateKey
}

// Enroll exchanges a one-time code for a credential and stores it. The
// same code given again (a unit file that keeps -enroll) is a no-op.
func Enroll(ctx context.Context, db *sqlite.DB, server, code string) (Credential, error) {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(code))))
	codeHash := hex.EncodeToString(sum[:])
	if prev, err := db.Meta(ctx, metaEnrollCode); err == nil && prev == codeHash {
		return LoadCredential(ctx, db, server)
	}
	// A new key pair for every enrollment: enrolling again replaces the
	// key on both sides.
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return Credential{}, fmt.Errorf("uplink: enroll: device key: %w", err)
	}
	body, _ := json.Marshal(map[string]string{"code": code, "device_key": base64.StdEncoding.EncodeToString(pub)})
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(server, "/")+"/api/enroll", bytes.NewReader(body))
	if err != nil {
		return Credential{}, fmt.Errorf("uplink: enroll: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return Credential{}, fmt.Errorf("uplink: enroll: server unreachable: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error, Message string
		}
		json.Unmarshal(raw, &e)
		return Credential{}, fmt.Errorf("uplink: enroll refused (%d %s): %s", resp.StatusCode, e.Error, e.Message)
	}
	var got struct {
		KioskID    string `json:"kiosk_id"`
		Credential string `json:"credential"`
	}
	if err := json.Unmarshal(raw, &got); err != nil || got.KioskID == "" || got.Credential == "" {
		return Credential{}, fmt.Errorf("uplink: enroll: unreadable answer: %v", err)
	}
	c := Credential{Server: normalizeServer(server), KioskID: got.KioskID, Credential: got.Credential, DeviceKey: priv}
	err = db.SetMeta(ctx, map[string]string{metaServer: c.Server, metaKioskID: c.KioskID, metaCredential: c.Credential,
		metaDeviceKey: base64.StdEncoding.EncodeToString(priv.Seed()), metaEnrollCode: codeHash})
	return c, err
}

// LoadCredential returns the stored credential for server.
func LoadCredential(ctx context.Context, db *sqlite.DB, server string) (Credential, error) {
	var c Credential
	var seed string
	var err error
	for key, dst := range map[string]*string{metaServer: &c.Server, metaKioskID: &c.KioskID, metaCredential: &c.Credential, metaDeviceKey: &seed} {
		if *dst, err = db.Meta(ctx, key); err != nil {
			return Credential{}, err
		}
	}
	if c.KioskID == "" || c.Credential == "" {
		return Credential{}, ErrNotEnrolled
	}
	if server != "" && normalizeServer(server) != c.Server {
		return Credential{}, fmt.Errorf("uplink: enrolled with %s, not %s: enroll again with -enroll CODE", c.Server, server)
	}
	if seed == "" {
		return Credential{}, ErrNoDeviceKey
	}
	b, err := base64.StdEncoding.DecodeString(seed)
	if err != nil || len(b) != ed25519.SeedSize {
		return Credential{}, fmt.Errorf("uplink: stored device key unreadable (%d bytes): ask the office for a new code and start the kiosk once with -enroll CODE", len(b))
	}
	c.DeviceKey = ed25519.NewKeyFromSeed(b)
	return c, nil
}

func normalizeServer(s string) string { return strings.TrimRight(strings.TrimSpace(s), "/") }

// syncURL turns the server's base address into its websocket address.
func syncURL(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("uplink: server address must start with http:// or https://: %q", server)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/sync"
	return u.String(), nil
}
