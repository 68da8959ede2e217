package web

import (
	"context"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/threshold"
)

// PublicProgress is what anyone may see of a project: counts only.
type PublicProgress struct {
	ProjectID  string `json:"project_id"`
	Signatures int    `json:"signatures"`
	Required   int    `json:"required"`
	Residents  int    `json:"residents"`
	Percent    int    `json:"percent"`
	Reached    bool   `json:"reached"`
}

// KioskProgress is one kiosk's part in a project's collection.
type KioskProgress struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	LastSeen *time.Time `json:"last_seen"`
	AckedSeq uint64     `json:"acked_seq"`
	Pending  int        `json:"pending"`
	Counted  int        `json:"counted"`
	Online   bool       `json:"online"`
}

// Progress is the full picture the office and the initiative group see.
type Progress struct {
	PublicProgress
	Duplicates int             `json:"duplicates"`
	Pending    int             `json:"pending"`
	Kiosks     []KioskProgress `json:"kiosks"`
	Days       []threshold.Day `json:"days"`
	Projected  string          `json:"projected"` // YYYY-MM-DD, "" when the pace tells nothing
}

// publicProgress computes a project's counted total toward its threshold.
func (s *Server) publicProgress(ctx context.Context, c *catalog.Catalog, p *catalog.Project) (PublicProgress, int, error) {
	tally, err := s.db.Tally(ctx, p.ID)
	if err != nil {
		return PublicProgress{}, 0, err
	}
	prog := threshold.Of(tally.Counted, c.Territory(p.TerritoryID).Residents, p.ThresholdPercent)
	return PublicProgress{ProjectID: p.ID, Signatures: prog.Signatures, Required: prog.Required,
		Residents: prog.Residents, Percent: prog.Percent, Reached: prog.Reached}, tally.Duplicates, nil
}

// progress computes the full progress of a project.
func (s *Server) progress(ctx context.Context, c *catalog.Catalog, p *catalog.Project) (Progress, error) {
	pub, dups, err := s.publicProgress(ctx, c, p)
	if err != nil {
		return Progress{}, err
	}
	out := Progress{PublicProgress: pub, Duplicates: dups, Kiosks: []KioskProgress{}}
	ks, err := s.db.Kiosks(ctx)
	if err != nil {
		return Progress{}, err
	}
	counts, err := s.db.KioskCounts(ctx, p.ID)
	if err != nil {
		return Progress{}, err
	}
	for _, k := range ks {
		if k.RevokedAt != nil || k.EnrolledAt == nil {
			continue
		}
		out.Kiosks = append(out.Kiosks, KioskProgress{ID: k.ID, Name: k.Name, LastSeen: k.LastSeen, AckedSeq: k.AckedSeq,
			Pending: k.Pending, Counted: counts[k.ID], Online: s.hub.Connected(k.ID) > 0})
		out.Pending += k.Pending
	}
	if out.Days, err = s.db.DailyCounts(ctx, p.ID); err != nil {
		return Progress{}, err
	}
	today := calendar.In(time.Now(), s.cfg.Location)
	prog := threshold.Progress{Signatures: pub.Signatures, Required: pub.Required, Residents: pub.Residents, Percent: pub.Percent, Reached: pub.Reached}
	if d, ok := threshold.Projected(prog, out.Days, today); ok {
		out.Projected = d.String()
	}
	return out, nil
}
