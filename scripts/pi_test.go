package scripts

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// piTarget is one Raspberry Pi build of `make pi`, run here under qemu-user.
type piTarget struct {
	name    string // bin/ subdirectory of `make pi`
	goarch  string
	env     []string // GOARM…
	cc      string   // Debian's cross compiler
	qemu    []string // qemu-user programs, the first found is used
	sysroot string   // the target's glibc (libc6-*-cross), for qemu -L
	machine elf.Machine
	interp  string // the dynamic loader Raspberry Pi OS has
	debs    string // Debian packages that bring cc and sysroot
}

var piTargets = []piTarget{
	{name: "linux-arm64", goarch: "arm64", cc: "aarch64-linux-gnu-gcc",
		qemu: []string{"qemu-aarch64", "qemu-aarch64-static"}, sysroot: "/usr/aarch64-linux-gnu",
		machine: elf.EM_AARCH64, interp: "/lib/ld-linux-aarch64.so.1",
		debs: "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"},
	{name: "linux-armv7", goarch: "arm", env: []string{"GOARM=7"}, cc: "arm-linux-gnueabihf-gcc",
		qemu: []string{"qemu-arm", "qemu-arm-static"}, sysroot: "/usr/arm-linux-gnueabihf",
		machine: elf.EM_ARM, interp: "/lib/ld-linux-armhf.so.3",
		debs: "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"},
}

// Generous bounds: cgo SQLite under emulation is slow on a busy machine.
const (
	piStartWait = 60 * time.Second
	piStopWait  = 60 * time.Second
	piPIN       = "2468"
)

// TestKioskOnRaspberryPiBuilds cross-compiles the kiosk as `make pi` does
// (cgo, Debian's cross compilers, the release ldflags), runs it under
// qemu-user, signs once and stops it with SIGTERM, for 64-bit and 32-bit
// Raspberry Pi OS. Missing tools fail the test, naming the packages; only
// -short skips it.
func TestKioskOnRaspberryPiBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the Raspberry Pi builds under qemu-user are not run")
	}
	goTool := goCommand(t)
	for _, pt := range piTargets {
		t.Run(pt.name, func(t *testing.T) {
			native := runtime.GOOS == "linux" && runtime.GOARCH == pt.goarch
			var missing []string
			var qemu string
			if !native {
				if _, err := exec.LookPath(pt.cc); err != nil {
					missing = append(missing, pt.cc)
				}
				if _, err := os.Stat(filepath.Join(pt.sysroot, strings.TrimPrefix(pt.interp, "/"))); err != nil {
					missing = append(missing, filepath.Join(pt.sysroot, pt.interp))
				}
				for _, q := range pt.qemu {
					if p, err := exec.LookPath(q); err == nil {
						qemu = p
						break
					}
				}
				if qemu == "" {
					missing = append(missing, strings.Join(pt.qemu, " or "))
				}
			}
			if len(missing) > 0 {
				t.Fatalf("the %s test needs %s: apt-get install %s qemu-user (`bash .ci/run` installs them; -short skips this test)",
					pt.name, strings.Join(missing, ", "), pt.debs)
			}

			bin := filepath.Join(t.TempDir(), "kiosk")
			version := "pi-test-" + pt.name
			start := time.Now()
			buildForPi(t, goTool, pt, native, version, bin)
			t.Logf("built in %v", time.Since(start).Round(time.Millisecond))
			checkELF(t, bin, pt)

			var prefix []string
			if !native {
				prefix = []string{qemu, "-L", pt.sysroot}
			}
			data := t.TempDir()
			k := startPiKiosk(t, prefix, bin, data)
			if !strings.Contains(k.output(), "version="+version) {
				t.Errorf("the kiosk does not log the stamped version %q:\n%s", version, k.output())
			}
			c := newPiClient(k.base)
			if code, body := c.post(t, "/api/shift", map[string]any{"pin": piPIN, "collector_id": "m1"}); code != http.StatusOK {
				t.Fatalf("POST /api/shift: %d %s", code, body)
			}
			sig := map[string]any{
				"full_name": "Иванов Иван Иванович", "birth_date": "1980-04-12", "resident": true, "consent": true,
				"signature": map[string]any{"strokes": [][][2]int{{{10, 10}, {60, 40}, {120, 15}}}},
			}
			code, body := c.post(t, "/api/projects/p1/signatures", sig)
			if code != http.StatusCreated {
				t.Fatalf("POST /api/projects/p1/signatures: %d %s", code, body)
			}
			var signed struct{ Signatures int }
			if err := json.Unmarshal(body, &signed); err != nil || signed.Signatures != 1 {
				t.Fatalf("signature answer %s (%v)", body, err)
			}
			k.stop(t)

			// The database the emulated kiosk wrote opens again with the signature.
			k = startPiKiosk(t, prefix, bin, data)
			if code, body := newPiClient(k.base).get(t, "/api/projects/p1/progress"); code != http.StatusOK || !bytes.Contains(body, []byte(`"signatures":1`)) {
				t.Fatalf("after a restart, GET /api/projects/p1/progress: %d %s", code, body)
			}
			k.stop(t)
			t.Logf("%s: built, started, signed, stopped and restarted in %v", pt.name, time.Since(start).Round(time.Millisecond))
		})
	}
}

// goCommand is the go tool running this test.
func goCommand(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath(filepath.Join(runtime.GOROOT(), "bin", "go")); err == nil {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("no go tool in PATH")
	}
	return p
}

// buildForPi builds ../kiosk for pt with the Makefile's ldflags.
func buildForPi(t *testing.T, goTool string, pt piTarget, native bool, version, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), buildBudget(t))
	defer cancel()
	const pkg = "github.com/sbor-project/sbor"
	ldflags := fmt.Sprintf("-s -w -X %s/shared/release.Version=%s -X %s/shared/release.Date=%s",
		pkg, version, pkg, time.Now().UTC().Format("2006-01-02"))
	cmd := exec.CommandContext(ctx, goTool, "build", "-ldflags", ldflags, "-o", out, "./kiosk")
	cmd.Dir = ".."
	cmd.Env = append(cleanEnv(), "CGO_ENABLED=1", "GOOS=linux", "GOARCH="+pt.goarch)
	cmd.Env = append(cmd.Env, pt.env...)
	if !native {
		cmd.Env = append(cmd.Env, "CC="+pt.cc)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOARCH=%s CC=%s go build ./kiosk: %v\n%s", pt.goarch, pt.cc, err, b)
	}
}

// buildBudget leaves a minute of the test's deadline for the rest.
func buildBudget(t *testing.T) time.Duration {
	budget := 10 * time.Minute
	if d, ok := t.Deadline(); ok {
		if left := time.Until(d) - time.Minute; left < budget {
			budget = left
		}
	}
	if budget < time.Minute {
		budget = time.Minute
	}
	return budget
}

// checkELF: the binary is for the Pi's CPU and loads with Raspberry Pi
// OS's glibc loader.
func checkELF(t *testing.T, bin string, pt piTarget) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != pt.machine {
		t.Errorf("%s is for %v, want %v", bin, f.Machine, pt.machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, _ := io.ReadAll(p.Open())
			if got := strings.TrimRight(string(b), "\x00"); got != pt.interp {
				t.Errorf("%s loads with %q, want %q", bin, got, pt.interp)
			}
		}
	}
}

// piKiosk is the emulated kiosk process.
type piKiosk struct {
	cmd  *exec.Cmd
	base string
	out  *lockedBuffer
	done chan struct{}
	err  error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (k *piKiosk) output() string { return k.out.String() }

// freePort is a port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startPiKiosk starts the kiosk on the demo catalogue and waits (bounded)
// for GET /healthz to answer 200. Should another program take the free
// port first, it tries another.
func startPiKiosk(t *testing.T, prefix []string, bin, data string) *piKiosk {
	t.Helper()
	for attempt := 1; ; attempt++ {
		k, err := tryStartPiKiosk(t, prefix, bin, data)
		if err == nil {
			return k
		}
		if attempt == 3 || !strings.Contains(k.output(), "address already in use") {
			t.Fatal(err)
		}
	}
}

func tryStartPiKiosk(t *testing.T, prefix []string, bin, data string) (*piKiosk, error) {
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	argv := append(append([]string{}, prefix...), bin, "-demo", "-addr", addr, "-data", data, "-operator-pin", piPIN)
	k := &piKiosk{cmd: exec.Command(argv[0], argv[1:]...), base: "http://" + addr, out: &lockedBuffer{}, done: make(chan struct{})}
	k.cmd.Env = cleanEnv()
	k.cmd.Stdout, k.cmd.Stderr = k.out, k.out
	began := time.Now()
	if err := k.cmd.Start(); err != nil {
		return k, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
	}
	go func() { k.err = k.cmd.Wait(); close(k.done) }()
	t.Cleanup(func() {
		select {
		case <-k.done:
		default:
			k.cmd.Process.Kill()
			<-k.done
		}
	})
	hc := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(piStartWait)
	for {
		select {
		case <-k.done:
			return k, fmt.Errorf("the kiosk exited before answering (%v):\n%s", k.err, k.output())
		default:
		}
		if resp, err := hc.Get(k.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Logf("GET /healthz = 200 after %v", time.Since(began).Round(time.Millisecond))
				return k, nil
			}
		}
		if time.Now().After(deadline) {
			return k, fmt.Errorf("GET %s/healthz did not answer 200 within %v:\n%s", k.base, piStartWait, k.output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean exit within the bound.
func (k *piKiosk) stop(t *testing.T) {
	t.Helper()
	if err := k.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-k.done:
	case <-time.After(piStopWait):
		t.Fatalf("the kiosk did not exit within %v of SIGTERM:\n%s", piStopWait, k.output())
	}
	if k.err != nil {
		t.Fatalf("the kiosk exited with %v after SIGTERM:\n%s", k.err, k.output())
	}
	for _, bad := range []string{"panic:", "fatal error:", "SIGSEGV", "level=ERROR"} {
		if strings.Contains(k.output(), bad) {
			t.Fatalf("the kiosk's output has %q:\n%s", bad, k.output())
		}
	}
}

type piClient struct {
	base string
	hc   *http.Client
}

func newPiClient(base string) *piClient {
	jar, _ := cookiejar.New(nil)
	return &piClient{base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (c *piClient) post(t *testing.T, path string, body any) (int, []byte) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.hc.Post(c.base+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *piClient) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
