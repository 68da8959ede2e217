package web

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// codeAlphabet leaves out characters people misread (0/O, 1/I).
var codeAlphabet = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

func randomString(enc *base32.Encoding, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return enc.EncodeToString(b)
}

func (s *Server) handleCreateKiosk(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || utf8.RuneCountInString(req.Name) > 200 {
		s.fail(w, r, api.Invalid(map[string]string{"name": "required"}))
		return
	}
	k, err := s.createKiosk(r, req.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, map[string]any{"id": k.ID, "name": req.Name, "enroll_code": k.Code, "expires_at": k.Expires.UTC()})
}

type newKiosk struct {
	ID, Code string
	Expires  time.Time
}

// createKiosk registers a kiosk awaiting enrollment with a one-time code.
func (s *Server) createKiosk(r *http.Request, name string) (newKiosk, error) {
	k := newKiosk{
		ID:      "k" + strings.ToLower(randomString(base32.StdEncoding.WithPadding(base32.NoPadding), 6)),
		Code:    randomString(codeAlphabet, 8), // 64 bits, one use, expiring
		Expires: time.Now().Add(s.cfg.EnrollTTL),
	}
	if err := s.db.CreateKiosk(r.Context(), k.ID, name, k.Code, k.Expires); err != nil {
		return newKiosk{}, err
	}
	s.audit(r, actor(r), "kiosk.add", "kiosk:"+k.ID, name)
	return k, nil
}

// revokeKiosk refuses a kiosk from now on and drops its live sessions.
func (s *Server) revokeKiosk(r *http.Request, id string) error {
	err := s.db.RevokeKiosk(r.Context(), id)
	if errors.Is(err, sqlite.ErrNotFound) {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound}
	}
	if err != nil {
		return err
	}
	s.hub.Revoke(id)
	s.audit(r, actor(r), "kiosk.revoke", "kiosk:"+id, "")
	return nil
}

func (s *Server) handleKiosks(w http.ResponseWriter, r *http.Request) {
	ks, err := s.db.Kiosks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, ks)
}

func (s *Server) handleRevokeKiosk(w http.ResponseWriter, r *http.Request) {
	if err := s.revokeKiosk(r, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleEnroll exchanges a one-time enrollment code for the kiosk's
// long-lived credential and registers the kiosk's device key, the Ed25519
// public key its batches must verify under. The server keeps only the
// credential's hash.
func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code      string `json:"code"`
		DeviceKey string `json:"device_key"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	// Checked before the code, so a kiosk too old to send a key does not
	// spend its code.
	key, err := base64.StdEncoding.DecodeString(req.DeviceKey)
	if err != nil || len(key) != ed25519.PublicKeySize {
		s.fail(w, r, api.Errorf(http.StatusBadRequest, "device_key", "enrollment from %s without a base64 Ed25519 public key in device_key", r.RemoteAddr))
		return
	}
	credential := randomString(base32.StdEncoding.WithPadding(base32.NoPadding), 32)
	id, err := s.db.RedeemEnrollCode(r.Context(), strings.ToUpper(strings.TrimSpace(req.Code)), credential, key)
	if errors.Is(err, sqlite.ErrEnrollCode) {
		s.fail(w, r, api.Errorf(http.StatusUnauthorized, "enroll_code", "enrollment refused from %s", r.RemoteAddr))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The key's fingerprint, so the office can tell which key a kiosk
	// enrolled with when it was enrolled again.
	sum := sha256.Sum256(key)
	s.audit(r, "kiosk:"+id, "kiosk.enroll", "kiosk:"+id, "device key sha256:"+hex.EncodeToString(sum[:8]))
	api.WriteJSON(w, http.StatusOK, map[string]string{"kiosk_id": id, "credential": credential})
}
