package gateway

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkWarmRequest measures one HTTP request through the gateway to a
// warm instance: event conversion, runtime API round trip, response.
func BenchmarkWarmRequest(b *testing.B) {
	tg := newTestGateway(b, nil)
	url := tg.URL + "/v1/users/1"
	warm := func() {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // lets the connection be reused
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	warm()
	for b.Loop() {
		warm()
	}
}

// BenchmarkColdStart measures starting an instance: init (process start to
// the first /next) and the first invocation, reported as metrics.
func BenchmarkColdStart(b *testing.B) {
	var initTotal, firstTotal time.Duration
	n := 0
	for b.Loop() {
		g, err := New(Config{
			Functions:   []Function{{Name: "Worker", Binary: echoBinary}},
			OnColdStart: func(s InstanceStats) { initTotal += s.InitDuration; firstTotal += s.FirstInvoke },
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := g.Invoke(b.Context(), "Worker", []byte(`{}`)); err != nil {
			b.Fatal(err)
		}
		g.Close()
		n++
	}
	b.ReportMetric(float64(initTotal.Microseconds())/float64(n)/1000, "init-ms/op")
	b.ReportMetric(float64(firstTotal.Microseconds())/float64(n)/1000, "first-invoke-ms/op")
}
