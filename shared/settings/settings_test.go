package settings

import (
	"flag"
	"io"
	"testing"
	"time"
)

func TestApplyEnv(t *testing.T) {
	env := map[string]string{"SBOR_ADDR": ":9000", "SBOR_DATA": "/env", "SBOR_IDLE_RESET": "45s"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "")
	data := fs.String("data", "", "")
	idle := fs.Duration("idle-reset", time.Minute, "")
	pin := fs.String("operator-pin", "", "")
	if err := fs.Parse([]string{"-data", "/flag"}); err != nil {
		t.Fatal(err)
	}
	if err := ApplyEnv(fs, lookup); err != nil {
		t.Fatal(err)
	}
	if *addr != ":9000" || *data != "/flag" || *idle != 45*time.Second || *pin != "" {
		t.Fatalf("addr=%q data=%q idle=%v pin=%q", *addr, *data, *idle, *pin)
	}
	env["SBOR_IDLE_RESET"] = "soon"
	fs2 := flag.NewFlagSet("t", flag.ContinueOnError)
	fs2.SetOutput(io.Discard)
	fs2.Duration("idle-reset", time.Minute, "")
	_ = fs2.Parse(nil)
	if err := ApplyEnv(fs2, lookup); err == nil {
		t.Fatal("a bad env value was accepted")
	}
}
