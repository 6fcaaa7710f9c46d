package store_test

import (
	"errors"
	"fmt"
	"strings"
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

func newMember(t *testing.T, s *store.Store) user.User {
	t.Helper()
	ctx := t.Context()
	u := newUser("m"+ids.New()[:12], "", user.Member, user.Active)
	if err := s.CreateUser(ctx, u, false); err != nil {
		t.Fatal(err)
	}
	return u
}

func newTeam(t *testing.T, s *store.Store, name string) team.Team {
	t.Helper()
	ctx := t.Context()
	tm := team.Team{ID: ids.New(), Name: name, CreatedAt: time.Now()}
	if err := s.CreateTeam(ctx, tm, nil, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestTeamNamesRaceOneWins(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		// The same name in other cases: unique ignoring case.
		name := "Sales"
		if i%2 == 1 {
			name = "SALES"
		}
		wg.Go(func() {
			errs[i] = s.CreateTeam(ctx, team.Team{ID: ids.New(), Name: name, CreatedAt: time.Now()}, nil, store.Effects{})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, apperr.CodeTeamNameTaken):
		default:
			t.Fatalf("a creation failed with %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d teams named Sales, want 1", won)
	}
}

// TestRoleDeletionRacesAssignment deletes a role while members are given it: either the
// deletion finds the assignment (role_in_use) or the assignment fails; never a member
// holding a deleted role.
func TestRoleDeletionRacesAssignment(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	tm := newTeam(t, s, "Race")
	for round := range 8 {
		role := team.Role{ID: ids.New(), Name: fmt.Sprintf("racer %d", round), Permissions: []string{"team:read"}, CreatedAt: time.Now()}
		if err := s.CreateRole(ctx, role, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		u := newMember(t, s)
		var addErr, delErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			addErr = s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{role.ID}, JoinedAt: time.Now()}, store.Effects{})
		})
		wg.Go(func() { delErr = s.DeleteRole(ctx, role, store.Effects{}) })
		wg.Wait()
		_, _, roleErr := s.Role(ctx, role.ID)
		_, memberErr := s.Membership(ctx, tm.ID, u.ID)
		switch {
		case addErr == nil && delErr == nil:
			t.Fatalf("round %d: the role was deleted while assigned", round)
		case addErr == nil:
			if !errors.Is(delErr, apperr.CodeRoleInUse) || roleErr != nil || memberErr != nil {
				t.Fatalf("round %d: delete %v, role %v, member %v", round, delErr, roleErr, memberErr)
			}
		case delErr == nil:
			if !errors.Is(roleErr, apperr.CodeNotFound) || !errors.Is(memberErr, apperr.CodeNotFound) {
				t.Fatalf("round %d: add %v, role %v, member %v", round, addErr, roleErr, memberErr)
			}
		default:
			t.Fatalf("round %d: both failed: add %v, delete %v", round, addErr, delErr)
		}
	}
}

func TestDeleteTeamTakesEverything(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	tm := newTeam(t, s, "Doomed")
	now := time.Now()
	var members []user.User
	for range 30 { // more than one BatchWriteItem of 25
		u := newMember(t, s)
		members = append(members, u)
		if err := s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member", "admin"}, JoinedAt: now}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	c := team.Code{Code: fmt.Sprintf("%08d", time.Now().UnixNano()%100_000_000), TeamID: tm.ID, RoleIDs: []string{"member"}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateInvitationCode(ctx, c, now, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	inv := team.Invitation{ID: ids.New(), TeamID: tm.ID, RoleIDs: []string{"member"}, CreatedAt: now, ValidFor: time.Hour,
		ExpiresAt: now.Add(time.Hour), Status: team.Pending, TokenHash: strings.Repeat("ab", 32)}
	if err := s.CreateInvitation(ctx, inv, store.Effects{}); err != nil {
		t.Fatal(err)
	}

	if err := s.DeleteTeam(ctx, tm.ID, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Team(ctx, tm.ID); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("team after deletion: %v", err)
	}
	for _, u := range members {
		if ms, err := s.UserMemberships(ctx, u.ID); err != nil || len(ms) != 0 {
			t.Fatalf("memberships of %s: %v %v", u.ID, ms, err)
		}
	}
	if got, _, err := s.ListMembers(ctx, tm.ID, store.MemberFilter{RoleID: "admin"}, store.Page{Limit: 100}); err != nil || len(got) != 0 {
		t.Fatalf("role uses left: %v %v", got, err)
	}
	if _, err := s.InvitationCode(ctx, c.Code); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("code after deletion: %v", err)
	}
	if _, err := s.Invitation(ctx, inv.ID); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("invitation after deletion: %v", err)
	}
	if err := s.DeleteTeam(ctx, tm.ID, store.Effects{}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("second deletion: %v", err)
	}
	// Its name is free, and nobody can join it.
	newTeam(t, s, "DOOMED")
	if err := s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: members[0].ID, RoleIDs: []string{"member"}, JoinedAt: now}, store.Effects{}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("joining a deleted team: %v", err)
	}
}

func TestTeamListsPage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	u := newMember(t, s)
	var want []string
	for i := range 7 {
		tm := newTeam(t, s, fmt.Sprintf("Page %d", i))
		want = append(want, tm.ID)
		if i%2 == 0 {
			if err := s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member"}, JoinedAt: time.Now()}, store.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	newTeam(t, s, "Other")
	for _, limit := range []int{1, 2, 3, 50} {
		var got []string
		cursor := ""
		for {
			page, next, err := s.ListTeams(ctx, "page", store.Page{Limit: limit, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, tm := range page {
				got = append(got, tm.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("limit %d: %v, want %v (by name)", limit, got, want)
		}
		mine, _, err := s.ListUserTeams(ctx, u.ID, "PAGE", store.Page{Limit: 50})
		if err != nil || len(mine) != 4 {
			t.Fatalf("the member's teams: %d %v", len(mine), err)
		}
	}
	// A cursor of one list does not read another.
	_, next, err := s.ListTeams(ctx, "page", store.Page{Limit: 1})
	if err != nil || next == "" {
		t.Fatal(err)
	}
	if _, _, err := s.ListTeams(ctx, "other", store.Page{Limit: 1, Cursor: next}); !errors.Is(err, apperr.CodeInvalidRequest) {
		t.Fatalf("a cursor of another filter: %v", err)
	}
	if _, _, err := s.ListUserTeams(ctx, u.ID, "", store.Page{Limit: 1, Cursor: next}); !errors.Is(err, apperr.CodeInvalidRequest) {
		t.Fatalf("a cursor of another list: %v", err)
	}
}
