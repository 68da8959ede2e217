package sheet

import "testing"

func TestNext(t *testing.T) {
	tests := []struct {
		name     string
		last     *Position
		maxSheet int
		size     int
		want     Position
	}{
		{"first signature of the project", nil, 0, 10, Position{1, 1}},
		{"second collector opens a new sheet", nil, 1, 10, Position{2, 1}},
		{"same sheet next row", &Position{1, 1}, 1, 10, Position{1, 2}},
		{"last row of a sheet", &Position{1, 9}, 1, 10, Position{1, 10}},
		{"full sheet opens the next number", &Position{1, 10}, 3, 10, Position{4, 1}},
		{"sheet size 1", &Position{5, 1}, 5, 1, Position{6, 1}},
		{"size shrunk below the last row", &Position{2, 8}, 2, 5, Position{3, 1}},
		{"bad size falls back to default", &Position{1, 9}, 1, 0, Position{1, 10}},
	}
	for _, tt := range tests {
		if got := Next(tt.last, tt.maxSheet, tt.size); got != tt.want {
			t.Errorf("%s: Next = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct{ n, size, want int }{
		{0, 10, 0}, {1, 10, 1}, {10, 10, 1}, {11, 10, 2}, {301, 10, 31}, {5, 0, 1},
	}
	for _, tt := range tests {
		if got := Count(tt.n, tt.size); got != tt.want {
			t.Errorf("Count(%d, %d) = %d, want %d", tt.n, tt.size, got, tt.want)
		}
	}
}
