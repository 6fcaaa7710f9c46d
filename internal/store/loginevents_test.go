package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

func TestLoginEventsNewestFirstWithinRetention(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("events", "", user.Member, user.Active)
	other := newUser("others", "", user.Member, user.Active)
	for _, x := range []user.User{u, other} {
		if err := s.CreateUser(ctx, x, false); err != nil {
			t.Fatal(err)
		}
	}
	retention := 180 * 24 * time.Hour
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var want []string
	// One event too old to show, then five within the retention, a minute apart.
	for i, age := range []time.Duration{retention + time.Hour, 5 * time.Minute, 4 * time.Minute, 3 * time.Minute, 2 * time.Minute, time.Minute} {
		e := store.LoginEvent{
			ID: ids.New(), UserID: u.ID, At: now.Add(-age), SourceIP: "198.51.100.7", UserAgent: "test",
			Outcome: store.LoginWrongCredentials, Via: store.ViaAPI,
		}
		if i == 5 {
			e.Outcome, e.Challenge = store.LoginChallengePending, "SOFTWARE_TOKEN_MFA"
		}
		if err := s.RecordLoginEvent(ctx, e, retention); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			want = append([]string{e.ID}, want...)
		}
	}
	if err := s.RecordLoginEvent(ctx, store.LoginEvent{ID: ids.New(), UserID: other.ID, At: now, Outcome: store.LoginSucceeded, Via: store.ViaAPI}, retention); err != nil {
		t.Fatal(err)
	}
	// The user's profile shares the partition; the list holds events only.
	if err := s.SetLastLogin(ctx, u.ID, now); err != nil {
		t.Fatal(err)
	}

	var got []store.LoginEvent
	cursor := ""
	for pages := 0; ; pages++ {
		page, next, err := s.LoginEvents(ctx, u.ID, now.Add(-retention), store.Page{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("too many pages")
		}
		cursor = next
	}
	gotIDs := make([]string, len(got))
	for i, e := range got {
		gotIDs[i] = e.ID
	}
	if !slices.Equal(gotIDs, want) {
		t.Fatalf("events %v, want newest first %v", gotIDs, want)
	}
	first := got[0]
	if first.Outcome != store.LoginChallengePending || first.Challenge != "SOFTWARE_TOKEN_MFA" || first.SourceIP != "198.51.100.7" ||
		first.UserAgent != "test" || first.Via != store.ViaAPI || !first.At.Equal(now.Add(-time.Minute)) || first.UserID != u.ID {
		t.Fatalf("event read back as %+v", first)
	}

	// A cursor of one user's events is refused for another's.
	_, next, err := s.LoginEvents(ctx, u.ID, now.Add(-retention), store.Page{Limit: 1})
	if err != nil || next == "" {
		t.Fatal(next, err)
	}
	if _, _, err := s.LoginEvents(ctx, other.ID, now.Add(-retention), store.Page{Limit: 1, Cursor: next}); !errors.Is(err, apperr.CodeInvalidRequest) {
		t.Fatalf("foreign cursor: %v", err)
	}
}

func TestSetMFAIncrementsVersion(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("mfa", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMFA(ctx, u.ID, true, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if on, err := s.User(ctx, u.ID); err != nil || !on.MFAEnabled || on.Version != u.Version+1 {
		t.Fatalf("after SetMFA(true): %+v, %v", on, err)
	}
	if err := s.SetMFA(ctx, u.ID, false, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if read, err := s.User(ctx, u.ID); err != nil || read.MFAEnabled || read.Version != u.Version+2 {
		t.Fatalf("after SetMFA(false): %+v, %v", read, err)
	}
	// Never recreates a user that is gone.
	if err := s.SetMFA(ctx, ids.New(), true, store.Effects{}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("SetMFA of a missing user: %v", err)
	}
}
