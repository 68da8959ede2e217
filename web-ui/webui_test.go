package webui

import "testing"

func TestCatalogComplete(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Lang("ru")) == 0 {
		t.Fatal("Russian catalogue is empty")
	}
	if c.Lang("xx").T("error.duplicate") != c.Lang("ru").T("error.duplicate") {
		t.Fatal("unknown language does not fall back to Russian")
	}
	if c.Lang("ru").T("no.such.key") != "no.such.key" {
		t.Fatal("missing key is not shown as itself")
	}
}
