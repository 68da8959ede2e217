package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sbor-project/sbor/kiosk/internal/sqlite"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/signature"
)

// TestMain lets the test binary run as the real kiosk program in a child
// process, so crash tests kill a real process without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("SBOR_TEST_RUN_KIOSK") == "1" {
		os.Args = append([]string{"kiosk"}, strings.Fields(os.Getenv("SBOR_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// kioskProcess is the kiosk running as a child process.
type kioskProcess struct {
	cmd  *exec.Cmd
	base string
}

func startProcess(t *testing.T, args ...string) *kioskProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SBOR_TEST_RUN_KIOSK=1", "SBOR_TEST_ARGS="+strings.Join(args, " "))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "kiosk: listening on "); ok {
				addr <- a
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		return &kioskProcess{cmd: cmd, base: a}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("kiosk did not start")
	}
	return nil
}

func (p *kioskProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func TestCrashLosesNoSavedSignature(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := writeCatalog(t, dir)
	args := []string{"-addr", "127.0.0.1:0", "-data", data, "-catalog", file, "-operator-pin", testPIN, "-log-level", "ERROR"}

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	var mu sync.Mutex
	saved := map[citizen.Key]bool{} // every signature that got a 201
	next := 0
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	const cycles = 6

	for cycle := 0; cycle < cycles; cycle++ {
		p := startProcess(t, args...)
		if code, _ := postJSON(hc, p.base+"/api/shift", map[string]string{"pin": testPIN, "collector_id": "m1"}); code != 200 {
			p.kill()
			t.Fatalf("cycle %d: open shift: %d", cycle, code)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					next++
					name := fmt.Sprintf("Житель %s Номер", spell(next))
					mu.Unlock()
					code, _ := postJSON(hc, p.base+"/api/projects/p1/signatures", form(name, "1970-01-01"))
					if code == 201 {
						mu.Lock()
						saved[citizen.IdentityKey(name, mustDate("1970-01-01"))] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		p.kill() // mid-stream, requests in flight
		close(stop)
		wg.Wait()
	}
	if len(saved) < cycles {
		t.Fatalf("only %d signatures were acknowledged; the test did not exercise anything", len(saved))
	}

	db, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.IntegrityCheck(context.Background()); err != nil || v != "ok" {
		t.Fatalf("integrity_check = %q, %v", v, err)
	}
	recs, err := db.Records(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[citizen.Key]bool{}
	prevSeq, prev := uint64(0), record.Genesis
	for _, r := range recs {
		if err := r.Verify(db.Epoch(), prevSeq, prev); err != nil {
			t.Fatalf("log after crashes: %v", err)
		}
		prevSeq, prev = r.Seq, r.Hash
		var s signature.Signature
		if err := json.Unmarshal(opened(t, r), &s); err != nil {
			t.Fatal(err)
		}
		if stored[s.IdentityKey] {
			t.Fatalf("%s stored twice", s.IdentityKey)
		}
		stored[s.IdentityKey] = true
	}
	for k := range saved {
		if !stored[k] {
			t.Errorf("signature %s got 201 but is not in the database", k)
		}
	}
	t.Logf("%d cycles: %d acknowledged, %d stored (the rest were in flight at a kill)", cycles, len(saved), len(stored))
}

// spell turns n into letters, since digits are not allowed in names.
func spell(n int) string {
	const letters = "абвгдежзиклмнопрстуфхцчшэюя"
	r := []rune(letters)
	var b []rune
	for n > 0 {
		b = append(b, r[n%len(r)])
		n /= len(r)
	}
	return "Ж" + string(b)
}

func postJSON(hc *http.Client, url string, body any) (int, error) {
	raw, _ := json.Marshal(body)
	resp, err := hc.Post(url, "application/json", strings.NewReader(string(raw)))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
