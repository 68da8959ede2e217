package station

import (
	"context"
	"slices"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/signature"
)

// ErrNotRegistered: a ballot from someone not registered at the meeting
// on this kiosk.
var ErrNotRegistered = sqlite.ErrNotRegistered

// BallotForm is a registered resident's vote on one agenda item: who they
// are (as they registered) and their choice.
type BallotForm struct {
	ProjectID string `json:"project_id"`
	FullName  string `json:"full_name"`
	BirthDate string `json:"birth_date"`
	Choice    string `json:"choice"` // for, against or abstain
}

// CastBallot records a resident's vote on one agenda item of a meeting
// whose residents vote one by one (vote mode ballots). Only a resident
// registered at the meeting on this kiosk may vote (ErrNotRegistered);
// a later ballot of the same resident on the same item replaces the
// earlier one in the count, and every ballot stays in the log.
func (s *Station) CastBallot(ctx context.Context, shift Shift, meetingID string, f BallotForm) (MeetingStatus, error) {
	_, m, err := s.meetingToWrite(ctx, meetingID)
	if err != nil {
		return MeetingStatus{}, err
	}
	if !m.Ballots() {
		return MeetingStatus{}, &InvalidError{Problems: signature.Problems{"choice": VoteByCounts}}
	}
	problems := signature.Problems{}
	if !slices.Contains(m.Agenda, f.ProjectID) {
		problems["project_id"] = NotOnAgenda
	}
	if !meeting.ValidChoice(f.Choice) {
		problems["choice"] = ChoiceUnknown
	}
	if code := signature.CheckName(f.FullName); code != "" {
		problems["full_name"] = code
	}
	var birth calendar.Date
	switch d, err := calendar.Parse(f.BirthDate); {
	case f.BirthDate == "":
		problems["birth_date"] = signature.Required
	case err != nil:
		problems["birth_date"] = signature.BadDate
	default:
		birth = d
	}
	if len(problems) > 0 {
		return MeetingStatus{}, &InvalidError{Problems: problems}
	}
	now, _ := s.clock.Now()
	b := meeting.Ballot{MeetingID: m.ID, ProjectID: f.ProjectID, IdentityKey: citizen.IdentityKey(f.FullName, birth),
		FullName: citizen.Clean(f.FullName), BirthDate: birth, Choice: f.Choice, CastAt: now.Truncate(time.Second)}
	sl, _, err := s.sealing(ctx, meetingScope, m.ID, b.IdentityKey)
	if err != nil {
		return MeetingStatus{}, err
	}
	if err := s.db.AddBallot(ctx, b, shift.CollectorID, sl); err != nil {
		return MeetingStatus{}, err
	}
	s.notify()
	return s.status(ctx, m)
}
