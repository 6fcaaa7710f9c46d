package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestBackOff: the first try does not wait, a later one waits its steps, and a wait
// ends with the context.
func TestBackOff(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		attempt int
		step    time.Duration
		want    error
		atLeast time.Duration
		under   time.Duration
	}{
		{"first try", t.Context(), 0, 2 * time.Second, nil, 0, time.Second},
		{"second try waits a step", t.Context(), 1, 20 * time.Millisecond, nil, 20 * time.Millisecond, time.Second},
		{"third try waits four", t.Context(), 2, 20 * time.Millisecond, nil, 80 * time.Millisecond, time.Second},
		{"cancelled", cancelled, 3, 2 * time.Second, context.Canceled, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := backOff(tt.ctx, tt.attempt, tt.step)
			took := time.Since(start)
			if !errors.Is(err, tt.want) || took < tt.atLeast || took >= tt.under {
				t.Fatalf("backOff: %v after %v; want %v after %v to %v", err, took, tt.want, tt.atLeast, tt.under)
			}
		})
	}
}
