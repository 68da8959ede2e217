package threshold

import (
	"testing"

	"github.com/sbor-project/sbor/shared/calendar"
)

func TestProjected(t *testing.T) {
	today := calendar.MustParse("2026-05-20")
	d := func(s string, n int) Day { return Day{calendar.MustParse(s), n} }
	tests := []struct {
		name string
		p    Progress
		days []Day
		want string
		ok   bool
	}{
		{"nothing yet", Of(0, 1001, 30), nil, "", false},
		{"reached", Of(301, 1001, 30), []Day{d("2026-05-01", 301)}, "2026-05-20", true},
		// 70 in the last 7 days = 10/day; 301-70 = 231 left → 24 days (ceil 23.1)
		{"steady pace", Of(70, 1001, 30), []Day{d("2026-05-14", 35), d("2026-05-20", 35)}, "2026-06-13", true},
		// days before the window do not count toward the pace
		{"old activity only", Of(50, 1001, 30), []Day{d("2026-05-01", 50)}, "", false},
		// one signature a week: 300 left × 7 days = 2100 days
		{"slow", Of(1, 1001, 30), []Day{d("2026-05-20", 1)}, "2032-02-18", true},
	}
	for _, tt := range tests {
		got, ok := Projected(tt.p, tt.days, today)
		if ok != tt.ok || (ok && got.String() != tt.want) {
			t.Errorf("%s: Projected = %v %v, want %s %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
