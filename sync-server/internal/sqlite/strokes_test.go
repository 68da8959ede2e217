package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"
)

// strokesText keeps what [][][]float64 accepts, as text that decodes to
// the same strokes, and refuses what it does not.
func TestStrokesText(t *testing.T) {
	good := []string{
		``, `null`, `[]`, `[[]]`, `[[[]]]`, `[null]`, `[[null]]`, `[[[null,1]]]`,
		`[[[12.5,40],[30,52.25]],[[80,20]]]`, `[[[-0.5,1e3],[1E-400,2.5e+2]]]`,
		` [ [ [ 1 , 2 ] ] ] `, `[[[123456789012345678901234567890,1]]]`,
	}
	for _, raw := range good {
		text, ok := strokesText(json.RawMessage(raw))
		if !ok {
			t.Errorf("%q refused", raw)
			continue
		}
		var want, got [][][]float64
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &want); err != nil {
				t.Fatalf("%q: %v", raw, err)
			}
		}
		if err := json.Unmarshal([]byte(text), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q stored as %q: %v %v", raw, text, got, err)
		}
	}
	bad := []string{
		`1`, `"x"`, `{}`, `[1]`, `[[1]]`, `[[[[1]]]]`, `[[["1"]]]`, `[[[true]]]`, `[[[{}]]]`,
		`[[[1e400]]]`, `[[[-1e999,1]]]`, `[[[1,2]],3]`,
	}
	for _, raw := range bad {
		var v [][][]float64
		if json.Unmarshal([]byte(raw), &v) == nil {
			t.Fatalf("%q decodes: not a refusal case", raw)
		}
		if text, ok := strokesText(json.RawMessage(raw)); ok {
			t.Errorf("%q kept as %q", raw, text)
		}
	}
}
