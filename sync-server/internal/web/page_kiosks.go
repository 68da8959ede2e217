package web

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

type createdKiosk struct {
	Name, Code, Server, QR string
	Expires                time.Time
}

type kiosksPage struct {
	view
	Kiosks  []sqlite.Kiosk
	Created *createdKiosk
	Name    string
	Error   string
}

func (s *Server) handleKiosksPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderKiosks(w, r, http.StatusOK, kiosksPage{view: s.view(r)})
}

func (s *Server) renderKiosks(w http.ResponseWriter, r *http.Request, status int, page kiosksPage) {
	ks, err := s.db.Kiosks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Kiosks = ks
	s.render(w, r, s.pages.office, "kiosks", status, page)
}

// handleAddKiosk registers a kiosk and shows its enrollment code, also as
// a QR code holding the whole start command's server and code.
func (s *Server) handleAddKiosk(w http.ResponseWriter, r *http.Request, sess *session) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len([]rune(name)) > 200 {
		s.renderKiosks(w, r, http.StatusUnprocessableEntity, kiosksPage{view: s.view(r), Name: name, Error: s.t(r).T("office.kiosks.name_required")})
		return
	}
	k, err := s.createKiosk(r, name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	server := s.publicBase(r)
	png, err := qrcode.Encode("sbor-enroll:"+server+"#"+k.Code, qrcode.Medium, 256)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderKiosks(w, r, http.StatusCreated, kiosksPage{view: s.view(r), Created: &createdKiosk{Name: name, Code: k.Code,
		Server: server, Expires: k.Expires, QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)}})
}

func (s *Server) handleRevokeKioskPage(w http.ResponseWriter, r *http.Request, sess *session) {
	if err := s.revokeKiosk(r, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/office/kiosks", http.StatusSeeOther)
}
