package uplink

import (
	"bytes"
	"context"
	"crypto/sha256"
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
)

// ErrNotEnrolled is returned when -server is given without a credential.
var ErrNotEnrolled = errors.New("uplink: kiosk is not enrolled: start it once with -enroll CODE")

// Credential is what a kiosk proves itself with.
type Credential struct {
	Server     string
	KioskID    string
	Credential string
}

// Enroll exchanges a one-time code for a credential and stores it. The
// same code given again (a unit file that keeps -enroll) is a no-op.
func Enroll(ctx context.Context, db *sqlite.DB, server, code string) (Credential, error) {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(code))))
	codeHash := hex.EncodeToString(sum[:])
	if prev, err := db.Meta(ctx, metaEnrollCode); err == nil && prev == codeHash {
		return LoadCredential(ctx, db, server)
	}
	body, _ := json.Marshal(map[string]string{"code": code})
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
	c := Credential{Server: normalizeServer(server), KioskID: got.KioskID, Credential: got.Credential}
	err = db.SetMeta(ctx, map[string]string{metaServer: c.Server, metaKioskID: c.KioskID, metaCredential: c.Credential, metaEnrollCode: codeHash})
	return c, err
}

// LoadCredential returns the stored credential for server.
func LoadCredential(ctx context.Context, db *sqlite.DB, server string) (Credential, error) {
	var c Credential
	var err error
	for key, dst := range map[string]*string{metaServer: &c.Server, metaKioskID: &c.KioskID, metaCredential: &c.Credential} {
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
