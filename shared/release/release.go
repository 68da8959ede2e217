// Package release carries the build's version and date, stamped by the
// Makefile with -ldflags "-X …/release.Version=… -X …/release.Date=…".
package release

import "github.com/sbor-project/sbor/shared/calendar"

// Stamped at build time; the defaults are for go run and go test.
var (
	Version = "dev"
	Date    = "2026-11-01"
)

// BuildDate returns Date parsed. A kiosk whose clock reads earlier than
// this has certainly lost its time (a Raspberry Pi without a battery).
func BuildDate() calendar.Date {
	d, err := calendar.Parse(Date)
	if err != nil {
		panic("release: bad build date stamped: " + Date)
	}
	return d
}
