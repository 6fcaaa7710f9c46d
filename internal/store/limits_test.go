package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
)

// limited fails the test unless err is a refusal retrying after wait.
func limited(t *testing.T, what string, err error, wait time.Duration) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.RateLimited || e.RetryAfter != wait {
		t.Fatalf("%s: %v, want rate_limited retrying after %s", what, err, wait)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	l := store.Limit{Name: "test", Max: 3, Window: time.Minute}
	now := time.Date(2026, 5, 1, 12, 0, 20, 0, time.UTC) // 40 s left in its window

	var tries []store.Try
	for i := range 3 {
		try, err := s.Take(ctx, l, "a", now)
		if err != nil {
			t.Fatalf("take %d: %v", i, err)
		}
		tries = append(tries, try)
	}
	_, err := s.Take(ctx, l, "a", now)
	limited(t, "take over the limit", err, 40*time.Second)

	// Other subjects and the next window are not affected.
	if _, err := s.Take(ctx, l, "b", now); err != nil {
		t.Fatalf("other subject: %v", err)
	}
	if _, err := s.Take(ctx, l, "a", now.Add(40*time.Second)); err != nil {
		t.Fatalf("next window: %v", err)
	}
	// A try given back can be taken again, in the window it came from, even once that
	// window is no longer the current one.
	if err := s.Return(ctx, tries[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take(ctx, l, "a", now.Add(39*time.Second)); err != nil {
		t.Fatalf("after a return: %v", err)
	}
	_, err = s.Take(ctx, l, "a", now)
	limited(t, "after the returned try was taken again", err, 40*time.Second)

	// Clearing forgets the count; tries given back after it do not go below zero.
	if err := s.ClearLimit(ctx, l, "a", now); err != nil {
		t.Fatal(err)
	}
	for _, try := range append(tries, store.Try{}) {
		if err := s.Return(ctx, try); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if _, err := s.Take(ctx, l, "a", now); err != nil {
			t.Fatalf("take %d after clearing: %v", i, err)
		}
	}
	_, err = s.Take(ctx, l, "a", now)
	limited(t, "full again after clearing", err, 40*time.Second)
}

// Of 30 concurrent takes for a limit of 5, exactly 5 pass, and the refused ones count
// nothing: one try given back lets exactly one more through.
func TestConcurrentTakes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	l := store.Limit{Name: "race", Max: 5, Window: time.Hour}
	now := time.Now()
	var passed atomic.Int32
	var first store.Try
	var once sync.Once
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			try, err := s.Take(ctx, l, "subject", now)
			if err != nil {
				if e := apperr.As(err); e == nil || e.Kind != apperr.RateLimited {
					t.Error(err)
				}
				return
			}
			passed.Add(1)
			once.Do(func() { first = try })
		})
	}
	wg.Wait()
	if passed.Load() != 5 {
		t.Fatalf("%d takes passed, want 5", passed.Load())
	}
	if err := s.Return(ctx, first); err != nil {
		t.Fatal(err)
	}
	passed.Store(0)
	for range 10 {
		wg.Go(func() {
			if _, err := s.Take(ctx, l, "subject", now); err == nil {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if passed.Load() != 1 {
		t.Fatalf("%d takes passed after one try was given back, want 1", passed.Load())
	}
}

// TakeAll takes from every limit or from none.
func TestTakeAll(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	now := time.Date(2026, 5, 1, 12, 10, 0, 0, time.UTC)
	short := store.Limit{Name: "short", Max: 1, Window: 15 * time.Minute} // 5 minutes left
	long := store.Limit{Name: "long", Max: 2, Window: time.Hour}          // 50 minutes left
	limits := []store.On{{Limit: short, Subject: "s"}, {Limit: long, Subject: "s"}}

	tries, err := s.TakeAll(ctx, now, limits...)
	if err != nil || len(tries) != 2 {
		t.Fatalf("first: %v %v", tries, err)
	}
	// short is used up: the try taken from long is given back.
	_, err = s.TakeAll(ctx, now, limits...)
	limited(t, "short used up", err, 5*time.Minute)
	if _, err := s.Take(ctx, long, "s", now); err != nil {
		t.Fatalf("long lost a try to a refused attempt: %v", err)
	}
	// Both refuse: the longer wait is the answer.
	_, err = s.TakeAll(ctx, now, limits...)
	limited(t, "both used up", err, 50*time.Minute)
	// Giving back the first attempt's tries frees both.
	if err := s.ReturnAll(ctx, tries); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeAll(ctx, now, limits...); err != nil {
		t.Fatalf("after giving back: %v", err)
	}
}

// Tally counts without refusing, and says which event of the window this is.
func TestTally(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	l := store.Limit{Name: "tally", Max: 1, Window: time.Minute}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for want := 1; want <= 3; want++ {
		if n, err := s.Tally(ctx, l, "x", now); err != nil || n != want {
			t.Fatalf("tally %d: %d, %v", want, n, err)
		}
	}
	if n, err := s.Tally(ctx, l, "x", now.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("next window: %d, %v", n, err)
	}
}
