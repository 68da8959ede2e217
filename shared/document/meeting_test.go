package document

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
)

// --- the meeting protocol ----------------------------------------------

const secondProject = "Ремонт уличного освещения по улице Садовой"

func meeting() MeetingProtocol {
	return MeetingProtocol{
		Kind:          "gathering",
		Date:          calendar.MustParse("2026-05-20"),
		Place:         "село Лесное, улица Мира, дом 1, здание Дома культуры",
		TerritoryName: territory,
		Residents:     residents,
		Present:       123,
		Items: []MeetingItem{
			{ProjectName: projectName, For: 37, Against: 5, Abstained: 3, Supported: true},
			{ProjectName: secondProject, For: 12, Against: 40, Abstained: 6, Supported: false},
		},
		Chair:     "Иванов Иван Иванович",
		Secretary: "Петрова Мария Сергеевна",
		CreatedAt: created,
	}
}

// share is the present share computed here independently: in floating
// point, for figures whose per cent is not a tie at the second decimal.
func share(n, d int) string {
	s := fmt.Sprintf("%.1f", float64(n)*100/float64(d))
	return strings.Replace(s, ".", ",", 1)
}

func TestMeetingProtocol(t *testing.T) {
	requirePoppler(t)
	p := meeting()
	path := render(t, "meeting", func(w io.Writer) error { return WriteMeetingProtocol(w, p) })
	onPage(t, path)
	text := pdftotext(t, path, "-layout")

	// 123 of 1001 residents is 12.28… %, printed as 12,3.
	if got := share(p.Present, p.Residents); got != "12,3" {
		t.Fatalf("test arithmetic: share = %s", got)
	}
	wantText(t, text,
		"ПРОТОКОЛ схода граждан по вопросу о поддержке инициативных проектов",
		territory+" (территория, жители которой участвуют в сходе граждан)",
		"«20» мая 2026 г.",
		"Место проведения: "+p.Place+".",
		fmt.Sprintf("Общее количество жителей, проживающих на территории — %d.", residents),
		fmt.Sprintf("Присутствовали: %d человека (%s %% от числа жителей).", p.Present, share(p.Present, p.Residents)),
		"Председатель: "+p.Chair+".",
		"Секретарь: "+p.Secretary+".",
		"ПОВЕСТКА ДНЯ: 1. О поддержке инициативного проекта «"+projectName+"». "+
			"2. О поддержке инициативного проекта «"+secondProject+"».",
		"1. СЛУШАЛИ: информацию об инициативном проекте «"+projectName+"».",
		"ГОЛОСОВАЛИ: «за» — 37, «против» — 5, «воздержались» — 3.",
		"РЕШИЛИ: поддержать инициативный проект «"+projectName+"».",
		"2. СЛУШАЛИ: информацию об инициативном проекте «"+secondProject+"».",
		"ГОЛОСОВАЛИ: «за» — 12, «против» — 40, «воздержались» — 6.",
		"РЕШИЛИ: не поддерживать инициативный проект «"+secondProject+"».",
		"Председатель "+p.Chair+" (подпись) (фамилия, имя, отчество (при наличии))",
		"Секретарь "+p.Secretary+" (подпись) (фамилия, имя, отчество (при наличии))",
	)
	n := norm(text)
	for _, name := range []string{p.Chair, p.Secretary} {
		// The name on its signature line, above its caption.
		if strings.Count(n, name) != 2 {
			t.Errorf("%q appears %d times, want twice (listed and signing)", name, strings.Count(n, name))
		}
	}
	if got := strings.Count(n, "РЕШИЛИ:"); got != len(p.Items) {
		t.Errorf("%d decisions, want %d", got, len(p.Items))
	}
	if strings.Contains(n, "РЕШИЛИ: поддержать инициативный проект «"+secondProject) ||
		strings.Contains(n, "РЕШИЛИ: не поддерживать инициативный проект «"+projectName) {
		t.Error("a decision does not follow Supported")
	}
	// The order of a protocol: attendance, agenda, items in turn, signatures.
	order := []string{"Присутствовали:", "ПОВЕСТКА ДНЯ:", "1. СЛУШАЛИ:", "2. СЛУШАЛИ:",
		"Председатель " + p.Chair + " (подпись)", "Секретарь " + p.Secretary + " (подпись)"}
	for i := 1; i < len(order); i++ {
		if strings.Index(n, order[i-1]) > strings.Index(n, order[i]) {
			t.Errorf("%q comes after %q", order[i-1], order[i])
		}
	}
	if got := pageCount(t, path); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	golden(t, "meeting", text)
}

// The kind of meeting names the title; a single item is «проекта»; with
// no resident count the share is left out.
func TestMeetingKinds(t *testing.T) {
	requirePoppler(t)
	for kind, title := range map[string]string{
		"gathering":  "ПРОТОКОЛ схода граждан по вопросу о поддержке инициативного проекта",
		"assembly":   "ПРОТОКОЛ собрания граждан по вопросу о поддержке инициативного проекта",
		"conference": "ПРОТОКОЛ конференции граждан (собрания делегатов) по вопросу о поддержке инициативного проекта",
	} {
		p := meeting()
		p.Kind = kind
		p.Items = p.Items[:1]
		p.Residents = 0
		p.Present = 1
		p.Items[0].For, p.Items[0].Against, p.Items[0].Abstained = 1, 0, 0
		text := pdftotext(t, render(t, "meeting-"+kind, func(w io.Writer) error { return WriteMeetingProtocol(w, p) }), "-layout")
		wantText(t, text, title, "Присутствовали: 1 человек.", "«за» — 1, «против» — 0, «воздержались» — 0.")
		if strings.Contains(text, "%") {
			t.Errorf("%s: a share printed without a resident count", kind)
		}
	}
}

func TestPeopleAndPercent(t *testing.T) {
	for n, want := range map[int]string{0: "человек", 1: "человек", 2: "человека", 4: "человека", 5: "человек",
		11: "человек", 12: "человек", 14: "человек", 21: "человек", 22: "человека", 111: "человек", 112: "человек", 123: "человека"} {
		if got := people(n); got != want {
			t.Errorf("people(%d) = %s, want %s", n, got, want)
		}
	}
	for _, c := range []struct {
		n, d int
		want string
	}{
		{0, 0, "0,0"}, {5, 0, "0,0"}, {0, 7, "0,0"}, {1, 3, "33,3"}, {2, 3, "66,7"}, {1, 1, "100,0"},
		{1, 8, "12,5"}, {1, 16, "6,3"}, {1, 2000, "0,1"}, {1, 2001, "0,0"}, {3, 2, "150,0"},
		{math.MaxInt, math.MaxInt, "100,0"}, {math.MaxInt / 2, math.MaxInt, "50,0"},
	} {
		if got := percentOf(c.n, c.d); got != c.want {
			t.Errorf("percentOf(%d, %d) = %s, want %s", c.n, c.d, got, c.want)
		}
	}
}

// Many long items run over pages; an item is never split from its vote
// and decision, and the signatures stay together.
func TestMeetingOverflow(t *testing.T) {
	requirePoppler(t)
	p := longMeeting()
	path := render(t, "meeting-long", func(w io.Writer) error { return WriteMeetingProtocol(w, p) })
	onPage(t, path)
	pages := pageCount(t, path)
	if pages < 3 {
		t.Errorf("%d pages for %d long items, want at least 3", pages, len(p.Items))
	}
	text := pdftotext(t, path, "-layout")
	wantText(t, text, "Протокол конференции граждан (собрания делегатов) от «20» мая 2026 г. (продолжение)",
		fmt.Sprintf("Стр. %d из %d", pages, pages))
	for i, it := range p.Items {
		wantText(t, text, fmt.Sprintf("ГОЛОСОВАЛИ: «за» — %d, «против» — %d, «воздержались» — 1.", it.For, it.Against))
		decision := "поддержать"
		if !it.Supported {
			decision = "не поддерживать"
		}
		wantText(t, text, fmt.Sprintf("%d. СЛУШАЛИ:", i+1), "РЕШИЛИ: "+decision+" инициативный проект «"+clean(it.ProjectName)+"».")
	}
	// Each page's text: an item's three parts are on one page.
	for pg := 1; pg <= pages; pg++ {
		out := norm(pdftotextPage(t, path, pg))
		if strings.Count(out, "СЛУШАЛИ:") != strings.Count(out, "РЕШИЛИ:") {
			t.Errorf("page %d: an item is split (%d heard, %d decided)", pg,
				strings.Count(out, "СЛУШАЛИ:"), strings.Count(out, "РЕШИЛИ:"))
		}
		if strings.Contains(out, "Председатель "+p.Chair) != strings.Contains(out, "Секретарь "+p.Secretary) {
			t.Errorf("page %d: the signatures are split", pg)
		}
	}
}

// longMeeting is a conference with many long items, over several pages.
func longMeeting() MeetingProtocol {
	p := meeting()
	p.Kind = "conference"
	p.Items = nil
	for i := range 14 {
		p.Items = append(p.Items, MeetingItem{
			ProjectName: fmt.Sprintf("%s, очередь %d: %s", projectName, i+1, strings.Repeat("с заменой оборудования и покрытия ", 2)),
			For:         60 + i, Against: i, Abstained: 1, Supported: i%3 != 0,
		})
	}
	return p
}

func TestMeetingInvalid(t *testing.T) {
	bad := func(f func(*MeetingProtocol)) MeetingProtocol { p := meeting(); f(&p); return p }
	for name, p := range map[string]MeetingProtocol{
		"unknown kind":     bad(func(p *MeetingProtocol) { p.Kind = "сход" }),
		"no kind":          bad(func(p *MeetingProtocol) { p.Kind = "" }),
		"no date":          bad(func(p *MeetingProtocol) { p.Date = calendar.Date{} }),
		"impossible date":  bad(func(p *MeetingProtocol) { p.Date = calendar.Date{Year: 2026, Month: 2, Day: 30} }),
		"no place":         bad(func(p *MeetingProtocol) { p.Place = " \n" }),
		"no territory":     bad(func(p *MeetingProtocol) { p.TerritoryName = "" }),
		"negative present": bad(func(p *MeetingProtocol) { p.Present = -1 }),
		"negative resid.":  bad(func(p *MeetingProtocol) { p.Residents = -5 }),
		"negative vote":    bad(func(p *MeetingProtocol) { p.Items[1].Against = -1 }),
		"votes > present":  bad(func(p *MeetingProtocol) { p.Items[0].For = p.Present - 7 }), // + 5 + 3
		"overflowing sum":  bad(func(p *MeetingProtocol) { p.Items[0].For, p.Items[0].Against = math.MaxInt, math.MaxInt }),
		"no chair":         bad(func(p *MeetingProtocol) { p.Chair = "" }),
		"no secretary":     bad(func(p *MeetingProtocol) { p.Secretary = "\t" }),
		"no items":         bad(func(p *MeetingProtocol) { p.Items = nil }),
		"unnamed project":  bad(func(p *MeetingProtocol) { p.Items[1].ProjectName = "" }),
	} {
		if err := WriteMeetingProtocol(io.Discard, p); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	// Exactly everyone present voting is fine.
	p := meeting()
	p.Items[0].For = p.Present - 8
	if err := WriteMeetingProtocol(io.Discard, p); err != nil {
		t.Errorf("all present voting: %v", err)
	}
}

// --- the survey results ------------------------------------------------

const surveyTitle = "Опрос о поддержке инициативных проектов села Лесное на 2026 год"

// surveyCounts are the answers to the first two questions; the test's
// percentages are computed from them.
var (
	surveyRespondents = 87
	singleCounts      = []int{52, 21, 9}        // answered: 82
	multiCounts       = []int{44, 31, 17, 6, 0} // answered: 70
)

func survey() SurveyResults {
	single := QuestionResult{Text: "Поддерживаете ли вы реализацию инициативного проекта «" + projectName + "»?", Kind: "single"}
	for i, o := range []string{"Да, поддерживаю", "Нет, не поддерживаю", "Затрудняюсь ответить"} {
		single.Options = append(single.Options, OptionCount{o, singleCounts[i]})
		single.Answered += singleCounts[i]
	}
	multi := QuestionResult{Text: "Что, по-вашему, нужно сделать на площадке в первую очередь?", Kind: "multiple", Answered: 70}
	for i, o := range []string{"Заменить игровое оборудование", "Уложить резиновое покрытие",
		"Установить освещение и видеонаблюдение по периметру площадки, включая подходы к ней со стороны улицы Мира",
		"Поставить скамейки", "Посадить деревья"} {
		multi.Options = append(multi.Options, OptionCount{o, multiCounts[i]})
	}
	return SurveyResults{
		Title:       surveyTitle,
		Projects:    []string{projectName, secondProject},
		Territory:   territory,
		Respondents: surveyRespondents,
		From:        calendar.MustParse("2026-04-06"),
		To:          calendar.MustParse("2026-04-19"),
		Questions: []QuestionResult{single, multi, {
			Text: "Ваши предложения по проектам", Kind: "text", Answered: 3,
			Texts: []string{"Сделать площадку для детей постарше", "  ", "Добавить урны\nи питьевой фонтанчик", "Освещение нужно и на Садовой до школы"},
		}},
		CreatedAt: created,
	}
}

func TestSurveyResults(t *testing.T) {
	requirePoppler(t)
	r := survey()
	path := render(t, "survey", func(w io.Writer) error { return WriteSurveyResults(w, r) })
	onPage(t, path)
	text := pdftotext(t, path, "-layout")
	wantText(t, text,
		"Результаты опроса граждан "+surveyTitle,
		"Инициативные проекты: 1. «"+projectName+"». 2. «"+secondProject+"».",
		"Территория: "+territory+".",
		"Период опроса: ответы получены с 06.04.2026 по 19.04.2026.",
		fmt.Sprintf("Число участников опроса — %d.", surveyRespondents),
		"Вопрос 1. "+r.Questions[0].Text,
		"Можно было выбрать один ответ.",
		"Вопрос 2. "+r.Questions[1].Text,
		"Можно было выбрать несколько ответов, поэтому сумма процентов может превышать 100 %.",
		"Вопрос 3. Ваши предложения по проектам",
		"Ответ в свободной форме.",
		fmt.Sprintf("Число ответов — 3 (%s %% от числа участников опроса).", share(3, surveyRespondents)),
		"Ответы: 1. Сделать площадку для детей постарше 2. Добавить урны и питьевой фонтанчик 3. Освещение нужно и на Садовой до школы",
	)
	// Every row of the tables: option, count, its share of respondents.
	answered := 0
	for _, c := range singleCounts {
		answered += c
	}
	check := func(q QuestionResult, counts []int, answered int) {
		t.Helper()
		for i, o := range q.Options {
			if len(o.Text) > 60 {
				wantWords(t, text, o.Text) // wrapped in its cell
				wantText(t, text, fmt.Sprintf("%d %s %%", counts[i], share(counts[i], surveyRespondents)))
				continue
			}
			wantText(t, text, fmt.Sprintf("%s %d %s %%", o.Text, counts[i], share(counts[i], surveyRespondents)))
		}
		wantText(t, text, fmt.Sprintf("Ответили на вопрос %d %s %%", answered, share(answered, surveyRespondents)))
	}
	check(r.Questions[0], singleCounts, answered)
	check(r.Questions[1], multiCounts, 70)
	// The multiple-choice shares sum to more than 100 %.
	sum := 0.0
	for _, c := range multiCounts {
		sum += float64(c) * 100 / float64(surveyRespondents)
	}
	if sum <= 100 {
		t.Fatalf("test data: multiple-choice shares sum to %.1f", sum)
	}
	if got := strings.Count(norm(text), "Вариант ответа Число ответов"); got != 2 {
		t.Errorf("%d table headers, want 2", got)
	}
	if got := pageCount(t, path); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	golden(t, "survey", text)
}

// Nobody answered: the document is still made, with zeros everywhere.
func TestSurveyZero(t *testing.T) {
	requirePoppler(t)
	r := SurveyResults{
		Title:     surveyTitle,
		Projects:  []string{projectName},
		Territory: territory,
		Questions: []QuestionResult{
			{Text: "Поддерживаете ли вы проект?", Kind: "single", Options: []OptionCount{{"Да", 0}, {"Нет", 0}}},
			{Text: "Что сделать в первую очередь?", Kind: "multiple", Options: []OptionCount{{"Освещение", 0}, {"Скамейки", 0}}},
			{Text: "Ваши предложения", Kind: "text"},
		},
		CreatedAt: created,
	}
	path := render(t, "survey-zero", func(w io.Writer) error { return WriteSurveyResults(w, r) })
	onPage(t, path)
	text := pdftotext(t, path, "-layout")
	wantText(t, text,
		"Инициативный проект: «"+projectName+"».",
		"Период опроса: ответов не поступало.",
		"Число участников опроса — 0.",
		"Да 0 0,0 %", "Нет 0 0,0 %", "Освещение 0 0,0 %", "Скамейки 0 0,0 %",
		"Число ответов — 0 (0,0 % от числа участников опроса).",
	)
	if got := strings.Count(norm(text), "Ответили на вопрос 0 0,0 %"); got != 2 {
		t.Errorf("%d zero totals, want 2", got)
	}
	if strings.Contains(text, "Ответы:") {
		t.Error("an empty list of text answers is printed")
	}
	if got := pageCount(t, path); got != 1 {
		t.Errorf("%d pages, want 1", got)
	}
	golden(t, "survey-zero", text)
}

// A long question table continues on the next page under a repeated header.
func TestSurveyOverflow(t *testing.T) {
	requirePoppler(t)
	r := longSurvey()
	q, long := r.Questions[0], r.Questions[1]
	path := render(t, "survey-long", func(w io.Writer) error { return WriteSurveyResults(w, r) })
	onPage(t, path)
	pages := pageCount(t, path)
	text := pdftotext(t, path, "-layout")
	wantText(t, text, "Период опроса: ответы получены 06.04.2026.",
		"Результаты опроса граждан: "+surveyTitle+" (продолжение)")
	for _, o := range q.Options {
		wantText(t, text, fmt.Sprintf("%s %d %s %%", o.Text, o.Count, share(o.Count, 1000)))
	}
	for i, s := range long.Texts {
		wantText(t, text, fmt.Sprintf("%d. %s", i+1, s))
	}
	tables := 0
	for pg := 1; pg <= pages; pg++ {
		out := norm(pdftotextPage(t, path, pg))
		if strings.Contains(out, "Улица №") {
			tables++
			if !strings.Contains(out, "Вариант ответа Число ответов") {
				t.Errorf("page %d: table rows without the header", pg)
			}
		}
	}
	if tables < 2 {
		t.Errorf("the 70-row table is on %d pages, want at least 2", tables)
	}
}

// longSurvey has a 70-row table and 120 text answers, over several pages.
func longSurvey() SurveyResults {
	q := QuestionResult{Text: "Какие улицы нужно осветить?", Kind: "multiple", Answered: 300}
	for i := range 70 {
		q.Options = append(q.Options, OptionCount{fmt.Sprintf("Улица № %d", i+1), 300 - 4*i})
	}
	long := QuestionResult{Text: "Ваши предложения", Kind: "text", Answered: 120}
	for i := range 120 {
		long.Texts = append(long.Texts, fmt.Sprintf("Предложение жителя № %d: %s", i+1,
			strings.TrimSpace(strings.Repeat("сделать лучше ", i%9+1))))
	}
	return SurveyResults{Title: surveyTitle, Territory: territory, Respondents: 1000, From: calendar.MustParse("2026-04-06"),
		To: calendar.MustParse("2026-04-06"), Questions: []QuestionResult{q, long}, CreatedAt: created}
}

func TestSurveyInvalid(t *testing.T) {
	bad := func(f func(*SurveyResults)) SurveyResults {
		r := survey()
		r.Questions = append([]QuestionResult(nil), r.Questions...)
		for i := range r.Questions {
			r.Questions[i].Options = append([]OptionCount(nil), r.Questions[i].Options...)
		}
		f(&r)
		return r
	}
	for name, r := range map[string]SurveyResults{
		"no title":             bad(func(r *SurveyResults) { r.Title = "" }),
		"no territory":         bad(func(r *SurveyResults) { r.Territory = " " }),
		"unnamed project":      bad(func(r *SurveyResults) { r.Projects[1] = "" }),
		"negative respondents": bad(func(r *SurveyResults) { r.Respondents = -1 }),
		"half a period":        bad(func(r *SurveyResults) { r.To = calendar.Date{} }),
		"backward period":      bad(func(r *SurveyResults) { r.From, r.To = r.To, r.From }),
		"impossible date":      bad(func(r *SurveyResults) { r.To = calendar.Date{Year: 2026, Month: 4, Day: 31} }),
		"no questions":         bad(func(r *SurveyResults) { r.Questions = nil }),
		"unknown kind":         bad(func(r *SurveyResults) { r.Questions[0].Kind = "ranking" }),
		"no question text":     bad(func(r *SurveyResults) { r.Questions[1].Text = "" }),
		"no options":           bad(func(r *SurveyResults) { r.Questions[0].Options = nil }),
		"empty option":         bad(func(r *SurveyResults) { r.Questions[1].Options[2].Text = "" }),
		"negative count":       bad(func(r *SurveyResults) { r.Questions[1].Options[0].Count = -1 }),
		"count > answered":     bad(func(r *SurveyResults) { r.Questions[1].Options[0].Count = 71 }),
		"answered > all":       bad(func(r *SurveyResults) { r.Questions[0].Answered = surveyRespondents + 1 }),
		"negative answered":    bad(func(r *SurveyResults) { r.Questions[2].Answered = -1 }),
		"single sum > answers": bad(func(r *SurveyResults) { r.Questions[0].Answered-- }),
		"more texts":           bad(func(r *SurveyResults) { r.Questions[2].Answered = 2 }),
	} {
		if err := WriteSurveyResults(io.Discard, r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// The same input gives the same bytes, and CreatedAt reaches the file.
func TestMeetingSurveyReproducible(t *testing.T) {
	docs := map[string]func(io.Writer, time.Time) error{
		"meeting": func(w io.Writer, at time.Time) error {
			p := meeting()
			p.CreatedAt = at
			return WriteMeetingProtocol(w, p)
		},
		"survey": func(w io.Writer, at time.Time) error {
			r := survey()
			r.CreatedAt = at
			return WriteSurveyResults(w, r)
		},
	}
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
		if err := write(&c, created.Add(time.Minute)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%s: CreatedAt does not reach the file", name)
		}
	}
}

// pdftotextPage is the -layout text of one page.
func pdftotextPage(t testing.TB, path string, page int) string {
	t.Helper()
	p := fmt.Sprint(page)
	out, err := exec.Command("pdftotext", "-layout", "-f", p, "-l", p, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext page %d of %s: %v", page, path, err)
	}
	return string(out)
}

// No input, however long or odd, pushes text off the page or breaks the
// renderer: names are wrapped or cut, characters fpdf lacks are replaced.
func TestMeetingSurveyExtreme(t *testing.T) {
	requirePoppler(t)
	huge := strings.Repeat("Очень длинный текст без конца ", 60)
	word := strings.Repeat("Длинноеслово", 30) // wider than the page
	p := meeting()
	p.TerritoryName, p.Place, p.Chair, p.Secretary = huge, huge+word, word, "Петрова 😀\x07 Мария"
	p.Items = []MeetingItem{{ProjectName: huge + word, For: 1, Supported: true}, {ProjectName: "Парк 🌳\nу реки", Against: 2}}
	path := render(t, "meeting-extreme", func(w io.Writer) error { return WriteMeetingProtocol(w, p) })
	onPage(t, path)
	wantText(t, pdftotext(t, path, "-layout"), "РЕШИЛИ: не поддерживать инициативный проект «Парк ? у реки».",
		"Секретарь: Петрова ?? Мария.")

	r := survey()
	r.Title, r.Territory, r.Projects = huge, huge, []string{huge + word}
	r.Questions[0].Text = huge
	r.Questions[0].Options[0].Text = strings.Repeat(huge, 6) + word // taller than a page
	r.Questions[2].Texts = []string{huge + word, "🌳"}
	path = render(t, "survey-extreme", func(w io.Writer) error { return WriteSurveyResults(w, r) })
	onPage(t, path)
	wantText(t, pdftotext(t, path, "-layout"), "…", fmt.Sprintf("Число участников опроса — %d.", surveyRespondents),
		fmt.Sprintf("Ответили на вопрос 70 %s %%", share(70, surveyRespondents)))
}
