package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// submit posts a form with the session's CSRF token and returns the
// status and the page.
func submit(t *testing.T, c *httpc, path string, form url.Values) (int, string) {
	t.Helper()
	form.Set("csrf", csrf(t, c))
	resp, err := c.c.PostForm(c.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOfficeCatalogForms(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatal("put catalogue")
	}
	office := officeUser(t, srv, base, sqlite.User{Username: "office", Role: sqlite.RoleAdmin})

	// A territory with a bad resident count: the form again, message beside the field, values kept.
	code, page := submit(t, office, "/office/catalog/territories/new", url.Values{"id": {"t3"}, "name": {"х. Новый"}, "residents": {"много"}})
	if code != 422 || !strings.Contains(page, `id="err-residents"`) || !strings.Contains(page, `value="х. Новый"`) {
		t.Fatalf("bad residents: %d", code)
	}
	code, page = submit(t, office, "/office/catalog/territories/new", url.Values{"id": {"t3"}, "name": {"х. Новый"}, "residents": {"0"}})
	if code != 422 || !strings.Contains(page, "число жителей должно быть больше нуля") {
		t.Fatalf("zero residents: %d", code)
	}
	if code, _ = submit(t, office, "/office/catalog/territories/new", url.Values{"id": {"t3"}, "name": {"х. Новый"}, "residents": {"7"},
		"streets": {"ул. Первая\nул. Вторая\n"}}); code != http.StatusSeeOther {
		t.Fatalf("good territory: %d", code)
	}
	// A project with a negative cost is refused beside the field.
	project := url.Values{"id": {"p3"}, "territory_id": {"t3"}, "name": {"Колодец"}, "collect_from": {"2026-01-01"}, "collect_to": {"2026-12-31"},
		"threshold_percent": {"30"}, "min_age": {"16"}, "sheet_size": {"10"}, "cost": {"-5"}, "beneficiaries": {"7"},
		"members[0].id": {"m9"}, "members[0].full_name": {"Кузнецова Ольга"}, "members[0].birth_date": {"1980-02-03"},
		"members[1].id": {""}, "members[1].full_name": {""}}
	code, page = submit(t, office, "/office/catalog/projects/new", project)
	if code != 422 || !strings.Contains(page, `id="err-cost"`) || !strings.Contains(page, `value="Колодец"`) {
		t.Fatalf("negative cost: %d", code)
	}
	project.Set("cost", "150 000")
	if code, page = submit(t, office, "/office/catalog/projects/new", project); code != http.StatusSeeOther {
		t.Fatalf("good project: %d %s", code, page)
	}
	var cat struct {
		Version  int
		Projects []struct {
			ID      string
			PageURL string `json:"page_url"`
			Cost    int64
		}
		Territories []struct{ ID string }
	}
	if code := admin.decode("GET", "/api/catalog", &cat); code != 200 || cat.Version != 3 || len(cat.Projects) != 3 || len(cat.Territories) != 3 {
		t.Fatalf("catalogue after the forms: %d %+v", code, cat)
	}
	if p3 := cat.Projects[2]; p3.Cost != 150000 || p3.PageURL != base+"/p/p3" {
		t.Fatalf("p3: %+v", p3)
	}
	// The new project's page and documents work, with zeros.
	if code, _ := anonGet(t, base+"/p/p3"); code != 200 {
		t.Fatalf("public page of the new project: %d", code)
	}
	if code, _ := office.raw("GET", "/api/projects/p3/protocol.pdf", nil); code != 200 {
		t.Fatalf("protocol with zeros: %d", code)
	}

	// The commission's score from the project form: 20 (7 of 7 residents
	// benefit) + 5 (nobody took part yet) + 15 (no co-financing) + 0 + 0
	// + 5 (150 000 roubles for 7 people) + 0 = 45, below the pass mark.
	if code, page := office.raw("GET", "/office/projects/p3", nil); code != 200 || !strings.Contains(string(page), `id="score-total">45<`) {
		t.Fatalf("score on the project page: %d", code)
	}
	if code, page := office.raw("GET", "/office/ranking?budget=1000000", nil); code != 200 || !strings.Contains(string(page), "Колодец") {
		t.Fatalf("ranking: %d", code)
	}
	if code, _ := office.raw("GET", "/office/ranking?budget=много", nil); code != 422 {
		t.Fatalf("bad budget: %d", code)
	}

	// Users: a short password is refused; a group member for p3 is created and can sign in.
	code, page = submit(t, office, "/office/users", url.Values{"username": {"olga"}, "role": {"group"}, "project_id": {"p3"}, "password": {"short"}})
	if code != 422 || !strings.Contains(page, `id="err-password"`) || !strings.Contains(page, `value="olga"`) {
		t.Fatalf("short password: %d", code)
	}
	if code, _ = submit(t, office, "/office/users", url.Values{"username": {"olga"}, "role": {"group"}, "project_id": {"p3"}, "password": {officePassword}}); code != http.StatusSeeOther {
		t.Fatalf("add user: %d", code)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(base+"/login", url.Values{"username": {"olga"}, "password": {officePassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/office" || len(resp.Cookies()) == 0 {
		t.Fatalf("new user's sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func anonGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
