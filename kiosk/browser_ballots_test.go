package main

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/record"
)

// TestBrowserBallots: a meeting called to vote by ballots; its
// "Голосование" screen takes one registered resident after another, big
// For / Against / Abstain buttons per agenda item, and refuses someone not
// registered. The secretary's counts screen is not offered.
func TestBrowserBallots(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.openShift("m1"))
	b.must(b.click("meeting-mode", "mt-list"))
	b.must(b.click("mt-new", "mt-create"))
	b.must(b.do("tap gathering", chromedp.Click(chromedp.ID("mt-kind-gathering"))))
	_, err := eval[string](b, "choose t2", `(() => { const s = document.getElementById('mt-territory'); s.value = 't2';
		s.dispatchEvent(new Event('change', {bubbles: true})); return s.value; })()`)
	b.must(err)
	b.must(b.waitJS("agenda: p2 ticked", `document.getElementById('mt-agenda-p2') && document.getElementById('mt-agenda-p2').checked`))
	b.must(b.typeInto("place", "mt-place", "Клуб", "Клуб"))
	b.must(b.typeInto("chair", "mt-chair", "Петрова Мария Ивановна", "Петрова Мария Ивановна"))
	b.must(b.typeInto("secretary", "mt-secretary", "Сидоров Пётр", "Сидоров Пётр"))
	b.must(b.do("tap ballots", chromedp.Click(chromedp.ID("mt-vote-mode-ballots"))))
	b.must(b.bigTargets("create: vote mode rows", "#mt-vote-mode .choice"))
	b.shot("create-ballots")
	b.must(b.click("mt-create-submit", "mt-home"))

	register := func(name, digits string) {
		t.Helper()
		b.must(b.retype("type #mt-full-name", "mt-full-name", name, name))
		b.must(b.retype("type #mt-birth-date", "mt-birth-date", digits, dotted(digits)))
		b.must(b.tick("mt-resident"))
		b.must(b.tick("mt-consent-tick"))
		b.must(b.do("tap #mt-register", chromedp.Click(chromedp.ID("mt-register"))))
		b.must(b.waitJS("registered "+name, textHas("mt-registered", "Участник зарегистрирован")))
	}
	register("Орлова Анна", "01021985")
	register("Кузнецов Андрей", "17081966")

	// The voting screen, not the secretary's counts.
	b.must(b.click("mt-to-votes", "mt-ballots"))
	b.must(b.waitJS("ballots: the item", textHas("mt-ballot-items", "Освещение")))
	b.must(b.bigTargets("ballots: choice buttons", "#mt-ballot-items button"))
	vote := func(name, digits, choice string) {
		t.Helper()
		b.must(b.retype("type #mt-ballot-name", "mt-ballot-name", name, name))
		b.must(b.retype("type #mt-ballot-birth", "mt-ballot-birth", digits, dotted(digits)))
		sel := `#mt-ballot-items button[data-choice="` + choice + `"]`
		_, err := eval[chromedp.Void](b, "scroll to "+choice, `document.querySelector(`+jsStr(sel)+`).scrollIntoView({block: 'center'})`)
		b.must(err)
		b.must(b.tap("tap "+choice, sel))
		b.must(b.waitJS("pressed "+choice, `document.querySelector(`+jsStr(sel)+`).getAttribute('aria-pressed') === 'true'`))
		b.must(b.do("tap #mt-ballot-submit", chromedp.Click(chromedp.ID("mt-ballot-submit"))))
	}
	vote("Петров Пётр", "01011970", "for")
	b.must(b.waitJS("not registered", textHas("err-mt-ballot-full_name", "Сначала зарегистрируйтесь на собрании")))
	b.shot("not-registered")
	vote("Орлова Анна", "01021985", "for")
	b.must(b.waitJS("counted", textHas("mt-ballot-saved", "Голос учтён")))
	for _, id := range []string{"mt-ballot-name", "mt-ballot-birth"} {
		if v, _ := b.value(id); v != "" {
			t.Errorf("after voting #%s holds %q", id, v)
		}
	}
	if n, _ := eval[int](b, "pressed", `document.querySelectorAll('#mt-ballot-items button[aria-pressed="true"]').length`); n != 0 {
		t.Errorf("after voting %d choices still pressed", n)
	}
	vote("Кузнецов Андрей", "17081966", "against")
	b.must(b.waitJS("tally", textHas("mt-ballot-items", "«за» — 1, «против» — 1")))
	b.shot("tally")

	var ballots []meeting.Ballot
	for _, p := range records(t, m, record.TypeBallot) {
		var x meeting.Ballot
		if err := json.Unmarshal(p, &x); err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, x)
	}
	if len(ballots) != 2 || ballots[0].Choice != "for" || ballots[1].Choice != "against" || ballots[0].ProjectID != "p2" {
		t.Errorf("ballots stored: %+v", ballots)
	}
}
