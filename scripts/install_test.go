// Package scripts tests the appliance setup: the install scripts beside
// this file (run into a scratch root with --root) and the Raspberry Pi
// builds of the kiosk (pi_test.go, under qemu-user). `make test` runs it;
// `make check-scripts` lints the scripts.
package scripts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runScript runs a script of this directory with args and returns its
// output; it fails the test unless the exit status is want (0: success).
func runScript(t *testing.T, want int, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", script, err)
		}
		code = ee.ExitCode()
	}
	if code != want {
		t.Fatalf("bash %s %s: exit %d, want %d\n%s", script, strings.Join(args, " "), code, want, out)
	}
	return string(out)
}

// cleanEnv is the test's environment without SBOR_ settings, DESTDIR or
// SUDO_USER, which would change what the scripts and the kiosk do.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SBOR_") || strings.HasPrefix(kv, "DESTDIR=") || strings.HasPrefix(kv, "SUDO_USER=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// treeSum lists every file, directory and link under root with its mode,
// owner and content hash: two equal listings mean nothing changed.
func treeSum(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %v %d:%d", rel, info.Mode(), st.Uid, st.Gid)
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			line += " -> " + target
		case info.Mode().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			line += " " + hex.EncodeToString(sum[:])
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// diffLines names the lines of a and b that differ.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// envValue is KEY's value in an env file, and whether it is there once.
func envValue(t *testing.T, file, key string) string {
	t.Helper()
	var vals []string
	for _, l := range strings.Split(readFile(t, file), "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			vals = append(vals, v)
		}
	}
	if len(vals) != 1 {
		t.Fatalf("%s: %s is there %d times, want once", file, key, len(vals))
	}
	return vals[0]
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

// fakeProgram is a stand-in for a program the scripts install: under
// --root they copy it without running it.
func fakeProgram(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	writeFile(t, p, "#!/bin/sh\necho "+name+"\n", 0o755)
	return p
}

// fakePi is a scratch root that looks like a fresh Raspberry Pi OS: a
// desktop user pi with an existing wayfire.ini whose settings must stay.
func fakePi(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "etc/passwd"),
		"root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000:,,,:/home/pi:/bin/bash\n", 0o644)
	writeFile(t, filepath.Join(root, "home/pi/.config/wayfire.ini"),
		"[core]\nplugins = autostart\n\n[autostart]\npanel = wf-panel-pi\n\n[idle]\ndpms_timeout = 0\n", 0o644)
	return root
}

func TestInstallKioskTwiceChangesNothing(t *testing.T) {
	root := fakePi(t)
	bin := fakeProgram(t, "kiosk")
	args := []string{"--root", root, "--binary", bin, "--server", "https://sbor.example.ru",
		"--enroll", "ABCD-2345", "--pin", "2468", "--hotspot", "Сбор Кевсала", "tablets-2468"}
	runScript(t, 0, "install-kiosk.sh", args...)
	first := treeSum(t, root)

	env := filepath.Join(root, "etc/sbor/kiosk.env")
	for key, want := range map[string]string{
		"SBOR_SERVER": "https://sbor.example.ru", "SBOR_ENROLL": "ABCD-2345", "SBOR_OPERATOR_PIN": "2468",
		"SBOR_DATA": "/var/lib/sbor-kiosk", "SBOR_CATALOG": "", "SBOR_ADDR": ":8080", "SBOR_TABLETS": "true",
		"SBOR_TABLET_URL": "http://10.42.0.1:8080",
	} {
		if got := envValue(t, env, key); got != want {
			t.Errorf("kiosk.env: %s=%q, want %q", key, got, want)
		}
	}
	checkMode(t, env, 0o600)
	checkMode(t, filepath.Join(root, "usr/local/bin/sbor-kiosk"), 0o755)
	checkMode(t, filepath.Join(root, "usr/local/bin/sbor-kiosk-browser"), 0o755)
	checkMode(t, filepath.Join(root, "var/lib/sbor-kiosk"), 0o750)
	if got, want := readFile(t, filepath.Join(root, "etc/systemd/system/sbor-kiosk.service")), readFile(t, "../configs/sbor-kiosk.service"); got != want {
		t.Error("the installed unit differs from configs/sbor-kiosk.service")
	}
	launch := "/usr/local/bin/sbor-kiosk-browser http://127.0.0.1:8080/"
	if a := readFile(t, filepath.Join(root, "home/pi/.config/labwc/autostart")); strings.Count(a, launch+" &") != 1 {
		t.Errorf("labwc autostart:\n%s", a)
	}
	wf := readFile(t, filepath.Join(root, "home/pi/.config/wayfire.ini"))
	if !strings.Contains(wf, "[autostart]\npanel = wf-panel-pi\nsbor_kiosk = "+launch+"\n") ||
		!strings.Contains(wf, "[idle]\ndpms_timeout = 0") || strings.Count(wf, "sbor_kiosk") != 1 {
		t.Errorf("wayfire.ini:\n%s", wf)
	}
	hotspot := filepath.Join(root, "etc/NetworkManager/system-connections/sbor-hotspot.nmconnection")
	checkMode(t, hotspot, 0o600)
	if h := readFile(t, hotspot); !strings.Contains(h, "ssid=Сбор Кевсала\n") || !strings.Contains(h, "psk=tablets-2468\n") ||
		!strings.Contains(h, "mode=ap\n") || !strings.Contains(h, "method=shared\n") {
		t.Errorf("hotspot connection:\n%s", h)
	}

	out := runScript(t, 0, "install-kiosk.sh", args...)
	if second := treeSum(t, root); second != first {
		t.Fatalf("the second run changed:\n%s\noutput:\n%s", diffLines(first, second), out)
	}
	if !strings.Contains(out, "nothing to change") {
		t.Errorf("the second run did not say it changed nothing:\n%s", out)
	}

	// The operator's own edit of the env file stays; a run without
	// options changes nothing; --server changes only SBOR_SERVER.
	edited := strings.Replace(readFile(t, env), "SBOR_IDLE_RESET=90s", "SBOR_IDLE_RESET=45s", 1)
	edited += "# our own note\n"
	writeFile(t, env, edited, 0o600)
	before := treeSum(t, root)
	runScript(t, 0, "install-kiosk.sh", args...)
	runScript(t, 0, "install-kiosk.sh", "--root", root, "--binary", bin)
	if after := treeSum(t, root); after != before {
		t.Fatalf("re-runs changed the edited install:\n%s", diffLines(before, after))
	}
	runScript(t, 0, "install-kiosk.sh", "--root", root, "--binary", bin, "--server", "https://new.example.ru")
	if got, want := readFile(t, env), strings.Replace(edited, "SBOR_SERVER=https://sbor.example.ru", "SBOR_SERVER=https://new.example.ru", 1); got != want {
		t.Errorf("--server rewrote more than SBOR_SERVER:\n%s", got)
	}
}

func TestInstallKioskDestdirAndOfflineCatalogue(t *testing.T) {
	root := fakePi(t)
	bin := fakeProgram(t, "kiosk")
	catalog := filepath.Join(t.TempDir(), "catalog.json")
	writeFile(t, catalog, `{"version": 1}`, 0o644)
	run := func() string {
		cmd := exec.Command("bash", "install-kiosk.sh", "--binary", bin, "--catalog", catalog, "--no-browser")
		cmd.Env = append(cleanEnv(), "DESTDIR="+root)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("install-kiosk.sh with DESTDIR: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run()
	env := filepath.Join(root, "etc/sbor/kiosk.env")
	if got := envValue(t, env, "SBOR_CATALOG"); got != "/etc/sbor/catalog.json" {
		t.Errorf("SBOR_CATALOG=%q", got)
	}
	if got := readFile(t, filepath.Join(root, "etc/sbor/catalog.json")); got != `{"version": 1}` {
		t.Errorf("catalog.json: %q", got)
	}
	pin := envValue(t, env, "SBOR_OPERATOR_PIN")
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(pin) || !strings.Contains(out, "the operator PIN is "+pin) {
		t.Errorf("a first install without --pin should make and print a 6-digit PIN; got %q\n%s", pin, out)
	}
	if _, err := os.Stat(filepath.Join(root, "home/pi/.config/labwc")); err == nil {
		t.Error("--no-browser wrote a labwc autostart")
	}
	first := treeSum(t, root)
	if out := run(); strings.Contains(out, "the operator PIN is") {
		t.Errorf("the second run made a new PIN:\n%s", out)
	}
	if second := treeSum(t, root); second != first {
		t.Fatalf("the second run changed:\n%s", diffLines(first, second))
	}
}

func TestInstallKioskRefusesBadOptions(t *testing.T) {
	bin := fakeProgram(t, "kiosk")
	for name, c := range map[string]struct {
		args []string
		msg  string
	}{
		"no catalogue source": {nil, "first install"},
		"enroll alone":        {[]string{"--enroll", "X"}, "--enroll needs --server"},
		"bad server":          {[]string{"--server", "sbor.example.ru"}, "http://"},
		"short pin":           {[]string{"--demo", "--pin", "12"}, "at least 4"},
		"short wifi password": {[]string{"--demo", "--hotspot", "Сбор", "short"}, "8 to 63"},
		"hotspot needs two":   {[]string{"--demo", "--hotspot", "Сбор"}, "SSID and PASSWORD"},
		"unknown option":      {[]string{"--demo", "--fast"}, "unknown option"},
		"no binary":           {[]string{"--demo", "--binary", "/nonexistent/kiosk"}, "make pi"},
		"spaces in the pin":   {[]string{"--demo", "--pin", "12 34"}, "must not contain spaces"},
	} {
		t.Run(name, func(t *testing.T) {
			root := fakePi(t)
			args := append([]string{"--root", root, "--binary", bin}, c.args...)
			out := runScript(t, 1, "install-kiosk.sh", args...)
			if !strings.Contains(out, c.msg) {
				t.Errorf("output does not say %q:\n%s", c.msg, out)
			}
		})
	}
}

func TestInstallServerTwiceChangesNothing(t *testing.T) {
	root := t.TempDir()
	bin := fakeProgram(t, "sync-server")
	args := []string{"--root", root, "--binary", bin, "--public-url", "https://sbor.example.ru"}
	out := runScript(t, 0, "install-server.sh", args...)
	first := treeSum(t, root)

	env := filepath.Join(root, "etc/sbor/sync-server.env")
	checkMode(t, env, 0o600)
	checkMode(t, filepath.Join(root, "usr/local/bin/sbor-sync-server"), 0o755)
	checkMode(t, filepath.Join(root, "var/lib/sbor-server"), 0o750)
	for key, want := range map[string]string{
		"SBOR_ADDR": "127.0.0.1:8090", "SBOR_DATA": "/var/lib/sbor-server", "SBOR_PUBLIC_URL": "https://sbor.example.ru",
		"SBOR_TRUSTED_PROXIES": "127.0.0.1,::1",
	} {
		if got := envValue(t, env, key); got != want {
			t.Errorf("sync-server.env: %s=%q, want %q", key, got, want)
		}
	}
	token := envValue(t, env, "SBOR_ADMIN_TOKEN")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(token) || !strings.Contains(out, "the admin token is "+token) {
		t.Errorf("a first install should make and print a token; got %q\n%s", token, out)
	}
	if got, want := readFile(t, filepath.Join(root, "etc/systemd/system/sbor-sync-server.service")), readFile(t, "../configs/sbor-sync-server.service"); got != want {
		t.Error("the installed unit differs from configs/sbor-sync-server.service")
	}

	out = runScript(t, 0, "install-server.sh", args...)
	if second := treeSum(t, root); second != first {
		t.Fatalf("the second run changed:\n%s\noutput:\n%s", diffLines(first, second), out)
	}
	if strings.Contains(out, "admin token is") {
		t.Errorf("the second run made a new token:\n%s", out)
	}
	runScript(t, 0, "install-server.sh", "--root", root, "--binary", bin, "--addr", ":8090")
	if got := envValue(t, env, "SBOR_ADDR"); got != ":8090" {
		t.Errorf("--addr: SBOR_ADDR=%q", got)
	}
	if got := envValue(t, env, "SBOR_ADMIN_TOKEN"); got != token {
		t.Error("a re-run changed the admin token")
	}
	runScript(t, 1, "install-server.sh", "--root", root, "--binary", bin, "--admin-token", "short")
}

// TestUnitsAreSandboxed keeps the units' hardening: a kiosk in a village
// hall must not be a way into the machine.
func TestUnitsAreSandboxed(t *testing.T) {
	for unit, data := range map[string]string{"sbor-kiosk.service": "/var/lib/sbor-kiosk", "sbor-sync-server.service": "/var/lib/sbor-server"} {
		text := readFile(t, filepath.Join("..", "configs", unit))
		set := map[string][]string{}
		for _, l := range strings.Split(text, "\n") {
			if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
				set[k] = append(set[k], v)
			}
		}
		for key, want := range map[string]string{
			"User": "sbor", "Restart": "always", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
			"ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
			"AmbientCapabilities": "", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
			"ReadWritePaths": data, "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
			"ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes", "MemoryDenyWriteExecute": "yes",
			"LockPersonality": "yes", "RestrictNamespaces": "yes", "SystemCallArchitectures": "native",
		} {
			if got := set[key]; len(got) != 1 || got[0] != want {
				t.Errorf("%s: %s=%q, want exactly %q", unit, key, got, want)
			}
		}
		// Only the data dir is writable: no other ReadWritePaths, no other
		// state, cache or log directory.
		for _, key := range []string{"CacheDirectory", "LogsDirectory", "RuntimeDirectory", "ConfigurationDirectory"} {
			if _, ok := set[key]; ok {
				t.Errorf("%s: %s gives another writable directory", unit, key)
			}
		}
		if exe, err := exec.LookPath("systemd-analyze"); err == nil {
			// The offline exposure score, shown 0.0 (locked down) to 10.0
			// (exposed); --threshold counts in tenths: at most 2.5.
			root := t.TempDir()
			writeFile(t, filepath.Join(root, "etc/systemd/system", unit), text, 0o644)
			out, err := exec.Command(exe, "security", "--offline=yes", "--threshold=25", "--root="+root,
				filepath.Join(root, "etc/systemd/system", unit)).CombinedOutput()
			if err != nil {
				t.Errorf("systemd-analyze security %s: %v\n%s", unit, err, lastLines(out, 3))
			} else {
				t.Logf("%s: %s", unit, bytes.TrimSpace(lastLines(out, 1)))
			}
		}
	}
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}

// TestInstalledSettingsRunThePrograms starts this machine's build of each
// program with nothing but the env file its install script wrote (the data
// dir and port moved into the test's scratch space), so the scripts and
// the programs' settings cannot drift apart.
func TestInstalledSettingsRunThePrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the programs are not built")
	}
	goTool := goCommand(t)
	build := func(t *testing.T, pkg string) string {
		out := filepath.Join(t.TempDir(), pkg)
		cmd := exec.Command(goTool, "build", "-o", out, "./"+pkg)
		cmd.Dir = ".."
		cmd.Env = cleanEnv()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./%s: %v\n%s", pkg, err, b)
		}
		return out
	}
	// envFrom reads an installed env file for the program, with SBOR_DATA
	// and the port of SBOR_ADDR replaced.
	envFrom := func(t *testing.T, file string) ([]string, string) {
		env := cleanEnv()
		port := strconv.Itoa(freePort(t))
		for _, l := range strings.Split(readFile(t, file), "\n") {
			k, v, ok := strings.Cut(l, "=")
			if !ok || strings.HasPrefix(l, "#") {
				continue
			}
			switch k {
			case "SBOR_DATA":
				v = t.TempDir()
			case "SBOR_ADDR":
				v = "127.0.0.1:" + port
			}
			env = append(env, k+"="+v)
		}
		return env, "http://127.0.0.1:" + port
	}
	run := func(t *testing.T, bin string, env []string, base string, check func()) {
		out := &lockedBuffer{}
		cmd := exec.Command(bin)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		k := &piKiosk{cmd: cmd, base: base, out: out, done: make(chan struct{})}
		go func() { k.err = cmd.Wait(); close(k.done) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-k.done })
		hc := &http.Client{Timeout: 5 * time.Second}
		for deadline := time.Now().Add(piStartWait); ; time.Sleep(100 * time.Millisecond) {
			select {
			case <-k.done:
				t.Fatalf("%s exited with the installed settings (%v):\n%s", filepath.Base(bin), k.err, out)
			default:
			}
			if resp, err := hc.Get(base + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not answer with the installed settings:\n%s", filepath.Base(bin), out)
			}
		}
		check()
		k.stop(t)
	}

	t.Run("kiosk", func(t *testing.T) {
		root := fakePi(t)
		bin := build(t, "kiosk")
		runScript(t, 0, "install-kiosk.sh", "--root", root, "--binary", bin, "--demo", "--hotspot", "Сбор", "tablets-2468")
		env, base := envFrom(t, filepath.Join(root, "etc/sbor/kiosk.env"))
		pin := envValue(t, filepath.Join(root, "etc/sbor/kiosk.env"), "SBOR_OPERATOR_PIN")
		run(t, bin, env, base, func() {
			if code, body := newPiClient(base).post(t, "/api/shift", map[string]any{"pin": pin, "collector_id": "m1"}); code != http.StatusOK {
				t.Errorf("POST /api/shift with the installed PIN: %d %s", code, body)
			}
		})
	})
	t.Run("sync-server", func(t *testing.T) {
		root := t.TempDir()
		bin := build(t, "sync-server")
		runScript(t, 0, "install-server.sh", "--root", root, "--binary", bin, "--public-url", "https://sbor.example.ru")
		env, base := envFrom(t, filepath.Join(root, "etc/sbor/sync-server.env"))
		token := envValue(t, filepath.Join(root, "etc/sbor/sync-server.env"), "SBOR_ADMIN_TOKEN")
		run(t, bin, env, base, func() {
			req, _ := http.NewRequest("GET", base+"/api/kiosks", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /api/kiosks with the installed admin token: %d", resp.StatusCode)
			}
		})
	})
}
