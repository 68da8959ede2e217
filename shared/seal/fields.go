package seal

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Split moves the members named in personal out of a JSON object: public
// keeps the others, private holds the personal ones (nil when the object
// has none of them). Both are JSON objects with sorted keys.
func Split(object []byte, personal []string) (public, private []byte, err error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(object, &all); err != nil || all == nil {
		return nil, nil, fmt.Errorf("seal: split: not a JSON object")
	}
	mine := map[string]json.RawMessage{}
	for _, k := range personal {
		if v, ok := all[k]; ok {
			mine[k] = v
			delete(all, k)
		}
	}
	if public, err = json.Marshal(all); err != nil {
		return nil, nil, fmt.Errorf("seal: split: %w", err)
	}
	if len(mine) == 0 {
		return public, nil, nil
	}
	if private, err = json.Marshal(mine); err != nil {
		return nil, nil, fmt.Errorf("seal: split: %w", err)
	}
	return public, private, nil
}

// Merge joins what Split parted. A member in both is refused: the two
// halves of one record never overlap.
func Merge(public, private []byte) ([]byte, error) {
	var pub, priv map[string]json.RawMessage
	if err := json.Unmarshal(public, &pub); err != nil || pub == nil {
		return nil, fmt.Errorf("seal: merge: public part is not a JSON object")
	}
	if err := json.Unmarshal(private, &priv); err != nil || priv == nil {
		return nil, fmt.Errorf("seal: merge: personal part is not a JSON object")
	}
	for k, v := range priv {
		if _, dup := pub[k]; dup {
			return nil, fmt.Errorf("seal: merge: %q is in both parts", k)
		}
		pub[k] = v
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pub); err != nil {
		return nil, fmt.Errorf("seal: merge: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
