package bench

import (
	"slices"
	"time"
)

// Dist summarises timings.
type Dist struct {
	N        int
	P50, P99 time.Duration
}

func distOf(samples []time.Duration) Dist {
	if len(samples) == 0 {
		return Dist{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return Dist{N: len(s), P50: percentile(s, 50), P99: percentile(s, 99)}
}

// percentile by the nearest-rank method on sorted samples.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func median(samples []time.Duration) time.Duration { return distOf(samples).P50 }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
