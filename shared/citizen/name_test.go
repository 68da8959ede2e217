package citizen

import (
	"errors"
	"testing"

	"github.com/sbor-project/sbor/shared/calendar"
)

var birth = calendar.MustParse("1980-04-12")

func TestIdentityKeyCollides(t *testing.T) {
	base := "Ёлкина Анна Петровна"
	same := []string{
		"ёлкина анна петровна",
		"ЕЛКИНА АННА ПЕТРОВНА",
		"  Елкина   Анна\tПетровна  ",
		"Е\u0308лкина Анна Петровна", // decomposed ё (NFD) composes first
		"Елкина Анна Петровна.",
		"Ёлкина\u00a0Анна Петровна", // no-break space
	}
	for _, s := range same {
		if IdentityKey(s, birth) != IdentityKey(base, birth) {
			t.Errorf("%q: key %q != %q", s, IdentityKey(s, birth), IdentityKey(base, birth))
		}
	}
	hyphenated := "Римская-Корсакова Анна"
	for _, s := range []string{
		"Римская\u2013Корсакова Анна", // en dash
		"Римская\u2014Корсакова Анна", // em dash
		"Римская\u2011Корсакова Анна", // non-breaking hyphen
		"Римская\u2212Корсакова Анна", // minus sign
		"Римская - Корсакова Анна",
		"римская-корсакова анна",
	} {
		if IdentityKey(s, birth) != IdentityKey(hyphenated, birth) {
			t.Errorf("%q does not collide with %q", s, hyphenated)
		}
	}
}

func TestIdentityKeyDistinguishes(t *testing.T) {
	k := IdentityKey("Иванов Иван Иванович", birth)
	if k == IdentityKey("Иванов Иван Иванович", calendar.MustParse("1980-04-13")) {
		t.Error("different birth dates collide")
	}
	if k == IdentityKey("Иванов Иван", birth) {
		t.Error("a missing patronymic collides with a present one")
	}
	if k == IdentityKey("Иванова Иван Иванович", birth) {
		t.Error("different surnames collide")
	}
	if k != IdentityKey("Иванов Иван Иванович", birth) {
		t.Error("key is not deterministic")
	}
}

func TestClean(t *testing.T) {
	tests := map[string]string{
		"  Петров   Пётр ":           "Петров Пётр",
		"О\u2019Коннор Шон":          "О'Коннор Шон",
		"Салтыков \u2013 Щедрин Мих": "Салтыков-Щедрин Мих",
		"И\u0306ванов Йован":         "Йванов Йован",
	}
	for in, want := range tests {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		want error
	}{
		{"Иванов Иван Иванович", nil},
		{"Иванов Иван", nil},
		{"О'Коннор Шон", nil},
		{"Салтыков-Щедрин М. Е.", nil},
		{"", ErrNameEmpty},
		{"   ", ErrNameEmpty},
		{"Иванов", ErrNameIncomplete},
		{"<script>alert(1)</script> Иван", ErrNameCharacters},
		{"Иванов Иван2", ErrNameCharacters},
		{"-Иванов Иван", ErrNameCharacters},
		{"Иванов; DROP TABLE", ErrNameCharacters},
		{string(make([]rune, 0)) + longName(201), ErrNameTooLong},
	}
	for _, tt := range tests {
		if err := ValidateName(tt.name); !errors.Is(err, tt.want) {
			t.Errorf("ValidateName(%q) = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func longName(n int) string {
	r := []rune("Иванов ")
	for len(r) < n {
		r = append(r, 'а')
	}
	return string(r)
}

func TestNearDuplicate(t *testing.T) {
	other := calendar.MustParse("1980-04-13")
	tests := []struct {
		a, b  string
		birth calendar.Date
		want  bool
	}{
		{"Иванов Иван Иванович", "Иванов Иван Иваныч", birth, false},   // two edits
		{"Иванов Иван Иванович", "Иванов Иван Иванвич", birth, true},   // deletion
		{"Иванов Иван Иванович", "Иваноф Иван Иванович", birth, true},  // substitution
		{"Иванов Иван Иванович", "Иванов Иван Иванвоич", birth, true},  // transposition
		{"Иванов Иван Иванович", "Иванов Иван Ивановичч", birth, true}, // insertion at the end
		{"Иванов Иван Иванович", "ИВАНОВ ИВАН ИВАНОВИЧ", birth, false}, // exact duplicate, not near
		{"Иванов Иван Иванович", "Иваноф Иван Иванович", other, false}, // another birth date
		{"Иванов Иван Иванович", "Петров Пётр Петрович", birth, false}, // different people
		{"Ёлкин Иван", "Елкин Иван", birth, false},                     // equal after normalizing
		{"Ёлкин Иван", "Елкин Иван Н", birth, false},                   // two runes added
		{"Ким Ир", "Ким Ира", birth, true},
	}
	for _, tt := range tests {
		if got := NearDuplicate(tt.a, birth, tt.b, tt.birth); got != tt.want {
			t.Errorf("NearDuplicate(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := NearDuplicate(tt.b, tt.birth, tt.a, birth); got != tt.want {
			t.Errorf("NearDuplicate(%q, %q) (swapped) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
