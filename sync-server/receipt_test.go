package main

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
)

// TestReceipts: the thank-you QR code's address is the project's page on
// the server with the signature's receipt; once synced, the page says
// whether it counts — never a name.
func TestReceipts(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	c := catalog.Demo(calendar.Of(time.Now()))
	for i := range c.Projects {
		c.Projects[i].PageURL = "" // the server's own page
	}
	body, _ := json.Marshal(c)
	admin := newHTTP(t, base, adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", body); code != 200 {
		t.Fatal("put catalogue")
	}
	a, _ := enrollKiosk(t, admin, base, "Школа")
	b, _ := enrollKiosk(t, admin, base, "Клуб")
	for _, k := range []*kioskProc{a, b} {
		eventually(t, 15*time.Second, "kiosk has the catalogue", func() bool {
			code, _ := k.api.do("GET", "/api/projects/p1/progress", nil)
			return code == 200
		})
		k.openShift("m1")
	}
	receiptOf := func(k *kioskProc, name string) string {
		t.Helper()
		code, resp := k.sign("p1", name, birth)
		if code != 201 {
			t.Fatalf("sign: %d %v", code, resp)
		}
		u, _ := resp["receipt_url"].(string)
		rc, _ := resp["receipt"].(string)
		if !strings.HasPrefix(u, base+"/p/p1?r=") || !strings.HasSuffix(u, "r="+rc) {
			t.Fatalf("receipt %q, code %q", u, rc)
		}
		// The thank-you screen's QR code, drawn after the answer.
		if status, png := k.api.raw("GET", "/api/projects/p1/receipts/"+rc+"/qr.png", nil); status != 200 || !strings.HasPrefix(string(png), "\x89PNG") {
			t.Fatalf("receipt QR: %d", status)
		}
		if status, _ := k.api.raw("GET", "/api/projects/p1/receipts/not-a-code/qr.png", nil); status != 404 {
			t.Fatalf("QR of a made-up receipt: %d", status)
		}
		return u
	}
	// The server goes away so the same resident can sign at both kiosks.
	srv.Close()
	first := receiptOf(a, "Кузнецова Дарья Олеговна")
	time.Sleep(1100 * time.Millisecond) // signatures are dated to the second: b's is later
	repeat := receiptOf(b, "Кузнецова Дарья Олеговна")
	srv = startServer(t, addr, srv.Config.DataDir)
	defer srv.Close()
	for _, k := range []*kioskProc{a, b} {
		eventually(t, 20*time.Second, "synced", func() bool { on, p := k.syncStatus(); return on && p == 0 })
	}
	for _, tc := range []struct{ url, want string }{
		{first, "получена и учтена"},
		{repeat, "не учтена"},
		{base + "/p/p1?r=" + url.QueryEscape(strings.Repeat("a", 26)), "ещё не поступила"},
	} {
		code, page := anonGet(t, tc.url)
		if code != 200 || !strings.Contains(page, tc.want) || strings.Contains(page, "Кузнецова") {
			t.Errorf("%s: %d, want %q and no name", tc.url, code, tc.want)
		}
	}
}
