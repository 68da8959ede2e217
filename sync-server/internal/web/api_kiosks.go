package web

import (
	"crypto/rand"
	"encoding/base32"
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
	id := "k" + strings.ToLower(randomString(base32.StdEncoding.WithPadding(base32.NoPadding), 6))
	code := randomString(codeAlphabet, 8) // 64 bits, one use, expiring
	expires := time.Now().Add(s.cfg.EnrollTTL)
	if err := s.db.CreateKiosk(r.Context(), id, req.Name, code, expires); err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, map[string]any{"id": id, "name": req.Name, "enroll_code": code, "expires_at": expires.UTC()})
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
	id := r.PathValue("id")
	err := s.db.RevokeKiosk(r.Context(), id)
	if errors.Is(err, sqlite.ErrNotFound) {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.hub.Revoke(id)
	w.WriteHeader(http.StatusNoContent)
}

// handleEnroll exchanges a one-time enrollment code for the kiosk's
// long-lived credential. The server keeps only the credential's hash.
func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code string `json:"code"`
	}
	if err := api.Decode(w, r, s.cfg.BodyLimit, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	credential := randomString(base32.StdEncoding.WithPadding(base32.NoPadding), 32)
	id, err := s.db.RedeemEnrollCode(r.Context(), strings.ToUpper(strings.TrimSpace(req.Code)), credential)
	if errors.Is(err, sqlite.ErrEnrollCode) {
		s.fail(w, r, api.Errorf(http.StatusUnauthorized, "enroll_code", "enrollment refused from %s", r.RemoteAddr))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]string{"kiosk_id": id, "credential": credential})
}
