package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

func newRole(t *testing.T, s *store.Store, permissions ...string) team.Role {
	t.Helper()
	ctx := t.Context()
	r := team.Role{ID: ids.New(), Name: "Role " + ids.New()[:10], Permissions: permissions, CreatedAt: time.Now()}
	if err := s.CreateRole(ctx, r, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	return r
}

func newLink(t *testing.T, s *store.Store, teamID, issuer, email string, roles ...string) team.Invitation {
	t.Helper()
	ctx := t.Context()
	now := time.Now()
	sum := sha256.Sum256([]byte(ids.New()))
	inv := team.Invitation{ID: ids.New(), TeamID: teamID, Email: email, RoleIDs: roles, CreatedBy: issuer, CreatedAt: now,
		ValidFor: time.Hour, ExpiresAt: now.Add(time.Hour), Status: team.Pending, TokenHash: hex.EncodeToString(sum[:])}
	if err := s.CreateInvitation(ctx, inv, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestIssuersReadsWhatDecidesAGrant(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	tm := newTeam(t, s, "Grants "+ids.New()[:8])
	inviter := newRole(t, s, team.TeamRead, team.InvitationsManage)
	asked := newRole(t, s, team.TeamRead, "miniprogram:publish")
	issuer := newMember(t, s)
	if err := s.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: issuer.ID, RoleIDs: []string{"member", inviter.ID}, JoinedAt: time.Now()}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	outsider, gone := newMember(t, s), ids.New()

	for name, read := range map[string]func() (store.Issuers, error){
		"consistent": func() (store.Issuers, error) {
			return s.Issuers(ctx, tm.ID, []string{issuer.ID, outsider.ID, gone, issuer.ID}, []string{"admin", asked.ID})
		},
		"snapshot": func() (store.Issuers, error) {
			return s.IssuersSnapshot(ctx, tm.ID, []string{issuer.ID, outsider.ID, gone, issuer.ID}, []string{"admin", asked.ID})
		},
	} {
		found, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if found.Team.ID != tm.ID || len(found.Users) != 2 || found.Users[issuer.ID].ID != issuer.ID || found.Users[outsider.ID].ID != outsider.ID {
			t.Fatalf("%s: team %v, users %v", name, found.Team, found.Users)
		}
		if len(found.Memberships) != 1 || !slices.Equal(found.Memberships[issuer.ID].RoleIDs, []string{"member", inviter.ID}) {
			t.Fatalf("%s: memberships %v", name, found.Memberships)
		}
		// The roles asked for, and the membership's, the custom one read in a second step.
		for _, id := range []string{"admin", asked.ID, "member", inviter.ID} {
			if _, ok := found.Roles[id]; !ok {
				t.Fatalf("%s: role %s not read: %v", name, id, found.Roles)
			}
		}
		if !slices.Equal(found.Roles[inviter.ID].Permissions, inviter.Permissions) {
			t.Fatalf("%s: inviter role %v", name, found.Roles[inviter.ID])
		}
	}
	if _, err := s.Issuers(ctx, ids.New(), []string{issuer.ID}, []string{"member"}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("a missing team: %v", err)
	}
}

// TestRedemptionHoldsOnlyWhileTheIssuerIsAsRead: the write of a redemption depends on
// the issuer as the decision read it, so that a demotion or freeze racing it is wholly
// before or after it; and a bound link verifies the address it was accepted for.
func TestRedemptionHoldsOnlyWhileTheIssuerIsAsRead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := storetest.New(t)
	tm := newTeam(t, s, "Redeemed "+ids.New()[:8])
	issuer := newMember(t, s)
	was := team.Membership{TeamID: tm.ID, UserID: issuer.ID, RoleIDs: []string{"admin"}, JoinedAt: time.Now()}
	if err := s.AddMember(ctx, was, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	by := store.Issuer{ID: issuer.ID, AccountType: user.Member, RoleIDs: []string{"admin"}}
	link := newLink(t, s, tm.ID, issuer.ID, "", "admin")
	joiner := newMember(t, s)
	m := team.Membership{TeamID: tm.ID, UserID: joiner.ID, RoleIDs: link.RoleIDs, JoinedAt: time.Now(), AddedBy: issuer.ID}

	// Demoted after the read: refused, nothing written.
	if err := s.SetMemberRoles(ctx, was, []string{"member"}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if err := s.AcceptInvitation(ctx, link, m, by, "", time.Now()); !errors.Is(err, apperr.CodeVersionConflict) {
		t.Fatalf("accepted past a demotion: %v", err)
	}
	if _, err := s.Membership(ctx, tm.ID, joiner.ID); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("joined: %v", err)
	}
	if got, _ := s.Invitation(ctx, link.ID); got.Status != team.Pending {
		t.Fatalf("the link is %s", got.Status)
	}
	// Frozen after the read: a code is refused too.
	c := team.Code{Code: ids.New()[:8], TeamID: tm.ID, RoleIDs: []string{"member"}, CreatedBy: issuer.ID, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	c.Code = strings.Map(func(r rune) rune { return '0' + r%10 }, c.Code)
	if err := s.CreateInvitationCode(ctx, c, time.Now(), store.Effects{}); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.User(ctx, issuer.ID)
	if err != nil {
		t.Fatal(err)
	}
	frozen := fresh
	frozen.Status = user.Frozen
	if _, err := s.SaveUser(ctx, fresh, frozen, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	by.RoleIDs = []string{"member"}
	if err := s.RedeemInvitationCode(ctx, c, team.Membership{TeamID: tm.ID, UserID: joiner.ID, RoleIDs: c.RoleIDs, JoinedAt: time.Now()}, by, time.Now()); !errors.Is(err, apperr.CodeVersionConflict) {
		t.Fatalf("redeemed past a freeze: %v", err)
	}

	// As the issuer is now (an admin, say, who is in no team), it goes through.
	admin := newUser("a"+ids.New()[:12], "", user.PlatformAdmin, user.Active)
	if err := s.CreateUser(ctx, admin, false); err != nil {
		t.Fatal(err)
	}
	m.AddedBy = admin.ID
	adminLink := newLink(t, s, tm.ID, admin.ID, "", "member")
	m.RoleIDs = adminLink.RoleIDs
	byAdmin := store.Issuer{ID: admin.ID, AccountType: user.PlatformAdmin}
	if err := s.AcceptInvitation(ctx, adminLink, m, byAdmin, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Membership(ctx, tm.ID, joiner.ID); err != nil {
		t.Fatalf("not joined: %v", err)
	}

	// A bound link accepted by an account whose address is unverified verifies it, in
	// the same write, if the address is still the account's.
	typed := newUser("t"+ids.New()[:12], "Typed."+ids.New()[:6]+"@example.com", user.Member, user.Active)
	if err := s.CreateUser(ctx, typed, false); err != nil {
		t.Fatal(err)
	}
	bound := newLink(t, s, tm.ID, admin.ID, strings.ToLower(typed.Email), "member")
	before, _ := s.User(ctx, typed.ID)
	joined := team.Membership{TeamID: tm.ID, UserID: typed.ID, RoleIDs: bound.RoleIDs, JoinedAt: time.Now(), AddedBy: admin.ID}
	if err := s.AcceptInvitation(ctx, bound, joined, byAdmin, "someone.else@example.com", time.Now()); !errors.Is(err, apperr.CodeVersionConflict) {
		t.Fatalf("verified an address the joiner does not have: %v", err)
	}
	if err := s.AcceptInvitation(ctx, bound, joined, byAdmin, typed.Email, time.Now()); err != nil {
		t.Fatal(err)
	}
	after, _ := s.User(ctx, typed.ID)
	if before.EmailVerified || !after.EmailVerified || after.Version != before.Version+1 {
		t.Fatalf("verified %v -> %v, version %d -> %d", before.EmailVerified, after.EmailVerified, before.Version, after.Version)
	}
	if _, err := s.Membership(ctx, tm.ID, typed.ID); err != nil {
		t.Fatalf("not joined: %v", err)
	}
}
