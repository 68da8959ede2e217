package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbor-project/sbor/shared/calendar"
)

func parseFile(t *testing.T, path string) (*Catalog, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f)
}

func TestParseExample(t *testing.T) {
	c, err := parseFile(t, filepath.Join("..", "..", "configs", "catalog.example.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Project("p1")
	if p == nil || p.Required(c.Territory(p.TerritoryID)) != 301 {
		t.Fatalf("p1 required = %v", p)
	}
	if c.Member("m1") == nil || c.Member("m9") != nil {
		t.Fatal("Member lookup")
	}
}

func TestParseDefaults(t *testing.T) {
	c, err := parseFile(t, "testdata/defaults.json")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Projects[0]
	if p.ThresholdPercent != 30 || p.MinAge != 16 || p.SheetSize != 10 || p.MaxAge != 120 {
		t.Fatalf("defaults not applied: %+v", p)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := map[string]string{
		"bad_residents":     "territories[0].residents",
		"residents_string":  "territories.residents",
		"bad_percent":       "projects[0].threshold_percent",
		"unknown_field":     "threshold_precent",
		"bad_territory":     "projects[0].territory_id",
		"window_reversed":   "projects[0].collect_to",
		"duplicate_project": "projects[1].id",
		"no_members":        "projects[0].members",
		"member_name":       "projects[0].members[0].full_name",
		"bad_url":           "projects[0].page_url",
		"bad_date":          "",
		"truncated":         "",
	}
	for name, field := range tests {
		_, err := parseFile(t, filepath.Join("testdata", name+".json"))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err %T is not a FieldError", name, err)
			continue
		}
		if !strings.Contains(fe.Field, field) || (field == "" && fe.Message == "") {
			t.Errorf("%s: field = %q (%v), want %q", name, fe.Field, err, field)
		}
	}
}

func TestDemoIsValid(t *testing.T) {
	today := calendar.MustParse("2026-11-22")
	c := Demo(today)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Projects {
		if today.Before(p.CollectFrom) || today.After(p.CollectTo) {
			t.Errorf("demo project %s window %v..%v excludes today", p.ID, p.CollectFrom, p.CollectTo)
		}
	}
}
