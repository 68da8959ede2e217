// Package headless starts Debian's Chromium for the browser tests of the
// kiosk and the server, with the flags this project's machines need: no
// sandbox as root, and no background networking, which a closed network
// refuses many times a second.
package headless

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path finds the browser. A missing Chromium fails the test: CI installs
// it (.ci/run), and a silent skip would hide that nothing ran.
func Path(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium; skipped under -short")
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: install it (apt-get install chromium), .ci/run does")
	return ""
}

// Start launches Chromium with a fresh profile and a page of width×height
// CSS pixels; everything ends with the test or after limit.
func Start(t testing.TB, width, height int64, limit time.Duration) context.Context {
	t.Helper()
	exe := Path(t)
	root, cancelRoot := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(width), int(height)),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelRoot()
	})
	// The window size flag leaves room for browser chrome even headless;
	// the page must get the whole size.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("start chromium (%s): %v", exe, err)
	}
	return ctx
}

// ShotDir returns a fresh folder for a test's screenshots under the
// repository's testdata-out/browser/, which git ignores.
func ShotDir(t testing.TB, repoRoot string) string {
	t.Helper()
	dir := filepath.Join(repoRoot, "testdata-out", "browser", t.Name())
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
