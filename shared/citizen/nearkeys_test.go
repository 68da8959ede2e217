package citizen

import (
	"math/rand/v2"
	"testing"

	"github.com/sbor-project/sbor/shared/calendar"
)

// nearByKeys is the kiosk's question: does any probe of b meet a key of a?
func nearByKeys(a, b string, birth calendar.Date, secret []byte) bool {
	kept := map[string]bool{}
	for _, k := range NearKeys(a, birth, secret) {
		kept[string(k)] = true
	}
	for _, p := range NearProbes(b, birth, secret) {
		if kept[string(p)] {
			return true
		}
	}
	return false
}

// The keyed index must agree with NearDuplicate on every pair of distinct
// names: one rule, whether the names are at hand or only their hashes.
func TestNearKeysAgreeWithNearDuplicate(t *testing.T) {
	birth := calendar.MustParse("1970-05-06")
	secret := []byte("project secret")
	cases := [][2]string{
		{"Иванов Иван", "Иванов Иван"}, // equal: exact, not near
		{"Иванов Иван", "Иваноф Иван"},
		{"Иванов Иван", "Иванов Иванн"},
		{"Иванов Иван", "Иванов Ивн"},
		{"Иванов Иван", "Иванво Иван"},
		{"Иванов Иван", "Иванов Ива"},
		{"Иванов Иван", "Петров Иван"},
		{"аб", "ба"},
		{"абв", "бва"},
		{"ab", "bz"}, // deletions meet at different places: two edits
		{"Сёмин Ян", "семин ян"},
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("абв ")
	word := func() string {
		n := 1 + r.IntN(6)
		w := make([]rune, n)
		for i := range w {
			w[i] = alphabet[r.IntN(len(alphabet))]
		}
		return "я" + string(w) // a letter first, as names have
	}
	for range 20000 {
		a := word()
		b := []rune(a)
		switch r.IntN(5) {
		case 0: // an unrelated name
			b = []rune(word())
		case 1:
			i := r.IntN(len(b))
			b[i] = alphabet[r.IntN(len(alphabet))]
		case 2:
			b = deleteAt(b, r.IntN(len(b)))
		case 3:
			i := r.IntN(len(b) + 1)
			b = append(b[:i:i], append([]rune{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
		case 4:
			if len(b) > 1 {
				i := r.IntN(len(b) - 1)
				b[i], b[i+1] = b[i+1], b[i]
			}
		}
		cases = append(cases, [2]string{a, string(b)})
	}
	for _, c := range cases {
		if Normalize(c[0]) == Normalize(c[1]) {
			continue
		}
		want := NearDuplicate(c[0], birth, c[1], birth)
		if got := nearByKeys(c[0], c[1], birth, secret); got != want {
			t.Fatalf("%q then %q: keys say near=%v, NearDuplicate says %v", c[0], c[1], got, want)
		}
	}
	// Another birth date or another project's secret never meets.
	if nearByKeys("Иванов Иван", "Иваноф Иван", birth, secret) == false {
		t.Fatal("a one-letter slip not found")
	}
	kept := NearKeys("Иванов Иван", birth, secret)
	for _, p := range NearProbes("Иваноф Иван", calendar.MustParse("1970-05-07"), secret) {
		for _, k := range kept {
			if string(k) == string(p) {
				t.Fatal("near keys met across birth dates")
			}
		}
	}
	for _, p := range NearProbes("Иваноф Иван", birth, []byte("other project")) {
		for _, k := range kept {
			if string(k) == string(p) {
				t.Fatal("near keys met across project secrets")
			}
		}
	}
}
