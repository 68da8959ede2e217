package record

import "time"

// Origin places a record among all kiosks' records for cross-kiosk
// dedupe: when one citizen appears in several records that allow only one
// (a signature per project, an attendance per meeting, an answer per
// survey), the earliest counts. Earliest means the earliest moment, then
// the lowest kiosk id, then the lowest epoch, then the lowest seq — a
// total order, so the counted set is the same in whatever order records
// arrive.
type Origin struct {
	At      time.Time
	KioskID string
	Epoch   string
	Seq     uint64
}

// Before reports whether o precedes p.
func (o Origin) Before(p Origin) bool {
	if !o.At.Equal(p.At) {
		return o.At.Before(p.At)
	}
	if o.KioskID != p.KioskID {
		return o.KioskID < p.KioskID
	}
	if o.Epoch != p.Epoch {
		return o.Epoch < p.Epoch
	}
	return o.Seq < p.Seq
}
