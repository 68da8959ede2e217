package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/seal"
	"github.com/sbor-project/sbor/shared/sheet"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/shared/survey"
	"github.com/sbor-project/sbor/shared/threshold"
)

// MaxSize bounds a catalogue file or upload.
const MaxSize = 8 << 20

// ErrInvalid wraps every reason a catalogue is refused.
var ErrInvalid = errors.New("catalog: invalid")

// Catalog is the whole set of territories and projects a kiosk serves.
type Catalog struct {
	// Version increases with every change the office makes.
	Version     int         `json:"version"`
	Territories []Territory `json:"territories"`
	Projects    []Project   `json:"projects"`
	// Meetings the office called, and opinion surveys it asks.
	Meetings []meeting.Meeting `json:"meetings,omitempty"`
	Surveys  []survey.Survey   `json:"surveys,omitempty"`
	// OfficeKey is the office's public key (base64, from `sync-server
	// keygen`) that kiosks seal residents' personal data to. The sync
	// server sets it in every catalogue it distributes; a kiosk without a
	// server needs it in its catalogue file, and refuses to collect without.
	OfficeKey string `json:"office_key,omitempty"`
}

// SealKey returns the office key, or an error naming the field when it is
// missing or malformed.
func (c *Catalog) SealKey() (seal.PublicKey, error) {
	if strings.TrimSpace(c.OfficeKey) == "" {
		return seal.PublicKey{}, &FieldError{"office_key", "нет ключа офиса: персональные данные нечем зашифровать (sync-server keygen)"}
	}
	k, err := seal.ParsePublicKey(c.OfficeKey)
	if err != nil {
		return seal.PublicKey{}, &FieldError{"office_key", "ключ офиса повреждён: ожидается 32 байта в base64"}
	}
	return k, nil
}

// Territory is a part of the district set by an administration resolution.
type Territory struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Residents  int      `json:"residents"`
	Resolution string   `json:"resolution,omitempty"`
	Streets    []string `json:"streets,omitempty"`
}

// Project is an initiative project collecting signatures.
type Project struct {
	ID               string        `json:"id"`
	TerritoryID      string        `json:"territory_id"`
	Name             string        `json:"name"`
	Description      string        `json:"description,omitempty"`
	ThresholdPercent int           `json:"threshold_percent"`
	MinAge           int           `json:"min_age"`
	MaxAge           int           `json:"max_age"`
	CollectFrom      calendar.Date `json:"collect_from"`
	CollectTo        calendar.Date `json:"collect_to"`
	SheetSize        int           `json:"sheet_size"`
	PageURL          string        `json:"page_url,omitempty"`
	Members          []Member      `json:"members"`

	// The rest of the initiative project form (Приложение 1 to the order,
	// lines 474–512). Optional for collecting signatures; the office keeps
	// them, and the selection commission scores from them. Money is in
	// whole roubles.
	LocalIssue          string `json:"local_issue,omitempty"`          // 2. вопрос местного значения
	Goal                string `json:"goal,omitempty"`                 // 4. цель и задачи
	ExpectedResult      string `json:"expected_result,omitempty"`      // 6. ожидаемый результат
	FurtherDevelopment  string `json:"further_development,omitempty"`  // 7. дальнейшее развитие
	Beneficiaries       int    `json:"beneficiaries,omitempty"`        // 8. прямые благополучатели, человек
	ImplementationTerm  string `json:"implementation_term,omitempty"`  // 9. сроки реализации
	Cost                int64  `json:"cost,omitempty"`                 // 11. расчёт расходов
	BudgetFunds         int64  `json:"budget_funds,omitempty"`         // 12. средства бюджета
	PaymentsCitizens    int64  `json:"payments_citizens,omitempty"`    // 13.1 инициативные платежи граждан
	PaymentsBusiness    int64  `json:"payments_business,omitempty"`    // 13.2 … юрлиц и ИП
	InKindCitizens      int64  `json:"in_kind_citizens,omitempty"`     // 14.1 неденежный вклад граждан
	InKindBusiness      int64  `json:"in_kind_business,omitempty"`     // 14.2 … юрлиц и ИП
	LabourParticipation bool   `json:"labour_participation,omitempty"` // трудовое участие жителей (критерий 2.3)
	Presentation        bool   `json:"presentation,omitempty"`         // приложены презентационные материалы (критерий 2.5)

	// SelectionEnd is the day the selection of projects ends; the
	// residents' personal data collected for the project is erased a
	// retention period (a server setting) after it.
	SelectionEnd calendar.Date `json:"selection_end"`
}

// Member is a member of a project's initiative group; members collect and
// certify signatures («Подписи заверяю»).
type Member struct {
	ID        string        `json:"id"`
	FullName  string        `json:"full_name"`
	BirthDate calendar.Date `json:"birth_date"`
	Document  string        `json:"document,omitempty"`
	Address   string        `json:"address,omitempty"`
}

// FieldError names the field of a refused catalogue, e.g.
// "projects[0].threshold_percent".
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap lets callers test errors.Is(err, ErrInvalid).
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Parse reads and validates a catalogue, applying defaults. Unknown fields
// are refused: a misspelt "threshold_percent" must not silently become 30.
func Parse(r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: read: %w", err)
	}
	if len(data) > MaxSize {
		return nil, &FieldError{"", fmt.Sprintf("каталог больше %d байт", MaxSize)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, decodeError(err)
	}
	if dec.More() {
		return nil, &FieldError{"", "после каталога в файле есть лишние данные"}
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return &FieldError{typeErr.Field, fmt.Sprintf("неверный тип значения (%s)", typeErr.Value)}
	case errors.As(err, &syntaxErr):
		return &FieldError{"", fmt.Sprintf("ошибка JSON в позиции %d: %v", syntaxErr.Offset, err)}
	case errors.Is(err, calendar.ErrBadDate):
		return &FieldError{"", fmt.Sprintf("дата не в формате ГГГГ-ММ-ДД: %v", err)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &FieldError{strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "неизвестное поле"}
	}
	return &FieldError{"", fmt.Sprintf("не JSON-каталог: %v", err)}
}

// ApplyDefaults fills the settings a project left out (threshold 30 %,
// minimum age 16, maximum age 120, 10 rows a sheet).
func (c *Catalog) ApplyDefaults() {
	for i := range c.Projects {
		p := &c.Projects[i]
		if p.ThresholdPercent == 0 {
			p.ThresholdPercent = threshold.DefaultPercent
		}
		if p.MinAge == 0 {
			p.MinAge = signature.DefaultMinAge
		}
		if p.MaxAge == 0 {
			p.MaxAge = signature.DefaultMaxAge
		}
		if p.SheetSize == 0 {
			p.SheetSize = sheet.DefaultSize
		}
	}
}

// Validate checks the catalogue as a whole and names the first bad field.
func (c *Catalog) Validate() error {
	if c.Version < 0 {
		return &FieldError{"version", "не может быть отрицательной"}
	}
	if c.OfficeKey != "" {
		if _, err := c.SealKey(); err != nil {
			return err
		}
	}
	territories := map[string]bool{}
	for i, t := range c.Territories {
		f := func(name string) string { return fmt.Sprintf("territories[%d].%s", i, name) }
		switch {
		case strings.TrimSpace(t.ID) == "":
			return &FieldError{f("id"), "обязательное поле"}
		case territories[t.ID]:
			return &FieldError{f("id"), fmt.Sprintf("территория %q уже есть в каталоге", t.ID)}
		case strings.TrimSpace(t.Name) == "":
			return &FieldError{f("name"), "обязательное поле"}
		case t.Residents <= 0:
			return &FieldError{f("residents"), "число жителей должно быть больше нуля"}
		}
		territories[t.ID] = true
	}
	projects := map[string]bool{}
	members := map[string]Member{}
	for i, p := range c.Projects {
		f := func(name string) string { return fmt.Sprintf("projects[%d].%s", i, name) }
		switch {
		case strings.TrimSpace(p.ID) == "":
			return &FieldError{f("id"), "обязательное поле"}
		case projects[p.ID]:
			return &FieldError{f("id"), fmt.Sprintf("проект %q уже есть в каталоге", p.ID)}
		case !territories[p.TerritoryID]:
			return &FieldError{f("territory_id"), fmt.Sprintf("нет территории %q", p.TerritoryID)}
		case strings.TrimSpace(p.Name) == "":
			return &FieldError{f("name"), "обязательное поле"}
		case p.ThresholdPercent < 1 || p.ThresholdPercent > 100:
			return &FieldError{f("threshold_percent"), "должен быть от 1 до 100"}
		case p.MinAge < 1 || p.MinAge > 100:
			return &FieldError{f("min_age"), "должен быть от 1 до 100"}
		case p.MaxAge <= p.MinAge || p.MaxAge > 150:
			return &FieldError{f("max_age"), "должен быть больше min_age и не больше 150"}
		case p.CollectFrom.IsZero():
			return &FieldError{f("collect_from"), "обязательное поле"}
		case p.CollectTo.IsZero():
			return &FieldError{f("collect_to"), "обязательное поле"}
		case p.CollectTo.Before(p.CollectFrom):
			return &FieldError{f("collect_to"), "окончание сбора раньше начала"}
		case p.SheetSize < 1 || p.SheetSize > 100:
			return &FieldError{f("sheet_size"), "должен быть от 1 до 100"}
		case p.PageURL != "" && !webURL(p.PageURL):
			return &FieldError{f("page_url"), "должен быть адресом http:// или https://"}
		case len(p.Members) == 0:
			return &FieldError{f("members"), "в инициативной группе нет ни одного члена"}
		case p.Beneficiaries < 0:
			return &FieldError{f("beneficiaries"), "не может быть отрицательным"}
		}
		for _, m := range []struct {
			name string
			v    int64
		}{{"cost", p.Cost}, {"budget_funds", p.BudgetFunds}, {"payments_citizens", p.PaymentsCitizens},
			{"payments_business", p.PaymentsBusiness}, {"in_kind_citizens", p.InKindCitizens}, {"in_kind_business", p.InKindBusiness}} {
			if m.v < 0 {
				return &FieldError{f(m.name), "сумма не может быть отрицательной"}
			}
		}
		projects[p.ID] = true
		seen := map[string]bool{}
		for j, m := range p.Members {
			mf := func(name string) string { return fmt.Sprintf("projects[%d].members[%d].%s", i, j, name) }
			switch {
			case strings.TrimSpace(m.ID) == "":
				return &FieldError{mf("id"), "обязательное поле"}
			case seen[m.ID]:
				return &FieldError{mf("id"), fmt.Sprintf("член группы %q указан дважды", m.ID)}
			case citizen.ValidateName(m.FullName) != nil:
				return &FieldError{mf("full_name"), "нужны фамилия и имя буквами"}
			case m.BirthDate.IsZero():
				return &FieldError{mf("birth_date"), "обязательное поле"}
			}
			if prev, ok := members[m.ID]; ok && (prev.FullName != m.FullName || prev.BirthDate != m.BirthDate) {
				return &FieldError{mf("id"), fmt.Sprintf("член группы %q в другом проекте указан с другими данными", m.ID)}
			}
			seen[m.ID] = true
			members[m.ID] = m
		}
	}
	hasTerritory := func(id string) bool { return territories[id] }
	hasProject := func(id string) bool { return projects[id] }
	ids := map[string]bool{}
	for i := range c.Meetings {
		if err := c.Meetings[i].Validate(hasTerritory, hasProject); err != nil {
			return &FieldError{fmt.Sprintf("meetings[%d]", i), err.Error()}
		}
		if ids[c.Meetings[i].ID] {
			return &FieldError{fmt.Sprintf("meetings[%d].id", i), "такой ID уже есть"}
		}
		ids[c.Meetings[i].ID] = true
	}
	for i, sv := range c.Surveys {
		if err := sv.Validate(hasProject); err != nil {
			return &FieldError{fmt.Sprintf("surveys[%d]", i), err.Error()}
		}
		if ids[sv.ID] {
			return &FieldError{fmt.Sprintf("surveys[%d].id", i), "такой ID уже есть"}
		}
		ids[sv.ID] = true
	}
	return nil
}

// Survey returns the survey with id, or nil.
func (c *Catalog) Survey(id string) *survey.Survey {
	for i := range c.Surveys {
		if c.Surveys[i].ID == id {
			return &c.Surveys[i]
		}
	}
	return nil
}

// Meeting returns the office-called meeting with id, or nil.
func (c *Catalog) Meeting(id string) *meeting.Meeting {
	for i := range c.Meetings {
		if c.Meetings[i].ID == id {
			return &c.Meetings[i]
		}
	}
	return nil
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Project returns the project with id, or nil.
func (c *Catalog) Project(id string) *Project {
	for i := range c.Projects {
		if c.Projects[i].ID == id {
			return &c.Projects[i]
		}
	}
	return nil
}

// Territory returns the territory with id, or nil.
func (c *Catalog) Territory(id string) *Territory {
	for i := range c.Territories {
		if c.Territories[i].ID == id {
			return &c.Territories[i]
		}
	}
	return nil
}

// Member returns the member with id from any project's group, or nil.
func (c *Catalog) Member(id string) *Member {
	for i := range c.Projects {
		if m := c.Projects[i].Member(id); m != nil {
			return m
		}
	}
	return nil
}

// Member returns the project's group member with id, or nil.
func (p *Project) Member(id string) *Member {
	for i := range p.Members {
		if p.Members[i].ID == id {
			return &p.Members[i]
		}
	}
	return nil
}

// Rules returns the signing rules the project sets.
func (p *Project) Rules() signature.Rules {
	return signature.Rules{MinAge: p.MinAge, MaxAge: p.MaxAge, CollectFrom: p.CollectFrom, CollectTo: p.CollectTo}
}

// Required returns the number of signatures the project needs in t.
func (p *Project) Required(t *Territory) int {
	return threshold.Required(t.Residents, p.ThresholdPercent)
}
