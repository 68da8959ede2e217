package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sbor-project/sbor/shared/catalog"
	"github.com/sbor-project/sbor/shared/seal"
)

// TestCatalogOfficeKey: the catalogue in force carries the server's
// office key, whether the upload named it or not, and an upload naming
// another key is refused on that field.
func TestCatalogOfficeKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adminToken)
	kp, err := seal.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.UseOfficeKey(e.ctx, kp); err != nil {
		t.Fatal(err)
	}
	e.admin(t, "PUT", "/api/catalog", demoJSON(t, nil)).expect(t, http.StatusOK, "")
	got := e.admin(t, "GET", "/api/catalog", "").expect(t, http.StatusOK, "")
	if got.body["office_key"] != kp.Public.String() {
		t.Fatalf("GET office_key %v, want %s", got.body["office_key"], kp.Public)
	}
	if c := e.hub.Catalog(); c == nil || c.OfficeKey != kp.Public.String() {
		t.Fatal("the catalogue kiosks are sent lacks the office key")
	}
	// Its own key back, as a downloaded catalogue has it, is fine.
	own := demoJSON(t, func(c *catalog.Catalog) { c.OfficeKey = kp.Public.String() })
	e.admin(t, "PUT", "/api/catalog", own).expect(t, http.StatusOK, "")

	other, _ := seal.Generate()
	foreign := demoJSON(t, func(c *catalog.Catalog) { c.OfficeKey = other.Public.String() })
	r := e.admin(t, "PUT", "/api/catalog", foreign).expect(t, http.StatusUnprocessableEntity, "invalid_catalog")
	if msg, _ := r.body["message"].(string); r.body["field"] != "office_key" || !strings.Contains(msg, "не совпадает") {
		t.Fatalf("refusal %s", r.raw)
	}
	after := e.admin(t, "GET", "/api/catalog", "").expect(t, http.StatusOK, "")
	if after.body["office_key"] != kp.Public.String() || after.body["version"] != float64(2) {
		t.Fatalf("after the refusal: %s", after.raw)
	}
	// A malformed key is refused by the catalogue's own checks.
	bad := demoJSON(t, func(c *catalog.Catalog) { c.OfficeKey = "not-a-key" })
	if r := e.admin(t, "PUT", "/api/catalog", bad).expect(t, http.StatusUnprocessableEntity, "invalid_catalog"); r.body["field"] != "office_key" {
		t.Fatalf("malformed key: %s", r.raw)
	}
}
