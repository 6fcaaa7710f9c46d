package store_test

import (
	"errors"
	"testing"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/user"
)

// withEmail is u with the verified address email, as an email change makes it.
func withEmail(u user.User, email string) user.User {
	u.Email, u.EmailVerified = email, true
	return u
}

// TestEmailChange: a new address is claimed or email_taken, the old one released, and
// searches follow.
func TestEmailChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	alice := newUser("alice", "alice@example.com", user.Member, user.Active)
	bob := newUser("bob", "bob@example.com", user.Member, user.Active)
	noEmail := newUser("carol", "", user.Member, user.Active)
	for _, u := range []user.User{alice, bob, noEmail} {
		if err := s.CreateUser(ctx, u, false); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := s.SaveUser(ctx, alice, withEmail(alice, "BOB@example.com"), store.Effects{}); !errors.Is(err, apperr.CodeEmailTaken) {
		t.Fatalf("taking bob's address: %v, want email_taken", err)
	}
	changed, err := s.SaveUser(ctx, alice, withEmail(alice, "Alice.New@example.com"), store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Email != "Alice.New@example.com" || !changed.EmailVerified || changed.Version != alice.Version+1 {
		t.Fatalf("changed user %+v", changed)
	}
	if got, err := s.User(ctx, alice.ID); err != nil || got != changed {
		t.Fatalf("stored user %+v, %v; want %+v", got, err, changed)
	}
	// A second change from the stale copy loses to the first.
	if _, err := s.SaveUser(ctx, alice, withEmail(alice, "alice3@example.com"), store.Effects{}); !errors.Is(err, apperr.CodeVersionConflict) {
		t.Fatalf("change from a stale version: %v, want version_conflict", err)
	}

	// The old address is free, the new one taken.
	for email, want := range map[string]bool{"alice@example.com": false, "alice.new@EXAMPLE.com": true} {
		if taken, err := s.EmailTaken(ctx, email); err != nil || taken != want {
			t.Errorf("EmailTaken(%s) = %v, %v; want %v", email, taken, err, want)
		}
	}
	reuse := newUser("dave", "ALICE@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, reuse, false); err != nil {
		t.Fatalf("reusing the released address: %v", err)
	}

	// Search finds alice by the new address and no longer by the old one, and still
	// by her login account.
	for q, want := range map[string]int{"alice.new": 1, "alice@": 1 /* dave */, "alice": 2} {
		users, _, err := s.ListUsers(ctx, store.UserFilter{Query: q}, store.Page{Limit: 10})
		if err != nil || len(users) != want {
			t.Errorf("search %q: %d users, %v; want %d", q, len(users), err, want)
		}
	}

	// A user without an address gets one.
	if _, err := s.SaveUser(ctx, noEmail, withEmail(noEmail, "carol@example.com"), store.Effects{}); err != nil {
		t.Fatalf("first address: %v", err)
	}
}
