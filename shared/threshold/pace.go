package threshold

import (
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
)

// Day is the number of counted signatures dated one day.
type Day struct {
	Date  calendar.Date `json:"date"`
	Count int           `json:"count"`
}

// PaceWindow is how many recent days the projection averages over.
const PaceWindow = 7

// Projected returns the date the threshold will be reached at the pace of
// the last PaceWindow days up to today, and false when it cannot be told
// (nothing collected lately) or was already reached (then it returns today).
func Projected(p Progress, days []Day, today calendar.Date) (calendar.Date, bool) {
	if p.Reached {
		return today, true
	}
	from := addDays(today, -(PaceWindow - 1))
	recent := 0
	for _, d := range days {
		if !d.Date.Before(from) && !d.Date.After(today) {
			recent += d.Count
		}
	}
	if recent == 0 {
		return calendar.Date{}, false
	}
	remaining := p.Required - p.Signatures
	// ceil(remaining / (recent / window)) in integers
	daysLeft := (remaining*PaceWindow + recent - 1) / recent
	return addDays(today, daysLeft), true
}

func addDays(d calendar.Date, n int) calendar.Date {
	return calendar.Of(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}
