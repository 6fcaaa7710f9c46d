package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// listed answers the ids a user list filter finds, all pages read.
func listed(t *testing.T, s *store.Store, f store.UserFilter) []string {
	t.Helper()
	ctx := t.Context()
	var out []string
	p := store.Page{Limit: 100}
	for {
		users, next, err := s.ListUsers(ctx, f, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			out = append(out, u.ID)
		}
		if next == "" {
			return out
		}
		p.Cursor = next
	}
}

func TestSaveUserMovesTheUserBetweenLists(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("mover", "mover@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	next := u
	next.Username, next.AccountType, next.Status, next.Mobile = "Renamed", user.PlatformAdmin, user.Frozen, "+8613800138000"
	saved, err := s.SaveUser(ctx, u, next, store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.User(ctx, u.ID); err != nil || got != saved || got.Version != u.Version+1 {
		t.Fatalf("stored %+v, %v; answered %+v", got, err, saved)
	}
	tests := []struct {
		filter store.UserFilter
		found  bool
	}{
		{store.UserFilter{AccountType: user.PlatformAdmin}, true},
		{store.UserFilter{AccountType: user.Member}, false},
		{store.UserFilter{Status: user.Frozen}, true},
		{store.UserFilter{Status: user.Active}, false},
		{store.UserFilter{AccountType: user.PlatformAdmin, Status: user.Frozen}, true},
		{store.UserFilter{AccountType: user.Member, Status: user.Active}, false},
		{store.UserFilter{Query: "renamed"}, true},
		{store.UserFilter{Query: "u_mover"}, false}, // the old username
		{store.UserFilter{Query: "mover"}, true},    // the login account stays
		{store.UserFilter{Query: "mover", AccountType: user.PlatformAdmin, Status: user.Frozen}, true},
		{store.UserFilter{Query: "mover", AccountType: user.Member}, false},
		{store.UserFilter{Query: "mover", Status: user.Active}, false},
	}
	for _, tt := range tests {
		if got := slices.Contains(listed(t, s, tt.filter), u.ID); got != tt.found {
			t.Errorf("%+v: listed %v, want %v", tt.filter, got, tt.found)
		}
	}
	// Clearing the mobile removes it.
	cleared := saved
	cleared.Mobile = ""
	if saved, err = s.SaveUser(ctx, saved, cleared, store.Effects{}); err != nil || saved.Mobile != "" {
		t.Fatalf("clearing mobile: %+v, %v", saved, err)
	}
	if got, _ := s.User(ctx, u.ID); got.Mobile != "" {
		t.Fatalf("mobile still stored: %q", got.Mobile)
	}
}

func TestSaveUserFromAStaleCopyIsAConflict(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("stale", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	// Ten writers from the same read: exactly one wins, the others are told.
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			next := u
			next.Username = fmt.Sprintf("Writer%d", i)
			_, errs[i] = s.SaveUser(ctx, u, next, store.Effects{})
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Fatalf("writers %d and %d both won", won, i)
		case !errors.Is(err, apperr.CodeVersionConflict):
			t.Fatalf("writer %d: %v, want version_conflict", i, err)
		}
	}
	got, err := s.User(ctx, u.ID)
	if err != nil || got.Username != fmt.Sprintf("Writer%d", won) || got.Version != u.Version+1 {
		t.Fatalf("stored %+v, %v; winner %d", got, err, won)
	}
	// The MFA switch bumps the version too: an edit from before it is stale.
	if err := s.SetMFA(ctx, u.ID, true, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveUser(ctx, got, got, store.Effects{}); !errors.Is(err, apperr.CodeVersionConflict) {
		t.Fatalf("edit from before an MFA switch: %v", err)
	}
}

func TestSaveUserRemovesAndTakesEmails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newUser("holder", "Holder@example.com", user.Member, user.Active)
	u.EmailVerified = true
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	next := u
	next.Email, next.EmailVerified = "", false
	saved, err := s.SaveUser(ctx, u, next, store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(ctx, u.ID); got.Email != "" || got.EmailVerified {
		t.Fatalf("stored %+v", got)
	}
	if taken, err := s.EmailTaken(ctx, "holder@EXAMPLE.com"); err != nil || taken {
		t.Fatalf("the removed address is still taken: %v, %v", taken, err)
	}
	if ids := listed(t, s, store.UserFilter{Query: "holder@"}); len(ids) != 0 {
		t.Fatalf("search still finds the removed address: %v", ids)
	}
	// Free at once for someone else.
	other := newUser("taker", "holder@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, other, false); err != nil {
		t.Fatalf("reusing the removed address: %v", err)
	}
	back := saved
	back.Email = "HOLDER@example.com"
	if _, err := s.SaveUser(ctx, saved, back, store.Effects{}); !errors.Is(err, apperr.CodeEmailTaken) {
		t.Fatalf("taking a held address: %v, want email_taken", err)
	}
}

func TestPromotionOfAMemberInATeamIsRefused(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	tm := team.Team{ID: ids.New(), Name: "Promotions", CreatedAt: time.Now()}
	if err := s.CreateTeam(ctx, tm, nil, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	u := newUser("joiner", "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	m := team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member"}, JoinedAt: time.Now()}
	if err := s.AddMember(ctx, m, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	// The join counted on the user leaves its version alone: an edit read before it
	// still goes through.
	promoted := u
	promoted.AccountType = user.PlatformAdmin
	if _, err := s.SaveUser(ctx, u, promoted, store.Effects{}); !errors.Is(err, apperr.CodeMemberOfTeams) {
		t.Fatalf("promoting a member in a team: %v, want member_of_teams", err)
	}
	if got, _ := s.User(ctx, u.ID); got.AccountType != user.Member || got.Version != u.Version {
		t.Fatalf("a refused promotion wrote %+v", got)
	}
	renamed := u
	renamed.Username = "Still_a_member"
	if _, err := s.SaveUser(ctx, u, renamed, store.Effects{}); err != nil {
		t.Fatalf("renaming a member in a team: %v", err)
	}
}

// A promotion and a join of the same member race: never both.
func TestPromotionRacingAJoin(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	tm := team.Team{ID: ids.New(), Name: "Race", CreatedAt: time.Now()}
	if err := s.CreateTeam(ctx, tm, nil, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	for round := range 15 {
		u := newUser(fmt.Sprintf("racer%d", round), "", user.Member, user.Active)
		if err := s.CreateUser(ctx, u, false); err != nil {
			t.Fatal(err)
		}
		var promoteErr, joinErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			next := u
			next.AccountType = user.PlatformAdmin
			_, promoteErr = s.SaveUser(ctx, u, next, store.Effects{})
		})
		wg.Go(func() {
			<-start
			joinErr = s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member"}, JoinedAt: time.Now()}, store.Effects{})
		})
		close(start)
		wg.Wait()
		if (promoteErr == nil) == (joinErr == nil) {
			t.Fatalf("round %d: promotion %v, join %v: want exactly one to succeed", round, promoteErr, joinErr)
		}
		got, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		memberships, err := s.UserMemberships(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccountType.Admin() && len(memberships) > 0 {
			t.Fatalf("round %d: an admin in a team", round)
		}
	}
}

// TestUpdateUser: the update applies its edit, with the edit's effects, on the version
// read; it applies the edit again to a user another edit changed meanwhile, a bounded
// number of times; it writes nothing when the edit refuses or the caller has gone.
func TestUpdateUser(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	errRefused := apperr.New(apperr.Forbidden, "forbidden", "Not this one.")
	// meanwhile is another edit of u, made while an update of it is under way.
	meanwhile := func(t *testing.T, id string) {
		now, err := s.User(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		next := now
		next.Mobile = fmt.Sprintf("+861380013%04d", now.Version)
		if _, err := s.SaveUser(t.Context(), now, next, store.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		// race is the number of calls of the edit that another edit overtakes.
		race   int
		refuse bool // the edit answers errRefused
		// refuseChanged: the edit answers errRefused for a user another edit changed, as
		// an authorisation decided again on the user as it is now would.
		refuseChanged bool
		same          bool // the edit changes nothing
		cancel        bool // the caller goes away during the first call
		want          error
		calls         int
		// versions is how many versions the user moved; renamed whether the edit's
		// rename is among them.
		versions int64
		renamed  bool
	}{
		{name: "applies", calls: 1, versions: 1, renamed: true},
		{name: "writes nothing for no change", same: true, calls: 1},
		{name: "applies again after a lost race", race: 1, calls: 2, versions: 2, renamed: true},
		{name: "gives up after its attempts", race: 3, want: apperr.Stale("The user"), calls: 3, versions: 3},
		{name: "stops on the edit's error", refuse: true, want: errRefused, calls: 1},
		{name: "decides again on the user as another edit left it", race: 1, refuseChanged: true, want: errRefused, calls: 2, versions: 1},
		{name: "stops when the caller has gone", race: 1, cancel: true, want: context.Canceled, calls: 1, versions: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			created := newUser("upd"+ids.New()[:8], "", user.Member, user.Active)
			if err := s.CreateUser(t.Context(), created, false); err != nil {
				t.Fatal(err)
			}
			u, err := s.User(t.Context(), created.ID) // as a caller reads it
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			calls := 0
			saved, err := s.UpdateUser(ctx, u, func(now user.User) (user.User, store.Effects, error) {
				calls++
				if calls <= tt.race {
					meanwhile(t, u.ID)
				}
				if tt.cancel {
					cancel()
				}
				if tt.refuse || (tt.refuseChanged && now.Version != u.Version) {
					return user.User{}, store.Effects{}, errRefused
				}
				if tt.same {
					return now, store.Effects{}, nil
				}
				next := now
				next.Username = "Renamed"
				return next, store.Effects{Audit: &store.AuditEvent{ID: ids.New(), At: time.Now(), ActorID: ids.New(), Action: "user.update", TargetType: "user", TargetID: u.ID}}, nil
			})
			if !sameError(err, tt.want) || calls != tt.calls {
				t.Fatalf("UpdateUser: %v after %d calls of the edit; want %v after %d", err, calls, tt.want, tt.calls)
			}
			stored, err := s.User(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Version != u.Version+tt.versions || (stored.Username == "Renamed") != tt.renamed {
				t.Fatalf("stored %+v; want %d versions on, renamed %v", stored, tt.versions, tt.renamed)
			}
			if tt.want == nil && saved != stored {
				t.Fatalf("answered %+v, stored %+v", saved, stored)
			}
			wantEvents := 0
			if tt.renamed {
				wantEvents = 1
			}
			events, _, err := s.AuditEvents(t.Context(), store.AuditFilter{TargetID: u.ID}, store.Page{Limit: 10})
			if err != nil || len(events) != wantEvents {
				t.Fatalf("%d audit events (%v); want one with the rename only", len(events), err)
			}
		})
	}
}

// sameError reports whether err is want: by code for the store's errors, by identity
// for others.
func sameError(err, want error) bool {
	if e := apperr.As(want); e != nil {
		return errors.Is(err, e.Code)
	}
	return errors.Is(err, want)
}
