package station

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/consent"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/survey"
)

// Errors of meetings and surveys the web layer maps to API codes.
var (
	ErrNoMeeting         = errors.New("station: no such meeting")
	ErrNoSurvey          = errors.New("station: no such survey")
	ErrAlreadyRegistered = sqlite.ErrAlreadyRegistered
	ErrAlreadyAnswered   = sqlite.ErrAlreadyAnswered
	// ErrVotesOverAll comes wrapped in an *InvalidError naming "votes".
	ErrVotesOverAll = meeting.ErrVotesOverAll
)

// Problem codes of meetings and surveys, beside signature's (required,
// bad_date, name_*, birth_*, too_young, not_resident, no_consent) and
// survey's (answer_*).
const (
	MeetingKind      signature.Code = "meeting_kind"       // not gathering, assembly or conference
	MeetingRule      signature.Code = "meeting_rule"       // unknown decision rule
	UnknownTerritory signature.Code = "unknown_territory"  // not in the catalogue
	AgendaEmpty      signature.Code = "agenda_empty"       // no project on the agenda
	AgendaUnknown    signature.Code = "agenda_item"        // unknown or repeated project
	MeetingInvalid   signature.Code = "meeting_invalid"    // refused by meeting.Validate
	TooLong          signature.Code = "too_long"           // text over MaxPlaceRunes
	Negative         signature.Code = "negative"           // a negative count
	VotesOverPresent signature.Code = "votes_over_present" // more votes than people registered
	NotOnAgenda      signature.Code = "not_on_agenda"      // a vote on a project the meeting did not discuss
	MeetingVoteMode  signature.Code = "meeting_vote_mode"  // neither counts nor ballots
	VoteByBallots    signature.Code = "vote_by_ballots"    // counts refused: residents vote by ballots
	VoteByCounts     signature.Code = "vote_by_counts"     // a ballot refused: the secretary records counts
	ChoiceUnknown    signature.Code = "choice_unknown"     // not for, against or abstain
)

// MaxPlaceRunes bounds a meeting's place.
const MaxPlaceRunes = 300

// Person is who registers at a meeting or answers a survey: checked as a
// signature's signer is (name, birth date and age, residence, consent),
// with no drawn signature.
type Person struct {
	FullName  string `json:"full_name"`
	BirthDate string `json:"birth_date"`
	Resident  bool   `json:"resident"`
	Consent   bool   `json:"consent"`
}

// check returns the parsed birth date and every problem, as
// signature.Form.Validate does for the same fields.
func (p Person) check(r signature.Rules, today calendar.Date) (calendar.Date, signature.Problems) {
	problems := signature.Problems{}
	if code := signature.CheckName(p.FullName); code != "" {
		problems["full_name"] = code
	}
	birth, code := signature.CheckBirth(p.BirthDate, r, today)
	if code != "" {
		problems["birth_date"] = code
	}
	if !p.Resident {
		problems["resident"] = signature.NotResident
	}
	if !p.Consent {
		problems["consent"] = signature.NoConsent
	}
	return birth, problems
}

// ageRules are the age limits for taking part about projects: the
// strictest of theirs (defaults when none is known).
func ageRules(c *catalog.Catalog, projectIDs []string) signature.Rules {
	r := signature.Rules{MinAge: signature.DefaultMinAge, MaxAge: signature.DefaultMaxAge}
	first := true
	for _, id := range projectIDs {
		p := c.Project(id)
		if p == nil {
			continue
		}
		if first {
			r.MinAge, r.MaxAge, first = p.MinAge, p.MaxAge, false
			continue
		}
		r.MinAge, r.MaxAge = max(r.MinAge, p.MinAge), min(r.MaxAge, p.MaxAge)
	}
	return r
}

// ---- meetings ---------------------------------------------------------------

// MeetingView is a meeting as the kiosk lists it.
type MeetingView struct {
	meeting.Meeting
	// FromCatalog: the office called it; false: an operator, here.
	FromCatalog bool     `json:"from_catalog"`
	Territory   string   `json:"territory"`
	Residents   int      `json:"residents"`
	AgendaNames []string `json:"agenda_names"`
}

// MeetingStatus is a meeting as it stands at this kiosk.
type MeetingStatus struct {
	MeetingView
	Present int `json:"present"`
	// SharePercent is present ÷ residents of the territory, in percent,
	// rounded down to tenths.
	SharePercent float64      `json:"share_percent"`
	Items        []AgendaItem `json:"items"`
}

// AgendaItem is one project on the agenda with the vote in force.
type AgendaItem struct {
	ProjectID string        `json:"project_id"`
	Project   string        `json:"project"`
	Vote      *meeting.Vote `json:"vote"`      // null until a vote is recorded
	Supported *bool         `json:"supported"` // the decision by the meeting's rule; null until voted
}

// MeetingForm is what an operator fills in to call a meeting.
type MeetingForm struct {
	Kind        string   `json:"kind"`
	Date        string   `json:"date"`
	Place       string   `json:"place"`
	TerritoryID string   `json:"territory_id"`
	Agenda      []string `json:"agenda"`
	Chair       string   `json:"chair"`
	Secretary   string   `json:"secretary"`
	Rule        string   `json:"rule"`
	VoteMode    string   `json:"vote_mode"` // meeting.VoteCounts (default) or meeting.VoteBallots
}

// VoteForm is the count on one agenda item.
type VoteForm struct {
	ProjectID string `json:"project_id"`
	For       int    `json:"for"`
	Against   int    `json:"against"`
	Abstained int    `json:"abstained"`
}

// Meetings lists the meetings residents may register at: the catalogue's,
// then those called here, oldest first.
func (s *Station) Meetings(ctx context.Context) ([]MeetingView, error) {
	c := s.Catalog()
	if c == nil {
		return []MeetingView{}, nil
	}
	local, err := s.db.Meetings(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MeetingView, 0, len(c.Meetings)+len(local))
	for _, m := range c.Meetings {
		out = append(out, view(c, m, true))
	}
	for _, m := range local {
		if c.Meeting(m.ID) == nil {
			out = append(out, view(c, m, false))
		}
	}
	return out, nil
}

func view(c *catalog.Catalog, m meeting.Meeting, fromCatalog bool) MeetingView {
	v := MeetingView{Meeting: m, FromCatalog: fromCatalog, AgendaNames: []string{}}
	if v.Rule == "" {
		v.Rule = meeting.MajorityPresent
	}
	if v.VoteMode == "" {
		v.VoteMode = meeting.VoteCounts
	}
	if t := c.Territory(m.TerritoryID); t != nil {
		v.Territory, v.Residents = t.Name, t.Residents
	}
	for _, id := range m.Agenda {
		name := id
		if p := c.Project(id); p != nil {
			name = p.Name
		}
		v.AgendaNames = append(v.AgendaNames, name)
	}
	return v
}

// findMeeting returns the meeting with id: the catalogue's, else one called here.
// meetingToWrite finds a meeting to record something at: there must be a
// catalogue, the meeting, and a clock to date the record by.
func (s *Station) meetingToWrite(ctx context.Context, id string) (*catalog.Catalog, MeetingView, error) {
	c := s.Catalog()
	if c == nil {
		return nil, MeetingView{}, ErrNoCatalog
	}
	m, err := s.findMeeting(ctx, c, id)
	if err != nil {
		return nil, MeetingView{}, err
	}
	if !s.clock.Trusted() {
		return nil, MeetingView{}, ErrClockUntrusted
	}
	return c, m, nil
}

func (s *Station) findMeeting(ctx context.Context, c *catalog.Catalog, id string) (MeetingView, error) {
	if m := c.Meeting(id); m != nil {
		return view(c, *m, true), nil
	}
	local, err := s.db.Meetings(ctx)
	if err != nil {
		return MeetingView{}, err
	}
	for _, m := range local {
		if m.ID == id {
			return view(c, m, false), nil
		}
	}
	return MeetingView{}, ErrNoMeeting
}

// CreateMeeting calls a meeting under the operator's shift, offline as
// well: it gets a random id, is checked field by field and then by
// meeting.Validate against the catalogue, and goes to the server as a
// record like any other.
func (s *Station) CreateMeeting(ctx context.Context, shift Shift, f MeetingForm) (MeetingView, error) {
	c := s.Catalog()
	if c == nil {
		return MeetingView{}, ErrNoCatalog
	}
	if !s.clock.Trusted() {
		return MeetingView{}, ErrClockUntrusted
	}
	problems := signature.Problems{}
	switch f.Kind {
	case meeting.KindGathering, meeting.KindAssembly, meeting.KindConference:
	case "":
		problems["kind"] = signature.Required
	default:
		problems["kind"] = MeetingKind
	}
	var date calendar.Date
	switch d, err := calendar.Parse(f.Date); {
	case f.Date == "":
		problems["date"] = signature.Required
	case err != nil:
		problems["date"] = signature.BadDate
	default:
		date = d
	}
	place := strings.Join(strings.Fields(f.Place), " ")
	switch {
	case place == "":
		problems["place"] = signature.Required
	case utf8.RuneCountInString(place) > MaxPlaceRunes:
		problems["place"] = TooLong
	}
	switch {
	case f.TerritoryID == "":
		problems["territory_id"] = signature.Required
	case c.Territory(f.TerritoryID) == nil:
		problems["territory_id"] = UnknownTerritory
	}
	seen := map[string]bool{}
	for _, id := range f.Agenda {
		if c.Project(id) == nil || seen[id] {
			problems["agenda"] = AgendaUnknown
		}
		seen[id] = true
	}
	if len(f.Agenda) == 0 {
		problems["agenda"] = AgendaEmpty
	}
	if code := signature.CheckName(f.Chair); code != "" {
		problems["chair"] = code
	}
	if code := signature.CheckName(f.Secretary); code != "" {
		problems["secretary"] = code
	}
	if f.Rule != "" && f.Rule != meeting.MajorityPresent && f.Rule != meeting.MajorityVoting {
		problems["rule"] = MeetingRule
	}
	if f.VoteMode != "" && f.VoteMode != meeting.VoteCounts && f.VoteMode != meeting.VoteBallots {
		problems["vote_mode"] = MeetingVoteMode
	}
	if len(problems) > 0 {
		return MeetingView{}, &InvalidError{Problems: problems}
	}
	m := meeting.Meeting{ID: newMeetingID(), Kind: f.Kind, Date: date, Place: place, TerritoryID: f.TerritoryID,
		Agenda: f.Agenda, Chair: citizen.Clean(f.Chair), Secretary: citizen.Clean(f.Secretary), Rule: f.Rule,
		VoteMode: f.VoteMode}
	hasTerritory := func(id string) bool { return c.Territory(id) != nil }
	hasProject := func(id string) bool { return c.Project(id) != nil }
	if err := m.Validate(hasTerritory, hasProject); err != nil {
		return MeetingView{}, &InvalidError{Problems: signature.Problems{"meeting": MeetingInvalid}, Err: err}
	}
	now, _ := s.clock.Now()
	if _, err := s.db.AddMeeting(ctx, m, shift.CollectorID, now); err != nil {
		return MeetingView{}, err
	}
	s.notify()
	return view(c, m, false), nil
}

// MeetingStatus tells who is registered at a meeting here, their share of
// the territory's residents, and the vote in force and the decision on
// each agenda item.
func (s *Station) MeetingStatus(ctx context.Context, id string) (MeetingStatus, error) {
	c := s.Catalog()
	if c == nil {
		return MeetingStatus{}, ErrNoCatalog
	}
	m, err := s.findMeeting(ctx, c, id)
	if err != nil {
		return MeetingStatus{}, err
	}
	return s.status(ctx, m)
}

func (s *Station) status(ctx context.Context, m MeetingView) (MeetingStatus, error) {
	tally, err := s.db.Tally(ctx, m.ID)
	if err != nil {
		return MeetingStatus{}, err
	}
	if m.Ballots() {
		// Residents voted one by one: the votes are counted from their
		// ballots, the latest of each person on each item.
		ballots, err := s.db.Ballots(ctx, m.ID)
		if err != nil {
			return MeetingStatus{}, err
		}
		tally.Votes = meeting.TallyBallots(m.ID, ballots)
	}
	st := MeetingStatus{MeetingView: m, Present: tally.Present, Items: []AgendaItem{}}
	if m.Residents > 0 {
		st.SharePercent = float64(tally.Present*1000/m.Residents) / 10
	}
	for i, p := range m.Agenda {
		item := AgendaItem{ProjectID: p, Project: m.AgendaNames[i]}
		if v, ok := tally.Votes[p]; ok {
			supported := meeting.Supported(m.Rule, v, tally.Present)
			item.Vote, item.Supported = &v, &supported
		}
		st.Items = append(st.Items, item)
	}
	return st, nil
}

// Register records a resident at a meeting once: the same normalization
// and identity key as a signature, the same name, birth-date and age
// checks (the strictest minimum age of the agenda's projects), residence
// and consent required. A second registration of the same citizen is
// ErrAlreadyRegistered.
func (s *Station) Register(ctx context.Context, shift Shift, meetingID string, p Person) (MeetingStatus, error) {
	c, m, err := s.meetingToWrite(ctx, meetingID)
	if err != nil {
		return MeetingStatus{}, err
	}
	birth, problems := p.check(ageRules(c, m.Agenda), s.clock.Today())
	if len(problems) > 0 {
		return MeetingStatus{}, &InvalidError{Problems: problems}
	}
	now, _ := s.clock.Now()
	a := meeting.Attendance{MeetingID: m.ID, IdentityKey: citizen.IdentityKey(p.FullName, birth),
		FullName: citizen.Clean(p.FullName), BirthDate: birth, RegisteredAt: now.Truncate(time.Second),
		ConsentVersion: consent.Version}
	sl, _, err := s.sealing(ctx, meetingScope, m.ID, a.IdentityKey)
	if err != nil {
		return MeetingStatus{}, err
	}
	if _, err := s.db.AddAttendance(ctx, a, shift.CollectorID, sl); err != nil {
		return MeetingStatus{}, err
	}
	s.notify()
	return s.status(ctx, m)
}

// RecordVote records the count on one agenda item; a later count on the
// same item replaces it. A project not on the agenda, a negative count or
// more votes than residents registered here is refused, naming the field.
func (s *Station) RecordVote(ctx context.Context, shift Shift, meetingID string, f VoteForm) (MeetingStatus, error) {
	_, m, err := s.meetingToWrite(ctx, meetingID)
	if err != nil {
		return MeetingStatus{}, err
	}
	if m.Ballots() {
		return MeetingStatus{}, &InvalidError{Problems: signature.Problems{"votes": VoteByBallots}}
	}
	problems := signature.Problems{}
	onAgenda := false
	for _, p := range m.Agenda {
		onAgenda = onAgenda || p == f.ProjectID
	}
	if !onAgenda {
		problems["project_id"] = NotOnAgenda
	}
	for field, n := range map[string]int{"for": f.For, "against": f.Against, "abstained": f.Abstained} {
		if n < 0 {
			problems[field] = Negative
		}
	}
	if len(problems) > 0 {
		return MeetingStatus{}, &InvalidError{Problems: problems}
	}
	now, _ := s.clock.Now()
	v := meeting.Vote{MeetingID: m.ID, ProjectID: f.ProjectID, For: f.For, Against: f.Against, Abstained: f.Abstained,
		RecordedAt: now.Truncate(time.Second)}
	err = s.db.AddVote(ctx, v, shift.CollectorID)
	if errors.Is(err, meeting.ErrVotesOverAll) {
		return MeetingStatus{}, &InvalidError{Problems: signature.Problems{"votes": VotesOverPresent}, Err: err}
	}
	if err != nil {
		return MeetingStatus{}, err
	}
	s.notify()
	return s.status(ctx, m)
}

// ---- surveys ----------------------------------------------------------------

// SurveyView is a survey as the kiosk offers it.
type SurveyView struct {
	survey.Survey
	// Territories names where the survey's projects are, for the
	// residence tick.
	Territories []string `json:"territories"`
	// Answers counts the answers held here.
	Answers int `json:"answers"`
}

// AnswerForm is a resident's answers with who they are.
type AnswerForm struct {
	Person
	Replies map[string]survey.Reply `json:"replies"`
}

// AnswerReceipt is what the resident is told once the answers are stored.
type AnswerReceipt struct {
	ID      uint64 `json:"id"`
	Answers int    `json:"answers"`
}

// Surveys lists the catalogue's surveys.
func (s *Station) Surveys(ctx context.Context) ([]SurveyView, error) {
	c := s.Catalog()
	if c == nil {
		return []SurveyView{}, nil
	}
	counts, err := s.db.SurveyAnswerCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SurveyView, 0, len(c.Surveys))
	for _, sv := range c.Surveys {
		v := SurveyView{Survey: sv, Territories: []string{}, Answers: counts[sv.ID]}
		seen := map[string]bool{}
		for _, pid := range sv.ProjectIDs {
			if p := c.Project(pid); p != nil {
				if t := c.Territory(p.TerritoryID); t != nil && !seen[t.ID] {
					seen[t.ID] = true
					v.Territories = append(v.Territories, t.Name)
				}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Answer stores a resident's answers to a survey, once per citizen. Who
// they are is checked as for a meeting; the replies by survey.Check, each
// refused question named by its id. A second answer of the same citizen
// is ErrAlreadyAnswered.
func (s *Station) Answer(ctx context.Context, shift Shift, surveyID string, f AnswerForm) (AnswerReceipt, error) {
	c := s.Catalog()
	if c == nil {
		return AnswerReceipt{}, ErrNoCatalog
	}
	sv := c.Survey(surveyID)
	if sv == nil {
		return AnswerReceipt{}, ErrNoSurvey
	}
	if !s.clock.Trusted() {
		return AnswerReceipt{}, ErrClockUntrusted
	}
	replies := map[string]survey.Reply{}
	for id, r := range f.Replies {
		r.Text = strings.TrimSpace(r.Text)
		if len(r.Choices) == 0 && r.Text == "" {
			continue // not answered: the same to survey.Check, and nothing to store
		}
		replies[id] = r
	}
	birth, problems := f.check(ageRules(c, sv.ProjectIDs), s.clock.Today())
	for q, code := range sv.Check(replies) {
		problems[q] = signature.Code(code)
	}
	if len(problems) > 0 {
		return AnswerReceipt{}, &InvalidError{Problems: problems}
	}
	now, _ := s.clock.Now()
	a := survey.Answer{SurveyID: sv.ID, IdentityKey: citizen.IdentityKey(f.FullName, birth),
		FullName: citizen.Clean(f.FullName), BirthDate: birth, Replies: replies,
		AnsweredAt: now.Truncate(time.Second), ConsentVersion: consent.Version}
	sl, _, err := s.sealing(ctx, surveyScope, sv.ID, a.IdentityKey)
	if err != nil {
		return AnswerReceipt{}, err
	}
	seq, count, err := s.db.AddSurveyAnswer(ctx, a, shift.CollectorID, sl)
	if err != nil {
		return AnswerReceipt{}, err
	}
	s.notify()
	return AnswerReceipt{ID: seq, Answers: count}, nil
}

// notify nudges the uplink to send the new record.
func (s *Station) notify() {
	if r := s.remote.Load(); r != nil {
		(*r).Notify()
	}
}

// newMeetingID returns an id no other kiosk will make: 80 random bits.
func newMeetingID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return fmt.Sprintf("k-%s", strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])))
}
