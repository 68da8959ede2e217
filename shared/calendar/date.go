package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Layout is the only textual form of a Date: ISO 8601 "YYYY-MM-DD".
const Layout = "2006-01-02"

// ErrBadDate is returned for text that is not a real calendar date.
var ErrBadDate = errors.New("calendar: not a date in the form YYYY-MM-DD")

// Date is a day of the proleptic Gregorian calendar. The zero Date is not valid.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Parse reads "YYYY-MM-DD" and refuses dates that do not exist (2025-02-29).
func Parse(s string) (Date, error) {
	if len(s) != len(Layout) {
		return Date{}, fmt.Errorf("%w: %q", ErrBadDate, s)
	}
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q", ErrBadDate, s)
	}
	return Of(t), nil
}

// MustParse is Parse for literals in tests and built-in data.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Of returns the date t falls on in t's own location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// In returns the date the instant t falls on in loc: the municipality's
// zone decides what "today" is, whatever zone the device runs in.
func In(t time.Time, loc *time.Location) Date {
	return Of(t.In(loc))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Russian formats d as "DD.MM.YYYY", the form used on Russian documents.
func (d Date) Russian() string {
	return fmt.Sprintf("%02d.%02d.%04d", d.Day, int(d.Month), d.Year)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(int(d.Month) - int(e.Month))
	default:
		return sign(d.Day - e.Day)
	}
}

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddYears returns the same day n years later (or earlier for negative n).
// A 29 February that the target year lacks becomes 28 February, the same
// clamping YearsOn uses, so d.AddYears(n) is exactly when d is n years old.
func (d Date) AddYears(n int) Date {
	return d.anniversaryIn(d.Year + n)
}

// YearsOn returns the completed years from d to on (age at date on).
// A person born on 29 February completes a year on 28 February of a
// common year: art. 192 of the Civil Code ends a term counted in years on
// the corresponding day, and where the month has no such day, on its last
// day. It is negative when on is before d.
func (d Date) YearsOn(on Date) int {
	years := on.Year - d.Year
	anniversary := d.anniversaryIn(on.Year)
	if on.Before(anniversary) {
		years--
	}
	return years
}

// anniversaryIn is d's month and day in year y, clamped to the month's last day.
func (d Date) anniversaryIn(y int) Date {
	last := time.Date(y, d.Month+1, 0, 12, 0, 0, 0, time.UTC).Day()
	day := d.Day
	if day > last {
		day = last
	}
	return Date{y, d.Month, day}
}

// MarshalJSON writes d as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD"; an empty string is the zero Date.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: %s", ErrBadDate, b)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
