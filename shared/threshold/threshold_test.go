package threshold

import "testing"

func TestRequired(t *testing.T) {
	tests := []struct{ residents, percent, want int }{
		{1001, 30, 301},
		{1000, 30, 300},
		{7, 30, 3},
		{10, 30, 3},
		{11, 30, 4},
		{1, 30, 1},
		{0, 30, 0},
		{-5, 30, 0},
		{100, 0, 0},
		{100, 100, 100},
		{3, 33, 1},
		{1_000_000, 30, 300_000},
		{1_000_001, 30, 300_001},
		{999, 5, 50},
	}
	for _, tt := range tests {
		if got := Required(tt.residents, tt.percent); got != tt.want {
			t.Errorf("Required(%d, %d) = %d, want %d", tt.residents, tt.percent, got, tt.want)
		}
	}
}

func TestOf(t *testing.T) {
	tests := []struct {
		signatures, residents int
		want                  Progress
	}{
		{0, 1001, Progress{0, 301, 1001, 0, false}},
		{300, 1001, Progress{300, 301, 1001, 99, false}},
		{301, 1001, Progress{301, 301, 1001, 100, true}},
		{450, 1000, Progress{450, 300, 1000, 150, true}},
		{0, 0, Progress{0, 0, 0, 0, false}},
	}
	for _, tt := range tests {
		if got := Of(tt.signatures, tt.residents, 30); got != tt.want {
			t.Errorf("Of(%d, %d) = %+v, want %+v", tt.signatures, tt.residents, got, tt.want)
		}
	}
}
