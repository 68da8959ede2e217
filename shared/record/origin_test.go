package record

import (
	"testing"
	"time"
)

func TestOriginBefore(t *testing.T) {
	t0 := time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		name string
		a, b Origin
		want bool
	}{
		{"earlier moment", Origin{t0, "k2", "e", 9}, Origin{t0.Add(time.Second), "k1", "e", 1}, true},
		{"same moment in another zone, lower kiosk", Origin{t0.In(msk), "k1", "e", 9}, Origin{t0, "k2", "e", 1}, true},
		{"same moment and kiosk, lower epoch", Origin{t0, "k1", "a", 9}, Origin{t0, "k1", "b", 1}, true},
		{"same everything but seq", Origin{t0, "k1", "e", 1}, Origin{t0, "k1", "e", 2}, true},
		{"equal", Origin{t0, "k1", "e", 1}, Origin{t0, "k1", "e", 1}, false},
	}
	for _, tt := range tests {
		if got := tt.a.Before(tt.b); got != tt.want {
			t.Errorf("%s: Before = %v", tt.name, got)
		}
		if tt.want && tt.b.Before(tt.a) {
			t.Errorf("%s: order is not antisymmetric", tt.name)
		}
	}
}
