package citizen

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"strconv"

	"github.com/sbor-project/sbor/shared/calendar"
)

// A near key is a bucket of the birth date followed by the variant's own
// hash, both truncated HMAC-SHA256: ample to keep chance matches out of a
// project's few thousand signers. The shared bucket puts a signer's keys
// side by side in an index, so storing them writes a page or two, not one
// page per key; it tells only that two signers share a birth date.
const (
	nearBucketSize  = 8
	nearVariantSize = 12
	NearKeySize     = nearBucketSize + nearVariantSize
)

// NearKeys and NearProbes find near duplicates (NearDuplicate) without
// keeping names: a kiosk stores an earlier signer's NearKeys, and a later
// signer is near one of them exactly when one of its NearProbes is among
// them. Each is an HMAC under the project's secret of the birth date and a
// variant of the normalized name:
//
//	kept for n              probed for m        finds
//	"p" n                   "p" del_j(m)        m is n with a rune inserted
//	"d" del_i(n)            "d" m               m is n with a rune deleted
//	"s" i del_i(n)          "s" j del_j(m)      one rune substituted at i = j
//	"p" n                   "p" swap_j(m)       two neighbours swapped
//
// Equal names also meet on the "s" keys; they are exact duplicates, which
// the identity key finds first.
func NearKeys(name string, birth calendar.Date, secret []byte) [][]byte {
	n := []rune(Normalize(name))
	v := newVariants(birth, secret, 2*len(n)+1)
	v.add("p", "", n)
	for i := range n {
		d := deleteAt(n, i)
		v.add("d", "", d)
		v.add("s", strconv.Itoa(i), d)
	}
	return v.out
}

// NearProbes returns what to look up for a new signer; see NearKeys.
func NearProbes(name string, birth calendar.Date, secret []byte) [][]byte {
	m := []rune(Normalize(name))
	v := newVariants(birth, secret, 3*len(m)+1)
	v.add("d", "", m)
	for j := range m {
		d := deleteAt(m, j)
		v.add("p", "", d)
		v.add("s", strconv.Itoa(j), d)
		if j+1 < len(m) && m[j] != m[j+1] {
			s := append([]rune(nil), m...)
			s[j], s[j+1] = s[j+1], s[j]
			v.add("p", "", s)
		}
	}
	return v.out
}

type variants struct {
	mac    hash.Hash // HMAC under the secret, reset for each variant
	pre    string    // the birth date, which every variant shares
	bucket []byte
	seen   map[string]bool
	out    [][]byte
}

func newVariants(birth calendar.Date, secret []byte, n int) *variants {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("near-bucket|" + birth.String()))
	return &variants{mac: hmac.New(sha256.New, secret), pre: "near|" + birth.String() + "|", bucket: h.Sum(nil)[:nearBucketSize],
		seen: make(map[string]bool, n), out: make([][]byte, 0, n)}
}

func (v *variants) add(kind, pos string, name []rune) {
	s := v.pre + kind + pos + "|" + string(name)
	if v.seen[s] {
		return // repeated letters give repeated variants
	}
	v.seen[s] = true
	v.mac.Reset()
	v.mac.Write([]byte(s))
	key := make([]byte, 0, NearKeySize)
	key = append(append(key, v.bucket...), v.mac.Sum(nil)[:nearVariantSize]...)
	v.out = append(v.out, key)
}

func deleteAt(r []rune, i int) []rune {
	out := make([]rune, 0, len(r)-1)
	return append(append(out, r[:i]...), r[i+1:]...)
}
