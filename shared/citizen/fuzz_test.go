package citizen

import (
	"testing"
	"unicode/utf8"

	"github.com/sbor-project/sbor/shared/calendar"
)

// FuzzNormalize checks the properties every normalized name must have,
// whatever bytes arrive: valid UTF-8 stays valid, normalizing is
// idempotent, and a near duplicate is never an exact one.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Ёлкина Анна", "  иванов\u00a0И.И. ", "Римская\u2013Корсакова", "И\u0306", "ǅ", "ß", "\xff\xfe", ""} {
		f.Add(s, "Елкина Анна")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		n := Normalize(a)
		if utf8.ValidString(a) && !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", a, n)
		}
		if Normalize(n) != n && utf8.ValidString(a) {
			t.Fatalf("not idempotent: %q → %q → %q", a, n, Normalize(n))
		}
		if Clean(Clean(a)) != Clean(a) && utf8.ValidString(a) {
			t.Fatalf("Clean not idempotent on %q", a)
		}
		d := calendar.MustParse("1990-01-01")
		if NearDuplicate(a, d, b, d) && IdentityKey(a, d) == IdentityKey(b, d) {
			t.Fatalf("%q and %q are both exact and near duplicates", a, b)
		}
		_ = ValidateName(a)
	})
}
