package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/sbor-project/sbor/shared/api"
	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
)

type catalogPage struct {
	view
	Catalog *catalog.Catalog
}

// handleCatalogPage lists territories and projects for editing.
func (s *Server) handleCatalogPage(w http.ResponseWriter, r *http.Request, sess *session) {
	c := s.hub.Catalog()
	if c == nil {
		c = &catalog.Catalog{}
	}
	s.render(w, r, s.pages.office, "catalog", http.StatusOK, catalogPage{view: s.view(r), Catalog: c})
}

// editCopy returns a deep copy of the catalogue in force to change.
func (s *Server) editCopy() (*catalog.Catalog, error) {
	c := s.hub.Catalog()
	if c == nil {
		return &catalog.Catalog{}, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var out catalog.Catalog
	return &out, json.Unmarshal(b, &out)
}

// formErrors collects messages by form field name.
type formErrors map[string]string

func (e formErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// fieldOf turns a catalogue error path ("projects[3].members[1].full_name")
// into the form's field name ("members[1].full_name").
var pathPrefix = regexp.MustCompile(`^(territories|projects)\[\d+\]\.`)

func fieldOf(fe *catalog.FieldError) string { return pathPrefix.ReplaceAllString(fe.Field, "") }

type territoryPage struct {
	view
	T      catalog.Territory
	New    bool
	Errors formErrors
}

func (s *Server) handleTerritoryPage(w http.ResponseWriter, r *http.Request, sess *session) {
	page := territoryPage{view: s.view(r), New: r.PathValue("id") == "new", Errors: formErrors{}}
	if !page.New {
		c := s.hub.Catalog()
		if c == nil || c.Territory(r.PathValue("id")) == nil {
			s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
			return
		}
		page.T = *c.Territory(r.PathValue("id"))
	}
	s.render(w, r, s.pages.office, "territory", http.StatusOK, page)
}

// handleSaveTerritory adds or changes a territory. A refusal shows the
// form again with each message beside its field and the values kept.
func (s *Server) handleSaveTerritory(w http.ResponseWriter, r *http.Request, sess *session) {
	isNew := r.PathValue("id") == "new"
	errs := formErrors{}
	t := catalog.Territory{
		ID: strings.TrimSpace(r.PostFormValue("id")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Resolution: strings.TrimSpace(r.PostFormValue("resolution")), Streets: lines(r.PostFormValue("streets")),
	}
	if !isNew {
		t.ID = r.PathValue("id")
	}
	t.Residents = intField(r, "residents", errs)
	c, err := s.editCopy()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(errs) == 0 && !upsert(s, w, r, isNew, errs, c.Territory(t.ID), t, func() { c.Territories = append(c.Territories, t) }) {
		return
	}
	if len(errs) == 0 && s.saveCatalog(w, r, c, errs) {
		return
	}
	s.render(w, r, s.pages.office, "territory", http.StatusUnprocessableEntity, territoryPage{view: s.view(r), T: t, New: isNew, Errors: errs})
}

type projectEditPage struct {
	view
	P           catalog.Project
	New         bool
	Territories []catalog.Territory
	Errors      formErrors
}

// FieldError and IsNew let the form templates find messages and modes.
func (p projectEditPage) FieldError(name string) string { return p.Errors[name] }
func (p projectEditPage) IsNew() bool                   { return p.New }

func (s *Server) handleProjectEditPage(w http.ResponseWriter, r *http.Request, sess *session) {
	c := s.hub.Catalog()
	if c == nil {
		c = &catalog.Catalog{}
	}
	page := projectEditPage{view: s.view(r), New: r.PathValue("id") == "new", Territories: c.Territories, Errors: formErrors{}}
	if page.New {
		page.P = catalog.Project{ThresholdPercent: 30, MinAge: 16, SheetSize: 10}
	} else {
		if c.Project(r.PathValue("id")) == nil {
			s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
			return
		}
		page.P = *c.Project(r.PathValue("id"))
	}
	// Room to add one more member on the form.
	page.P.Members = append(page.P.Members, catalog.Member{})
	s.render(w, r, s.pages.office, "project_edit", http.StatusOK, page)
}

// handleSaveProject adds or changes a project with every field of the
// project form and its initiative group.
func (s *Server) handleSaveProject(w http.ResponseWriter, r *http.Request, sess *session) {
	isNew := r.PathValue("id") == "new"
	errs := formErrors{}
	p := catalog.Project{
		ID: strings.TrimSpace(r.PostFormValue("id")), TerritoryID: r.PostFormValue("territory_id"),
		Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
		PageURL:    strings.TrimSpace(r.PostFormValue("page_url")),
		LocalIssue: strings.TrimSpace(r.PostFormValue("local_issue")), Goal: strings.TrimSpace(r.PostFormValue("goal")),
		ExpectedResult:      strings.TrimSpace(r.PostFormValue("expected_result")),
		FurtherDevelopment:  strings.TrimSpace(r.PostFormValue("further_development")),
		ImplementationTerm:  strings.TrimSpace(r.PostFormValue("implementation_term")),
		LabourParticipation: r.PostFormValue("labour_participation") == "on",
		Presentation:        r.PostFormValue("presentation") == "on",
	}
	if !isNew {
		p.ID = r.PathValue("id")
	}
	p.ThresholdPercent = intField(r, "threshold_percent", errs)
	p.MinAge = intField(r, "min_age", errs)
	p.SheetSize = intField(r, "sheet_size", errs)
	p.Beneficiaries = intField(r, "beneficiaries", errs)
	p.Cost = moneyField(r, "cost", errs)
	p.BudgetFunds = moneyField(r, "budget_funds", errs)
	p.PaymentsCitizens = moneyField(r, "payments_citizens", errs)
	p.PaymentsBusiness = moneyField(r, "payments_business", errs)
	p.InKindCitizens = moneyField(r, "in_kind_citizens", errs)
	p.InKindBusiness = moneyField(r, "in_kind_business", errs)
	p.CollectFrom = dateField(r, "collect_from", errs)
	p.CollectTo = dateField(r, "collect_to", errs)
	p.SelectionEnd = dateField(r, "selection_end", errs)
	for i := 0; ; i++ {
		prefix := "members[" + strconv.Itoa(i) + "]."
		if _, ok := r.PostForm[prefix+"id"]; !ok {
			break
		}
		m := catalog.Member{ID: strings.TrimSpace(r.PostFormValue(prefix + "id")), FullName: strings.TrimSpace(r.PostFormValue(prefix + "full_name")),
			Document: strings.TrimSpace(r.PostFormValue(prefix + "document")), Address: strings.TrimSpace(r.PostFormValue(prefix + "address"))}
		if m.ID == "" && m.FullName == "" {
			continue // the empty row for adding one
		}
		m.BirthDate = dateField(r, prefix+"birth_date", errs)
		p.Members = append(p.Members, m)
	}
	c, err := s.editCopy()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(errs) == 0 && !upsert(s, w, r, isNew, errs, c.Project(p.ID), p, func() { c.Projects = append(c.Projects, p) }) {
		return
	}
	if len(errs) == 0 && s.saveCatalog(w, r, c, errs) {
		return
	}
	p.Members = append(p.Members, catalog.Member{})
	s.render(w, r, s.pages.office, "project_edit", http.StatusUnprocessableEntity,
		projectEditPage{view: s.view(r), P: p, New: isNew, Territories: c.Territories, Errors: errs})
}

// upsert puts v into the catalogue being edited: appended by add when
// new (an id already taken is a form error), or over existing. It answers
// 404 itself, returning false, when the entry to change is not there.
func upsert[T any](s *Server, w http.ResponseWriter, r *http.Request, isNew bool, errs formErrors, existing *T, v T, add func()) bool {
	switch {
	case isNew && existing != nil:
		errs.add("id", s.t(r).T("catalog.id_taken"))
	case isNew:
		add()
	case existing == nil:
		s.fail(w, r, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound})
		return false
	default:
		*existing = v
	}
	return true
}

// saveCatalog stores c and sends the browser back to the catalogue, or
// fails the request; it reports false, having written nothing, when the
// catalogue was refused, with the reason in errs for the form.
func (s *Server) saveCatalog(w http.ResponseWriter, r *http.Request, c *catalog.Catalog, errs formErrors) bool {
	_, err := s.storeCatalog(r, c)
	var fe *catalog.FieldError
	switch {
	case errors.As(err, &fe):
		// Beside the field, and at the top naming it, in case the form
		// has no such field (a setting only the API sets).
		errs.add(fieldOf(fe), fe.Message)
		errs.add("", fe.Error())
		return false
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/office/catalog", http.StatusSeeOther)
	}
	return true
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func intField(r *http.Request, name string, errs formErrors) int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, " ", ""))
	if err != nil {
		errs.add(name, "Введите целое число.")
	}
	return n
}

func moneyField(r *http.Request, name string, errs formErrors) int64 {
	v := strings.NewReplacer(" ", "", "\u00a0", "").Replace(strings.TrimSpace(r.PostFormValue(name)))
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		errs.add(name, "Введите сумму в рублях целым числом.")
	}
	return n
}

func dateField(r *http.Request, name string, errs formErrors) calendar.Date {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return calendar.Date{}
	}
	d, err := calendar.Parse(v)
	if err != nil {
		errs.add(name, "Введите дату в виде ГГГГ-ММ-ДД.")
	}
	return d
}
