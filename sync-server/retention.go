package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// purgeDue erases the personal data of every project whose selection
// ended more than retention ago, and of meetings and surveys that concern
// only such projects. Each purge is audited. The protocols and sheets
// already produced are files elsewhere and unaffected.
func purgeDue(ctx context.Context, db *sqlite.DB, c *catalog.Catalog, retention time.Duration, now time.Time, loc *time.Location, actor string) (int, error) {
	if c == nil {
		return 0, nil
	}
	done, err := db.Purged(ctx)
	if err != nil {
		return 0, err
	}
	today := calendar.In(now, loc)
	due := map[string]bool{}
	for _, p := range c.Projects {
		if p.SelectionEnd.IsZero() {
			continue // no end set: the purpose is not achieved yet
		}
		end := time.Date(p.SelectionEnd.Year, p.SelectionEnd.Month, p.SelectionEnd.Day, 0, 0, 0, 0, loc).Add(retention)
		if !calendar.In(end, loc).After(today) {
			due[p.ID] = true
		}
	}
	all := func(ids []string) bool {
		for _, id := range ids {
			if !due[id] {
				return false
			}
		}
		return len(ids) > 0
	}
	var meetings, surveys []string
	for _, m := range c.Meetings {
		if all(m.Agenda) {
			meetings = append(meetings, m.ID)
		}
	}
	kioskMeetings, err := db.KioskMeetings(ctx)
	if err != nil {
		return 0, err
	}
	for _, m := range kioskMeetings {
		if all(m.Agenda) {
			meetings = append(meetings, m.ID)
		}
	}
	for _, s := range c.Surveys {
		if all(s.ProjectIDs) {
			surveys = append(surveys, s.ID)
		}
	}
	purged := 0
	for id := range due {
		if done[id] {
			continue
		}
		n, err := db.PurgeProject(ctx, id, meetings, surveys)
		if err != nil {
			return purged, err
		}
		detail := fmt.Sprintf("signatures %d, attendance %d, survey answers %d, quarantined %d",
			n.Signatures, n.Attendance, n.Answers, n.Quarantined)
		if err := db.Audit(ctx, sqlite.AuditEntry{Actor: actor, Action: "retention.purge", Object: "project:" + id, Detail: detail}); err != nil {
			return purged, err
		}
		slog.Info("personal data erased after retention", "project", id, "detail", detail)
		purged++
	}
	return purged, nil
}

// retentionLoop purges on a schedule until ctx ends.
func (m *Main) retentionLoop(ctx context.Context, loc *time.Location) {
	tick := time.NewTicker(m.Config.RetentionEvery)
	defer tick.Stop()
	for {
		if _, err := purgeDue(ctx, m.DB, m.Hub.Catalog(), m.Config.Retention, time.Now(), loc, "schedule"); err != nil && ctx.Err() == nil {
			slog.Error("retention run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
