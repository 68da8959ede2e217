package meeting

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// Kinds of meeting (lines 254–258 of the Ipatovo decisions).
const (
	KindGathering  = "gathering"  // сход граждан
	KindAssembly   = "assembly"   // собрание граждан
	KindConference = "conference" // конференция граждан (собрание делегатов)
)

// Decision rules.
const (
	// MajorityPresent: more than half of those registered voted for.
	MajorityPresent = "majority_present"
	// MajorityVoting: more for than against among those who voted.
	MajorityVoting = "majority_voting"
)

// Vote modes: how the votes on agenda items are taken.
const (
	// VoteCounts: the secretary records the counts for each item.
	VoteCounts = "counts"
	// VoteBallots: each registered resident votes on a tablet, one
	// ballot per person and item (the latest one counts).
	VoteBallots = "ballots"
)

// Ballot choices.
const (
	ChoiceFor     = "for"
	ChoiceAgainst = "against"
	ChoiceAbstain = "abstain"
)

// Errors callers test.
var (
	ErrInvalid      = errors.New("meeting: invalid")
	ErrVotesOverAll = errors.New("meeting: more votes than people present")
)

// Meeting is called by the office (in the catalogue) or by a kiosk
// operator while offline (as a record in the log).
type Meeting struct {
	ID          string        `json:"id"`
	Kind        string        `json:"kind"`
	Date        calendar.Date `json:"date"`
	Place       string        `json:"place"`
	TerritoryID string        `json:"territory_id"`
	Agenda      []string      `json:"agenda"` // project ids, in order
	Chair       string        `json:"chair"`
	Secretary   string        `json:"secretary"`
	Rule        string        `json:"rule,omitempty"` // MajorityPresent unless set
	// VoteMode is VoteCounts unless set (older meetings have none).
	VoteMode string `json:"vote_mode,omitempty"`
}

// Ballots reports whether residents vote one by one at this meeting.
func (m *Meeting) Ballots() bool { return m.VoteMode == VoteBallots }

// Validate checks a meeting's fields; hasProject and hasTerritory look
// them up in the catalogue.
func (m *Meeting) Validate(hasTerritory, hasProject func(string) bool) error {
	if m.Rule == "" {
		m.Rule = MajorityPresent
	}
	switch {
	case strings.TrimSpace(m.ID) == "":
		return fmt.Errorf("%w: id is required", ErrInvalid)
	case m.Kind != KindGathering && m.Kind != KindAssembly && m.Kind != KindConference:
		return fmt.Errorf("%w: kind must be gathering, assembly or conference", ErrInvalid)
	case m.Date.IsZero():
		return fmt.Errorf("%w: date is required", ErrInvalid)
	case strings.TrimSpace(m.Place) == "":
		return fmt.Errorf("%w: place is required", ErrInvalid)
	case !hasTerritory(m.TerritoryID):
		return fmt.Errorf("%w: no territory %q", ErrInvalid, m.TerritoryID)
	case len(m.Agenda) == 0:
		return fmt.Errorf("%w: the agenda is empty", ErrInvalid)
	case citizen.ValidateName(m.Chair) != nil:
		return fmt.Errorf("%w: chair needs a surname and a name", ErrInvalid)
	case citizen.ValidateName(m.Secretary) != nil:
		return fmt.Errorf("%w: secretary needs a surname and a name", ErrInvalid)
	case m.Rule != MajorityPresent && m.Rule != MajorityVoting:
		return fmt.Errorf("%w: unknown decision rule %q", ErrInvalid, m.Rule)
	case m.VoteMode != "" && m.VoteMode != VoteCounts && m.VoteMode != VoteBallots:
		return fmt.Errorf("%w: unknown vote mode %q", ErrInvalid, m.VoteMode)
	}
	seen := map[string]bool{}
	for _, p := range m.Agenda {
		if !hasProject(p) || seen[p] {
			return fmt.Errorf("%w: agenda item %q is unknown or repeated", ErrInvalid, p)
		}
		seen[p] = true
	}
	return nil
}

// Attendance is a resident registered at a meeting, identified as for
// signatures, so one citizen counts once per meeting.
type Attendance struct {
	MeetingID      string        `json:"meeting_id"`
	IdentityKey    citizen.Key   `json:"identity_key"`
	FullName       string        `json:"full_name"`
	BirthDate      calendar.Date `json:"birth_date"`
	RegisteredAt   time.Time     `json:"registered_at"`
	ConsentVersion string        `json:"consent_version"`
}

// Vote is the result on one agenda item, as the secretary recorded it.
// A later vote record for the same item replaces an earlier one (a
// correction).
type Vote struct {
	MeetingID  string    `json:"meeting_id"`
	ProjectID  string    `json:"project_id"`
	For        int       `json:"for"`
	Against    int       `json:"against"`
	Abstained  int       `json:"abstained"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Ballot is one registered resident's vote on one agenda item, cast on a
// tablet at a meeting whose VoteMode is VoteBallots. A later ballot of
// the same person on the same item replaces the earlier one.
type Ballot struct {
	MeetingID   string        `json:"meeting_id"`
	ProjectID   string        `json:"project_id"`
	IdentityKey citizen.Key   `json:"identity_key"`
	FullName    string        `json:"full_name"`
	BirthDate   calendar.Date `json:"birth_date"`
	Choice      string        `json:"choice"` // ChoiceFor, ChoiceAgainst or ChoiceAbstain
	CastAt      time.Time     `json:"cast_at"`
}

// ValidChoice reports whether c is one of the ballot choices.
func ValidChoice(c string) bool {
	return c == ChoiceFor || c == ChoiceAgainst || c == ChoiceAbstain
}

// TallyBallots counts ballots into a Vote per agenda item: the latest
// ballot (by CastAt; on a tie, the later in the slice) of each person on
// each item counts, and only if its choice is valid. Ballots of other
// meetings are ignored. RecordedAt is the time of the latest counted
// ballot on the item.
func TallyBallots(meetingID string, ballots []Ballot) map[string]Vote {
	type voter struct {
		project string
		key     citizen.Key
	}
	latest := map[voter]Ballot{}
	for _, b := range ballots {
		if b.MeetingID != meetingID || !ValidChoice(b.Choice) {
			continue
		}
		k := voter{b.ProjectID, b.IdentityKey}
		if prev, ok := latest[k]; ok && b.CastAt.Before(prev.CastAt) {
			continue
		}
		latest[k] = b
	}
	out := map[string]Vote{}
	for k, b := range latest {
		v, ok := out[k.project]
		if !ok {
			v = Vote{MeetingID: meetingID, ProjectID: k.project}
		}
		switch b.Choice {
		case ChoiceFor:
			v.For++
		case ChoiceAgainst:
			v.Against++
		case ChoiceAbstain:
			v.Abstained++
		}
		if b.CastAt.After(v.RecordedAt) {
			v.RecordedAt = b.CastAt
		}
		out[k.project] = v
	}
	return out
}

// Check refuses counts that cannot be: negative, or more votes than people
// present.
func (v Vote) Check(present int) error {
	if v.For < 0 || v.Against < 0 || v.Abstained < 0 {
		return fmt.Errorf("%w: negative count", ErrInvalid)
	}
	if v.For+v.Against+v.Abstained > present {
		return fmt.Errorf("%w: %d votes, %d present", ErrVotesOverAll, v.For+v.Against+v.Abstained, present)
	}
	return nil
}

// Supported reports the decision on an agenda item under the meeting's
// rule: by default more than half of those present voted for.
func Supported(rule string, v Vote, present int) bool {
	switch rule {
	case MajorityVoting:
		return v.For > v.Against
	default:
		return 2*v.For > present
	}
}
