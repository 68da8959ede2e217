package citizen

import "github.com/sbor-project/sbor/shared/calendar"

// NearDuplicate reports whether two signers are probably one person who
// mistyped: the same date of birth and normalized names at most one edit
// apart (insertion, deletion, substitution or swap of neighbours). Equal
// keys are exact duplicates, not near ones. A near duplicate is flagged
// for review and never refused: two real people can differ by one letter.
func NearDuplicate(nameA string, birthA calendar.Date, nameB string, birthB calendar.Date) bool {
	if birthA != birthB {
		return false
	}
	a, b := []rune(Normalize(nameA)), []rune(Normalize(nameB))
	return string(a) != string(b) && withinOneEdit(a, b)
}

// withinOneEdit is an O(n) check for optimal-string-alignment distance ≤ 1.
func withinOneEdit(a, b []rune) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(b) {
		return true // equal, or a has one extra rune at the end
	}
	if len(a) == len(b) {
		if string(a[i+1:]) == string(b[i+1:]) {
			return true // one substitution
		}
		// one transposition of neighbours
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
	}
	return string(a[i+1:]) == string(b[i:]) // one deletion from a
}
