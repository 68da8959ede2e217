package web

import (
	"net/http"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/threshold"
)

type kioskProgress struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	LastSeen *time.Time `json:"last_seen"`
	AckedSeq uint64     `json:"acked_seq"`
	Pending  int        `json:"pending"`
}

// handleProgress reports a project's counted signatures toward its
// threshold, and each kiosk's contact and unsent records, so an offline
// kiosk does not make progress look smaller than it is. No personal data.
func (s *Server) handleProgress(w http.ResponseWriter, r *http.Request) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	if c == nil || c.Project(id) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return
	}
	p := c.Project(id)
	tally, err := s.db.Tally(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ks, err := s.db.Kiosks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kiosks := make([]kioskProgress, 0, len(ks))
	for _, k := range ks {
		if k.RevokedAt != nil || k.EnrolledAt == nil {
			continue
		}
		kiosks = append(kiosks, kioskProgress{ID: k.ID, Name: k.Name, LastSeen: k.LastSeen, AckedSeq: k.AckedSeq, Pending: k.Pending})
	}
	prog := threshold.Of(tally.Counted, c.Territory(p.TerritoryID).Residents, p.ThresholdPercent)
	api.WriteJSON(w, http.StatusOK, map[string]any{
		"signatures": prog.Signatures, "duplicates": tally.Duplicates, "required": prog.Required,
		"residents": prog.Residents, "percent": prog.Percent, "reached": prog.Reached, "kiosks": kiosks,
	})
}

func (s *Server) handleDuplicates(w http.ResponseWriter, r *http.Request) {
	dups, err := s.db.Duplicates(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, dups)
}
