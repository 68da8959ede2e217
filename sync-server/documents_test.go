package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/citizen"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/sheet"
	"github.com/sbor-project/sbor/shared/signature"
	"github.com/sbor-project/sbor/sync-server/internal/sqlite"
)

// seedKiosk stores a kiosk's signatures through the real ingest path.
func seedKiosk(t *testing.T, srv *Main, id string, sigs []signature.Signature) {
	t.Helper()
	ctx := context.Background()
	if err := srv.DB.CreateKiosk(ctx, id, "Киоск "+id, "code-"+id, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DB.RedeemEnrollCode(ctx, "code-"+id, "cred-"+id, newDevicePublicKey(t)); err != nil {
		t.Fatal(err)
	}
	epoch := record.NewEpoch()
	var recs []record.Record
	seq, prev := uint64(0), record.Genesis
	for _, s := range sigs {
		payload, _ := json.Marshal(s)
		r := record.New(epoch, seq, prev, record.TypeSignature, payload)
		recs, seq, prev = append(recs, r), r.Seq, r.Hash
	}
	if _, err := srv.DB.Ingest(ctx, id, epoch, recs); err != nil {
		t.Fatal(err)
	}
}

func pdfText(t *testing.T, pdf []byte) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (.ci/run does)")
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	info, err := exec.Command("pdfinfo", file).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	pages := 0
	for _, line := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			fmt.Sscan(strings.TrimSpace(v), &pages)
		}
	}
	return strings.Join(strings.Fields(string(text)), " "), pages
}

func TestDocumentsFromDatabase(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	srv := startServer(t, addr, filepath.Join(t.TempDir(), "server"))
	defer srv.Close()
	admin := newHTTP(t, base, adminToken)
	if code, _ := admin.do("PUT", "/api/catalog", testCatalog(t)); code != 200 {
		t.Fatal("put catalogue")
	}
	// An empty project: still a valid protocol with zeros.
	code, pdf := admin.raw("GET", "/api/projects/p1/protocol.pdf", nil)
	if code != 200 {
		t.Fatalf("zero protocol: %d", code)
	}
	if text, _ := pdfText(t, pdf); !strings.Contains(text, "Количество подписных листов — 0") || !strings.Contains(text, "необходимо для учёта мнения по вопросу поддержки инициативного проекта — 301") {
		t.Fatalf("zero protocol text: %s", text)
	}
	if code, body := admin.do("GET", "/api/projects/p1/sheets.pdf", nil); code != 404 || body["error"] != "no_signatures" {
		t.Fatalf("sheets with no signatures: %d %v", code, body)
	}

	// Two kiosks: m1 collects 23 residents at k1, m2 collects 5 at k2, 3 of
	// whom also signed at k1 earlier (duplicates, left off the sheets).
	birth := calendar.MustParse("1970-03-04")
	t0 := time.Date(2026, 5, 20, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	sig := func(name, collector string, at time.Time) signature.Signature {
		return signature.Signature{ProjectID: "p1", IdentityKey: citizen.IdentityKey(name, birth), FullName: name, BirthDate: birth,
			SignedAt: at, ClockSource: "system", ConsentVersion: "v", CollectorID: collector,
			Strokes: [][][]float64{{{0, 10}, {20, 0}, {40, 10}, {60, 0}}}}
	}
	var k1, k2 []signature.Signature
	for i := 0; i < 23; i++ {
		k1 = append(k1, sig(resident(i), "m1", t0.Add(time.Duration(i)*time.Minute)))
	}
	for i := 20; i < 25; i++ {
		k2 = append(k2, sig(resident(i), "m2", t0.Add(time.Hour+time.Duration(i)*time.Minute)))
	}
	seedKiosk(t, srv, "k1", k1)
	seedKiosk(t, srv, "k2", k2)
	// An independent count: distinct residents, and sheets per collector.
	distinct := map[string]bool{}
	perCollector := map[string]map[string]bool{"m1": {}, "m2": {}}
	for _, s := range append(append([]signature.Signature{}, k1...), k2...) {
		if !distinct[s.FullName] {
			perCollector[s.CollectorID][s.FullName] = true // the earlier signature counts
		}
		distinct[s.FullName] = true
	}
	wantSheets := sheet.Count(len(perCollector["m1"]), 10) + sheet.Count(len(perCollector["m2"]), 10)
	wantDup := len(k1) + len(k2) - len(distinct)

	code, pdf = admin.raw("GET", "/api/projects/p1/protocol.pdf", nil)
	if code != 200 {
		t.Fatalf("protocol: %d", code)
	}
	text, pages := pdfText(t, pdf)
	for _, want := range []string{
		"Протокол об итогах сбора подписей граждан в поддержку инициативного проекта",
		"Ремонт детской площадки",
		"Общее количество жителей, проживающих на указанной территории — 1001",
		"Количество подписей, которое необходимо для учёта мнения по вопросу поддержки инициативного проекта — 301",
		fmt.Sprintf("Количество подписных листов — %d", wantSheets),
		fmt.Sprintf("Количество подписей в подписных листах в поддержку инициативного проекта — %d", len(distinct)),
		"Петрова Мария Ивановна", "Сидоров Пётр Алексеевич",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("protocol lacks %q", want)
		}
	}
	if pages < 1 {
		t.Fatal("protocol has no pages")
	}
	digest, n, err := srv.DB.CountedDigest(context.Background(), "p1")
	if err != nil || n != len(distinct) || !strings.Contains(text, digest) {
		t.Fatalf("digest %s (%d counted) not in the protocol: %v", digest, n, err)
	}
	// /verify shows the same digest, project, counts — no names.
	code, page := anonGet(t, base+"/verify/"+digest)
	if code != 200 || !strings.Contains(page, digest) || !strings.Contains(page, "Ремонт детской площадки") || strings.Contains(page, resident(0)) {
		t.Fatalf("verify page: %d", code)
	}
	if !strings.Contains(page, `id="verify-signature"`) || strings.Contains(page, "запись изменена") {
		t.Fatal("verify page does not confirm the server's signature")
	}
	if !strings.Contains(text, "Подпись сервера (Ed25519):") {
		t.Error("protocol lacks the server's signature")
	}
	// Someone with the database file raises the count: the signature no longer matches.
	raw, err := sql.Open("sqlite3", filepath.Join(srv.Config.DataDir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE protocols SET signatures = signatures + 100"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, page := anonGet(t, base+"/verify/"+digest); !strings.Contains(page, "запись изменена") {
		t.Fatal("a raised count in the database still verifies")
	}
	if code, _ := anonGet(t, base+"/verify/"+strings.Repeat("0", 64)); code != 404 {
		t.Fatalf("verify of an unknown digest: %d", code)
	}

	code, pdf = admin.raw("GET", "/api/projects/p1/sheets.pdf", nil)
	if code != 200 {
		t.Fatalf("sheets: %d", code)
	}
	text, pages = pdfText(t, pdf)
	if pages != wantSheets {
		t.Errorf("sheets PDF has %d pages, want one per sheet: %d", pages, wantSheets)
	}
	if !strings.Contains(text, "Подписной лист") || !strings.Contains(text, "Подписи заверяю") || !strings.Contains(text, "Сидоров Пётр Алексеевич") {
		t.Error("sheets lack the form wording or the certifying collector")
	}
	for name := range distinct {
		if strings.Count(text, name) != 1 {
			t.Errorf("%s appears %d times on the sheets, want once", name, strings.Count(text, name))
		}
	}
	code, pdf = admin.raw("GET", "/api/projects/p1/sheets.pdf?annex=1", nil)
	if code != 200 {
		t.Fatalf("annex: %d", code)
	}
	if text, _ = pdfText(t, pdf); strings.Count(text, "повторная подпись") != wantDup {
		t.Errorf("annex lists %d repeats, want %d", strings.Count(text, "повторная подпись"), wantDup)
	}
	code, pdf = admin.raw("GET", "/api/projects/p1/poster.pdf", nil)
	if text, pages = pdfText(t, pdf); code != 200 || pages != 1 || !strings.Contains(text, "Ремонт детской площадки") || !strings.Contains(text, base+"/p/p1") {
		t.Fatalf("poster: %d, %d pages", code, pages)
	}

	// CSV: BOM, a header, one row per signature; the semicolon variant.
	code, csv := admin.raw("GET", "/api/projects/p1/signatures.csv", nil)
	if code != 200 || !bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("csv: %d, BOM %v", code, bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF")))
	}
	if lines := strings.Count(strings.TrimSpace(string(csv)), "\n") + 1; lines != 1+len(k1)+len(k2) {
		t.Fatalf("csv has %d lines, want %d", lines, 1+len(k1)+len(k2))
	}
	_, csv = admin.raw("GET", "/api/projects/p1/signatures.csv?sep=semicolon", nil)
	if !strings.Contains(string(csv), resident(0)+";1970-03-04;20.05.2026 09:00;k1;m1;") {
		t.Fatalf("semicolon csv row not found:\n%s", csv[:min(len(csv), 400)])
	}
}
