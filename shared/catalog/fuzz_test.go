package catalog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the catalogue parser: it must either
// refuse them with ErrInvalid or return a catalogue that validates.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.json")
	paths = append(paths, filepath.Join("..", "..", "configs", "catalog.example.json"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed catalogue does not validate: %v", err)
		}
	})
}
