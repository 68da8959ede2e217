package web

import (
	"errors"
	"mime"
	"net/http"
	"strconv"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/catalog"
)

func (s *Server) handleGetCatalog(w http.ResponseWriter, r *http.Request) {
	c := s.hub.Catalog()
	if c == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	api.WriteJSON(w, http.StatusOK, c)
}

// handlePutCatalog puts a new catalogue in force and pushes it to kiosks.
// A bad one is refused whole, naming the field.
func (s *Server) handlePutCatalog(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.fail(w, r, &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMediaType})
		return
	}
	c, err := catalog.Parse(http.MaxBytesReader(w, r.Body, catalog.MaxSize))
	var fe *catalog.FieldError
	if errors.As(err, &fe) {
		api.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"error": "invalid_catalog", "message": fe.Error(), "field": fe.Field,
		})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stored, err := s.db.PutCatalog(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.hub.SetCatalog(stored); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, actor(r), "catalog.put", "catalog", "version "+strconv.Itoa(stored.Version))
	s.live.kickAll()
	api.WriteJSON(w, http.StatusOK, map[string]any{"version": stored.Version})
}
