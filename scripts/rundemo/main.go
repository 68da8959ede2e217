// Command rundemo is what `make run` starts: a sync server and one kiosk
// enrolled to it, on the demo catalogue, with their data under one
// directory. It prints both addresses and stops both on Ctrl-C.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/catalog"
)

func main() {
	bin := flag.String("bin", "bin", "directory with the kiosk and sync-server binaries")
	data := flag.String("data", ".run", "data directory for both programs")
	serverAddr := flag.String("server-addr", "127.0.0.1:8090", "sync server address")
	kioskAddr := flag.String("kiosk-addr", "127.0.0.1:8080", "kiosk address")
	pin := flag.String("pin", "1234", "kiosk operator PIN")
	flag.Parse()
	if err := run(*bin, *data, *serverAddr, *kioskAddr, *pin); err != nil {
		fmt.Fprintln(os.Stderr, "rundemo:", err)
		os.Exit(1)
	}
}

func run(bin, data, serverAddr, kioskAddr, pin string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	token, err := adminToken(data)
	if err != nil {
		return err
	}
	base := "http://" + serverAddr
	server := exec.Command(filepath.Join(bin, "sync-server"), "-addr", serverAddr, "-data", filepath.Join(data, "server"))
	server.Env = append(os.Environ(), "SBOR_ADMIN_TOKEN="+token)
	if err := startLogged(server, "server"); err != nil {
		return err
	}
	defer terminate(server)
	if err := waitHealthy(ctx, base); err != nil {
		return err
	}

	kioskData := filepath.Join(data, "kiosk")
	args := []string{"-addr", kioskAddr, "-data", kioskData, "-server", base}
	if _, err := os.Stat(filepath.Join(kioskData, "kiosk.db")); errors.Is(err, os.ErrNotExist) {
		// First run: the office's two steps, done here for the demo.
		demo := catalog.Demo(calendar.Of(time.Now()))
		for i := range demo.Projects {
			demo.Projects[i].PageURL = "" // the server's own /p/{id}, where QR codes then lead
		}
		if err := call("PUT", base+"/api/catalog", token, demo, nil); err != nil {
			return fmt.Errorf("demo catalogue: %w", err)
		}
		var k struct {
			ID         string `json:"id"`
			EnrollCode string `json:"enroll_code"`
		}
		if err := call("POST", base+"/api/kiosks", token, map[string]string{"name": "Демо-киоск"}, &k); err != nil {
			return fmt.Errorf("register kiosk: %w", err)
		}
		args = append(args, "-enroll", k.EnrollCode)
		// An office admin for the demo, with the admin token as password.
		add := exec.Command(filepath.Join(bin, "sync-server"), "user", "add", "-data", filepath.Join(data, "server"),
			"-role", "admin", "-name", "Демо-администратор", "admin")
		add.Stdin = strings.NewReader(token + "\n")
		if out, err := add.CombinedOutput(); err != nil {
			return fmt.Errorf("office admin: %v: %s", err, out)
		}
	}
	kiosk := exec.Command(filepath.Join(bin, "kiosk"), args...)
	kiosk.Env = append(os.Environ(), "SBOR_OPERATOR_PIN="+pin)
	if err := startLogged(kiosk, "kiosk"); err != nil {
		return err
	}
	defer terminate(kiosk)
	if err := waitHealthy(ctx, "http://"+kioskAddr); err != nil {
		return err
	}

	fmt.Printf(`
  Киоск / kiosk:               http://%s/   (ПИН оператора / operator PIN: %s)
  Сервер / sync server:        %s/healthz
  Администрация / office:      %s/office   (admin / %s)
  Прогресс / live progress:    %s/p/p1/live
  Токен администратора / admin token: %s
  Данные / data: %s      Ctrl-C — стоп / stop

`, kioskAddr, pin, base, base, token, base, token, data)
	select {
	case <-ctx.Done():
	case <-exited(server):
		return errors.New("the sync server stopped")
	case <-exited(kiosk):
		return errors.New("the kiosk stopped")
	}
	return nil
}

// adminToken keeps one random token per demo data dir.
func adminToken(data string) (string, error) {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", err
	}
	file := filepath.Join(data, "admin-token")
	if b, err := os.ReadFile(file); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	b := make([]byte, 18)
	f, err := os.Open("/dev/urandom")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.ReadFull(f, b); err != nil {
		return "", err
	}
	token := fmt.Sprintf("%x", b)
	return token, os.WriteFile(file, []byte(token+"\n"), 0o600)
}

func startLogged(cmd *exec.Cmd, name string) error {
	// Children go with the launcher however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	out, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintf(os.Stderr, "[%s] %s\n", name, sc.Text())
		}
	}()
	return nil
}

func exited(cmd *exec.Cmd) <-chan struct{} {
	ch := make(chan struct{})
	go func() { cmd.Wait(); close(ch) }()
	return ch
}

func terminate(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Signal(syscall.SIGTERM)
	}
}

func waitHealthy(ctx context.Context, base string) error {
	for i := 0; i < 100; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not become healthy", base)
}

func call(method, url, token string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
