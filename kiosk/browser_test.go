package main

// Real-browser tests of the kiosk touch UI: Chromium, driven through the
// DevTools protocol, taps, types and draws on the page the kiosk serves,
// the way a resident does on the 800×480 touchscreen. Every screen a test
// passes through is saved as testdata-out/browser/<Test>/NN-<screen>.png
// for a person to look at.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sbor-project/sbor/shared/headless"

	"github.com/sbor-project/sbor/shared/signature"
)

const (
	// The Raspberry Pi touchscreen.
	screenW, screenH = 800, 480
	// browserTestTimeout bounds a whole test's browser session.
	browserTestTimeout = 60 * time.Second
	// stepTimeout bounds one step (a tap and the screen it leads to).
	stepTimeout = 10 * time.Second
)

// startKioskArgs is startKiosk with extra flags (e.g. -idle-reset); the
// kiosk closes when the test ends.
func startKioskArgs(t *testing.T, dataDir, catalogFile string, extra ...string) *Main {
	t.Helper()
	m := NewMain()
	noEnv := func(string) (string, bool) { return "", false }
	args := append([]string{"-addr", "127.0.0.1:0", "-data", dataDir, "-catalog", catalogFile,
		"-operator-pin", testPIN, "-log-level", "WARN"}, extra...)
	if err := m.ParseFlags(args, noEnv); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close kiosk: %v", err)
		}
	})
	return m
}

// newKiosk starts a kiosk on the demo catalogue in a fresh data directory.
func newKiosk(t *testing.T, extra ...string) *Main {
	t.Helper()
	dir := t.TempDir()
	return startKioskArgs(t, filepath.Join(dir, "data"), writeCatalog(t, dir), extra...)
}

// browser is one Chromium tab on the kiosk page.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	dir     string        // screenshots
	shots   *int          // numbers the screenshots, shared by a test's tabs
	label   string        // put before a tab's screenshot names ("tablet-")
	timeout time.Duration // per step

	mu         sync.Mutex
	exceptions []string
}

// newBrowser starts Chromium at 800×480 with a fresh profile; it closes
// when the test ends. It does not open the page yet.
func newBrowser(t *testing.T, m *Main) *browser {
	t.Helper()
	dir := headless.ShotDir(t, "..")
	ctx := headless.Start(t, screenW, screenH, browserTestTimeout)
	b := &browser{t: t, ctx: ctx, base: "http://" + m.Server.Addr().String(), dir: dir, shots: new(int), timeout: stepTimeout}
	b.watchExceptions()
	return b
}

// watchExceptions fails the test on uncaught script errors in the tab: a
// resident would be stuck.
func (b *browser) watchExceptions() {
	t := b.t
	console := chromedp.Console(b.ctx)
	go func() {
		for msg, err := range console {
			if err != nil {
				return
			}
			if msg.IsException() {
				b.mu.Lock()
				b.exceptions = append(b.exceptions, msg.String())
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.exceptions {
			t.Errorf("uncaught exception in the page: %s", e)
		}
	})
}

// do runs actions as one named step within the step timeout.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return nil
}

// eval evaluates a JS expression in the page.
func eval[T any](b *browser, step, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		return v, fmt.Errorf("%s: %w", step, err)
	}
	return v, nil
}

// waitJS waits until a JS expression is truthy.
func (b *browser) waitJS(step, expr string) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout+time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(b.timeout)))
	if err != nil {
		return fmt.Errorf("%s: waited %s for %s: %w", step, b.timeout, expr, err)
	}
	return nil
}

// shot saves a screenshot of the whole page as NN-name.png. A page that
// has just replaced itself (a reload, a redirect to the refusal page) may
// not be laid out yet, and Chromium then refuses a screenshot of width 0:
// it waits for the layout first.
func (b *browser) shot(name string) {
	b.t.Helper()
	if err := b.waitJS("laid out for "+name, `document.readyState === 'complete' && document.documentElement.clientWidth > 0`); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	*b.shots++
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s%s.png", *b.shots, b.label, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
}

// shotScreen saves the screen on show now, named after it ("identity"
// for #step-identity). The flow helpers call it as they leave a screen,
// so each picture shows what the resident entered there.
func (b *browser) shotScreen() {
	b.t.Helper()
	name, err := eval[string](b, "which screen", `(() => {
		const s = [...document.querySelectorAll('.screen')].find((e) => !e.hidden);
		return s ? s.id.replace(/^step-/, '') : 'no-screen';
	})()`)
	if err != nil {
		name = "unknown"
	}
	b.shot(name)
}

// jsStr quotes s as a JS string literal.
func jsStr(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

func textOf(id string) string {
	return fmt.Sprintf(`document.getElementById(%s).textContent`, jsStr(id))
}

// textHas is a JS predicate: the element's visible text contains want.
func textHas(id, want string) string {
	return fmt.Sprintf(`((e) => !!e && !e.closest('[hidden]') && e.textContent.includes(%s))(document.getElementById(%s))`,
		jsStr(want), jsStr(id))
}

// text returns an element's text content.
func (b *browser) text(step, id string) (string, error) {
	return eval[string](b, step, textOf(id))
}

// value returns an input's current value.
func (b *browser) value(id string) (string, error) {
	return eval[string](b, "read #"+id, fmt.Sprintf(`document.getElementById(%s).value`, jsStr(id)))
}

// checked reports whether a checkbox is ticked.
func (b *browser) checked(id string) (bool, error) {
	return eval[bool](b, "read #"+id, fmt.Sprintf(`document.getElementById(%s).checked`, jsStr(id)))
}

// padInk counts the canvas pixels that are not transparent: what a person
// sees drawn on the pad.
func (b *browser) padInk() (int, error) {
	return eval[int](b, "count ink on #pad", `(() => {
		const c = document.getElementById('pad');
		if (!c.width || !c.height) return 0;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
		return n;
	})()`)
}

// visibleText is everything the page shows (hidden screens excluded).
func (b *browser) visibleText() (string, error) {
	return eval[string](b, "read the page", `document.body.innerText`)
}

// ---- the resident's steps ---------------------------------------------------

// open loads the kiosk page and waits for its first screen.
func (b *browser) open() error {
	if err := b.do("open the kiosk page", chromedp.Navigate(b.base+"/")); err != nil {
		return err
	}
	return b.waitJS("open the kiosk page: first screen",
		`!document.getElementById('operator').hidden || !document.getElementById('list').hidden`)
}

// openShift picks the collector, types the PIN and opens the shift.
func (b *browser) openShift(collector string) error {
	if err := b.do("operator: screen", chromedp.WaitVisible(chromedp.ID("operator"))); err != nil {
		return err
	}
	if err := b.waitJS("operator: title", textHas("operator-title", "Открытие смены")); err != nil {
		return err
	}
	if err := b.waitJS("operator: collectors listed",
		fmt.Sprintf(`!!document.querySelector('#collector option[value=%s]')`, jsStr(collector))); err != nil {
		return err
	}
	b.shot("operator")
	// A native <select> popup cannot be tapped headless: choose as the
	// popup would, then tell the page.
	got, err := eval[string](b, "operator: choose #collector", fmt.Sprintf(`(() => {
		const s = document.getElementById('collector');
		s.value = %s;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return s.options[s.selectedIndex].text;
	})()`, jsStr(collector)))
	if err != nil {
		return err
	}
	if got == "" || strings.HasPrefix(got, "—") {
		return fmt.Errorf("operator: collector %s not chosen (shows %q)", collector, got)
	}
	if err := b.do("operator: type #pin", chromedp.SendKeys(chromedp.ID("pin"), testPIN)); err != nil {
		return err
	}
	b.shot("operator-filled")
	if err := b.do("operator: tap #open-shift",
		chromedp.Click(chromedp.ID("open-shift")),
		chromedp.WaitVisible(chromedp.ID("list"))); err != nil {
		return err
	}
	return b.do("list: project p1 shown", chromedp.WaitVisible(chromedp.CSS(`#projects [data-project="p1"]`)))
}

// chooseProject taps a project on the list.
func (b *browser) chooseProject(id string) error {
	sel := chromedp.CSS(fmt.Sprintf(`#projects [data-project=%q]`, id))
	if err := b.do("list: screen", chromedp.WaitVisible(chromedp.ID("list")), chromedp.WaitVisible(sel)); err != nil {
		return err
	}
	b.shotScreen()
	return b.do("list: tap project "+id, chromedp.Click(sel), chromedp.WaitVisible(chromedp.ID("step-identity")))
}

// dotted is how the birth date field shows typed digits.
func dotted(digits string) string {
	return digits[:2] + "." + digits[2:4] + "." + digits[4:]
}

// typeInto types text into an empty (or selected-all) input like a keyboard.
func (b *browser) typeInto(step, id, text, want string) error {
	if err := b.do(step, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		return err
	}
	got, err := b.value(id)
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	if got != want {
		return fmt.Errorf("%s: #%s shows %q, want %q", step, id, got, want)
	}
	return nil
}

// retype replaces what an input holds, as a person selecting it all and typing.
func (b *browser) retype(step, id, text, want string) error {
	if _, err := eval[chromedp.Void](b, step, fmt.Sprintf(`document.getElementById(%s).select()`, jsStr(id))); err != nil {
		return err
	}
	return b.typeInto(step, id, text, want)
}

// fillIdentity types the name and the birth date (digits only; the page
// puts the dots in).
func (b *browser) fillIdentity(name, birthDigits string) error {
	if err := b.do("identity: screen", chromedp.WaitVisible(chromedp.ID("full-name"))); err != nil {
		return err
	}
	if err := b.typeInto("identity: type #full-name", "full-name", name, name); err != nil {
		return err
	}
	return b.typeInto("identity: type #birth-date", "birth-date", birthDigits, dotted(birthDigits))
}

// next taps a Next button and waits for the screen it leads to.
func (b *browser) next(button, screen string) error {
	b.shotScreen()
	return b.do(fmt.Sprintf("tap #%s to reach #%s", button, screen),
		chromedp.Click(chromedp.ID(button)), chromedp.WaitVisible(chromedp.ID(screen)))
}

// tick taps a tick box and checks it is ticked.
func (b *browser) tick(id string) error {
	if err := b.do("tick #"+id, chromedp.Click(chromedp.ID(id))); err != nil {
		return err
	}
	on, err := b.checked(id)
	if err != nil {
		return err
	}
	if !on {
		return fmt.Errorf("tick #%s: still unticked after the tap", id)
	}
	return nil
}

type padBox struct{ X, Y, W, H, VW, VH float64 }

// padBox measures the pad and checks it lies inside the screen (the
// kiosk's 800×480, or a tablet's).
func (b *browser) padBox() (padBox, error) {
	r, err := eval[padBox](b, "measure #pad", `(() => {
		const r = document.getElementById('pad').getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height, VW: innerWidth, VH: innerHeight};
	})()`)
	if err != nil {
		return r, err
	}
	if r.W < 100 || r.H < 40 || r.X < 0 || r.Y < 0 || r.X+r.W > r.VW+1 || r.Y+r.H > r.VH+1 {
		return r, fmt.Errorf("draw: #pad is %+v, not a usable pad inside the %.0f×%.0f screen", r, r.VW, r.VH)
	}
	return r, nil
}

// signaturePath is a handwriting-like curve in pad fractions: a run of
// waves, then a separate underline stroke.
func signaturePath() [][][2]float64 {
	var main [][2]float64
	for i := 0; i <= 40; i++ {
		f := float64(i) / 40
		main = append(main, [2]float64{0.1 + 0.7*f, 0.5 - 0.3*math.Sin(f*5*math.Pi)})
	}
	var under [][2]float64
	for i := 0; i <= 8; i++ {
		under = append(under, [2]float64{0.15 + 0.6*float64(i)/8, 0.85})
	}
	return [][][2]float64{main, under}
}

// draw signs on the pad with real input events: mouse events (Chromium
// makes pointer events of them) or, with touch, a finger. It checks that
// ink appeared.
func (b *browser) draw(touch bool) error {
	box, err := b.padBox()
	if err != nil {
		return err
	}
	at := func(p [2]float64) (float64, float64) { return box.X + p[0]*box.W, box.Y + p[1]*box.H }
	err = b.do("draw on #pad", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, stroke := range signaturePath() {
			for i, p := range stroke {
				x, y := at(p)
				var err error
				if touch {
					typ := input.DispatchTouchEventTypeTouchMove
					if i == 0 {
						typ = input.DispatchTouchEventTypeTouchStart
					}
					_, err = cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{
						Type: typ, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}})
				} else {
					typ := input.DispatchMouseEventTypeMouseMoved
					if i == 0 {
						typ = input.DispatchMouseEventTypeMousePressed
					}
					_, err = cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{
						Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: 1, ClickCount: 1})
				}
				if err != nil {
					return err
				}
			}
			var err error
			if touch {
				_, err = cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{
					Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
			} else {
				x, y := at(stroke[len(stroke)-1])
				_, err = cdp.Call(ctx, t, input.DispatchMouseEvent, input.DispatchMouseEventParams{
					Type: input.DispatchMouseEventTypeMouseReleased, X: x, Y: y, Button: input.MouseButtonLeft, ClickCount: 1})
			}
			if err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil {
		return err
	}
	ink, err := b.padInk()
	if err != nil {
		return err
	}
	if ink < 200 {
		return fmt.Errorf("draw: the pad shows %d inked pixels after drawing: the strokes left no line", ink)
	}
	return nil
}

// resident is what a resident types: the name as typed, the birth date as
// the digits typed.
type resident struct {
	name, birth string
}

// signFlow goes from the project list to the thank-you screen for p1 and
// returns the sheet/row line shown. Every step waits for its screen and
// names itself in the error.
func (b *browser) signFlow(r resident) (string, error) {
	if err := b.chooseProject("p1"); err != nil {
		return "", err
	}
	if err := b.fillToConfirm(r); err != nil {
		return "", err
	}
	if err := b.submit(); err != nil {
		return "", err
	}
	if err := b.do("thanks: screen", chromedp.WaitVisible(chromedp.ID("thanks"))); err != nil {
		return "", err
	}
	if err := b.waitJS("thanks: title", textHas("thanks-title", "Спасибо")); err != nil {
		return "", err
	}
	return b.text("thanks: sheet and row", "thanks-where")
}

// fillToConfirm fills every step of a fresh form and reaches the confirm
// screen, checking what it shows.
func (b *browser) fillToConfirm(r resident) error {
	if err := b.waitJS("identity: progress strip", textHas("progress-text", "Подписей:")); err != nil {
		return err
	}
	if err := b.fillIdentity(r.name, r.birth); err != nil {
		return err
	}
	if err := b.next("to-residence", "step-residence"); err != nil {
		return err
	}
	if err := b.waitJS("residence: territory", textHas("resident-label", "с. Кевсала")); err != nil {
		return err
	}
	if err := b.tick("resident"); err != nil {
		return err
	}
	if err := b.next("to-consent", "step-consent"); err != nil {
		return err
	}
	if err := b.waitJS("consent: text mentions 152-ФЗ", textHas("consent-text", "152-ФЗ")); err != nil {
		return err
	}
	if err := b.tick("consent"); err != nil {
		return err
	}
	if err := b.next("to-signature", "step-signature"); err != nil {
		return err
	}
	if err := b.draw(false); err != nil {
		return err
	}
	if err := b.next("to-confirm", "step-confirm"); err != nil {
		return err
	}
	name := strings.Join(strings.Fields(r.name), " ")
	if err := b.waitJS("confirm: shows the name", fmt.Sprintf(
		`%s.replace(/\s+/g, ' ') === %s`, textOf("sum-name"), jsStr(name))); err != nil {
		return err
	}
	if err := b.waitJS("confirm: shows the birth date", textHas("sum-birth", dotted(r.birth))); err != nil {
		return err
	}
	return nil
}

// submit taps Подписать on the confirm screen.
func (b *browser) submit() error {
	b.shotScreen()
	return b.do("confirm: tap #submit", chromedp.Click(chromedp.ID("submit")))
}

// backToList taps Done on the thank-you screen.
func (b *browser) backToList() error {
	b.shotScreen()
	return b.do("thanks: tap #thanks-done", chromedp.Click(chromedp.ID("thanks-done")), chromedp.WaitVisible(chromedp.ID("list")))
}

// must fails the test on a flow error.
func (b *browser) must(err error) {
	b.t.Helper()
	if err != nil {
		b.shot("failure")
		b.t.Fatal(err)
	}
}

// progress asks the kiosk's API how many signatures p1 has.
func progress(t *testing.T, m *Main) int {
	t.Helper()
	resp, err := http.Get("http://" + m.Server.Addr().String() + "/api/projects/p1/progress")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Signatures int `json:"signatures"`
		Required   int `json:"required"`
	}
	if resp.StatusCode != 200 {
		t.Fatalf("progress: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Signatures
}

// storedSignatures reads every signature in the kiosk's log.
func storedSignatures(t *testing.T, m *Main) []signature.Signature {
	t.Helper()
	recs, err := m.DB.Records(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []signature.Signature
	for _, r := range recs {
		var s signature.Signature
		if err := json.Unmarshal(opened(t, r), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// ---- tests ------------------------------------------------------------------

func TestBrowserSigningFlow(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)

	b.must(b.open())
	size, err := eval[[]int](b, "viewport", `[innerWidth, innerHeight]`)
	b.must(err)
	if size[0] != screenW || size[1] != screenH {
		t.Fatalf("viewport %v, want the %d×%d touchscreen", size, screenW, screenH)
	}
	b.must(b.openShift("m1"))
	b.must(b.waitJS("list: p1 name", textHas("projects", "Ремонт детской площадки")))
	b.must(b.waitJS("list: p1 progress", textHas("projects", "Подписей: 0 из 301")))
	if hidden, _ := eval[bool](b, "close-shift", `document.getElementById('close-shift').hidden`); hidden {
		t.Error("the list hides the Close shift button")
	}

	b.must(b.chooseProject("p1"))
	b.must(b.waitJS("identity: project in the bar", textHas("bar-title", "Ремонт детской площадки")))
	b.must(b.waitJS("identity: progress strip", textHas("progress-text", "Подписей: 0 из 301")))
	// Back to the list and in again: the same flow as a resident changing
	// their mind.
	b.must(b.next("back-to-list", "list"))
	r := resident{name: "Иванов Иван Иванович", birth: "12041980"}
	where, err := b.signFlow(r)
	b.must(err)
	if where != "Подписной лист 1, строка 1" {
		t.Errorf("thank-you screen says %q", where)
	}
	b.must(b.waitJS("thanks: progress strip shows 1", textHas("progress-text", "Подписей: 1 из 301")))
	// The thank-you screen holds nothing of the resident.
	if page, _ := b.visibleText(); strings.Contains(page, "Иванов") {
		t.Errorf("thank-you screen still shows the name:\n%s", page)
	}

	b.must(b.backToList())
	b.must(b.waitJS("list: p1 progress shows 1", textHas("projects", "Подписей: 1 из 301")))
	b.must(b.chooseProject("p1"))
	b.must(b.waitJS("identity: progress strip shows 1", textHas("progress-text", "Подписей: 1 из 301")))
	for _, id := range []string{"full-name", "birth-date"} {
		if v, _ := b.value(id); v != "" {
			t.Errorf("next resident's #%s holds %q", id, v)
		}
	}
	b.shotScreen()

	if n := progress(t, m); n != 1 {
		t.Fatalf("API progress: %d signatures, want 1", n)
	}
	sigs := storedSignatures(t, m)
	if len(sigs) != 1 {
		t.Fatalf("%d signatures stored, want 1", len(sigs))
	}
	s := sigs[0]
	if s.FullName != r.name || s.BirthDate.String() != "1980-04-12" || s.ProjectID != "p1" || s.CollectorID != "m1" {
		t.Errorf("stored %q born %s for %s by %s", s.FullName, s.BirthDate, s.ProjectID, s.CollectorID)
	}
	points, minX, maxX := 0, 1e9, -1e9
	for _, st := range s.Strokes {
		points += len(st)
		for _, p := range st {
			minX, maxX = min(minX, p[0]), max(maxX, p[0])
		}
	}
	if len(s.Strokes) != 2 || points < 20 || maxX-minX < 200 {
		t.Errorf("stored drawing: %d strokes, %d points, %.0f px wide; want the 2 strokes drawn, each of many points",
			len(s.Strokes), points, maxX-minX)
	}
}

func TestBrowserRefusalsKeepTheForm(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.openShift("m1"))

	// The first signature.
	_, err := b.signFlow(resident{name: "Иванов Иван Иванович", birth: "12041980"})
	b.must(err)
	b.must(b.backToList())

	// The same citizen typed differently: refused as a duplicate, beside
	// the name, with everything typed still there.
	typed := "иванов  ИВАН  иванович"
	b.must(b.chooseProject("p1"))
	b.must(b.fillToConfirm(resident{name: typed, birth: "12041980"}))
	b.must(b.submit())
	b.must(b.do("duplicate: back on identity", chromedp.WaitVisible(chromedp.ID("step-identity"))))
	b.must(b.waitJS("duplicate: message beside the name", textHas("err-full_name", "уже подписался")))
	b.shot("duplicate")
	if v, _ := b.value("full-name"); v != typed {
		t.Errorf("after the duplicate #full-name holds %q, want %q", v, typed)
	}
	if v, _ := b.value("birth-date"); v != "12.04.1980" {
		t.Errorf("after the duplicate #birth-date holds %q", v)
	}
	if n := progress(t, m); n != 1 {
		t.Fatalf("duplicate counted: %d signatures", n)
	}

	// Another resident, too young, on the same form: the ticks and the
	// drawing stay; an emptied pad is refused before the server.
	young := time.Now().In(moscow(t)).AddDate(-10, 0, 0).Format("02012006")
	b.must(b.retype("identity: retype #full-name", "full-name", "Петров Пётр Петрович", "Петров Пётр Петрович"))
	if msg, _ := b.text("identity: error cleared", "err-full_name"); msg != "" {
		t.Errorf("the duplicate message stays after retyping the name: %q", msg)
	}
	b.must(b.retype("identity: retype #birth-date", "birth-date", young, dotted(young)))
	b.must(b.next("to-residence", "step-residence"))
	if on, _ := b.checked("resident"); !on {
		t.Error("the residence tick was lost after the refusal")
	}
	b.must(b.next("to-consent", "step-consent"))
	if on, _ := b.checked("consent"); !on {
		t.Error("the consent tick was lost after the refusal")
	}
	b.must(b.next("to-signature", "step-signature"))
	if ink, _ := b.padInk(); ink == 0 {
		t.Error("the drawing was lost after the refusal")
	}
	b.must(b.do("signature: tap #clear-pad", chromedp.Click(chromedp.ID("clear-pad"))))
	if ink, _ := b.padInk(); ink != 0 {
		t.Errorf("Clear left %d inked pixels", ink)
	}
	b.must(b.do("signature: tap #to-confirm on an empty pad", chromedp.Click(chromedp.ID("to-confirm"))))
	b.must(b.waitJS("signature: empty pad refused", textHas("err-signature", "Распишитесь")))
	b.shot("signature-empty")
	if hidden, _ := eval[bool](b, "still on the pad", `document.getElementById('step-signature').hidden`); hidden {
		t.Fatal("an empty pad let the resident move on")
	}
	b.must(b.draw(false))
	if msg, _ := b.text("signature: error cleared", "err-signature"); msg != "" {
		t.Errorf("the empty-pad message stays after drawing: %q", msg)
	}
	b.must(b.next("to-confirm", "step-confirm"))
	b.must(b.waitJS("confirm: shows the new name", textHas("sum-name", "Петров Пётр Петрович")))
	b.must(b.submit())
	b.must(b.do("too young: back on identity", chromedp.WaitVisible(chromedp.ID("step-identity"))))
	b.must(b.waitJS("too young: message beside the birth date", textHas("err-birth_date", "достигший возраста")))
	b.shot("too-young")
	if v, _ := b.value("full-name"); v != "Петров Пётр Петрович" {
		t.Errorf("after too-young #full-name holds %q", v)
	}
	if v, _ := b.value("birth-date"); v != dotted(young) {
		t.Errorf("after too-young #birth-date holds %q, want %q", v, dotted(young))
	}
	if msg, _ := b.text("too young: name not blamed", "err-full_name"); msg != "" {
		t.Errorf("too-young also shows a name error: %q", msg)
	}

	// Corrected, the same form goes through.
	b.must(b.retype("identity: fix #birth-date", "birth-date", "01021990", "01.02.1990"))
	for _, s := range [][2]string{{"to-residence", "step-residence"}, {"to-consent", "step-consent"},
		{"to-signature", "step-signature"}, {"to-confirm", "step-confirm"}} {
		b.must(b.next(s[0], s[1]))
	}
	b.must(b.submit())
	b.must(b.do("thanks: screen", chromedp.WaitVisible(chromedp.ID("thanks"))))
	b.must(b.waitJS("thanks: row 2", textHas("thanks-where", "строка 2")))
	b.shotScreen()
	if n := progress(t, m); n != 2 {
		t.Fatalf("API progress: %d signatures, want 2", n)
	}
	sigs := storedSignatures(t, m)
	if last := sigs[len(sigs)-1]; last.FullName != "Петров Пётр Петрович" || last.BirthDate.String() != "1990-02-01" {
		t.Errorf("stored %q born %s", last.FullName, last.BirthDate)
	}
}

func moscow(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBrowserIdleResetClearsEverything(t *testing.T) {
	t.Parallel()
	const idle = 10 * time.Second
	m := newKiosk(t, "-idle-reset", idle.String())
	b := newBrowser(t, m)
	b.must(b.open())
	startLen, err := eval[int](b, "history length", `history.length`)
	b.must(err)
	b.must(b.openShift("m1"))

	// A resident fills everything in, signs with a finger, and walks away.
	b.must(b.chooseProject("p1"))
	b.must(b.fillIdentity("Смирнова Ольга Петровна", "05031975"))
	b.must(b.next("to-residence", "step-residence"))
	b.must(b.tick("resident"))
	b.must(b.next("to-consent", "step-consent"))
	b.must(b.tick("consent"))
	b.must(b.next("to-signature", "step-signature"))
	b.must(b.draw(true))
	left := time.Now()
	b.shot("signature-abandoned")
	if n, _ := eval[int](b, "history length", `history.length`); n != startLen {
		t.Errorf("the steps added history entries (%d → %d): Back would walk through the form", startLen, n)
	}

	b.timeout = 30 * time.Second
	b.must(b.do("idle reset: back to the list", chromedp.WaitVisible(chromedp.ID("list"))))
	b.timeout = stepTimeout
	waited := time.Since(left)
	t.Logf("idle reset after %s (configured -idle-reset %s)", waited.Round(100*time.Millisecond), idle)
	if waited < idle-500*time.Millisecond {
		t.Errorf("the screen was cleared %s after the last touch, before -idle-reset %s", waited, idle)
	}
	if page, _ := b.visibleText(); strings.Contains(page, "Смирнова") || !strings.Contains(page, "Ремонт детской площадки") {
		t.Errorf("the list after the reset shows:\n%s", page)
	}
	if hidden, _ := eval[bool](b, "progress strip", `document.getElementById('progress').hidden`); !hidden {
		t.Error("the project's progress strip stays on the list after the reset")
	}

	// The next resident finds an empty form on every step.
	checkEmpty := func(when string) {
		t.Helper()
		for _, id := range []string{"full-name", "birth-date"} {
			if v, _ := b.value(id); v != "" {
				t.Errorf("%s: #%s holds %q", when, id, v)
			}
		}
		for _, id := range []string{"resident", "consent"} {
			if on, _ := b.checked(id); on {
				t.Errorf("%s: #%s is ticked", when, id)
			}
		}
		if ink, _ := b.padInk(); ink != 0 {
			t.Errorf("%s: the pad shows %d inked pixels", when, ink)
		}
		errs, _ := eval[string](b, "errors", `[...document.querySelectorAll('.err')].map(e => e.textContent).join('')`)
		if errs != "" {
			t.Errorf("%s: error messages left: %q", when, errs)
		}
	}
	b.must(b.chooseProject("p1"))
	checkEmpty("after the idle reset")
	b.must(b.fillIdentity("Кузнецов Андрей", "17081966"))
	b.must(b.next("to-residence", "step-residence"))
	if on, _ := b.checked("resident"); on {
		t.Error("residence ticked for the next resident")
	}
	b.must(b.tick("resident"))
	b.must(b.next("to-consent", "step-consent"))
	if on, _ := b.checked("consent"); on {
		t.Error("consent ticked for the next resident")
	}
	b.must(b.tick("consent"))
	b.must(b.next("to-signature", "step-signature"))
	if ink, _ := b.padInk(); ink != 0 {
		t.Errorf("the pad shows %d inked pixels of the previous resident", ink)
	}
	// The script's strokes are empty too, not just the pixels: Next refuses.
	b.must(b.do("signature: tap #to-confirm", chromedp.Click(chromedp.ID("to-confirm"))))
	b.must(b.waitJS("signature: empty pad refused", textHas("err-signature", "Распишитесь")))
	b.shot("signature-empty")

	// The browser's Back (and Forward again) brings back nobody's data.
	hist, err := chromedp.Run(b.ctx, chromedp.NavigationEntries())
	b.must(err)
	kioskEntries := 0
	for _, e := range hist.Entries {
		if strings.HasPrefix(e.URL, b.base) {
			kioskEntries++
		}
	}
	if kioskEntries != 1 {
		t.Errorf("%d history entries on the kiosk, want 1: %+v", kioskEntries, hist.Entries)
	}
	if hist.CurrentIndex > 0 {
		b.must(b.do("browser Back", chromedp.NavigateBack()))
		if page, _ := b.visibleText(); strings.Contains(page, "Смирнова") || strings.Contains(page, "Кузнецов") {
			t.Errorf("Back shows a resident's data:\n%s", page)
		}
		b.shot("after-back")
		b.must(b.do("browser Forward", chromedp.NavigateForward()))
	} else {
		b.must(b.do("reload", chromedp.Reload()))
	}
	b.must(b.do("kiosk again: list", chromedp.WaitVisible(chromedp.ID("list"))))
	if page, _ := b.visibleText(); strings.Contains(page, "Смирнова") || strings.Contains(page, "Кузнецов") {
		t.Errorf("after Back and Forward the page shows a resident's data:\n%s", page)
	}
	b.must(b.chooseProject("p1"))
	checkEmpty("after Back and Forward")
	b.shotScreen()
	if n := progress(t, m); n != 0 {
		t.Errorf("%d signatures stored; nobody finished", n)
	}
}

// TestBrowserBreaksWhenUIBreaks shows the flow helpers can fail: with the
// page broken in ways a resident would notice, the signing flow returns an
// error naming the step, and nothing is stored. Unbroken, it succeeds.
func TestBrowserBreaksWhenUIBreaks(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.openShift("m1"))

	mutations := []struct {
		name, js, step string
	}{
		{"submit-removed", `document.getElementById('submit').remove()`, "#submit"},
		// The pad no longer receives the finger.
		{"pad-deaf", `document.getElementById('pad').style.pointerEvents = 'none'`, "draw"},
		// A copy of the field without the script's listeners: no dots.
		{"birth-mask-gone", `(() => { const e = document.getElementById('birth-date'); e.replaceWith(e.cloneNode(true)); })()`, "#birth-date"},
	}
	b.timeout = 3 * time.Second
	for i, mu := range mutations {
		b.must(b.open())
		if _, err := eval[chromedp.Void](b, "break the page: "+mu.name, mu.js); err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		_, err := b.signFlow(resident{name: fmt.Sprintf("Мутантов %s Тестович", strings.Repeat("Я", i+1)), birth: "12041980"})
		if err == nil {
			b.shot(mu.name + "-not-caught")
			t.Errorf("%s: the signing flow succeeded on a broken page", mu.name)
			continue
		}
		b.shot(mu.name + "-caught")
		t.Logf("%s: caught after %s: %v", mu.name, time.Since(started).Round(time.Millisecond), err)
		if !strings.Contains(err.Error(), mu.step) {
			t.Errorf("%s: the error does not name the broken step %q: %v", mu.name, mu.step, err)
		}
		if n := progress(t, m); n != 0 {
			t.Errorf("%s: %d signatures stored", mu.name, n)
		}
	}

	// The same helper on the unbroken page signs.
	b.timeout = stepTimeout
	b.must(b.open())
	_, err := b.signFlow(resident{name: "Контролёв Олег", birth: "12041980"})
	b.must(err)
	b.shotScreen()
	if n := progress(t, m); n != 1 {
		t.Errorf("control run: %d signatures stored, want 1", n)
	}
}

func TestBrowserEnglishSwitch(t *testing.T) {
	t.Parallel()
	m := newKiosk(t)
	b := newBrowser(t, m)
	b.must(b.open())
	b.must(b.do("operator: screen", chromedp.WaitVisible(chromedp.ID("operator"))))
	b.must(b.waitJS("Russian title", textHas("operator-title", "Открытие смены")))
	b.must(b.waitJS("switch offers English", textHas("lang", "English")))
	b.shot("operator-ru")

	switchTo := func(lang, title, button string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.ID("lang")))); err != nil {
			b.must(fmt.Errorf("tap #lang: reload: %w", err))
		}
		b.must(b.waitJS("reloaded in "+lang, fmt.Sprintf(
			`document.documentElement.lang === %s && !document.getElementById('operator').hidden`, jsStr(lang))))
		b.must(b.waitJS(lang+" title", textHas("operator-title", title)))
		b.must(b.waitJS(lang+" button", textHas("open-shift", button)))
	}
	switchTo("en", "Open a shift", "Open shift")
	b.must(b.waitJS("switch offers Russian", textHas("lang", "Русский")))
	if title, _ := chromedp.Run(b.ctx, chromedp.Title()); title != "Signature collection" {
		t.Errorf("English page title %q", title)
	}
	// The API answers in the page's language too.
	_, err := eval[string](b, "choose m1", `(() => { const s = document.getElementById('collector'); s.value = 'm1'; return s.value; })()`)
	b.must(err)
	b.must(b.do("type a wrong PIN", chromedp.SendKeys(chromedp.ID("pin"), "0000"), chromedp.Click(chromedp.ID("open-shift"))))
	b.must(b.waitJS("English wrong-PIN message", textHas("err-pin", "Wrong PIN")))
	b.shot("operator-en")
	// No Russian left on screen but the collectors' names (data) and the
	// switch back, which names its language in that language.
	russian, err := eval[[]string](b, "Russian on the English page", `[...document.querySelectorAll('h1, h2, label, button, p, option')]
		.filter((e) => e.id !== 'lang' && !(e.tagName === 'OPTION' && e.value) && !e.closest('[hidden]') && e.offsetParent !== null || e.tagName === 'OPTION' && !e.value)
		.map((e) => e.textContent.trim()).filter((s) => /[А-Яа-яЁё]/.test(s))`)
	b.must(err)
	if len(russian) > 0 {
		t.Errorf("Russian left on the English page: %q", russian)
	}

	switchTo("ru", "Открытие смены", "Открыть смену")
	b.must(b.waitJS("switch offers English again", textHas("lang", "English")))
	b.shot("operator-ru-again")
}
