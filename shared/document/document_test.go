package document

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/consent"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The seeded data set shared by the tests.
const (
	seed        = 20260401
	sheetSize   = 10
	residents   = 1001
	percent     = 30
	projectName = "Благоустройство детской игровой площадки по улице Ленина, 15"
	territory   = "село Лесное (улицы Ленина, Мира, Садовая)"
	resolution  = "постановление № 12 от 01.03.2026"
	verifyBase  = "https://sbor.example.ru/verify/"
	// longName is longer than the name column at the normal size.
	longName = "Константинопольская-Преображенская Александра-Виктория Вячеславовна"
)

var created = time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)

var (
	surnames   = []string{"Иванов", "Петров", "Смирнов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов", "Новиков", "Морозов", "Волков", "Алексеев"}
	maleNames  = []string{"Александр", "Сергей", "Владимир", "Андрей", "Алексей", "Дмитрий", "Николай", "Михаил", "Пётр", "Артём"}
	femNames   = []string{"Елена", "Ольга", "Наталья", "Татьяна", "Анна", "Мария", "Ирина", "Светлана", "Алёна", "Юлия"}
	patronymic = []string{"Иван", "Сергее", "Владимиро", "Андрее", "Николае", "Петро", "Михайло"}
)

// randomName draws a full name; every fifth has no patronymic, which the
// form allows («отчество (при наличии)»).
func randomName(r *rand.Rand) string {
	s := surnames[r.IntN(len(surnames))]
	p := patronymic[r.IntN(len(patronymic))]
	var name string
	if r.IntN(2) == 0 {
		name = s + " " + maleNames[r.IntN(len(maleNames))] + " " + p + "вич"
	} else {
		name = s + "а " + femNames[r.IntN(len(femNames))] + " " + p + "вна"
	}
	if r.IntN(5) == 0 {
		name = name[:strings.LastIndexByte(name, ' ')]
	}
	return name
}

// randomStrokes draws a handwriting-like signature on a 600×200 pad.
func randomStrokes(r *rand.Rand) [][][]float64 {
	var strokes [][][]float64
	x := 20 + r.Float64()*40
	for range 1 + r.IntN(3) {
		var s [][]float64
		amp, freq, phase := 20+r.Float64()*50, 0.03+r.Float64()*0.05, r.Float64()*math.Pi
		for range 25 + r.IntN(30) {
			s = append(s, []float64{x, 100 + amp*math.Sin(freq*x+phase) + r.Float64()*6})
			x += 3 + r.Float64()*8
		}
		strokes = append(strokes, s)
		x += 15
	}
	return strokes
}

func addDays(d calendar.Date, n int) calendar.Date {
	return calendar.Of(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// seededRows returns n signatures numbered within sheets of sheetSize; the
// third one has longName.
func seededRows(n int) []Row {
	r := rand.New(rand.NewPCG(seed, seed))
	start := calendar.MustParse("2026-03-02")
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{
			N:         i%sheetSize + 1,
			FullName:  randomName(r),
			BirthDate: addDays(calendar.MustParse("1945-01-01"), r.IntN(60*365)),
			SignedOn:  addDays(start, i/3),
			Strokes:   randomStrokes(r),
		}
	}
	if n > 2 {
		rows[2].FullName = longName
	}
	return rows
}

func collector(n int) Collector {
	return Collector{
		FullName:  fmt.Sprintf("Сидорова Галина Петровна (сборщик %d)", n),
		BirthDate: calendar.MustParse("1971-06-15"),
		Document:  "паспорт 0712 345678, выдан ГУ МВД России по Ставропольскому краю 12.08.2016",
		Address:   "Ставропольский край, Ипатовский район, село Лесное, улица Мира, дом 7, квартира 3",
	}
}

// chunk groups rows into sheets of sheetSize, as the collection does.
func chunk(rows []Row) []Sheet {
	var sheets []Sheet
	for i := 0; i < len(rows); i += sheetSize {
		n := len(sheets) + 1
		sheets = append(sheets, Sheet{
			Number:      n,
			Collector:   collector(n),
			Rows:        rows[i:min(i+sheetSize, len(rows))],
			CertifiedOn: calendar.MustParse("2026-03-20"),
		})
	}
	return sheets
}

func each(sheets []Sheet) iter.Seq2[Sheet, error] {
	return func(yield func(Sheet, error) bool) {
		for _, s := range sheets {
			if !yield(s, nil) {
				return
			}
		}
	}
}

func header() SheetsHeader {
	return SheetsHeader{ProjectName: projectName, TerritoryName: territory, Volume: 2, Volumes: 3, CreatedAt: created}
}

var initiators = []Person{
	{"Иванов Иван Иванович"}, {"Петрова Мария Сергеевна"}, {"Соколов Артём"}, {longName},
	{"Волкова Ольга Николаевна"}, {"Козлов Пётр Андреевич"}, {"Новикова Анна Михайловна"},
	{"Морозов Дмитрий Владимирович"}, {"Лебедева Юлия Петровна"}, {"Алексеев Николай Сергеевич"},
	{"Кузнецова Елена Андреевна"},
}

const digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// required is the threshold computed here independently of any package:
// ceil(residents × percent / 100) in integers.
func required(residents int) int { return (residents*percent + 99) / 100 }

func protocolFor(rows []Row) Protocol {
	return Protocol{
		ProjectName:   projectName,
		TerritoryName: territory,
		Resolution:    resolution,
		Residents:     residents,
		Required:      required(residents),
		Sheets:        len(chunk(rows)),
		Signatures:    len(rows),
		Initiators:    initiators,
		Date:          calendar.MustParse("2026-04-01"),
		Digest:        digest,
		VerifyURL:     verifyBase + digest,
		CreatedAt:     created,
	}
}

func poster() Poster {
	return Poster{
		ProjectName:   projectName,
		TerritoryName: territory,
		Description: "Детская площадка у дома 15 по улице Ленина построена в 1987 году и давно не ремонтировалась. " +
			"Проект предусматривает замену игрового оборудования, резиновое покрытие, освещение, скамейки и озеленение. " +
			"Площадкой будут пользоваться около 300 детей села. Смета — 1 850 000 рублей, из них 5 % вносят жители.",
		CollectFrom: calendar.MustParse("2026-03-02"),
		CollectTo:   calendar.MustParse("2026-03-31"),
		Where:       "в администрации села (ул. Мира, 1) по будням с 9:00 до 17:00 и в магазине «Лесной» у киоска",
		PageURL:     "https://sbor.example.ru/p/lesnoe-ploshchadka-2026",
		CreatedAt:   created,
	}
}

// --- helpers around poppler --------------------------------------------

func requirePoppler(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: these tests read the PDFs back with poppler; install poppler-utils (apt-get install poppler-utils)", tool)
		}
	}
}

// render writes a document into the test's temporary directory.
func render(t testing.TB, name string, write func(io.Writer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	path := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func pdftotext(t testing.TB, path string, mode string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", mode, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s %s: %v", mode, path, err)
	}
	return string(out)
}

func pageCount(t testing.TB, path string) int {
	t.Helper()
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count in\n%s", path, out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// norm collapses every run of white space: pdftotext breaks lines where
// the PDF wraps them, which is layout, not wording.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func wantText(t *testing.T, text string, phrases ...string) {
	t.Helper()
	n := norm(text)
	for _, p := range phrases {
		if !strings.Contains(n, norm(p)) {
			t.Errorf("text lacks %q", p)
		}
	}
}

// wantWords checks every word of a name that may be wrapped inside its
// table cell, where -layout puts the neighbouring cells between the lines.
func wantWords(t *testing.T, text, name string) {
	t.Helper()
	words := strings.Fields(text)
	for _, w := range strings.Fields(name) {
		if !slices.Contains(words, w) {
			t.Errorf("text lacks %q of %q", w, name)
		}
	}
}

// golden compares pdftotext -layout output with testdata/<name>.golden.txt.
// Runs of spaces are compared as one, so a poppler version that moves
// columns by a character does not fail the test, while any change of
// wording, numbers or line order does.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	lines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l = norm(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	g, w := lines(got), lines(string(want))
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("%s differs at line %d:\n got: %q\nwant: %q\n(run go test -update if the change is intended)", path, i+1, gl, wl)
		}
	}
}

// --- the protocol ------------------------------------------------------

func TestProtocol(t *testing.T) {
	requirePoppler(t)
	rows := seededRows(23)
	p := protocolFor(rows)
	path := render(t, "protocol", func(w io.Writer) error { return WriteProtocol(w, p) })
	onPage(t, path)
	text := pdftotext(t, path, "-layout")

	// Independent figures: 1001 residents need 301; 23 rows in sheets of
	// 10 make 3 sheets.
	need := required(residents)
	if need != 301 {
		t.Fatalf("test arithmetic: required(%d) = %d", residents, need)
	}
	sheets := (len(rows) + sheetSize - 1) / sheetSize
	wantText(t, text,
		"Протокол об итогах сбора подписей граждан в поддержку инициативного проекта "+projectName+" (наименование инициативного проекта)",
		"Территория, на которой осуществлялся сбор подписей, в соответствии с постановлением администрации — "+territory+" ("+resolution+").",
		fmt.Sprintf("Общее количество жителей, проживающих на указанной территории — %d.", residents),
		fmt.Sprintf("Количество подписей, которое необходимо для учёта мнения по вопросу поддержки инициативного проекта — %d.", need),
		fmt.Sprintf("Количество подписных листов — %d.", sheets),
		fmt.Sprintf("Количество подписей в подписных листах в поддержку инициативного проекта — %d.", len(rows)),
		"Инициатор проекта",
		"«01» апреля 2026 г.",
		"Контрольная сумма учтённых подписей (SHA-256): "+digest,
		"Проверить: "+verifyBase+digest,
	)
	n := norm(text)
	for _, in := range initiators {
		// Each name is on its own signature line with a blank date.
		if !strings.Contains(n, norm(in.FullName)+" "+blankDate) {
			t.Errorf("no signature line for initiator %q", in.FullName)
		}
	}
	pages := pageCount(t, path)
	if got := strings.Count(n, "(фамилия, имя, отчество (при наличии))"); got != len(initiators) {
		t.Errorf("%d signature lines, want %d", got, len(initiators))
	}
	// The footer is on every page.
	if got := strings.Count(n, "Контрольная сумма учтённых подписей (SHA-256): "+digest); got != pages {
		t.Errorf("checksum footer on %d pages of %d", got, pages)
	}
	if pages != 2 {
		t.Errorf("%d pages, want 2 for %d initiators", pages, len(initiators))
	}
	golden(t, "protocol", text)
	inColumn(t, path, longName, protoLeft+40+6, protoLeft+40+6+78)
}

func TestProtocolZero(t *testing.T) {
	requirePoppler(t)
	p := Protocol{
		ProjectName:   projectName,
		TerritoryName: territory,
		Date:          calendar.MustParse("2026-04-01"),
		Digest:        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // SHA-256 of nothing
		CreatedAt:     created,
	}
	path := render(t, "protocol-zero", func(w io.Writer) error { return WriteProtocol(w, p) })
	text := pdftotext(t, path, "-layout")
	wantText(t, text,
		"Территория, на которой осуществлялся сбор подписей, в соответствии с постановлением администрации — "+territory+".",
		"Общее количество жителей, проживающих на указанной территории — 0.",
		"Количество подписей, которое необходимо для учёта мнения по вопросу поддержки инициативного проекта — 0.",
		"Количество подписных листов — 0.",
		"Количество подписей в подписных листах в поддержку инициативного проекта — 0.",
		"Инициатор проекта",
		"(подпись) (фамилия, имя, отчество (при наличии))", // one blank line to fill in by hand
		"Контрольная сумма учтённых подписей (SHA-256): "+p.Digest,
	)
	if strings.Contains(text, "Проверить:") {
		t.Error("verification line printed without a URL")
	}
	if got := pageCount(t, path); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	golden(t, "protocol-zero", text)
}

// --- the sheets --------------------------------------------------------

func TestSheets(t *testing.T) {
	requirePoppler(t)
	rows := seededRows(23)
	sheets := chunk(rows)
	wantSheets := (len(rows) + sheetSize - 1) / sheetSize
	if len(sheets) != wantSheets || wantSheets != 3 {
		t.Fatalf("test data: %d sheets, want %d", len(sheets), wantSheets)
	}
	path := render(t, "sheets", func(w io.Writer) error { return WriteSheets(w, header(), each(sheets)) })
	onPage(t, path)
	if got := pageCount(t, path); got != wantSheets {
		t.Errorf("%d pages, want one per sheet: %d", got, wantSheets)
	}
	text := pdftotext(t, path, "-layout")
	n := norm(text)
	intro := norm("Мы, нижеподписавшиеся жители " + territory + ", поддерживаем инициативный проект " +
		projectName + " (наименование инициативного проекта)")
	for what, phrase := range map[string]string{
		"title":             "Подписной лист ",
		"intro":             intro,
		"volume":            "Том 2 из 3",
		"certification":     "Подписи заверяю:",
		"collector caption": "(Ф.И.О.(при наличии), дата рождения, данные документа, удостоверяющего личность)",
		"address caption":   "(адрес места жительства лица, осуществляющего сбор подписей)",
		"signature caption": "(подпись)",
		"certified on":      "«20» марта 2026 г.",
	} {
		if got := strings.Count(n, phrase); got != wantSheets {
			t.Errorf("%s %q: %d times, want once per sheet (%d)", what, phrase, got, wantSheets)
		}
	}
	for _, s := range sheets {
		c := s.Collector
		wantText(t, text,
			fmt.Sprintf("Лист № %d", s.Number),
			"Подписи заверяю: "+c.FullName+", "+c.BirthDate.Russian()+", "+c.Document,
			c.Address)
	}
	for _, r := range rows {
		// Name, birth date, signing date and the signing date again in
		// the consent column, in one table row.
		row := fmt.Sprintf("%d %s %s %s %s", r.N, r.FullName, r.BirthDate.Russian(), r.SignedOn.Russian(), r.SignedOn.Russian())
		if r.FullName == longName {
			wantWords(t, text, r.FullName) // wrapped in its cell, but all there
			continue
		}
		if !strings.Contains(n, row) {
			t.Errorf("no table row %q", row)
		}
	}

	// The table header wraps inside its cells, so -layout interleaves the
	// columns; the reading order of -raw keeps each cell's text together.
	raw := pdftotext(t, path, "-raw")
	header := "№ п/п Фамилия, имя, отчество (при наличии) Дата рождения Дата подписания Подпись " +
		consent.Text + " (Дата, подпись)"
	if got := strings.Count(norm(raw), norm(header)); got != wantSheets {
		t.Errorf("table header with the full consent text: %d times, want %d", got, wantSheets)
	}
	golden(t, "sheets", text)
	inColumn(t, path, longName, sheetLeft+sheetCols[0], sheetLeft+sheetCols[0]+sheetCols[1])
}

// A sheet longer than a page continues on the next with the header repeated
// and the certification once, after the last row.
func TestSheetOverflow(t *testing.T) {
	requirePoppler(t)
	rows := seededRows(40)
	for i := range rows {
		rows[i].N = i + 1
	}
	s := Sheet{Number: 7, Collector: collector(7), Rows: rows}
	h := SheetsHeader{ProjectName: projectName, TerritoryName: territory, CreatedAt: created}
	path := render(t, "overflow", func(w io.Writer) error { return WriteSheets(w, h, each([]Sheet{s})) })
	onPage(t, path)
	pages := pageCount(t, path)
	if pages < 3 {
		t.Errorf("%d pages for 40 rows, want at least 3", pages)
	}
	text := pdftotext(t, path, "-layout")
	n := norm(text)
	for p := 2; p <= pages; p++ {
		wantText(t, text, fmt.Sprintf("Лист № 7 (продолжение, стр. %d)", p))
	}
	if got := strings.Count(n, "Подписи заверяю:"); got != 1 {
		t.Errorf("certification %d times, want 1", got)
	}
	if i, j := strings.Index(n, rows[len(rows)-1].FullName), strings.Index(n, "Подписи заверяю:"); i < 0 || j < i {
		t.Error("certification is not after the last row")
	}
	if got := strings.Count(norm(pdftotext(t, path, "-raw")), "(Дата, подпись)"); got != pages {
		t.Errorf("table header on %d pages of %d", got, pages)
	}
	wantText(t, text, blankDate) // no CertifiedOn: blank for the collector
	if strings.Contains(text, "Том ") {
		t.Error("a single volume is labelled with a volume number")
	}
	for _, r := range rows {
		wantWords(t, text, r.FullName)
	}
}

// inColumn checks with pdftotext -bbox that every word of name lies between
// the x positions left and right (mm): a long name must not overflow its cell.
func inColumn(t *testing.T, path, name string, left, right float64) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`)
	const ptPerMM = 72 / 25.4
	found := 0
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if !strings.Contains(name, m[3]) || len([]rune(m[3])) < 6 {
			continue
		}
		found++
		x0, _ := strconv.ParseFloat(m[1], 64)
		x1, _ := strconv.ParseFloat(m[2], 64)
		if x0 < left*ptPerMM-0.5 || x1 > right*ptPerMM+0.5 {
			t.Errorf("%q spans %.1f–%.1f mm, outside its column %.1f–%.1f mm", m[3], x0/ptPerMM, x1/ptPerMM, left, right)
		}
	}
	if found == 0 {
		t.Errorf("no word of %q found", name)
	}
}

// onPage checks with pdftotext -bbox that every word lies inside the
// page with at least a few millimetres to spare: nothing overflows the sheet.
func onPage(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	const margin = 5 * 72 / 25.4 // pt
	pageRE := regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	wordRE := regexp.MustCompile(`<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>`)
	for i, page := range strings.Split(string(out), "</page>") {
		m := pageRE.FindStringSubmatch(page)
		if m == nil {
			continue
		}
		pw, _ := strconv.ParseFloat(m[1], 64)
		ph, _ := strconv.ParseFloat(m[2], 64)
		for _, w := range wordRE.FindAllStringSubmatch(page, -1) {
			var v [4]float64
			for j := range v {
				v[j], _ = strconv.ParseFloat(w[j+1], 64)
			}
			if v[0] < margin || v[1] < margin || v[2] > pw-margin || v[3] > ph-margin {
				t.Errorf("page %d: %q at (%.0f, %.0f)–(%.0f, %.0f) pt is outside the printable area", i+1, w[5], v[0], v[1], v[2], v[3])
			}
		}
	}
}

// --- the annex and the poster ------------------------------------------

func TestAnnex(t *testing.T) {
	requirePoppler(t)
	rows := seededRows(4)
	annex := make([]AnnexRow, len(rows))
	for i, r := range rows {
		r.N = i + 1
		annex[i] = AnnexRow{Row: r, Reason: fmt.Sprintf("повторная подпись: уже учтена в листе № %d, строка %d", i+1, i+3)}
	}
	path := render(t, "annex", func(w io.Writer) error { return WriteAnnex(w, header(), annex) })
	onPage(t, path)
	text := pdftotext(t, path, "-layout")
	wantText(t, text,
		"Приложение: подписи, не учтённые как повторные",
		"Инициативный проект: "+projectName,
		"Территория: "+territory,
		"Том 2 из 3")
	for _, r := range annex {
		wantWords(t, text, r.FullName)
		wantText(t, text, r.Reason)
	}
	if got := pageCount(t, path); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	golden(t, "annex", text)

	empty := render(t, "annex-empty", func(w io.Writer) error { return WriteAnnex(w, header(), nil) })
	wantText(t, pdftotext(t, empty, "-layout"), "Приложение: подписи, не учтённые как повторные", "Повторных подписей нет.")
}

func TestPoster(t *testing.T) {
	requirePoppler(t)
	p := poster()
	path := render(t, "poster", func(w io.Writer) error { return WritePoster(w, p) })
	onPage(t, path)
	if got := pageCount(t, path); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	text := pdftotext(t, path, "-layout")
	wantText(t, text,
		"Поддержите проект своей подписью",
		projectName,
		territory,
		"Сбор подписей: с 02.03.2026 по 31.03.2026",
		"Где подписать: "+p.Where,
		p.PageURL,
		p.Description)
	golden(t, "poster", text)

	// An overlong description is cut, never pushed to a second page.
	p.Description = strings.Repeat(p.Description+" ", 12)
	p.ProjectName = strings.Repeat("Очень длинное название проекта ", 6)
	long := render(t, "poster-long", func(w io.Writer) error { return WritePoster(w, p) })
	onPage(t, long)
	if got := pageCount(t, long); got != 1 {
		t.Errorf("long poster: %d pages, want 1", got)
	}
	wantText(t, pdftotext(t, long, "-layout"), "…", p.PageURL, "Сбор подписей: с 02.03.2026 по 31.03.2026")
}

// --- properties of the files themselves --------------------------------

// The same input gives the same bytes: documents are hashed and archived.
func TestReproducible(t *testing.T) {
	rows := seededRows(23)
	docs := map[string]func(io.Writer, time.Time) error{
		"protocol": func(w io.Writer, at time.Time) error {
			p := protocolFor(rows)
			p.CreatedAt = at
			return WriteProtocol(w, p)
		},
		"sheets": func(w io.Writer, at time.Time) error {
			h := header()
			h.CreatedAt = at
			return WriteSheets(w, h, each(chunk(rows)))
		},
		"annex": func(w io.Writer, at time.Time) error {
			h := header()
			h.CreatedAt = at
			return WriteAnnex(w, h, []AnnexRow{{Row: rows[0], Reason: "повтор"}})
		},
		"poster": func(w io.Writer, at time.Time) error {
			p := poster()
			p.CreatedAt = at
			return WritePoster(w, p)
		},
	}
	fonts := func() [32]byte {
		return sha256.Sum256(slices.Concat(goregular.TTF, gobold.TTF, gomono.TTF))
	}
	pristine := fonts()
	for name, write := range docs {
		var a, b, c bytes.Buffer
		if err := write(&a, created); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := write(&b, created); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two renderings of the same input differ", name)
		}
		if !bytes.Contains(a.Bytes(), []byte("D:20260401093000")) {
			t.Errorf("%s: creation date is not CreatedAt", name)
		}
		if err := write(&c, created.Add(time.Hour)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%s: CreatedAt does not reach the file", name)
		}
		// fpdf writes into font bytes it is given; the shared gofont
		// slices must come out untouched for other users in the process.
		if fonts() != pristine {
			t.Fatalf("%s: rendering modified the embedded gofont data", name)
		}
	}

	// Without a CreatedAt the file is still a function of its input.
	var a, b bytes.Buffer
	if err := docs["poster"](&a, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := docs["poster"](&b, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || !bytes.Contains(a.Bytes(), []byte("D:19700101000000")) {
		t.Error("a zero CreatedAt does not give a fixed creation date")
	}
}

var (
	streamRE  = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	moveRE    = regexp.MustCompile(`(?m)^-?[\d.]+ -?[\d.]+ m$`)
	lineToRE  = regexp.MustCompile(`(?m)^-?[\d.]+ -?[\d.]+ l$`)
	inkColour = fmt.Sprintf("%.3f %.3f %.3f RG", float64(ink[0])/255, float64(ink[1])/255, float64(ink[2])/255)
)

// pageContent inflates every compressed stream of a PDF and joins the
// page content streams (the ones holding text or path operators).
func pageContent(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not a Flate stream (an image)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(" re\n")) || bytes.Contains(b, []byte("BT ")) {
			out.Write(b)
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// The drawn signature is reproduced as vector paths (one moveto per stroke,
// a lineto per segment, stroked in ink), in the «Подпись» cell and again
// in the consent cell, not as an image.
func TestSignatureIsVector(t *testing.T) {
	strokes := [][][]float64{
		{{0, 50}, {100, 0}, {200, 80}, {300, 10}, {400, 60}},
		{{450, 20}, {500, 90}, {600, 40}},
		{{520, 120}}, // a dot
	}
	segments := 0
	for _, s := range strokes {
		segments += max(1, len(s)-1)
	}
	s := Sheet{Number: 1, Collector: collector(1), Rows: []Row{{
		N: 1, FullName: "Иванов Иван Иванович", BirthDate: calendar.MustParse("1980-02-01"),
		SignedOn: calendar.MustParse("2026-03-02"), Strokes: strokes,
	}}}
	var buf bytes.Buffer
	if err := WriteSheets(&buf, header(), each([]Sheet{s})); err != nil {
		t.Fatal(err)
	}
	content := pageContent(t, buf.Bytes())
	if content == "" {
		t.Fatal("no page content stream found")
	}
	if got, want := len(moveRE.FindAllString(content, -1)), 2*len(strokes); got != want {
		t.Errorf("%d path starts (m), want %d: each stroke twice", got, want)
	}
	if got, want := len(lineToRE.FindAllString(content, -1)), 2*segments; got != want {
		t.Errorf("%d line segments (l), want %d", got, want)
	}
	if !strings.Contains(content, inkColour) {
		t.Errorf("signature not stroked in ink colour %q", inkColour)
	}
	if bytes.Contains(buf.Bytes(), []byte("/Subtype /Image")) {
		t.Error("the sheet embeds an image; signatures must be vector paths")
	}
}

func TestInvalid(t *testing.T) {
	good := protocolFor(seededRows(3))
	bad := func(f func(*Protocol)) Protocol { p := good; f(&p); return p }
	for name, p := range map[string]Protocol{
		"no project":      bad(func(p *Protocol) { p.ProjectName = "  " }),
		"no territory":    bad(func(p *Protocol) { p.TerritoryName = "" }),
		"negative":        bad(func(p *Protocol) { p.Signatures = -1 }),
		"no date":         bad(func(p *Protocol) { p.Date = calendar.Date{} }),
		"impossible date": bad(func(p *Protocol) { p.Date = calendar.Date{Year: 2026, Month: 2, Day: 30} }),
		"short digest":    bad(func(p *Protocol) { p.Digest = "abc" }),
		"unnamed member":  bad(func(p *Protocol) { p.Initiators = []Person{{""}} }),
	} {
		if err := WriteProtocol(io.Discard, p); !errors.Is(err, ErrInvalid) {
			t.Errorf("protocol %s: err = %v, want ErrInvalid", name, err)
		}
	}

	row := seededRows(1)[0]
	badRow := func(f func(*Row)) []Sheet {
		r := row
		f(&r)
		return []Sheet{{Number: 1, Collector: collector(1), Rows: []Row{r}}}
	}
	for name, sheets := range map[string][]Sheet{
		"no sheets":      nil,
		"sheet 0":        {{Number: 0, Collector: collector(1)}},
		"no collector":   {{Number: 1}},
		"no name":        badRow(func(r *Row) { r.FullName = "" }),
		"no birth date":  badRow(func(r *Row) { r.BirthDate = calendar.Date{} }),
		"NaN in stroke":  badRow(func(r *Row) { r.Strokes = [][][]float64{{{1, math.NaN()}}} }),
		"3-D point":      badRow(func(r *Row) { r.Strokes = [][][]float64{{{1, 2, 3}}} }),
		"no signed date": badRow(func(r *Row) { r.SignedOn = calendar.Date{} }),
	} {
		if err := WriteSheets(io.Discard, header(), each(sheets)); !errors.Is(err, ErrInvalid) {
			t.Errorf("sheets %s: err = %v, want ErrInvalid", name, err)
		}
	}
	h := header()
	h.Volume = 4
	if err := WriteSheets(io.Discard, h, each(chunk(seededRows(3)))); !errors.Is(err, ErrInvalid) {
		t.Errorf("volume 4 of 3: err = %v, want ErrInvalid", err)
	}
	p := poster()
	p.CollectTo = calendar.MustParse("2026-03-01")
	if err := WritePoster(io.Discard, p); !errors.Is(err, ErrInvalid) {
		t.Errorf("poster ending before it starts: err = %v, want ErrInvalid", err)
	}
}

// No input, however long, pushes a form off its page or out of its cells.
func TestExtremeText(t *testing.T) {
	requirePoppler(t)
	huge := strings.Repeat("Очень длинный текст без конца ", 80)
	rows := seededRows(sheetSize)
	for i := range rows {
		rows[i].FullName = strings.Repeat("Длиннаяфамилия ", 10)
	}
	c := Collector{FullName: huge, BirthDate: calendar.MustParse("1970-01-01"), Document: huge, Address: huge}
	h := SheetsHeader{ProjectName: huge, TerritoryName: huge, CreatedAt: created}
	path := render(t, "extreme-sheet", func(w io.Writer) error {
		return WriteSheets(w, h, each([]Sheet{{Number: 1, Collector: c, Rows: rows}}))
	})
	onPage(t, path)
	inColumn(t, path, rows[0].FullName, sheetLeft+sheetCols[0], sheetLeft+sheetCols[0]+sheetCols[1])
	if got := strings.Count(norm(pdftotext(t, path, "-layout")), "Подписи заверяю:"); got != 1 {
		t.Errorf("certification printed %d times, want 1", got)
	}

	p := protocolFor(rows)
	p.ProjectName, p.TerritoryName, p.Resolution = huge, huge, huge
	p.VerifyURL = verifyBase + strings.Repeat("x", maxURL-len(verifyBase))
	p.Initiators = []Person{{huge}}
	path = render(t, "extreme-protocol", func(w io.Writer) error { return WriteProtocol(w, p) })
	onPage(t, path)
	text := norm(pdftotext(t, path, "-layout"))
	if !strings.Contains(text, "Количество подписей в подписных листах в поддержку инициативного проекта — "+strconv.Itoa(len(rows))+".") {
		t.Error("the figures are lost after an overlong territory")
	}
	p.VerifyURL += "x"
	if err := WriteProtocol(io.Discard, p); !errors.Is(err, ErrInvalid) {
		t.Errorf("URL over %d bytes: err = %v, want ErrInvalid", maxURL, err)
	}
}

// An error from the sheet source stops rendering and reaches the caller.
func TestSheetSourceError(t *testing.T) {
	errStorage := errors.New("storage: disk on fire")
	sheets := chunk(seededRows(23))
	calls := 0
	src := func(yield func(Sheet, error) bool) {
		for _, s := range sheets {
			calls++
			if calls == 2 {
				yield(Sheet{}, errStorage)
				return
			}
			if !yield(s, nil) {
				return
			}
		}
	}
	var buf bytes.Buffer
	err := WriteSheets(&buf, header(), src)
	if !errors.Is(err, errStorage) {
		t.Fatalf("err = %v, want the source's error", err)
	}
	if buf.Len() != 0 {
		t.Error("a partial PDF was written")
	}
}

// Characters fpdf cannot take (outside the Basic Multilingual Plane,
// control characters) are replaced instead of crashing the renderer.
func TestUnusualText(t *testing.T) {
	r := seededRows(1)[0]
	r.FullName = "Иванов\tИван 😀\x07"
	h := header()
	h.ProjectName = "Парк 🌳\nу реки"
	if err := WriteSheets(io.Discard, h, each([]Sheet{{Number: 1, Collector: collector(1), Rows: []Row{r}}})); err != nil {
		t.Fatal(err)
	}
	if got := clean(r.FullName); got != "Иванов Иван ??" {
		t.Errorf("clean = %q", got)
	}
}

func BenchmarkWriteSheets(b *testing.B) {
	sheets := chunk(seededRows(1000))
	h := header()
	var pages int
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteSheets(&buf, h, each(sheets)); err != nil {
			b.Fatal(err)
		}
		pages += bytes.Count(buf.Bytes(), []byte("/Type /Page\n"))
		b.SetBytes(int64(buf.Len()))
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
