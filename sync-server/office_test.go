package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

const officePassword = "correct horse battery"

// officeUser signs a user in through the login form and returns a client
// holding the session cookie, and the session's CSRF token read from a page.
func officeUser(t *testing.T, srv *Main, base string, u sqlite.User) *httpc {
	t.Helper()
	if _, err := srv.DB.AddUser(context.Background(), u, officePassword); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &httpc{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := c.c.PostForm(base+"/login", url.Values{"username": {u.Username}, "password": {officePassword}, "next": {"/office"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/office" {
		t.Fatalf("login %s: %d %s", u.Username, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

// csrf reads the session's form token from the office page's logout form.
func csrf(t *testing.T, c *httpc) string {
	t.Helper()
	_, page := c.raw("GET", "/office", nil)
	_, rest, ok := strings.Cut(string(page), `name="csrf" value="`)
	if !ok {
		t.Fatalf("no CSRF token on the office page")
	}
	token, _, _ := strings.Cut(rest, `"`)
	return token
}

func postForm(t *testing.T, c *httpc, path string, form url.Values) int {
	t.Helper()
	resp, err := c.c.PostForm(c.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestOfficeRoles(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	// A kiosk syncs a signature for p1 so there is personal data to protect.
	k, _ := enrollKiosk(t, admin, base, "Школа")
	eventually(t, 15*time.Second, "kiosk online with the catalogue", func() bool {
		on, _ := k.syncStatus()
		code, _ := k.api.do("GET", "/api/projects/p1/progress", nil)
		return on && code == 200
	})
	k.openShift("m1")
	if code, body := k.sign("p1", "Иванов Иван Иванович", birth); code != 201 {
		t.Fatalf("sign: %d %v", code, body)
	}
	eventually(t, 15*time.Second, "signature synced", func() bool { _, p := k.syncStatus(); return p == 0 })

	office := officeUser(t, srv, base, sqlite.User{Username: "office", Role: sqlite.RoleAdmin})
	viewer := officeUser(t, srv, base, sqlite.User{Username: "viewer", Role: sqlite.RoleViewer})
	group1 := officeUser(t, srv, base, sqlite.User{Username: "group1", Role: sqlite.RoleGroup, ProjectID: "p1"})
	group2 := officeUser(t, srv, base, sqlite.User{Username: "group2", Role: sqlite.RoleGroup, ProjectID: "p2"})
	anon := newHTTP(t, base, "")
	anon.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	type check struct {
		who  string
		c    *httpc
		path string
		want int
	}
	checks := []check{
		// A member of another project's group: 403 everywhere for p1.
		{"group2", group2, "/office/projects/p1", 403},
		{"group2", group2, "/p/p1/live", 403},
		{"group2", group2, "/api/projects/p1/protocol.pdf", 403},
		{"group2", group2, "/api/projects/p1/sheets.pdf", 403},
		{"group2", group2, "/api/projects/p1/signatures.csv", 403},
		{"group2", group2, "/api/projects/p2/signatures.csv", 403}, // no CSV even for their own project
		{"group2", group2, "/api/projects/p1/duplicates", 403},
		{"group2", group2, "/office/audit", 403},
		{"group2", group2, "/office/kiosks", 403},
		{"group2", group2, "/office/projects/p2", 200},
		// Their own project's documents and live page.
		{"group1", group1, "/office/projects/p1", 200},
		{"group1", group1, "/p/p1/live", 200},
		{"group1", group1, "/api/projects/p1/protocol.pdf", 200},
		{"group1", group1, "/api/projects/p1/sheets.pdf", 200},
		{"group1", group1, "/api/projects/p1/signatures.csv", 403},
		{"group1", group1, "/office/audit", 403},
		// A viewer reads everything but personal data.
		{"viewer", viewer, "/office/projects/p2", 200},
		{"viewer", viewer, "/api/projects/p1/protocol.pdf", 200},
		{"viewer", viewer, "/api/projects/p1/sheets.pdf", 403},
		{"viewer", viewer, "/api/projects/p1/signatures.csv", 403},
		{"viewer", viewer, "/office/audit", 403},
		// The office admin: everything.
		{"office", office, "/api/projects/p1/signatures.csv", 200},
		{"office", office, "/api/projects/p1/sheets.pdf", 200},
		{"office", office, "/office/audit", 200},
		{"office", office, "/office/kiosks", 200},
		{"office", office, "/office/projects/p1/review", 200},
		{"office", office, "/api/projects/nope/protocol.pdf", 404},
		// Anonymous: public pages only.
		{"anonymous", anon, "/p/p1", 200},
		{"anonymous", anon, "/office", 303},
		{"anonymous", anon, "/p/p1/live", 303},
		{"anonymous", anon, "/api/projects/p1/sheets.pdf", 401},
		{"anonymous", anon, "/api/projects/p1/signatures.csv", 401},
	}
	for _, ch := range checks {
		if code, _ := ch.c.raw("GET", ch.path, nil); code != ch.want {
			t.Errorf("%s GET %s: %d, want %d", ch.who, ch.path, code, ch.want)
		}
	}
	// The live socket refuses another group's member before upgrading.
	hdr := http.Header{}
	for _, ck := range group2.c.Jar.Cookies(mustURL(t, base)) {
		hdr.Add("Cookie", ck.String())
	}
	if _, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/p/p1/live/ws", hdr); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("live socket for another group: err=%v resp=%v", err, resp)
	}

	// The public page and public progress carry no personal data.
	for _, path := range []string{"/p/p1", "/api/projects/p1/progress"} {
		_, body := anon.raw("GET", path, nil)
		if strings.Contains(string(body), "Иванов") || strings.Contains(string(body), birth) {
			t.Errorf("%s shows personal data", path)
		}
	}

	// Every CSV export and sheets download left an audit entry, and the chain verifies.
	log, err := srv.DB.AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range log {
		counts[e.Action+" "+e.Actor]++
	}
	if counts["export.csv office"] != 1 || counts["pdf.sheets office"] != 1 || counts["pdf.sheets group1"] != 1 {
		t.Fatalf("audit entries: %v", counts)
	}
	if _, err := srv.DB.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}

	// State changes need the CSRF token.
	if code := postForm(t, office, "/office/kiosks", url.Values{"name": {"Клуб"}}); code != 403 {
		t.Fatalf("form without CSRF: %d", code)
	}
	if code := postForm(t, office, "/office/kiosks", url.Values{"name": {"Клуб"}, "csrf": {csrf(t, office)}}); code != 201 {
		t.Fatalf("form with CSRF: %d", code)
	}
	if code := postForm(t, office, "/office/kiosks", url.Values{"name": {" "}, "csrf": {csrf(t, office)}}); code != 422 {
		t.Fatalf("empty kiosk name: %d", code)
	}
	if code := postForm(t, group1, "/office/kiosks", url.Values{"name": {"Чужой"}, "csrf": {csrf(t, group1)}}); code != 403 {
		t.Fatalf("group member adding a kiosk: %d", code)
	}
	// Wrong password: the form again, 401, the username kept.
	resp, err := anon.c.PostForm(base+"/login", url.Values{"username": {"office"}, "password": {"nope"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
