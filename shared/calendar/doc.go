// Package calendar holds the civil date used throughout Sbor: birth dates,
// signing dates and collection windows are days in the municipality's time
// zone, not instants, so they are compared as dates and never through
// time.Time arithmetic that a device's own zone could shift.
package calendar
