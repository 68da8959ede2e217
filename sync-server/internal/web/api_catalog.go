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
	var stored *catalog.Catalog
	if err == nil {
		// The store refuses some as well: one naming another office key.
		stored, err = s.storeCatalog(r, c)
	}
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
	api.WriteJSON(w, http.StatusOK, map[string]any{"version": stored.Version})
}

// storeCatalog puts a valid catalogue in force: projects without a page
// get this server's public page (where kiosks' QR codes then lead), the
// store numbers the version, kiosks get it pushed, open pages update.
func (s *Server) storeCatalog(r *http.Request, c *catalog.Catalog) (*catalog.Catalog, error) {
	for i := range c.Projects {
		if c.Projects[i].PageURL == "" {
			c.Projects[i].PageURL = s.publicBase(r) + "/p/" + c.Projects[i].ID
		}
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	stored, err := s.db.PutCatalog(r.Context(), c)
	if err != nil {
		return nil, err
	}
	if err := s.db.SyncCatalogLinks(r.Context(), stored); err != nil {
		return nil, err
	}
	if err := s.hub.SetCatalog(stored); err != nil {
		return nil, err
	}
	s.audit(r, actor(r), "catalog.put", "catalog", "version "+strconv.Itoa(stored.Version))
	s.live.kickAll()
	return stored, nil
}
