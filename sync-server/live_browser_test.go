package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sbor-project/sbor/shared/headless"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// TestLiveProgressInBrowser: an initiative-group member watches
// /p/p1/live in Chromium; a kiosk syncs a signature; the counter changes
// without a reload.
func TestLiveProgressInBrowser(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	if _, err := srv.DB.AddUser(context.Background(), sqlite.User{Username: "group1", Role: sqlite.RoleGroup, ProjectID: "p1"}, officePassword); err != nil {
		t.Fatal(err)
	}
	k, _ := enrollKiosk(t, admin, base, "Школа")
	eventually(t, 15*time.Second, "kiosk online with the catalogue", func() bool {
		on, _ := k.syncStatus()
		code, _ := k.api.do("GET", "/api/projects/p1/progress", nil)
		return on && code == 200
	})
	k.openShift("m1")

	ctx := headless.Start(t, 1024, 768, 90*time.Second)
	shots := headless.ShotDir(t, "..")
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	shot := func(name string) {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	waitJS := func(name, expr string) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if _, err := chromedp.Run(sctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("%s: waiting for %s: %v", name, expr, err)
		}
	}

	// Sign in through the form, as a person would, and land on the live page.
	step("login page", chromedp.Navigate(base+"/login?next=/p/p1/live"), chromedp.WaitVisible(chromedp.ID("username")))
	step("sign in", chromedp.SendKeys(chromedp.ID("username"), "group1"),
		chromedp.SendKeys(chromedp.ID("password"), officePassword), chromedp.Click(chromedp.ID("login")))
	step("live page", chromedp.WaitVisible(chromedp.ID("live-signatures")))
	waitJS("socket open", `document.getElementById('live-status').textContent.length > 0`)
	waitJS("zero to start", `document.getElementById('live-signatures').textContent === '0'`)
	shot("01-live-before")
	// A marker that a reload would wipe out.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__samePage = true`)); err != nil {
		t.Fatal(err)
	}

	if code, body := k.sign("p1", "Сидорова Анна Петровна", birth); code != 201 {
		t.Fatalf("sign: %d %v", code, body)
	}
	waitJS("counter moved", `document.getElementById('live-signatures').textContent === '1'`)
	waitJS("no reload", `window.__samePage === true`)
	waitJS("kiosk table", `document.querySelectorAll('#live-kiosks tr').length === 1 && document.getElementById('live-kiosks').textContent.includes('Школа')`)
	shot("02-live-after")
}
