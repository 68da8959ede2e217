package main

import (
	"math"
	"slices"
	"time"
)

// latencies collects durations and reports percentiles.
type latencies []time.Duration

// pct returns the p-th percentile (nearest rank), or 0 for none.
func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
