package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// Session ends and sign-ins only move forward: of two requests that race, the later time
// stays, whichever writes last, so an ended session never comes back.
func TestSessionTimesOnlyMoveForward(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("forward", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	// Twenty writes at once, in no order: the latest must stay.
	var wg sync.WaitGroup
	for i := range 20 {
		at := base.Add(time.Duration((i*7)%20) * time.Second)
		wg.Go(func() {
			if err := s.EndSessions(ctx, u.ID, at, store.Effects{}); err != nil {
				t.Error(err)
			}
			if err := s.SetLastLogin(ctx, u.ID, at); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	latest := base.Add(19 * time.Second)
	// An earlier time written afterwards changes nothing.
	if err := s.EndSessions(ctx, u.ID, base, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLastLogin(ctx, u.ID, base); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.SessionsEndedAt.Equal(latest) || !got.LastLoginAt.Equal(latest) {
		t.Errorf("sessionsEndedAt %v, lastLoginAt %v; want both %v", got.SessionsEndedAt, got.LastLoginAt, latest)
	}
	// A deleted user is not recreated by either.
	if err := s.EndSessions(ctx, "nobody-"+u.ID, latest, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, "nobody-"+u.ID); err == nil {
		t.Error("EndSessions created a user")
	}
}
