package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2025-02-29", Date{}, false},
		{"2025-13-01", Date{}, false},
		{"2025-1-01", Date{}, false},
		{"01.02.2025", Date{}, false},
		{"", Date{}, false},
		{"2025-01-01T00:00", Date{}, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("Parse(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrBadDate) {
			t.Errorf("Parse(%q) err = %v, want ErrBadDate", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestYearsOn(t *testing.T) {
	tests := []struct {
		birth, on string
		want      int
	}{
		{"2010-05-20", "2026-05-19", 15},
		{"2010-05-20", "2026-05-20", 16}, // the birthday itself completes the year
		{"2010-05-20", "2026-05-21", 16},
		{"2008-02-29", "2024-02-28", 15}, // leap year: the real anniversary exists
		{"2008-02-29", "2024-02-29", 16},
		{"2008-02-29", "2025-02-27", 16},
		{"2009-02-28", "2025-02-28", 16},
		{"2008-02-29", "2023-02-28", 15}, // common year: 28 Feb completes the year
		{"2007-02-28", "2023-02-28", 16},
		{"2012-02-29", "2028-02-28", 15}, // 2028 is leap, so 29 Feb counts
		{"2012-02-29", "2028-02-29", 16},
		{"2010-12-31", "2026-01-01", 15},
		{"2026-06-01", "2026-05-31", -1},
	}
	for _, tt := range tests {
		if got := MustParse(tt.birth).YearsOn(MustParse(tt.on)); got != tt.want {
			t.Errorf("YearsOn(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.want)
		}
	}
}

func TestAddYears(t *testing.T) {
	tests := []struct {
		d    string
		n    int
		want string
	}{
		{"2024-02-29", 1, "2025-02-28"},
		{"2024-02-29", 4, "2028-02-29"},
		{"2026-11-22", -120, "1906-11-22"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.d).AddYears(tt.n).String(); got != tt.want {
			t.Errorf("AddYears(%s, %d) = %s, want %s", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestIn(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	// 22:30 UTC on 31 Dec is already 1 Jan in Moscow (UTC+3).
	instant := time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC)
	if got := In(instant, moscow); got != MustParse("2026-01-01") {
		t.Errorf("In(Moscow) = %v", got)
	}
	if got := In(instant, time.UTC); got != MustParse("2025-12-31") {
		t.Errorf("In(UTC) = %v", got)
	}
}

func TestJSON(t *testing.T) {
	var v struct{ D Date }
	if err := json.Unmarshal([]byte(`{"D":"2024-02-29"}`), &v); err != nil || v.D != MustParse("2024-02-29") {
		t.Fatalf("unmarshal: %v %v", v.D, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"2024-02-30"}`), &v); !errors.Is(err, ErrBadDate) {
		t.Fatalf("unmarshal bad date: err = %v", err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"D":"2024-02-29"}` {
		t.Fatalf("marshal: %s", b)
	}
	if MustParse("2026-03-05").Russian() != "05.03.2026" {
		t.Fatal("Russian format")
	}
}
