package survey

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

// Question kinds.
const (
	Single   = "single"   // exactly one option
	Multiple = "multiple" // one or more options
	Text     = "text"     // free text
)

// MaxTextRunes bounds a free-text answer.
const MaxTextRunes = 2000

// ErrInvalid wraps a refused survey definition.
var ErrInvalid = errors.New("survey: invalid")

// Survey is defined by the office in the catalogue.
type Survey struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	ProjectIDs []string   `json:"project_ids"`
	Questions  []Question `json:"questions"`
}

// Question is one question with its options.
type Question struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Kind     string   `json:"kind"`
	Options  []Option `json:"options,omitempty"`
	Required bool     `json:"required"`
}

// Option is one choice.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Validate checks the definition; hasProject looks projects up.
func (s Survey) Validate(hasProject func(string) bool) error {
	if strings.TrimSpace(s.ID) == "" || strings.TrimSpace(s.Title) == "" {
		return fmt.Errorf("%w: id and title are required", ErrInvalid)
	}
	if len(s.ProjectIDs) == 0 {
		return fmt.Errorf("%w: survey %s is about no project", ErrInvalid, s.ID)
	}
	for _, p := range s.ProjectIDs {
		if !hasProject(p) {
			return fmt.Errorf("%w: survey %s: no project %q", ErrInvalid, s.ID, p)
		}
	}
	if len(s.Questions) == 0 {
		return fmt.Errorf("%w: survey %s has no questions", ErrInvalid, s.ID)
	}
	qs := map[string]bool{}
	for _, q := range s.Questions {
		if q.ID == "" || qs[q.ID] || strings.TrimSpace(q.Text) == "" {
			return fmt.Errorf("%w: survey %s: question %q needs a unique id and a text", ErrInvalid, s.ID, q.ID)
		}
		qs[q.ID] = true
		switch q.Kind {
		case Single, Multiple:
			if len(q.Options) < 2 {
				return fmt.Errorf("%w: survey %s: question %s needs at least two options", ErrInvalid, s.ID, q.ID)
			}
			os := map[string]bool{}
			for _, o := range q.Options {
				if o.ID == "" || os[o.ID] || strings.TrimSpace(o.Text) == "" {
					return fmt.Errorf("%w: survey %s: question %s: option %q needs a unique id and a text", ErrInvalid, s.ID, q.ID, o.ID)
				}
				os[o.ID] = true
			}
		case Text:
			if len(q.Options) > 0 {
				return fmt.Errorf("%w: survey %s: text question %s has options", ErrInvalid, s.ID, q.ID)
			}
		default:
			return fmt.Errorf("%w: survey %s: question %s: kind must be single, multiple or text", ErrInvalid, s.ID, q.ID)
		}
	}
	return nil
}

// Reply is the answer to one question.
type Reply struct {
	Choices []string `json:"choices,omitempty"`
	Text    string   `json:"text,omitempty"`
}

// Problem codes for a question's answer.
const (
	Missing       = "answer_required"
	UnknownOption = "answer_unknown_option"
	OneOnly       = "answer_one_only"
	TooLong       = "answer_too_long"
	Unexpected    = "answer_unexpected"
)

// Check returns, per question id, why the replies cannot be accepted;
// nil when they can. A reply to a question the survey lacks is refused.
func (s Survey) Check(replies map[string]Reply) map[string]string {
	problems := map[string]string{}
	known := map[string]Question{}
	for _, q := range s.Questions {
		known[q.ID] = q
	}
	for id := range replies {
		if _, ok := known[id]; !ok {
			problems[id] = Unexpected
		}
	}
	for _, q := range s.Questions {
		r, given := replies[q.ID]
		empty := !given || (len(r.Choices) == 0 && strings.TrimSpace(r.Text) == "")
		if empty {
			if q.Required {
				problems[q.ID] = Missing
			}
			continue
		}
		switch q.Kind {
		case Text:
			if len(r.Choices) > 0 {
				problems[q.ID] = Unexpected
			} else if utf8.RuneCountInString(r.Text) > MaxTextRunes {
				problems[q.ID] = TooLong
			}
		default:
			if r.Text != "" {
				problems[q.ID] = Unexpected
				continue
			}
			if q.Kind == Single && len(r.Choices) != 1 {
				problems[q.ID] = OneOnly
				continue
			}
			seen := map[string]bool{}
			for _, c := range r.Choices {
				if !hasOption(q, c) || seen[c] {
					problems[q.ID] = UnknownOption
				}
				seen[c] = true
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return problems
}

func hasOption(q Question, id string) bool {
	for _, o := range q.Options {
		if o.ID == id {
			return true
		}
	}
	return false
}

// Answer is a resident's answers to a survey, recorded once per citizen.
type Answer struct {
	SurveyID       string           `json:"survey_id"`
	IdentityKey    citizen.Key      `json:"identity_key"`
	FullName       string           `json:"full_name"`
	BirthDate      calendar.Date    `json:"birth_date"`
	Replies        map[string]Reply `json:"replies"`
	AnsweredAt     time.Time        `json:"answered_at"`
	ConsentVersion string           `json:"consent_version"`
}
