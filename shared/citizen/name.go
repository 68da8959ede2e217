package citizen

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/sbor-project/sbor/shared/calendar"
)

// MaxNameRunes bounds a full name; the longest real Russian names are far shorter.
const MaxNameRunes = 200

// Fixed reasons a name is refused; callers map them to messages.
var (
	ErrNameEmpty      = errors.New("citizen: name is empty")
	ErrNameTooLong    = errors.New("citizen: name is too long")
	ErrNameCharacters = errors.New("citizen: name has characters a name cannot have")
	ErrNameIncomplete = errors.New("citizen: surname and given name are both required")
)

var folder = cases.Fold()

// Clean tidies a name as typed for storage and display: NFC, unified
// hyphens and apostrophes, single spaces, trimmed. Letter case and ё are
// kept, because the sheet must show the name as the resident wrote it.
func Clean(name string) string {
	name = norm.NFC.String(name)
	var b strings.Builder
	b.Grow(len(name))
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case isHyphen(r):
			r = '-'
		case isApostrophe(r):
			r = '\''
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	// "Римский - Корсаков" and "Римский-Корсаков" are one surname.
	return strings.ReplaceAll(strings.ReplaceAll(b.String(), " -", "-"), "- ", "-")
}

// Normalize returns the form of a name used for comparison: Clean, then
// case-folded, ё→е, and a trailing dot dropped ("Иванов И.И." ~ "иванов и.и").
func Normalize(name string) string {
	s := folder.String(Clean(name))
	s = strings.ReplaceAll(s, "ё", "е")
	s = strings.TrimSuffix(s, ".")
	return strings.TrimSpace(s)
}

// ValidateName checks that a name as typed can stand on a signature sheet:
// letters, spaces, hyphens, apostrophes and dots only, starting with a
// letter, with at least a surname and a given name (the patronymic is
// optional, «при наличии»).
func ValidateName(name string) error {
	c := Clean(name)
	if c == "" {
		return ErrNameEmpty
	}
	if utf8.RuneCountInString(c) > MaxNameRunes {
		return ErrNameTooLong
	}
	for i, r := range c {
		if i == 0 && !unicode.IsLetter(r) {
			return ErrNameCharacters
		}
		if !(unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == ' ' || r == '-' || r == '\'' || r == '.') {
			return ErrNameCharacters
		}
	}
	if len(strings.Fields(c)) < 2 {
		return ErrNameIncomplete
	}
	return nil
}

// Key is the identity of a citizen: normalized full name and date of birth.
type Key string

// IdentityKey builds the key under which a citizen may sign a project once.
func IdentityKey(fullName string, birth calendar.Date) Key {
	return Key(Normalize(fullName) + "|" + birth.String())
}

func isHyphen(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015',
		'\u2212', '\u00AD', '\uFE58', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u2018', '\u02BC', '`', '\u00B4':
		return true
	}
	return false
}
