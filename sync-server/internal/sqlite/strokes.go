package sqlite

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/sbor-project/sbor/shared/signature"
)

// wireSignature reads a signature payload keeping its strokes as they
// came: they are stored as JSON text, and decoding every point into a
// float only to encode it again was the largest cost of a record.
// (The outer Strokes hides the embedded one from encoding/json.)
type wireSignature struct {
	signature.Signature
	Strokes json.RawMessage `json:"strokes"`
}

// strokesText returns the text stored for a payload's strokes, which
// encoding/json has already checked are valid JSON, if they have the
// shape [][][]float64 accepts: at every level an array or null, and at
// the innermost numbers (within float64's range) or null. The text
// decodes to exactly what json.Marshal of the decoded strokes would.
func strokesText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "null", true
	}
	if bytes.ContainsAny(raw, " \t\r\n") {
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return "", false
		}
		raw = b.Bytes()
	}
	i, ok := strokesValue(raw, 0, 0)
	return string(raw), ok && i == len(raw)
}

// strokesValue checks the compact JSON value at raw[i], at array depth
// depth (3 holds the coordinates), and returns the index after it.
func strokesValue(raw []byte, i, depth int) (int, bool) {
	if i >= len(raw) {
		return i, false
	}
	if bytes.HasPrefix(raw[i:], []byte("null")) {
		return i + 4, true
	}
	if depth == 3 {
		j := i
		plain := raw[i] == '-' || raw[i] >= '0' && raw[i] <= '9'
		for j < len(raw) && raw[j] != ',' && raw[j] != ']' {
			plain = plain && raw[j] != 'e' && raw[j] != 'E'
			j++
		}
		// A valid JSON number without an exponent and short enough is
		// within float64's range; anything else is asked of ParseFloat.
		if plain && j-i <= 24 {
			return j, true
		}
		if _, err := strconv.ParseFloat(string(raw[i:j]), 64); err != nil {
			return j, false
		}
		return j, true
	}
	if raw[i] != '[' {
		return i, false
	}
	i++
	if i < len(raw) && raw[i] == ']' {
		return i + 1, true
	}
	for i < len(raw) {
		var ok bool
		if i, ok = strokesValue(raw, i, depth+1); !ok {
			return i, false
		}
		if i >= len(raw) {
			return i, false
		}
		switch raw[i] {
		case ']':
			return i + 1, true
		case ',':
			i++
		default:
			return i, false
		}
	}
	return i, false
}
