package web

import (
	"net/http"
	"strings"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/catalog"
)

type receiptView struct{ Class, Text string }

type publicProjectPage struct {
	view
	Project   *catalog.Project
	Territory *catalog.Territory
	Progress  PublicProgress
	Where     string
	Receipt   *receiptView
}

// handlePublicProject is the page every QR code leads to. It shows no
// personal data; with ?r= it tells what became of that receipt.
func (s *Server) handlePublicProject(w http.ResponseWriter, r *http.Request) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	if c == nil || c.Project(id) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	p := c.Project(id)
	prog, _, err := s.publicProgress(r.Context(), c, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := publicProjectPage{view: s.view(r), Project: p, Territory: c.Territory(p.TerritoryID), Progress: prog}
	if page.Where, err = s.whereToSign(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if code := r.URL.Query().Get("r"); code != "" {
		status, found, err := s.db.ReceiptStatus(r.Context(), p.ID, code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rv := &receiptView{Class: "pending", Text: s.t(r).T("public.receipt.pending")}
		if found {
			rv = &receiptView{Class: status, Text: s.t(r).T("public.receipt." + status)}
		}
		page.Receipt = rv
	}
	s.render(w, r, s.pages.public, "project", http.StatusOK, page)
}

// whereToSign names the enrolled kiosks: they stand where one can sign.
func (s *Server) whereToSign(r *http.Request) (string, error) {
	ks, err := s.db.Kiosks(r.Context())
	if err != nil {
		return "", err
	}
	var names []string
	for _, k := range ks {
		if k.RevokedAt == nil && k.EnrolledAt != nil {
			names = append(names, k.Name)
		}
	}
	return strings.Join(names, ", "), nil
}

func (s *Server) handlePublicSocket(w http.ResponseWriter, r *http.Request) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	if c == nil || c.Project(id) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	s.live.serve(w, r, id, false)
}
