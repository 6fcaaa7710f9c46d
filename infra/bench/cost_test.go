package bench

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	var samples []time.Duration
	for i := 1; i <= 200; i++ {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	d := distOf(samples)
	if d.P50 != 100*time.Millisecond || d.P99 != 198*time.Millisecond || d.N != 200 {
		t.Errorf("dist %+v", d)
	}
	if one := distOf([]time.Duration{time.Second}); one.P50 != time.Second || one.P99 != time.Second {
		t.Errorf("one sample: %+v", one)
	}
}

func TestCostOf(t *testing.T) {
	t.Parallel()
	o := OpResult{Name: "GET /v1/x", MemoryMB: 256, Warm: Dist{P50: 9500 * time.Microsecond}, Tally: Tally{RRU: 4, WRU: 2}}
	c := costOf(o)
	lambda := 0.20 + 0.25*0.010*0.0000133334*1e6 // 10 ms billed at a quarter GB
	if c.API != 1 || math.Abs(c.Lambda-lambda) > 1e-9 || c.DynamoDB != 4*0.125+2*0.625 {
		t.Errorf("cost %+v, want API 1, Lambda %v, DynamoDB %v", c, lambda, 4*0.125+2*0.625)
	}
	o.Name = "invoke F"
	if costOf(o).API != 0 {
		t.Error("an invoke-only function pays for API Gateway")
	}
}

func TestMixRenormalisesMissing(t *testing.T) {
	t.Parallel()
	ops := []OpResult{
		{Name: "GET /v1/me", Cost: Cost{API: 1}},
		{Name: "GET /v1/users", Cost: Cost{API: 3}},
	}
	m := mixCost(ops)
	var me, users float64
	for _, w := range adminMix {
		switch w.Op {
		case "GET /v1/me":
			me = w.Weight
		case "GET /v1/users":
			users = w.Weight
		}
	}
	want := (me*1 + users*3) / (me + users)
	if math.Abs(m.PerM-want) > 1e-9 || len(m.Parts) != 2 || len(m.Missing) != len(adminMix)-2 {
		t.Errorf("mix %+v, want $%v with %d missing", m, want, len(adminMix)-2)
	}
}
