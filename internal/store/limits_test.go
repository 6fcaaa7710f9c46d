package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
)

func TestLimits(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	l := store.Limit{Name: "test", Max: 3, Window: time.Minute}
	now := time.Date(2026, 5, 1, 12, 0, 20, 0, time.UTC) // 40 s left in its window

	for i := range 3 {
		if used, err := s.LimitUsed(ctx, l, "a", now); err != nil || used != i {
			t.Fatalf("before hit %d: used %d, %v", i, used, err)
		}
		if err := s.Hit(ctx, l, "a", now); err != nil {
			t.Fatalf("hit %d: %v", i, err)
		}
	}
	for name, err := range map[string]error{
		"check": s.CheckLimit(ctx, l, "a", now),
		"hit":   s.Hit(ctx, l, "a", now),
	} {
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.RateLimited || e.RetryAfter != 40*time.Second {
			t.Fatalf("%s over the limit: %v, want rate_limited retrying after 40s", name, err)
		}
	}
	// Other subjects and the next window are not affected.
	if err := s.CheckLimit(ctx, l, "b", now); err != nil {
		t.Fatalf("other subject: %v", err)
	}
	if err := s.Hit(ctx, l, "a", now.Add(40*time.Second)); err != nil {
		t.Fatalf("next window: %v", err)
	}
	// Clearing forgets the count.
	if err := s.ClearLimit(ctx, l, "a", now); err != nil {
		t.Fatal(err)
	}
	if used, err := s.LimitUsed(ctx, l, "a", now); err != nil || used != 0 {
		t.Fatalf("after clear: used %d, %v", used, err)
	}
}

// Concurrent hits are all counted: of 20 racers for a limit of 5, exactly 5 pass.
func TestConcurrentHits(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	l := store.Limit{Name: "race", Max: 5, Window: time.Hour}
	now := time.Now()
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := s.Hit(ctx, l, "subject", now)
			if err != nil && apperr.As(err).Kind != apperr.RateLimited {
				t.Error(err)
			}
			if err == nil {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != 5 {
		t.Fatalf("%d hits passed, want 5", passed)
	}
}
