package main

// Browser tests of opinion surveys and meeting mode at the kiosk, on the
// 800×480 screen. Screenshots go to testdata-out/browser/<Test>/ like the
// other browser tests'.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
	"github.com/sbor-project/sbor/shared/survey"
)

// records returns the kiosk's log records of one type.
func records(t *testing.T, m *Main, typ record.Type) [][]byte {
	t.Helper()
	recs, err := m.DB.Records(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, r := range recs {
		if r.Type == typ {
			out = append(out, opened(t, r))
		}
	}
	return out
}

// click taps an element (scrolled into view) and waits for a screen.
func (b *browser) click(id, screen string) error {
	b.shotScreen()
	return b.do(fmt.Sprintf("tap #%s to reach #%s", id, screen),
		chromedp.Click(chromedp.ID(id)), chromedp.WaitVisible(chromedp.ID(screen)))
}

// bigTargets checks the elements matching sel are at least 48 px tall and
// inside the 800-px-wide screen.
func (b *browser) bigTargets(step, sel string) error {
	small, err := eval[[]string](b, step, fmt.Sprintf(`[...document.querySelectorAll(%s)].filter((e) => !e.closest('[hidden]')).map((e) => {
		const r = e.getBoundingClientRect();
		return r.height < 48 || r.left < 0 || r.right > innerWidth + 0.5 ? (e.id || e.textContent.trim()) + ' ' + Math.round(r.width) + '×' + Math.round(r.height) : '';
	}).filter(Boolean)`, jsStr(sel)))
	if err != nil {
		return err
	}
	if len(small) > 0 {
		return fmt.Errorf("%s: targets under 48 px or off screen: %v", step, small)
	}
	return nil
}

// surveyToQuestions fills who, residence and consent of survey s1.
func (b *browser) surveyToQuestions(name, birthDigits string) error {
	if err := b.typeInto("survey: type #sv-full-name", "sv-full-name", name, name); err != nil {
		return err
	}
	if err := b.typeInto("survey: type #sv-birth-date", "sv-birth-date", birthDigits, dotted(birthDigits)); err != nil {
		return err
	}
	if err := b.click("sv-to-residence", "sv-residence"); err != nil {
		return err
	}
	if err := b.waitJS("survey: both territories", textHas("sv-resident-label", "с. Кевсала, пос. Красочный")); err != nil {
		return err
	}
	if err := b.tick("sv-resident"); err != nil {
		return err
	}
	if err := b.click("sv-to-consent", "sv-consent"); err != nil {
		return err
	}
	if err := b.waitJS("survey: the 152-ФЗ consent", textHas("sv-consent-text", "152-ФЗ")); err != nil {
		return err
	}
	if err := b.tick("sv-consent-tick"); err != nil {
		return err
	}
	return b.click("sv-to-questions", "sv-q-q1")
}

func TestBrowserSurvey(t *testing.T) {
	t.Parallel()
	const idle = 10 * time.Second
	m := newKiosk(t, "-idle-reset", idle.String())
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.openShift("m1"))
	b.must(b.do("list: the survey offered", chromedp.WaitVisible(chromedp.ID("survey-open-s1"))))
	b.must(b.waitJS("list: Пройти опрос", textHas("survey-open-s1", "Пройти опрос")))
	b.must(b.bigTargets("list: survey button", "#survey-open-s1"))
	b.must(b.click("survey-open-s1", "sv-identity"))
	b.must(b.waitJS("survey in the bar", textHas("bar-title", "Что важнее благоустроить")))

	// Too young, answering everything: refused beside the birth date with
	// every answer kept.
	young := time.Now().In(moscow(t)).AddDate(-12, 0, 0).Format("02012006")
	b.must(b.surveyToQuestions("Орлова Анна Сергеевна", young))
	b.must(b.waitJS("q1: the question", textHas("sv-q-title-q1", "Какой проект вы поддерживаете")))
	b.must(b.bigTargets("q1: radio rows", "#sv-q-q1 .choice"))
	b.must(b.do("q1: Далее with no answer", chromedp.Click(chromedp.ID("sv-q-next-q1"))))
	b.must(b.waitJS("q1: answer required", textHas("err-sv-q-q1", "Ответьте на этот вопрос")))
	b.shot("q1-required")
	b.must(b.tick("sv-opt-q1-p1"))
	if msg, _ := b.text("q1: error cleared", "err-sv-q-q1"); msg != "" {
		t.Errorf("the q1 message stays after answering: %q", msg)
	}
	b.must(b.click("sv-q-next-q1", "sv-q-q2"))
	b.must(b.bigTargets("q2: tick rows", "#sv-q-q2 .choice"))
	b.must(b.tick("sv-opt-q2-work"))
	b.must(b.tick("sv-opt-q2-money"))
	b.must(b.click("sv-q-next-q2", "sv-q-q3"))
	b.must(b.typeInto("q3: type", "sv-text-q3", "Скамейки у школы", "Скамейки у школы"))
	b.must(b.click("sv-q-next-q3", "sv-confirm"))
	for _, want := range []string{"Орлова Анна Сергеевна", "Ремонт детской площадки", "Трудом на субботнике, Деньгами", "Скамейки у школы"} {
		b.must(b.waitJS("confirm: shows "+want, textHas("sv-summary", want)))
	}
	b.must(b.click("sv-submit", "sv-identity"))
	b.must(b.waitJS("too young: beside the birth date", textHas("err-sv-birth_date", "возраста")))
	b.shot("too-young")
	if v, _ := b.value("sv-full-name"); v != "Орлова Анна Сергеевна" {
		t.Errorf("after the refusal #sv-full-name holds %q", v)
	}

	// Corrected; the ticks and answers are all still there.
	b.must(b.retype("fix #sv-birth-date", "sv-birth-date", "05031975", "05.03.1975"))
	b.must(b.click("sv-to-residence", "sv-residence"))
	b.must(b.click("sv-to-consent", "sv-consent"))
	b.must(b.click("sv-to-questions", "sv-q-q1"))
	for _, id := range []string{"sv-opt-q1-p1", "sv-opt-q2-work", "sv-opt-q2-money"} {
		if on, _ := b.checked(id); !on {
			t.Errorf("#%s lost after the refusal", id)
		}
	}
	b.must(b.click("sv-q-next-q1", "sv-q-q2"))
	// An answer the survey does not have (as from an outdated page): the
	// kiosk refuses it beside this very question.
	_, err := eval[chromedp.Void](b, "q2: add an option the survey lacks", `(() => {
		const i = document.createElement('input'); i.type = 'checkbox'; i.value = 'gold'; i.checked = true; i.id = 'sv-opt-q2-gold';
		document.getElementById('sv-choices-q2').append(i);
	})()`)
	b.must(err)
	b.must(b.click("sv-q-next-q2", "sv-q-q3"))
	if v, _ := b.value("sv-text-q3"); v != "Скамейки у школы" {
		t.Errorf("after the refusal the text answer is %q", v)
	}
	b.must(b.click("sv-q-next-q3", "sv-confirm"))
	b.must(b.click("sv-submit", "sv-q-q2"))
	b.must(b.waitJS("q2: refused beside the question", textHas("err-sv-q-q2", "Такого варианта ответа")))
	b.shot("unknown-option")
	_, err = eval[chromedp.Void](b, "q2: take the odd answer away", `document.getElementById('sv-opt-q2-gold').remove()`)
	b.must(err)
	b.must(b.click("sv-q-next-q2", "sv-q-q3"))
	b.must(b.click("sv-q-next-q3", "sv-confirm"))
	b.must(b.click("sv-submit", "sv-thanks"))
	b.must(b.waitJS("thanks", textHas("sv-thanks-title", "Спасибо! Ваши ответы приняты")))
	if page, _ := b.visibleText(); strings.Contains(page, "Орлова") || strings.Contains(page, "Скамейки") {
		t.Errorf("the thank-you screen shows the resident's data:\n%s", page)
	}
	b.shotScreen()

	answers := records(t, m, record.TypeSurveyAnswer)
	if len(answers) != 1 {
		t.Fatalf("%d survey answers stored, want 1", len(answers))
	}
	var a survey.Answer
	if err := json.Unmarshal(answers[0], &a); err != nil {
		t.Fatal(err)
	}
	if a.SurveyID != "s1" || a.FullName != "Орлова Анна Сергеевна" || a.BirthDate.String() != "1975-03-05" ||
		strings.Join(a.Replies["q1"].Choices, ",") != "p1" || strings.Join(a.Replies["q2"].Choices, ",") != "work,money" ||
		a.Replies["q3"].Text != "Скамейки у школы" {
		t.Errorf("stored answer %+v", a)
	}

	// The same resident again: refused beside the name.
	b.must(b.click("sv-thanks-done", "list"))
	b.must(b.click("survey-open-s1", "sv-identity"))
	for _, id := range []string{"sv-full-name", "sv-birth-date"} {
		if v, _ := b.value(id); v != "" {
			t.Errorf("next resident's #%s holds %q", id, v)
		}
	}
	b.must(b.surveyToQuestions("орлова анна  сергеевна", "05031975"))
	if on, _ := b.checked("sv-opt-q1-p1"); on {
		t.Error("the previous resident's answer is ticked")
	}
	b.must(b.tick("sv-opt-q1-p2"))
	b.must(b.click("sv-q-next-q1", "sv-q-q2"))
	b.must(b.click("sv-q-next-q2", "sv-q-q3"))
	b.must(b.click("sv-q-next-q3", "sv-confirm"))
	b.must(b.click("sv-submit", "sv-identity"))
	b.must(b.waitJS("duplicate beside the name", textHas("err-sv-full_name", "уже ответил на этот опрос")))
	b.shot("duplicate")

	// Walked away: the idle reset clears it all.
	left := time.Now()
	b.timeout = 30 * time.Second
	b.must(b.do("idle reset: back to the list", chromedp.WaitVisible(chromedp.ID("list"))))
	b.timeout = stepTimeout
	if waited := time.Since(left); waited < idle-500*time.Millisecond {
		t.Errorf("cleared %s after the last touch, before -idle-reset %s", waited, idle)
	}
	if page, _ := b.visibleText(); strings.Contains(page, "Орлова") || strings.Contains(page, "орлова") {
		t.Errorf("after the reset the page shows:\n%s", page)
	}
	b.must(b.click("survey-open-s1", "sv-identity"))
	for _, id := range []string{"sv-full-name", "sv-birth-date"} {
		if v, _ := b.value(id); v != "" {
			t.Errorf("after the idle reset #%s holds %q", id, v)
		}
	}
	for _, id := range []string{"sv-resident", "sv-consent-tick"} {
		if on, _ := b.checked(id); on {
			t.Errorf("after the idle reset #%s is ticked", id)
		}
	}
	if n, _ := eval[int](b, "checked answers", `document.querySelectorAll('#sv-questions input:checked').length`); n != 0 {
		t.Errorf("after the idle reset %d answers are ticked", n)
	}
	if errs, _ := eval[string](b, "messages", `[...document.querySelectorAll('.err')].map(e => e.textContent).join('')`); errs != "" {
		t.Errorf("after the idle reset messages are left: %q", errs)
	}
	b.shotScreen()
	if n := len(records(t, m, record.TypeSurveyAnswer)); n != 1 {
		t.Errorf("%d survey answers stored, want 1", n)
	}

	// In English: the survey's own words stay as the office wrote them,
	// the kiosk's are English.
	b.must(b.click("sv-back-to-list", "list"))
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.ID("lang")))); err != nil {
		b.must(fmt.Errorf("tap #lang: reload: %w", err))
	}
	b.must(b.waitJS("English list", textHas("survey-open-s1", "Take the survey")))
	b.must(b.waitJS("English meeting button", `document.getElementById('meeting-mode').textContent === 'Meeting'`))
	b.must(b.click("survey-open-s1", "sv-identity"))
	b.must(b.waitJS("English identity", textHas("sv-identity-title", "Your details")))
	b.must(b.waitJS("English next", textHas("sv-to-residence", "Next")))
	b.shot("english")
}

func TestBrowserMeeting(t *testing.T) {
	t.Parallel()
	m := newKiosk(t, "-onscreen-keyboard")
	b := newBrowser(t, m)
	meetingFlow(t, m, b)
}

func meetingFlow(t *testing.T, m *Main, b *browser) {
	b.must(b.open())
	b.must(b.openShift("m1"))
	b.must(b.click("meeting-mode", "mt-list"))
	b.must(b.do("list: the office's meeting", chromedp.WaitVisible(chromedp.ID("mt-open-mt1"))))
	b.must(b.waitJS("list: gathering", textHas("mt-open-mt1", "Сход граждан")))
	b.must(b.click("mt-open-mt1", "mt-home"))
	b.must(b.waitJS("home: nobody yet", textHas("mt-present", "Присутствуют: 0 (0 % жителей)")))

	// The first resident, typed on the on-screen keyboard.
	b.must(b.tap("focus #mt-full-name", "#mt-full-name"))
	b.must(b.waitLayout("keyboard: letters", "cyrillic"))
	b.must(b.tapText("type the name", "Орлова Анна"))
	b.must(b.tap("focus #mt-birth-date", "#mt-birth-date"))
	b.must(b.waitLayout("keyboard: digits", "digits"))
	b.must(b.tapText("type the birth date", "01021985"))
	for id, want := range map[string]string{"mt-full-name": "Орлова Анна", "mt-birth-date": "01.02.1985"} {
		if v, _ := b.value(id); v != want {
			t.Fatalf("#%s holds %q, want %q", id, v, want)
		}
	}
	b.shot("keyboard")
	// Готово on the last field sends the form: the ticks are missing.
	b.must(b.tap("keyboard: Готово", `#osk [data-key="done"]`))
	b.must(b.waitJS("residence required", textHas("err-mt-resident", "жители этой территории")))
	b.must(b.waitJS("consent required", textHas("err-mt-consent", "согласия")))
	b.shot("ticks-missing")
	b.must(b.tick("mt-resident"))
	b.must(b.tick("mt-consent-tick"))
	b.must(b.do("tap #mt-register", chromedp.Click(chromedp.ID("mt-register"))))
	b.must(b.waitJS("registered", textHas("mt-registered", "Участник зарегистрирован")))
	b.must(b.waitJS("present 1", textHas("mt-present", "Присутствуют: 1 (0 % жителей)")))
	for _, id := range []string{"mt-full-name", "mt-birth-date"} {
		if v, _ := b.value(id); v != "" {
			t.Errorf("after registering #%s holds %q", id, v)
		}
	}
	for _, id := range []string{"mt-resident", "mt-consent-tick"} {
		if on, _ := b.checked(id); on {
			t.Errorf("after registering #%s is ticked", id)
		}
	}
	b.shot("registered")

	register := func(name, digits string) {
		t.Helper()
		b.must(b.retype("type #mt-full-name", "mt-full-name", name, name))
		b.must(b.retype("type #mt-birth-date", "mt-birth-date", digits, dotted(digits)))
		if on, _ := b.checked("mt-resident"); !on {
			b.must(b.tick("mt-resident"))
		}
		if on, _ := b.checked("mt-consent-tick"); !on {
			b.must(b.tick("mt-consent-tick"))
		}
		b.must(b.do("tap #mt-register", chromedp.Click(chromedp.ID("mt-register"))))
	}
	// The same resident again: refused beside the name, the form kept.
	register("орлова  анна", "01021985")
	b.must(b.waitJS("duplicate", textHas("err-mt-full_name", "уже зарегистрирован на этом собрании")))
	if v, _ := b.value("mt-full-name"); v != "орлова  анна" {
		t.Errorf("after the duplicate #mt-full-name holds %q", v)
	}
	b.shot("duplicate")
	register("Кузнецов Андрей", "17081966")
	b.must(b.waitJS("present 2", textHas("mt-present", "Присутствуют: 2 (0,1 % жителей)")))
	b.must(b.waitJS("present in the bar", textHas("bar-title", "Присутствуют: 2 (0,1 % жителей)")))

	// Votes: more than present refused, then the decision by the rule.
	b.must(b.click("mt-to-votes", "mt-votes"))
	b.must(b.waitJS("votes: the item", textHas("mt-vote-project", "Ремонт детской площадки")))
	b.must(b.waitJS("votes: not yet", textHas("mt-vote-decision", "ещё не внесены")))
	b.must(b.bigTargets("votes: inputs", "#mt-votes input.count"))
	b.must(b.typeInto("for", "mt-vote-for", "3", "3"))
	b.must(b.typeInto("against", "mt-vote-against", "0", "0"))
	b.must(b.typeInto("abstained", "mt-vote-abstained", "0", "0"))
	b.must(b.do("tap #mt-vote-save", chromedp.Click(chromedp.ID("mt-vote-save"))))
	b.must(b.waitJS("votes over present", textHas("err-mt-votes", "Голосов больше")))
	b.shot("votes-over")
	b.must(b.retype("for: 2", "mt-vote-for", "2", "2"))
	b.must(b.do("tap #mt-vote-save", chromedp.Click(chromedp.ID("mt-vote-save"))))
	b.must(b.waitJS("decision", textHas("mt-vote-decision", "Решение: поддержать проект")))
	b.must(b.waitJS("saved", textHas("mt-vote-saved", "сохранены")))
	b.shot("decision")
	b.must(b.click("mt-votes-back", "mt-home"))

	// A meeting called here, then registration at it.
	b.must(b.click("mt-home-back", "mt-list"))
	b.must(b.click("mt-new", "mt-create"))
	b.must(b.do("tap assembly", chromedp.Click(chromedp.ID("mt-kind-assembly"))))
	_, err := eval[string](b, "choose t2", `(() => { const s = document.getElementById('mt-territory'); s.value = 't2';
		s.dispatchEvent(new Event('change', {bubbles: true})); return s.value; })()`)
	b.must(err)
	b.must(b.waitJS("agenda: p2 ticked", `document.getElementById('mt-agenda-p2') && document.getElementById('mt-agenda-p2').checked`))
	b.must(b.bigTargets("create: kind and agenda rows", "#mt-create .choice"))
	b.shot("create-form")
	b.must(b.typeInto("place", "mt-place", "Клуб, ул. Мира, 3", "Клуб, ул. Мира, 3"))
	b.must(b.typeInto("chair", "mt-chair", "Петрова Мария Ивановна", "Петрова Мария Ивановна"))
	b.must(b.typeInto("secretary", "mt-secretary", "Сидоров", "Сидоров"))
	b.must(b.do("tap #mt-create-submit", chromedp.Click(chromedp.ID("mt-create-submit"))))
	b.must(b.waitJS("secretary refused", textHas("err-mt-secretary", "фамилию и имя")))
	b.shot("create-refused")
	b.must(b.retype("secretary", "mt-secretary", "Сидоров Пётр", "Сидоров Пётр"))
	b.must(b.click("mt-create-submit", "mt-home"))
	b.must(b.waitJS("new meeting: assembly", textHas("mt-title", "Собрание граждан")))
	b.must(b.waitJS("new meeting: place", textHas("mt-where", "Клуб, ул. Мира, 3")))
	register("Орлова Анна", "01021985")
	b.must(b.waitJS("registered at the new meeting", textHas("mt-present", "Присутствуют: 1 (0,4 % жителей)")))
	b.shotScreen()

	var got []meeting.Attendance
	for _, p := range records(t, m, record.TypeAttendance) {
		var a meeting.Attendance
		if err := json.Unmarshal(p, &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if len(got) != 3 || got[0].MeetingID != "mt1" || got[0].FullName != "Орлова Анна" || got[0].BirthDate.String() != "1985-02-01" ||
		got[1].FullName != "Кузнецов Андрей" || got[2].MeetingID == "mt1" {
		t.Errorf("attendance stored: %+v", got)
	}
	votes := records(t, m, record.TypeVote)
	var v meeting.Vote
	if len(votes) != 1 || json.Unmarshal(votes[0], &v) != nil || v.For != 2 || v.Against != 0 || v.ProjectID != "p1" {
		t.Errorf("votes stored: %s", votes)
	}
	if n := len(records(t, m, record.TypeMeeting)); n != 1 {
		t.Errorf("%d meetings called, want 1", n)
	}
}
