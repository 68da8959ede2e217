package syncproto

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/sbor-project/sbor/shared/record"
)

const epoch = "0123456789abcdef0123456789abcdef"

// testKey is a fixed device key, so the fuzz seeds are stable.
var testKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

// signed returns b signed as kiosk k1 in epoch.
func signed(b *Batch) *Batch {
	SignBatch(testKey, "k1", epoch, b)
	return b
}

func TestRoundTrip(t *testing.T) {
	r1 := record.New(epoch, 0, record.Genesis, record.TypeSignature, []byte(`{"a":1}`))
	r2 := record.New(epoch, 1, r1.Hash, record.TypeSignature, []byte(`{"a":2}`))
	msgs := []any{
		&Hello{Version: 1, KioskID: "k1", Credential: "secret", Epoch: epoch, HeadSeq: 2, HeadHash: r2.Hash, Pending: 2},
		&Welcome{AckedSeq: 1, CatalogVersion: 3},
		signed(&Batch{Records: []record.Record{r1, r2}, Pending: 0}),
		&Ack{AckedSeq: 2, Quarantined: []uint64{1}},
		&CatalogPush{Version: 3, Catalog: []byte(`{"version":3}`), Keys: map[string]string{"p1": strings.Repeat("ab", 32)}},
		&Check{ID: 7, ProjectID: "p1", KeyHash: strings.Repeat("0f", 32)},
		&Checked{ID: 7, Signed: true},
		&Status{Pending: 4},
		&Error{Code: CodeChain, Message: "x"},
	}
	for _, m := range msgs {
		b, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%T: %v (%s)", m, err, b)
		}
		again, _ := Encode(got)
		if string(again) != string(b) {
			t.Errorf("%T does not round-trip:\n%s\n%s", m, b, again)
		}
	}
	b, _ := Encode(signed(&Batch{Records: []record.Record{r1, r2}}))
	got, _ := Decode(b)
	if !VerifyBatch(testKey.Public().(ed25519.PublicKey), "k1", epoch, got.(*Batch)) {
		t.Fatal("a signed batch does not verify after a round trip")
	}
	recs := got.(*Batch).Records
	if err := recs[1].Verify(epoch, 1, recs[0].Hash); err != nil {
		t.Fatalf("records lose their chain in transit: %v", err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	rec := `{"seq":1,"type":"signature","payload":"e30=","prev_hash":"` + strings.Repeat("00", 32) + `","hash":"` + strings.Repeat("11", 32) + `"}`
	rec2 := strings.Replace(rec, `"seq":1`, `"seq":3`, 1)
	sig := `,"signature":"` + strings.Repeat("A", 86) + `=="` // 64 zero bytes
	tests := map[string]string{
		"not json":           `hello`,
		"no type":            `{"kiosk_id":"k"}`,
		"unknown type":       `{"type":"shutdown"}`,
		"unknown field":      `{"type":"status","pending":1,"admin":true}`,
		"trailing data":      `{"type":"status","pending":1} {}`,
		"hello no version":   `{"type":"hello","kiosk_id":"k","credential":"c","epoch":"` + epoch + `"}`,
		"hello bad epoch":    `{"type":"hello","version":1,"kiosk_id":"k","credential":"c","epoch":"x"}`,
		"hello bad kiosk":    `{"type":"hello","version":1,"kiosk_id":"../k","credential":"c","epoch":"` + epoch + `"}`,
		"empty batch":        `{"type":"batch","records":[]` + sig + `}`,
		"batch with a gap":   `{"type":"batch","records":[` + rec + `,` + rec2 + `]` + sig + `}`,
		"bad hash":           `{"type":"batch","records":[` + strings.Replace(rec, `"hash":"11`, `"hash":"zz`, 1) + `]` + sig + `}`,
		"empty payload":      `{"type":"batch","records":[` + strings.Replace(rec, `"e30="`, `""`, 1) + `]` + sig + `}`,
		"unsigned batch":     `{"type":"batch","records":[` + rec + `]}`,
		"short signature":    `{"type":"batch","records":[` + rec + `],"signature":"` + strings.Repeat("A", 84) + `"}`,
		"null signature":     `{"type":"batch","records":[` + rec + `],"signature":null}`,
		"negative pending":   `{"type":"status","pending":-1}`,
		"check bad hash":     `{"type":"check","id":1,"project_id":"p1","key_hash":"abc"}`,
		"error without code": `{"type":"error","message":"x"}`,
		"huge frame":         `{"type":"status","pending":1,"x":"` + strings.Repeat("a", MaxMessageBytes) + `"}`,
	}
	for name, frame := range tests {
		if _, err := Decode([]byte(frame)); !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: err = %v, want ErrProtocol", name, err)
		}
	}
}

func TestBatchLimits(t *testing.T) {
	var recs []record.Record
	prev := record.Genesis
	for i := uint64(0); i < MaxBatchRecords+1; i++ {
		r := record.New(epoch, i, prev, record.TypeSignature, []byte(`{}`))
		recs, prev = append(recs, r), r.Hash
	}
	b, _ := Encode(signed(&Batch{Records: recs}))
	if _, err := Decode(b); !errors.Is(err, ErrProtocol) {
		t.Fatalf("batch over the record limit accepted: %v", err)
	}
	big := []byte(`"` + strings.Repeat("a", MaxPayloadBytes) + `"`)
	b, _ = Encode(signed(&Batch{Records: []record.Record{record.New(epoch, 0, record.Genesis, record.TypeSignature, big)}}))
	if _, err := Decode(b); !errors.Is(err, ErrProtocol) {
		t.Fatalf("payload over the limit accepted: %v", err)
	}
}

// FuzzDecode: whatever arrives, Decode returns a message or ErrProtocol,
// never panics, and what it accepts encodes and decodes again the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"type":"status","pending":1}`))
	f.Add([]byte(`{"type":"hello","version":1,"kiosk_id":"k1","credential":"c","epoch":"` + epoch + `","head_seq":0,"head_hash":"` + strings.Repeat("00", 32) + `","pending":0,"catalog_version":0}`))
	r := record.New(epoch, 0, record.Genesis, record.TypeSignature, []byte(`{"a":1}`))
	b, _ := Encode(signed(&Batch{Records: []record.Record{r}}))
	f.Add(b)
	f.Add([]byte(`{"type":"check","id":1,"project_id":"p1","key_hash":"` + strings.Repeat("ab", 32) + `"}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		msg, err := Decode(frame)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v is not ErrProtocol", err)
			}
			return
		}
		again, err := Encode(msg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatalf("re-encoded message refused: %v", err)
		}
	})
}
