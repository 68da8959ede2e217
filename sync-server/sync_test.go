package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
)

func resident(i int) string {
	letters := []rune("абвгдежзиклмнопрстуфхцчшэюя")
	return fmt.Sprintf("Житель %c%c Тестовый", 'А'+rune(i/len(letters)), letters[i%len(letters)])
}

const birth = "1975-06-01"

// TestThreeKiosksExactlyOnce: three kiosks enrolled; the server goes down;
// each collects, some residents at two kiosks; the server comes back; the
// server's counted set is exactly the residents, each once.
func TestThreeKiosksExactlyOnce(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	data := filepath.Join(t.TempDir(), "server")
	srv := startServer(t, addr, data)
	admin := newHTTP(t, base, adminToken)
	if code, body := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	var kiosks []*kioskProc
	var ids []string
	for _, name := range []string{"Школа", "Клуб", "Администрация"} {
		k, id := enrollKiosk(t, admin, base, name)
		kiosks, ids = append(kiosks, k), append(ids, id)
	}
	for _, k := range kiosks {
		eventually(t, 15*time.Second, "kiosk online with the catalogue", func() bool {
			on, _ := k.syncStatus()
			code, _ := k.api.do("GET", "/api/projects/p1/progress", nil)
			return on && code == 200
		})
		k.openShift("m1")
	}

	// The server goes away; kiosks go on collecting.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	plan := make([][]int, len(kiosks))
	for i := 0; i < 20; i++ {
		plan[0] = append(plan[0], i) // residents 0–19 at the school
	}
	for i := 10; i < 30; i++ {
		plan[1] = append(plan[1], i) // 10–29 at the club: 10–19 signed twice
	}
	for i := 25; i < 35; i++ {
		plan[2] = append(plan[2], i) // 25–34 at the administration: 25–29 twice
	}
	plan[2] = append(plan[2], 0) // and resident 0 a second time
	total := 0
	for ki, residents := range plan {
		for _, r := range residents {
			if code, body := kiosks[ki].sign("p1", resident(r), birth); code != 201 {
				t.Fatalf("kiosk %d, resident %d: %d %v", ki, r, code, body)
			}
			total++
		}
		if on, pending := kiosks[ki].syncStatus(); on || pending != len(residents) {
			t.Fatalf("kiosk %d while the server is down: online=%v pending=%d", ki, on, pending)
		}
	}

	srv = startServer(t, addr, data)
	defer srv.Close()
	for ki, k := range kiosks {
		eventually(t, 20*time.Second, fmt.Sprintf("kiosk %d synced", ki), func() bool {
			on, pending := k.syncStatus()
			return on && pending == 0
		})
	}
	code, body := admin.do("GET", "/api/projects/p1/progress", nil)
	if code != 200 || body["signatures"] != 35.0 || body["duplicates"] != float64(total-35) || body["required"] != 301.0 {
		t.Fatalf("progress: %d %v", code, body)
	}
	if ks, _ := body["kiosks"].([]any); len(ks) != 3 {
		t.Fatalf("progress kiosks: %v", body["kiosks"])
	}
	counted, err := srv.DB.CountedSet(context.Background(), "p1")
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, c := range counted {
		got = append(got, c.IdentityKey)
	}
	for r := 0; r < 35; r++ {
		want = append(want, string(citizen.IdentityKey(resident(r), calendar.MustParse(birth))))
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counted set:\n got %v\nwant %v", got, want)
	}
	var dups []map[string]any
	if code := admin.decode("GET", "/api/projects/p1/duplicates", &dups); code != 200 || len(dups) != total-35 {
		t.Fatalf("duplicates: %d, %d listed", code, len(dups))
	}

	// Online, a resident who signed at the school is refused at the club at once.
	if code, body := kiosks[1].sign("p1", resident(3), birth); code != 409 || body["error"] != "duplicate" {
		t.Fatalf("online duplicate check: %d %v", code, body)
	}

	// A catalogue change reaches connected kiosks within seconds.
	c := testCatalogWith(t, "Ремонт детской площадки (2-я очередь)")
	if code, body := admin.do("PUT", "/api/catalog", c); code != 200 {
		t.Fatalf("put catalogue: %d %v", code, body)
	}
	eventually(t, 10*time.Second, "new catalogue on the kiosk", func() bool {
		var ps []map[string]any
		kiosks[0].api.decode("GET", "/api/projects", &ps)
		return len(ps) > 0 && ps[0]["name"] == "Ремонт детской площадки (2-я очередь)"
	})

	// A revoked kiosk is cut off and stays off.
	if code, _ := admin.do("DELETE", "/api/kiosks/"+ids[2], nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	eventually(t, 10*time.Second, "revoked kiosk offline", func() bool {
		on, _ := kiosks[2].syncStatus()
		return !on && srv.Hub.Connected(ids[2]) == 0
	})
	time.Sleep(time.Second) // several reconnect attempts
	if on, _ := kiosks[2].syncStatus(); on || srv.Hub.Connected(ids[2]) != 0 {
		t.Fatal("revoked kiosk reconnected")
	}
	if v, err := srv.DB.IntegrityCheck(context.Background()); err != nil || v != "ok" {
		t.Fatalf("integrity_check %q %v", v, err)
	}
}
