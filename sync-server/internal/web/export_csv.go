package web

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// handleSignaturesCSV exports a project's signatures for office admins:
// UTF-8 with a BOM so Excel shows Cyrillic, "," or (?sep=semicolon) ";"
// as Russian Excel expects. Every export is audited.
func (s *Server) handleSignaturesCSV(w http.ResponseWriter, r *http.Request) {
	_, p, ok := s.projectFor(w, r)
	if !ok {
		return
	}
	if sess := currentSession(r); sess != nil && !sess.User.CanExportPersonalData() {
		s.forbidden(w, r)
		return
	}
	s.audit(r, actor(r), "export.csv", "project:"+p.ID, r.URL.RawQuery)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="signatures-`+p.ID+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("\uFEFF"))
	out := csv.NewWriter(w)
	if r.URL.Query().Get("sep") == "semicolon" {
		out.Comma = ';'
	}
	t := s.t(r)
	out.Write([]string{t.T("csv.id"), t.T("csv.full_name"), t.T("csv.birth_date"), t.T("csv.signed_at"), t.T("csv.kiosk"),
		t.T("csv.collector"), t.T("csv.sheet"), t.T("csv.row"), t.T("csv.counted"), t.T("csv.duplicate_of")})
	yes, no := t.T("csv.yes"), t.T("csv.no")
	err := s.db.EachSignature(r.Context(), p.ID, func(row sqlite.SignatureRow) error {
		counted, dup := no, ""
		if row.Counted {
			counted = yes
		}
		if row.DuplicateOf != 0 {
			dup = strconv.FormatInt(row.DuplicateOf, 10)
		}
		return out.Write([]string{strconv.FormatInt(row.ID, 10), row.FullName, row.BirthDate,
			row.SignedAt.In(s.cfg.Location).Format("02.01.2006 15:04"), row.KioskID, row.CollectorID,
			strconv.Itoa(row.Sheet), strconv.Itoa(row.Row), counted, dup})
	})
	out.Flush()
	if err == nil {
		err = out.Error()
	}
	if err != nil {
		// Headers are gone; the truncated file ends here and the log says why.
		s.logFailure(r, err)
	}
}
