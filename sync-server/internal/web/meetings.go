package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/document"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/survey"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// findMeeting looks a meeting up in the catalogue, then among those called
// at kiosks, and checks the user may see one of its agenda's projects.
func (s *Server) findMeeting(w http.ResponseWriter, r *http.Request) (*catalog.Catalog, *meeting.Meeting, sqlite.MeetingTally, bool) {
	c := s.hub.Catalog()
	id := r.PathValue("id")
	fromKiosk, tally, err := s.db.MeetingTally(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, tally, false
	}
	m := fromKiosk
	if c != nil && c.Meeting(id) != nil {
		m = c.Meeting(id)
	}
	if c == nil || m == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return nil, nil, tally, false
	}
	if m.Ballots() && (fromKiosk == nil || !fromKiosk.Ballots()) {
		// The catalogue's meeting is voted by ballots: count them.
		if tally.Votes, err = s.db.BallotVotes(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return nil, nil, tally, false
		}
	}
	if !s.mayReadAny(w, r, m.Agenda) {
		return nil, nil, tally, false
	}
	return c, m, tally, true
}

// mayReadAny lets through the admin token, or a user who may see one of
// the projects; it answers 401 or 403 itself otherwise.
func (s *Server) mayReadAny(w http.ResponseWriter, r *http.Request, projects []string) bool {
	for _, p := range projects {
		ok, err := s.authorized(r, p)
		if err == errUnauthenticated {
			s.fail(w, r, &api.Error{Status: http.StatusUnauthorized, Code: "unauthorized"})
			return false
		}
		if ok {
			return true
		}
	}
	s.forbidden(w, r)
	return false
}

// handleMeetingProtocol renders the meeting's protocol: attendance, the
// agenda, the latest recorded vote on each item and the decision by the
// meeting's rule.
func (s *Server) handleMeetingProtocol(w http.ResponseWriter, r *http.Request) {
	c, m, tally, ok := s.findMeeting(w, r)
	if !ok {
		return
	}
	doc := document.MeetingProtocol{Kind: m.Kind, Date: m.Date, Place: m.Place, Present: tally.Present,
		Chair: m.Chair, Secretary: m.Secretary, CreatedAt: time.Now()}
	if t := c.Territory(m.TerritoryID); t != nil {
		doc.TerritoryName, doc.Residents = t.Name, t.Residents
	}
	for _, pid := range m.Agenda {
		v := tally.Votes[pid]
		name := pid
		if p := c.Project(pid); p != nil {
			name = p.Name
		}
		doc.Items = append(doc.Items, document.MeetingItem{ProjectName: name, For: v.For, Against: v.Against,
			Abstained: v.Abstained, Supported: meeting.Supported(m.Rule, v, tally.Present)})
	}
	var buf bytes.Buffer
	if err := document.WriteMeetingProtocol(&buf, doc); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, actor(r), "pdf.meeting", "meeting:"+m.ID, "")
	writePDF(w, "meeting-"+m.ID+".pdf", &buf)
}

// surveyTally counts a survey's counted answers per option.
type surveyTally struct {
	respondents int
	from, to    calendar.Date
	chosen      map[string]map[string]int // question → option → count
	answered    map[string]int
	texts       map[string][]string
}

func (s *Server) tallySurvey(r *http.Request, sv *survey.Survey) (surveyTally, error) {
	t := surveyTally{chosen: map[string]map[string]int{}, answered: map[string]int{}, texts: map[string][]string{}}
	err := s.db.SurveyReplies(r.Context(), sv.ID, func(at time.Time, replies map[string]survey.Reply) error {
		t.respondents++
		d := calendar.In(at, s.cfg.Location)
		if t.from.IsZero() || d.Before(t.from) {
			t.from = d
		}
		if d.After(t.to) {
			t.to = d
		}
		for q, rep := range replies {
			if len(rep.Choices) == 0 && rep.Text == "" {
				continue
			}
			t.answered[q]++
			if t.chosen[q] == nil {
				t.chosen[q] = map[string]int{}
			}
			for _, c := range rep.Choices {
				t.chosen[q][c]++
			}
			if rep.Text != "" {
				t.texts[q] = append(t.texts[q], rep.Text)
			}
		}
		return nil
	})
	return t, err
}

func (s *Server) findSurvey(w http.ResponseWriter, r *http.Request) (*catalog.Catalog, *survey.Survey, bool) {
	c := s.hub.Catalog()
	if c == nil || c.Survey(r.PathValue("id")) == nil {
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return nil, nil, false
	}
	sv := c.Survey(r.PathValue("id"))
	if !s.mayReadAny(w, r, sv.ProjectIDs) {
		return nil, nil, false
	}
	return c, sv, true
}

// canReadFreeText: free-text answers may name people, so only office
// admins (and the admin token) see them; others get the counts.
func canReadFreeText(r *http.Request) bool {
	sess := currentSession(r)
	return sess == nil || sess.User.Role == sqlite.RoleAdmin
}

func (s *Server) handleSurveyResultsPDF(w http.ResponseWriter, r *http.Request) {
	c, sv, ok := s.findSurvey(w, r)
	if !ok {
		return
	}
	t, err := s.tallySurvey(r, sv)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res := document.SurveyResults{Title: sv.Title, Respondents: t.respondents, From: t.from, To: t.to, CreatedAt: time.Now()}
	territories := map[string]bool{}
	for _, pid := range sv.ProjectIDs {
		if p := c.Project(pid); p != nil {
			res.Projects = append(res.Projects, p.Name)
			if tr := c.Territory(p.TerritoryID); tr != nil && !territories[tr.Name] {
				territories[tr.Name] = true
				if res.Territory != "" {
					res.Territory += ", "
				}
				res.Territory += tr.Name
			}
		}
	}
	texts := canReadFreeText(r)
	for _, q := range sv.Questions {
		qr := document.QuestionResult{Text: q.Text, Kind: q.Kind, Answered: t.answered[q.ID]}
		for _, o := range q.Options {
			qr.Options = append(qr.Options, document.OptionCount{Text: o.Text, Count: t.chosen[q.ID][o.ID]})
		}
		if texts {
			qr.Texts = t.texts[q.ID]
		}
		res.Questions = append(res.Questions, qr)
	}
	var buf bytes.Buffer
	if err := document.WriteSurveyResults(&buf, res); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, actor(r), "pdf.survey", "survey:"+sv.ID, "free text "+strconv.FormatBool(texts))
	writePDF(w, "survey-"+sv.ID+".pdf", &buf)
}

// handleSurveyResultsCSV: one row per question and option with its count.
func (s *Server) handleSurveyResultsCSV(w http.ResponseWriter, r *http.Request) {
	_, sv, ok := s.findSurvey(w, r)
	if !ok {
		return
	}
	t, err := s.tallySurvey(r, sv)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="survey-`+sv.ID+`.csv"`)
	w.Write([]byte("\uFEFF"))
	out := csv.NewWriter(w)
	if r.URL.Query().Get("sep") == "semicolon" {
		out.Comma = ';'
	}
	tr := s.t(r)
	out.Write([]string{tr.T("survey.csv.question"), tr.T("survey.csv.option"), tr.T("survey.csv.count"), tr.T("survey.csv.respondents")})
	for _, q := range sv.Questions {
		if q.Kind == survey.Text {
			out.Write([]string{q.Text, tr.T("survey.csv.free_text"), strconv.Itoa(t.answered[q.ID]), strconv.Itoa(t.respondents)})
			continue
		}
		for _, o := range q.Options {
			out.Write([]string{q.Text, o.Text, strconv.Itoa(t.chosen[q.ID][o.ID]), strconv.Itoa(t.respondents)})
		}
	}
	out.Flush()
	if err := out.Error(); err != nil {
		s.logFailure(r, err)
	}
}

type meetingsPage struct {
	view
	Meetings []meetingRow
	Surveys  []survey.Survey
}

type meetingRow struct {
	meeting.Meeting
	FromKiosk bool
}

// handleMeetingsPage lists meetings and surveys with their documents.
func (s *Server) handleMeetingsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	page := meetingsPage{view: s.view(r)}
	c := s.hub.Catalog()
	if c == nil {
		c = &catalog.Catalog{}
	}
	visible := func(projects []string) bool {
		for _, p := range projects {
			if sess.User.CanSeeProject(p) {
				return true
			}
		}
		return false
	}
	for _, m := range c.Meetings {
		if visible(m.Agenda) {
			page.Meetings = append(page.Meetings, meetingRow{Meeting: m})
		}
	}
	kiosk, err := s.db.KioskMeetings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range kiosk {
		if visible(m.Agenda) && c.Meeting(m.ID) == nil {
			page.Meetings = append(page.Meetings, meetingRow{Meeting: m, FromKiosk: true})
		}
	}
	sort.SliceStable(page.Meetings, func(i, j int) bool { return page.Meetings[i].Date.Before(page.Meetings[j].Date) })
	for _, sv := range c.Surveys {
		if visible(sv.ProjectIDs) {
			page.Surveys = append(page.Surveys, sv)
		}
	}
	s.render(w, r, s.pages.office, "meetings", http.StatusOK, page)
}
