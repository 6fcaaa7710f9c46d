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
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// A pending user (the first step of a creation, not confirmed) holds its login account
// and email, and is nobody otherwise: not read, not listed, not found by a search, not
// added to a team. Confirmed, it is all of those.
func TestPendingUserIsNobodyUntilConfirmed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("pending"+ids.New()[:8], ids.New()[:8]+"@example.com", user.Member, user.Active)
	if err := s.CreatePendingUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	tm := newTeam(t, s, "Pending")
	var half *store.HalfMadeError
	if _, err := s.User(ctx, u.ID); !errors.Is(err, apperr.CodeNotFound) || !errors.As(err, &half) || half.User.ID != u.ID {
		t.Fatalf("reading a pending user: %v, want not_found carrying the half-made user", err)
	}
	if slices.Contains(listed(t, s, store.UserFilter{}), u.ID) || slices.Contains(listed(t, s, store.UserFilter{Query: u.LoginAccount}), u.ID) {
		t.Fatal("a pending user is listed")
	}
	if err := s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member"}, JoinedAt: time.Now()}, store.Effects{}); !errors.Is(err, apperr.CodeInvalidRequest) {
		t.Fatalf("adding a pending user to a team: %v, want invalid_request", err)
	}
	for _, dup := range []user.User{
		newUser(u.LoginAccount, "", user.Member, user.Active),
		newUser("other"+ids.New()[:8], u.Email, user.Member, user.Active),
	} {
		if err := s.CreatePendingUser(ctx, dup, false); !errors.Is(err, apperr.CodeLoginAccountTaken) && !errors.Is(err, apperr.CodeEmailTaken) {
			t.Fatalf("a user beside a pending one with its login account or email: %v", err)
		}
	}

	if err := s.ConfirmUser(ctx, u, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.User(ctx, u.ID); err != nil || got.ID != u.ID {
		t.Fatalf("reading the confirmed user: %v", err)
	}
	if !slices.Contains(listed(t, s, store.UserFilter{}), u.ID) || !slices.Contains(listed(t, s, store.UserFilter{Query: u.LoginAccount}), u.ID) {
		t.Fatal("the confirmed user is not listed")
	}
	if err := s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member"}, JoinedAt: time.Now()}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	// Confirmed once is confirmed: a second confirmation, or a removal as half-made, fails.
	if err := s.ConfirmUser(ctx, u, store.Effects{}); !errors.Is(err, apperr.CodeUserCreationAbandoned) {
		t.Fatalf("confirming twice: %v", err)
	}
	if err := s.DiscardHalfMade(ctx, u, store.Effects{}); !errors.Is(err, apperr.CodeUserCreated) {
		t.Fatalf("removing a confirmed user as half-made: %v, want user_created", err)
	}
	if _, err := s.User(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
}

// An admin created pending is listed among the admins once confirmed.
func TestConfirmedAdminIsListedByType(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("admin"+ids.New()[:8], "", user.PlatformAdmin, user.Active)
	if err := s.CreatePendingUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(listed(t, s, store.UserFilter{AccountType: user.PlatformAdmin}), u.ID) {
		t.Fatal("a pending admin is listed")
	}
	if err := s.ConfirmUser(ctx, u, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(listed(t, s, store.UserFilter{AccountType: user.PlatformAdmin}), u.ID) {
		t.Fatal("the confirmed admin is not listed among the admins")
	}
}

// HalfMadeHolders names the pending holders of a creation's claims that are past the
// given time, and releases the claims whose user item is gone (TTL), so the creation
// can take them.
func TestHalfMadeHolders(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	old := newUser("old"+ids.New()[:8], ids.New()[:8]+"@example.com", user.Member, user.Active)
	if err := s.CreatePendingUser(ctx, old, false); err != nil {
		t.Fatal(err)
	}
	next := newUser(old.LoginAccount, old.Email, user.Member, user.Active)
	for _, tt := range []struct {
		staleBefore time.Time
		want        []string
	}{
		{old.CreatedAt, nil}, // not yet stale
		{old.CreatedAt.Add(time.Millisecond), []string{old.ID}},
	} {
		half, released, err := s.HalfMadeHolders(ctx, next, false, tt.staleBefore)
		if err != nil || released {
			t.Fatalf("holders: %v, released %v", err, released)
		}
		var got []string
		for _, h := range half {
			got = append(got, h.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Fatalf("stale before %v: half-made holders %v, want %v", tt.staleBefore, got, tt.want)
		}
	}
	if err := s.DiscardHalfMade(ctx, old, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePendingUser(ctx, next, false); err != nil {
		t.Fatalf("the removed half-made user's login account and email: %v", err)
	}

	// A confirmed user is no half-made holder, however old.
	if half, released, err := s.HalfMadeHolders(ctx, newUser(next.LoginAccount, "", user.Member, user.Active), false, time.Now()); err != nil || released || len(half) != 1 {
		t.Fatalf("holders of a pending user's claims: %v %v %v", half, released, err)
	}
	if err := s.ConfirmUser(ctx, next, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if half, released, err := s.HalfMadeHolders(ctx, newUser(next.LoginAccount, "", user.Member, user.Active), false, time.Now()); err != nil || released || len(half) != 0 {
		t.Fatalf("holders of a confirmed user's claims: %v %v %v", half, released, err)
	}

	// The pending item removed by its TTL: its claims point at nobody and are released.
	ttl := newUser("ttl"+ids.New()[:8], ids.New()[:8]+"@example.com", user.SuperAdmin, user.Active)
	if err := s.CreatePendingUser(ctx, ttl, true); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserItem(ctx, ttl.ID); err != nil {
		t.Fatal(err)
	}
	after := newUser(ttl.LoginAccount, ttl.Email, user.SuperAdmin, user.Active)
	if err := s.CreatePendingUser(ctx, after, true); !errors.Is(err, apperr.CodeAlreadyBootstrapped) {
		t.Fatalf("creating over the orphaned claims: %v, want them taken", err)
	}
	if half, released, err := s.HalfMadeHolders(ctx, after, true, time.Now()); err != nil || !released || len(half) != 0 {
		t.Fatalf("holders of orphaned claims: %v, released %v, %v", half, released, err)
	}
	if err := s.CreatePendingUser(ctx, after, true); err != nil {
		t.Fatalf("creating once the orphaned claims are released: %v", err)
	}
}

// A user whose email changes while it is being deleted (it verified a new address
// between the deletion's read and its last step) leaves no claim behind: the records
// go with the claims the user holds when they go.
func TestDeleteUserRecordsTakesAnEmailChangedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("mover"+ids.New()[:8], ids.New()[:8]+"@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	read, err := s.User(ctx, u.ID) // the deletion's read
	if err != nil {
		t.Fatal(err)
	}
	moved := ids.New()[:8] + "@example.org"
	if _, err := s.SaveUser(ctx, read, withEmail(read, moved), store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserRecords(ctx, read, false, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{u.Email, moved} {
		if taken, err := s.EmailTaken(ctx, addr); err != nil || taken {
			t.Fatalf("%s is still taken (%v) by a deleted user", addr, err)
		}
	}
	if _, err := s.UserIDByLogin(ctx, u.LoginAccount); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("login account after the deletion: %v", err)
	}
	// The other order: the change after the records went fails, and claims nothing.
	v := newUser("late"+ids.New()[:8], ids.New()[:8]+"@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, v, false); err != nil {
		t.Fatal(err)
	}
	read, err = s.User(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUserRecords(ctx, read, false, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	late := ids.New()[:8] + "@example.org"
	if _, err := s.SaveUser(ctx, read, withEmail(read, late), store.Effects{}); err == nil {
		t.Fatal("an email change of a deleted user succeeded")
	}
	if taken, err := s.EmailTaken(ctx, late); err != nil || taken {
		t.Fatalf("%s taken (%v) by a deleted user", late, err)
	}
}
