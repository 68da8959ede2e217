package web

import (
	"log/slog"
	"net/http"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

type auditPage struct {
	view
	Entries     []sqlite.AuditEntry
	ChainOK     bool
	ChainStatus string
}

// handleAudit shows the newest audit entries and whether the chain holds.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, sess *session) {
	entries, err := s.db.AuditLog(r.Context(), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := auditPage{view: s.view(r), Entries: entries, ChainOK: true, ChainStatus: s.t(r).T("office.audit.chain_ok")}
	if _, err := s.db.VerifyAudit(r.Context()); err != nil {
		page.ChainOK, page.ChainStatus = false, s.t(r).T("office.audit.chain_broken")
	}
	s.render(w, r, s.pages.office, "audit", http.StatusOK, page)
}

// audit records an access or an action; a failure to record is logged
// loudly but does not undo what was done.
func (s *Server) audit(r *http.Request, who, action, object, detail string) {
	if err := s.db.Audit(r.Context(), sqlite.AuditEntry{Actor: who, Action: action, Object: object, Detail: detail}); err != nil {
		slog.Error("audit entry not written", "action", action, "object", object, "err", err)
	}
}
