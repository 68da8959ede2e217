package main

// Browser tests of the on-screen keyboard, the text-size switch, the app
// shell (service worker) and tablets. Like browser_test.go, every screen
// passed through is saved under testdata-out/browser/<Test>/.
//
// A tablet is a second Chromium with its own profile, opening the kiosk
// at 127.0.0.2: the kiosk counts only requests arriving on 127.0.0.1 or
// ::1 as its own screen, so this one machine can play both.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/sbor-project/sbor/shared/headless"
)

// A tablet in portrait, the usual way one is handed to a resident.
const tabletW, tabletH = 768, 1024

// otherDevice starts a second Chromium with its own profile (its own
// cookies, storage and service workers, as a separate device has) at
// base, sized w×h; its screenshots carry label and share b's numbering.
// (A second browser context in the same Chromium would be lighter, but
// chromedp loses such a tab when it navigates across sites.)
func (b *browser) otherDevice(base, label string, w, h int64) *browser {
	b.t.Helper()
	ctx := headless.Start(b.t, w, h, browserTestTimeout)
	tb := &browser{t: b.t, ctx: ctx, base: base, dir: b.dir, shots: b.shots, label: label, timeout: b.timeout}
	tb.watchExceptions()
	return tb
}

// evalAwait evaluates a JS expression whose value is a promise.
func evalAwait[T any](b *browser, step, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return v, fmt.Errorf("%s: %w", step, err)
	}
	return v, nil
}

// waitThroughReload is waitJS for a page that reloads meanwhile: an
// evaluation cut short by the navigation is tried again until limit.
func (b *browser) waitThroughReload(step, expr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: waited %s for %s: last %v", step, limit, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rect is an element's box on screen; W is 0 when it is not shown.
type rect struct{ X, Y, W, H float64 }

func (b *browser) rectOf(step, sel string) (rect, error) {
	return eval[rect](b, step, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (!e || e.closest('[hidden]')) return {X: 0, Y: 0, W: 0, H: 0};
		const r = e.getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height};
	})()`, jsStr(sel)))
}

// tap puts a finger on the middle of the element and lifts it: touch
// events, which the browser turns into pointer events and a click.
func (b *browser) tap(step, sel string) error {
	r, err := b.rectOf(step, sel)
	if err != nil {
		return err
	}
	if r.W == 0 || r.H == 0 {
		return fmt.Errorf("%s: %s is not on screen", step, sel)
	}
	x, y := r.X+r.W/2, r.Y+r.H/2
	return b.do(step, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{
			Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{
			Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
		return err
	}))
}

// keySel is the on-screen key that types r (keys hold lower case).
func keySel(r rune) string {
	if r == ' ' {
		return `#osk [data-key="space"]`
	}
	return fmt.Sprintf(`#osk [data-char=%s]`, jsStr(strings.ToLower(string(r))))
}

// tapText types text on the on-screen keyboard, key by key.
func (b *browser) tapText(step, text string) error {
	for _, r := range text {
		if err := b.tap(fmt.Sprintf("%s: key %q", step, r), keySel(r)); err != nil {
			return err
		}
	}
	return nil
}

// oskLayout is the keyboard's layout on show, or "" when it is hidden.
func (b *browser) oskLayout() (string, error) {
	return eval[string](b, "keyboard layout", `(() => {
		const k = document.getElementById('osk');
		return k && !k.hidden ? k.dataset.layout : '';
	})()`)
}

func (b *browser) waitLayout(step, layout string) error {
	return b.waitJS(step, fmt.Sprintf(`(() => { const k = document.getElementById('osk');
		return !!k && !k.hidden && k.dataset.layout === %s; })()`, jsStr(layout)))
}

// checkKeys checks every key on show is a comfortable touch target and
// inside the screen.
func (b *browser) checkKeys(step string, w, h float64) error {
	small, err := eval[[]string](b, step, fmt.Sprintf(`[...document.querySelectorAll('#osk .osk-key')].map((k) => {
		const r = k.getBoundingClientRect();
		const bad = r.width < 48 || r.height < 48 || r.left < 0 || r.top < 0 || r.right > %f + 0.5 || r.bottom > %f + 0.5;
		return bad ? (k.textContent || k.dataset.key) + ' ' + Math.round(r.width) + '×' + Math.round(r.height) + ' at ' + Math.round(r.left) + ',' + Math.round(r.top) : '';
	}).filter(Boolean)`, w, h))
	if err != nil {
		return err
	}
	if len(small) > 0 {
		return fmt.Errorf("%s: keys under 48 px or off screen: %v", step, small)
	}
	return nil
}

func TestBrowserOnscreenKeyboard(t *testing.T) {
	t.Parallel()
	m := newKiosk(t, "-onscreen-keyboard")
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.do("operator: screen", chromedp.WaitVisible(chromedp.ID("operator"))))
	b.must(b.waitJS("operator: collectors listed", `!!document.querySelector('#collector option[value="m1"]')`))
	if l, _ := b.oskLayout(); l != "" {
		t.Fatalf("keyboard on show before any field has focus: %q", l)
	}
	// The system keyboard stays away; the field remembers what it was.
	modes, err := eval[[]string](b, "inputmode", `['pin', 'full-name', 'birth-date'].map((id) => document.getElementById(id).getAttribute('inputmode'))`)
	b.must(err)
	if strings.Join(modes, ",") != "none,none,none" {
		t.Errorf("inputmode of the keyboard's fields: %v, want none", modes)
	}

	// The operator's PIN on the digits layout; Готово opens the shift.
	_, err = eval[string](b, "operator: choose m1", `(() => { const s = document.getElementById('collector');
		s.value = 'm1'; s.dispatchEvent(new Event('change', {bubbles: true})); return s.value; })()`)
	b.must(err)
	b.must(b.tap("operator: tap #pin", "#pin"))
	b.must(b.waitLayout("operator: digits for the PIN", "digits"))
	b.must(b.tapText("operator: PIN", testPIN))
	if v, _ := b.value("pin"); v != testPIN {
		t.Fatalf("PIN field holds %q after tapping %s", v, testPIN)
	}
	b.shot("keyboard-pin")
	b.must(b.tap("operator: Готово", `#osk [data-key="done"]`))
	b.must(b.do("list after Готово", chromedp.WaitVisible(chromedp.ID("list"))))
	b.must(b.waitJS("keyboard gone with the operator screen", `document.getElementById('osk').hidden`))

	// The resident's name on the Russian layout.
	b.must(b.chooseProject("p1"))
	b.must(b.tap("identity: tap #full-name", "#full-name"))
	b.must(b.waitLayout("identity: Russian letters for the name", "cyrillic"))
	b.must(b.checkKeys("identity: letter keys", screenW, screenH))
	// Words start with a capital by themselves; ⌫ takes back a slip.
	b.must(b.tapText("identity: name", "сидоровв"))
	b.must(b.tap("identity: ⌫", `#osk [data-key="backspace"]`))
	b.must(b.tapText("identity: name", "а алёна-мария"))
	if v, _ := b.value("full-name"); v != "Сидорова Алёна-Мария" {
		t.Fatalf("name field holds %q, want %q", v, "Сидорова Алёна-Мария")
	}
	b.shot("keyboard-letters")
	// Shift for a capital where none comes by itself, then the Latin
	// layout and back; what is typed there is taken back.
	b.must(b.tap("identity: ⇧", `#osk [data-key="shift"]`))
	if up, _ := eval[string](b, "shifted key", `document.querySelector('#osk [data-char="ж"]').textContent`); up != "Ж" {
		t.Errorf("after ⇧ the key shows %q, want Ж", up)
	}
	// A quick second tap locks capitals; a third lets go.
	b.must(b.tap("identity: ⇧ again", `#osk [data-key="shift"]`))
	if caps, _ := eval[bool](b, "caps lock", `document.querySelector('#osk [data-key="shift"]').classList.contains('caps')`); !caps {
		t.Error("a double tap on ⇧ does not lock capitals")
	}
	b.must(b.tap("identity: ⇧ off", `#osk [data-key="shift"]`))
	if up, _ := eval[string](b, "unshifted key", `document.querySelector('#osk [data-char="ж"]').textContent`); up != "ж" {
		t.Errorf("after caps lock off the key shows %q, want ж", up)
	}
	b.must(b.tap("identity: to Latin", `#osk [data-key="latin"]`))
	b.must(b.waitLayout("identity: Latin layout", "latin"))
	b.must(b.checkKeys("identity: Latin keys", screenW, screenH))
	b.must(b.tapText("identity: Latin", "q"))
	if v, _ := b.value("full-name"); v != "Сидорова Алёна-Марияq" {
		t.Fatalf("after q the name field holds %q", v)
	}
	b.shot("keyboard-latin")
	b.must(b.tap("identity: ⌫", `#osk [data-key="backspace"]`))
	b.must(b.tap("identity: back to Russian", `#osk [data-key="cyrillic"]`))
	b.must(b.waitLayout("identity: Russian again", "cyrillic"))
	// Typing in the middle goes in at the caret.
	_, err = eval[chromedp.Void](b, "caret after Сидорова", `document.getElementById('full-name').setSelectionRange(8, 8)`)
	b.must(err)
	b.must(b.tapText("identity: insert", "ю"))
	if v, _ := b.value("full-name"); v != "Сидороваю Алёна-Мария" {
		t.Fatalf("typing at the caret gives %q", v)
	}
	b.must(b.tap("identity: ⌫ at the caret", `#osk [data-key="backspace"]`))

	// Скрыть hides the keyboard; a tap on the field brings it back.
	b.must(b.tap("identity: Скрыть", `#osk [data-key="hide"]`))
	b.must(b.waitJS("keyboard hidden", `document.getElementById('osk').hidden`))
	b.must(b.tap("identity: tap #full-name again", "#full-name"))
	b.must(b.waitLayout("identity: keyboard back", "cyrillic"))

	// Готово goes on to the birth date, on the digits layout; the page's
	// mask puts the dots in as the digits are tapped.
	b.must(b.tap("identity: Готово", `#osk [data-key="done"]`))
	b.must(b.waitJS("identity: birth date focused", `document.activeElement.id === 'birth-date'`))
	b.must(b.waitLayout("identity: digits for the birth date", "digits"))
	b.must(b.checkKeys("identity: digit keys", screenW, screenH))
	b.must(b.tapText("identity: birth date", "12041981"))
	b.must(b.tap("identity: ⌫", `#osk [data-key="backspace"]`))
	// A ninth digit finds the field full, as with a hardware keyboard.
	b.must(b.tapText("identity: birth date", "09"))
	if v, _ := b.value("birth-date"); v != "12.04.1980" {
		t.Fatalf("birth date field holds %q, want 12.04.1980", v)
	}
	shown, err := b.rectOf("birth date visible", "#birth-date")
	b.must(err)
	kb, err := b.rectOf("keyboard", "#osk")
	b.must(err)
	if shown.W == 0 || shown.Y+shown.H > kb.Y+1 {
		t.Errorf("the birth date field %+v is under the keyboard %+v", shown, kb)
	}
	b.shot("keyboard-digits")
	b.must(b.tap("identity: Готово", `#osk [data-key="done"]`))
	b.must(b.do("residence after Готово", chromedp.WaitVisible(chromedp.ID("step-residence"))))
	b.must(b.waitJS("keyboard gone on the next step", `document.getElementById('osk').hidden`))

	// The rest as usual; what the keys typed is what is signed.
	b.must(b.tick("resident"))
	b.must(b.next("to-consent", "step-consent"))
	b.must(b.tick("consent"))
	b.must(b.next("to-signature", "step-signature"))
	b.must(b.draw(true))
	b.must(b.next("to-confirm", "step-confirm"))
	b.must(b.waitJS("confirm: name", textHas("sum-name", "Сидорова Алёна-Мария")))
	b.must(b.waitJS("confirm: birth date", textHas("sum-birth", "12.04.1980")))
	b.must(b.submit())
	b.must(b.do("thanks", chromedp.WaitVisible(chromedp.ID("thanks"))))
	sigs := storedSignatures(t, m)
	if len(sigs) != 1 || sigs[0].FullName != "Сидорова Алёна-Мария" || sigs[0].BirthDate.String() != "1980-04-12" {
		t.Fatalf("stored %+v", sigs)
	}

	// A hardware keyboard still types into the same fields.
	b.must(b.backToList())
	b.must(b.chooseProject("p1"))
	b.must(b.typeInto("hardware keyboard: name", "full-name", "Петров Пётр", "Петров Пётр"))
	b.must(b.typeInto("hardware keyboard: birth date", "birth-date", "01021990", "01.02.1990"))
	b.must(b.waitLayout("keyboard up for the focused field", "digits"))
	b.shotScreen()
	// A mouse click on Далее works although the keyboard closes under it
	// (the button moves down as the keyboard goes).
	b.must(b.next("to-residence", "step-residence"))
}

func TestBrowserTextSizeSwitch(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)
	b.must(b.open())
	size := func() float64 {
		px, err := eval[float64](b, "root font size", `parseFloat(getComputedStyle(document.documentElement).fontSize)`)
		b.must(err)
		return px
	}
	normal := size()
	b.must(b.tap("tap #font-size", "#font-size"))
	b.must(b.waitJS("pressed", `document.getElementById('font-size').getAttribute('aria-pressed') === 'true'`))
	large := size()
	if large < normal*1.15 {
		t.Fatalf("large text is %.1f px, normal %.1f px", large, normal)
	}
	b.shot("operator-large")
	// It is the device's setting: it outlives a reload.
	b.must(b.open())
	if got := size(); got != large {
		t.Errorf("after a reload the text is %.1f px, want %.1f", got, large)
	}
	b.must(b.openShift("m1"))
	b.must(b.chooseProject("p1"))
	b.must(b.fillIdentity("Иванов Иван Иванович", "12041980"))
	b.shotScreen()
	// Every step still reaches its Next button on the 800×480 screen.
	r, err := b.rectOf("Next button", "#to-residence")
	b.must(err)
	if r.W == 0 || r.Y+r.H > screenH+0.5 {
		t.Errorf("Next is off the screen with large text: %+v", r)
	}
	b.must(b.tap("tap #font-size again", "#font-size"))
	if got := size(); got != normal {
		t.Errorf("back to normal: %.1f px, want %.1f", got, normal)
	}
}

// TestBrowserTabletPairing: the kiosk's screen shows a pairing QR code, an
// unpaired tablet is refused, the tablet pairs with the PIN, signs, and is
// cut off when the operator unpairs it.
func TestBrowserTabletPairing(t *testing.T) {
	t.Parallel()
	m := newKiosk(t, "-addr", twoAddrs, "-tablets")
	kiosk := newBrowser(t, m)
	kiosk.label = "kiosk-"
	tabletBase := "http://" + m.Server.Addrs()[1].String()
	tablet := kiosk.otherDevice(tabletBase, "tablet-", tabletW, tabletH)

	// Unpaired: the not-connected page, and the API refuses.
	tablet.must(tablet.do("tablet: open the kiosk", chromedp.Navigate(tabletBase+"/")))
	tablet.must(tablet.waitJS("tablet: refused", textHas("gate-title", "не подключено к киоску")))
	tablet.shot("unpaired")
	refused := func(when string) {
		t.Helper()
		got, err := evalAwait[string](tablet, when+": API", `fetch('/api/projects', {cache: 'no-store'}).then((r) => r.json().then((d) => r.status + ' ' + d.error))`)
		tablet.must(err)
		if got != "403 not_paired" {
			t.Errorf("%s: GET /api/projects answers %q, want 403 not_paired", when, got)
		}
	}
	refused("unpaired")

	// The kiosk's screen: PIN, then Подключить планшет.
	kiosk.must(kiosk.open())
	kiosk.must(kiosk.do("operator screen", chromedp.WaitVisible(chromedp.ID("pair-open"))))
	kiosk.must(kiosk.do("type the PIN", chromedp.SendKeys(chromedp.ID("pin"), testPIN)))
	kiosk.shot("operator")
	kiosk.must(kiosk.tap("tap #pair-open", "#pair-open"))
	kiosk.must(kiosk.do("pairing dialog", chromedp.WaitVisible(chromedp.ID("pair-dialog"))))
	kiosk.must(kiosk.waitJS("QR code drawn", `document.getElementById('pair-qr').naturalWidth > 100`))
	kiosk.must(kiosk.waitJS("no tablets yet", `!document.getElementById('devices-none').hidden`))
	link, err := kiosk.text("pairing address", "pair-url")
	kiosk.must(err)
	if !strings.HasPrefix(link, tabletBase+"/pair?code=") {
		t.Fatalf("pairing address %q, want one on %s", link, tabletBase)
	}
	if v, _ := kiosk.value("pin"); v != "" {
		t.Errorf("the PIN stays in its field behind the dialog: %q", v)
	}
	kiosk.shot("pairing")

	// The tablet opens the QR code's address and types the PIN.
	tablet.must(tablet.do("tablet: open the QR code's address", chromedp.Navigate(link)))
	tablet.must(tablet.do("tablet: pairing page", chromedp.WaitVisible(chromedp.ID("pair-pin"))))
	tablet.must(tablet.do("tablet: wrong PIN", chromedp.SendKeys(chromedp.ID("pair-pin"), "0000")))
	tablet.must(tablet.tap("tablet: tap #pair-submit", "#pair-submit"))
	tablet.must(tablet.waitJS("tablet: wrong PIN refused", textHas("err-pair-pin", "Неверный ПИН-код")))
	tablet.must(tablet.retype("tablet: the right PIN", "pair-pin", testPIN, testPIN))
	tablet.must(tablet.typeInto("tablet: name it", "pair-name", "У входа", "У входа"))
	tablet.shot("pair")
	tablet.must(tablet.tap("tablet: tap #pair-submit", "#pair-submit"))
	tablet.must(tablet.do("tablet: the kiosk UI", chromedp.WaitVisible(chromedp.ID("operator"))))
	if n, _ := eval[int](tablet, "no pairing button", `document.querySelectorAll('#pair-open, #osk').length`); n != 0 {
		t.Errorf("the tablet's page has the kiosk's pairing button or keyboard (%d)", n)
	}

	// The kiosk's list shows it within its refresh.
	kiosk.must(kiosk.waitJS("tablet listed", textHas("devices", "У входа")))
	kiosk.shot("paired")
	kiosk.must(kiosk.tap("close the dialog", "#pair-close"))

	// The tablet collects a signature under its own shift.
	tablet.must(tablet.openShift("m2"))
	where, err := tablet.signFlow(resident{name: "Кузнецова Анна Сергеевна", birth: "03071985"})
	tablet.must(err)
	if where != "Подписной лист 1, строка 1" {
		t.Errorf("tablet thank-you screen: %q", where)
	}
	sigs := storedSignatures(t, m)
	if len(sigs) != 1 || sigs[0].CollectorID != "m2" || sigs[0].FullName != "Кузнецова Анна Сергеевна" {
		t.Fatalf("stored %+v", sigs)
	}
	// The app shell is kept for the tablet, never an API answer or the page.
	cached, err := evalAwait[[]string](tablet, "cached", `navigator.serviceWorker.ready.then(() => caches.keys())
		.then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))
		.then((lists) => lists.flat().map((r) => new URL(r.url).pathname))`)
	tablet.must(err)
	shell := strings.Join(cached, " ")
	if !strings.Contains(shell, "/static/kiosk.js") || !strings.Contains(shell, "/manifest.webmanifest") {
		t.Errorf("the shell is not cached: %v", cached)
	}
	for _, p := range cached {
		if strings.HasPrefix(p, "/api/") || p == "/" || p == "/pair" {
			t.Errorf("the service worker cached %s", p)
		}
	}
	tablet.must(tablet.backToList())

	// The operator unpairs the tablet on the kiosk's screen.
	kiosk.must(kiosk.do("type the PIN", chromedp.SendKeys(chromedp.ID("pin"), testPIN)))
	kiosk.must(kiosk.tap("tap #pair-open", "#pair-open"))
	kiosk.must(kiosk.waitJS("tablet listed", textHas("devices", "У входа")))
	kiosk.must(kiosk.tap("tap Отключить", "#devices [data-unpair]"))
	kiosk.must(kiosk.waitJS("tablet gone", `!document.getElementById('devices-none').hidden`))
	kiosk.shot("unpaired")

	// Whatever the tablet does next finds it cut off: here, closing its
	// shift. (Its status poll would get there too, within 15 s.)
	refused("after unpairing")
	tablet.timeout = 3 * time.Second
	if err := tablet.tap("tablet: tap #close-shift", "#close-shift"); err == nil {
		_ = tablet.tap("tablet: confirm", "#close-shift-confirm")
	}
	tablet.timeout = stepTimeout
	tablet.must(tablet.waitThroughReload("tablet: the not-connected page", textHas("gate-title", "не подключено к киоску"), 20*time.Second))
	tablet.shot("cut-off")
	if page, _ := tablet.visibleText(); strings.Contains(page, "Кузнецова") {
		t.Errorf("the cut-off tablet still shows a resident:\n%s", page)
	}
	if n := progress(t, m); n != 1 {
		t.Errorf("%d signatures, want 1", n)
	}
}

// TestBrowserOfflineShell: the service worker keeps the shell, and when
// the kiosk cannot be reached a navigation shows the cached offline page
// instead of the browser's error; API answers and the page are never kept.
func TestBrowserOfflineShell(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.waitJS("service worker in control", `!!navigator.serviceWorker.controller`))
	b.must(b.openShift("m1"))
	cached, err := evalAwait[[]string](b, "cached", `caches.keys()
		.then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))
		.then((lists) => lists.flat().map((r) => new URL(r.url).pathname))`)
	b.must(err)
	shell := " " + strings.Join(cached, " ") + " "
	for _, want := range []string{"/static/kiosk.js", "/static/kiosk.css", "/offline", "/manifest.webmanifest", "/static/icons/icon-512.png"} {
		if !strings.Contains(shell, " "+want+" ") {
			t.Errorf("%s is not cached: %v", want, cached)
		}
	}
	for _, p := range cached {
		if strings.HasPrefix(p, "/api/") || p == "/" {
			t.Errorf("the service worker cached %s", p)
		}
	}

	// The kiosk program stops: the page says so.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	b.must(b.do("reload with the kiosk gone", chromedp.Navigate(b.base+"/")))
	b.must(b.waitJS("offline page", textHas("gate-title", "Нет связи с киоском")))
	b.must(b.waitJS("offline page styled", `getComputedStyle(document.querySelector('.bar')).display === 'flex'`))
	b.shot("offline")
}
