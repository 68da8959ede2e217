package citizen

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// KeyHash is the keyed hash (HMAC-SHA256, hex) of an identity key under a
// project's secret. A kiosk asks the server about a citizen by this hash,
// so the name and birth date never leave the kiosk for the question, and
// whoever lacks the secret cannot test guesses against it.
func KeyHash(k Key, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(k))
	return hex.EncodeToString(mac.Sum(nil))
}
