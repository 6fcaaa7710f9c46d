package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
)

// validity is how long an invitation lasts, from its createdAt to its expiresAt.
func validity(t *testing.T, createdAt, expiresAt string) time.Duration {
	t.Helper()
	created, err1 := time.Parse(time.RFC3339, createdAt)
	expires, err2 := time.Parse(time.RFC3339, expiresAt)
	if err1 != nil || err2 != nil {
		t.Fatalf("times %q and %q", createdAt, expiresAt)
	}
	return expires.Sub(created)
}

func codesOf(codes []InvitationCode) []string {
	return pick(codes, func(c InvitationCode) string { return c.Code })
}

func TestInvitationCodes(t *testing.T) {
	t.Parallel()
	ownerID, owner := member(t)
	teamID, _ := newTeam(t, ownerID)
	codes := owner.Team(teamID)

	r := codes.CreateInvitationCode(t, "member", "admin")
	expect(t, r, http.StatusCreated, "")
	code := r.Body.Code
	if !regexp.MustCompile(`^[0-9]{8}$`).MatchString(code) || !slices.Equal(r.Body.RoleIDs, []string{"member", "admin"}) {
		t.Fatalf("code %s", r.Raw)
	}
	if got := validity(t, r.Body.CreatedAt, r.Body.ExpiresAt); got != 24*time.Hour {
		t.Fatalf("valid %v, want 24h", got)
	}
	if got := codesOf(all(t, codes.ListInvitationCodes, nil, 1)); !slices.Equal(got, []string{code}) {
		t.Fatalf("live codes %v", got)
	}

	// Redeemed once, then used.
	joinerID, joiner := member(t)
	joined := joiner.JoinTeam(t, code)
	expect(t, joined, http.StatusCreated, "")
	if joined.Body.Team.ID != teamID || joined.Body.User.ID != joinerID || len(joined.Body.Roles) != 2 {
		t.Fatalf("membership %s", joined.Raw)
	}
	if mine := myTeams(t, joiner)[teamID]; !slices.Contains(mine.Permissions, "members:create") {
		t.Fatalf("joined with %+v", mine)
	}
	_, second := member(t)
	expect(t, second.JoinTeam(t, code), http.StatusGone, "invitation_used")
	if got := all(t, codes.ListInvitationCodes, nil, 5); len(got) != 0 {
		t.Fatalf("a used code is still listed: %+v", got)
	}

	// Revoked.
	revoked := ok(t, codes.CreateInvitationCode(t, "member"), http.StatusCreated).Code
	expect(t, codes.RevokeInvitationCode(t, revoked), http.StatusNoContent, "")
	expect(t, codes.RevokeInvitationCode(t, revoked), http.StatusGone, "invitation_revoked")
	expect(t, second.JoinTeam(t, revoked), http.StatusGone, "invitation_revoked")
	expect(t, codes.RevokeInvitationCode(t, code), http.StatusGone, "invitation_used")

	// A member already in the team keeps the code for someone else.
	kept := ok(t, codes.CreateInvitationCode(t, "member"), http.StatusCreated).Code
	expect(t, joiner.JoinTeam(t, kept), http.StatusConflict, "already_member")
	expect(t, second.JoinTeam(t, kept), http.StatusCreated, "")

	// Admins never join; another team's manager does not see this team's codes.
	expect(t, superAdmin(t).JoinTeam(t, code), http.StatusForbidden, "forbidden")
	otherOwner, otherClient := member(t)
	newTeam(t, otherOwner)
	expect(t, otherClient.Team(teamID).ListInvitationCodes(t, nil), http.StatusNotFound, "not_found")
	// A plain member of the team may not manage codes.
	expect(t, joiner.Team(teamID).ListInvitationCodes(t, nil), http.StatusOK, "") // joiner holds admin
	expect(t, second.Team(teamID).ListInvitationCodes(t, nil), http.StatusForbidden, "forbidden")
}

// TestConcurrentCodeRedemption sends one code to many members at once: exactly one joins.
func TestConcurrentCodeRedemption(t *testing.T) {
	t.Parallel()
	const callers = 24
	teamID, _ := newTeam(t, "")
	code := ok(t, superAdmin(t).Team(teamID).CreateInvitationCode(t, "member"), http.StatusCreated).Code

	members := make([]Client, callers)
	var wg sync.WaitGroup
	for i := range members {
		wg.Go(func() { _, members[i] = member(t) })
	}
	wg.Wait()
	// Each from an address of its own: the losers' failures are not one address's.
	answers := race(callers, func(i int) Answer[Membership] { return members[i].from(newIP()).JoinTeam(t, code) })
	won := 0
	for _, a := range answers {
		switch {
		case a.Status == http.StatusCreated:
			won++
		case a.Status == http.StatusGone && a.Error.Code == "invitation_used":
		default:
			t.Fatalf("a redemption answered %d %s", a.Status, a.Raw)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent redemptions succeeded, want exactly 1", won, callers)
	}
	if got := all(t, superAdmin(t).Team(teamID).ListMembers, nil, 50); len(got) != 1 {
		t.Fatalf("%d members after the race, want 1", len(got))
	}
}

func TestCodeRedemptionFailuresAreLimited(t *testing.T) {
	t.Parallel()
	_, guesser := member(t)
	teamID, _ := newTeam(t, "")
	good := ok(t, superAdmin(t).Team(teamID).CreateInvitationCode(t, "member"), http.StatusCreated).Code
	ip := newIP()
	for i := range 10 {
		// Unknown codes: the digits of the good one, shifted.
		n, _ := strconv.Atoi(good)
		guess := fmt.Sprintf("%08d", (n+1+i)%100_000_000)
		a := guesser.from(ip).JoinTeam(t, guess)
		if a.Status != http.StatusNotFound && a.Status != http.StatusGone {
			t.Fatalf("guess %d answered %d %s", i, a.Status, a.Raw)
		}
	}
	a := guesser.from(newIP()).JoinTeam(t, good)
	expect(t, a, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || s < 1 || s > 15*60 {
		t.Fatalf("Retry-After %q", a.Header.Get("Retry-After"))
	}
	// The limit is the guesser's alone.
	_, other := member(t)
	expect(t, other.from(newIP()).JoinTeam(t, good), http.StatusCreated, "")
}

func TestInvitationLinks(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, teamName := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	links := manager.Team(teamID)
	managerName := ok(t, manager.GetMe(t), http.StatusOK).User.Username
	anyone := Client{}

	// A bound link is emailed, and only emailed (see TestBoundLinksAreSeenOnlyInTheirEmail).
	email := unique("invitee") + "@example.com"
	// Typed with a capital: the address is kept as given, and matched ignoring case.
	typed := strings.ToUpper(email[:1]) + email[1:]
	r := links.CreateInvitation(t, InvitationInput{Email: typed, RoleIDs: []string{"member"}, ValidForHours: 48})
	expect(t, r, http.StatusCreated, "")
	bound := r.Body.ID
	if r.Body.Status != "pending" || deref(r.Body.Emailed) != "queued" || deref(r.Body.Link) != "" {
		t.Fatalf("bound link %s", r.Raw)
	}
	m := mailTo(t, email)
	token := tokenIn(t, m)
	if !strings.Contains(m.Subject, teamName) {
		t.Fatalf("mail %q", m.Subject)
	}
	if len(token) < 22 { // 128 bits in base64url
		t.Fatalf("token of %d characters", len(token))
	}

	// Anyone with the link sees what it offers, with the address masked.
	public := anyone.GetInvitation(t, token)
	expect(t, public, http.StatusOK, "")
	if p := public.Body; p.Team.ID != teamID || p.Team.Name != teamName || deref(p.InvitedBy) != managerName ||
		deref(p.Email) != typed[:1]+"***@example.com" || p.Status != "pending" {
		t.Fatalf("public view %s", public.Raw)
	}
	if strings.Contains(strings.ToLower(public.Raw), email) {
		t.Fatal("the public view shows the whole address")
	}

	// Someone else may not accept a bound link.
	_, stranger := member(t)
	expect(t, stranger.AcceptInvitation(t, token), http.StatusForbidden, "forbidden")

	// Resending kills the old token and mails a new one.
	resent := links.ResendInvitation(t, bound)
	expect(t, resent, http.StatusOK, "")
	deadline := time.Now().Add(10 * time.Second)
	renewed := tokenIn(t, mailTo(t, email))
	for renewed == token && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		renewed = tokenIn(t, mailTo(t, email))
	}
	if renewed == token || deref(resent.Body.Link) != "" {
		t.Fatalf("resend answered %s, mailed a new token: %v", resent.Raw, renewed != token)
	}
	expect(t, anyone.GetInvitation(t, token), http.StatusGone, "invitation_revoked")
	expect(t, anyone.GetInvitation(t, renewed), http.StatusOK, "")

	// An open link: any member accepts it, once.
	r = links.CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	open, openToken := r.Body.ID, tokenOf(deref(r.Body.Link))
	if r.Body.Email != nil || r.Body.Emailed != nil {
		t.Fatalf("open link %s", r.Raw)
	}
	if got := validity(t, r.Body.CreatedAt, r.Body.ExpiresAt); got != 7*24*time.Hour {
		t.Fatalf("default validity %v", got)
	}
	joinerID, joiner := member(t)
	accepted := joiner.AcceptInvitation(t, openToken)
	expect(t, accepted, http.StatusCreated, "")
	if accepted.Body.User.ID != joinerID || accepted.Body.Team.ID != teamID {
		t.Fatalf("accepted %s", accepted.Raw)
	}
	if _, ok := myTeams(t, joiner)[teamID]; !ok {
		t.Fatal("the member who accepted is not in the team")
	}
	expect(t, stranger.AcceptInvitation(t, openToken), http.StatusGone, "invitation_used")
	expect(t, anyone.GetInvitation(t, openToken), http.StatusGone, "invitation_used")
	expect(t, links.ResendInvitation(t, open), http.StatusGone, "invitation_used")
	expect(t, superAdmin(t).AcceptInvitation(t, renewed), http.StatusForbidden, "forbidden")

	// Revoked.
	r = links.CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}, ValidForHours: 1})
	expect(t, r, http.StatusCreated, "")
	revoked, revokedToken := r.Body.ID, tokenOf(deref(r.Body.Link))
	expect(t, links.RevokeInvitation(t, revoked), http.StatusNoContent, "")
	expect(t, links.RevokeInvitation(t, revoked), http.StatusGone, "invitation_revoked")
	expect(t, stranger.AcceptInvitation(t, revokedToken), http.StatusGone, "invitation_revoked")

	// Listed by status, newest first.
	for status, want := range map[string][]string{"": {revoked, open, bound}, "pending": {bound}, "accepted": {open}, "revoked": {revoked}, "expired": nil} {
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		if got := invitationIDs(all(t, links.ListInvitations, q, 1)); !slices.Equal(got, want) {
			t.Fatalf("status %q: %v, want %v", status, got, want)
		}
	}
	// Links of another team are not found through this one.
	otherTeam, _ := newTeam(t, "")
	expect(t, superAdmin(t).Team(otherTeam).RevokeInvitation(t, bound), http.StatusNotFound, "not_found")
	expect(t, anyone.GetInvitation(t, strings.Repeat("A", 43)), http.StatusNotFound, "not_found")
}

func invitationIDs(invitations []Invitation) []string {
	return pick(invitations, func(i Invitation) string { return i.ID })
}

// TestInvitationLookupsAreLimitedPerIP looks links up from a loopback address of its
// own, so that the limit it exhausts is not the other tests'.
func TestInvitationLookupsAreLimitedPerIP(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	lookup := func() Answer[PublicInvitation] { return client.GetInvitation(t, strings.Repeat("B", 43)) }
	for i := range 30 {
		if r := lookup(); r.Status != http.StatusNotFound {
			// A minute boundary may fall inside the loop and give a fresh window.
			t.Fatalf("look-up %d answered %d", i, r.Status)
		}
	}
	r := lookup()
	if r.Status == http.StatusNotFound {
		// The window turned during the loop: the next 30 must hit the limit.
		for range 30 {
			if r = lookup(); r.Status != http.StatusNotFound {
				break
			}
		}
	}
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("answered %d, Retry-After %q; want 429", r.Status, r.Header.Get("Retry-After"))
	}
	// Other addresses are not limited by it.
	expect(t, Client{}.GetInvitation(t, strings.Repeat("B", 43)), http.StatusNotFound, "not_found")
}

// TestExpiredInvitationsThroughTheGateway writes a code and a link as they would have
// been made a day ago (the store takes its times from the caller), then redeems them
// through the gateway: they are refused although their items are still in the table.
func TestExpiredInvitationsThroughTheGateway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := stackStore(t)
	teamID, _ := newTeam(t, "")
	_, joiner := member(t)
	past := time.Now().UTC().Add(-25 * time.Hour)

	code := team.Code{TeamID: teamID, RoleIDs: []string{"member"}, CreatedBy: "seed", CreatedAt: past, ExpiresAt: past.Add(team.CodeValidity)}
	for {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		code.Code = fmt.Sprintf("%08d", (uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))%100_000_000)
		err := db.CreateInvitationCode(ctx, code, past, store.Effects{})
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "code_taken") {
			t.Fatal(err)
		}
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	link := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(link))
	inv := team.Invitation{ID: ids.New(), TeamID: teamID, RoleIDs: []string{"member"}, CreatedBy: "seed", CreatedAt: past,
		ValidFor: 24 * time.Hour, ExpiresAt: past.Add(24 * time.Hour), Status: team.Pending, TokenHash: hex.EncodeToString(sum[:])}
	if err := db.CreateInvitation(ctx, inv, store.Effects{}); err != nil {
		t.Fatal(err)
	}

	expect(t, joiner.JoinTeam(t, code.Code), http.StatusGone, "invitation_expired")
	expect(t, Client{}.GetInvitation(t, link), http.StatusGone, "invitation_expired")
	expect(t, joiner.AcceptInvitation(t, link), http.StatusGone, "invitation_expired")
	team := superAdmin(t).Team(teamID)
	expired := ok(t, team.ListInvitations(t, url.Values{"status": {"expired"}}), http.StatusOK)
	if got := invitationIDs(expired.Items); !slices.Equal(got, []string{inv.ID}) {
		t.Fatalf("expired links %v", got)
	}
	if got := all(t, team.ListInvitationCodes, nil, 5); len(got) != 0 {
		t.Fatalf("an expired code is listed: %+v", got)
	}
	if _, err := db.InvitationCode(ctx, code.Code); err != nil {
		t.Fatalf("the expired code's item is gone (%v): the test proves nothing", err)
	}
	if _, ok := myTeams(t, joiner)[teamID]; ok {
		t.Fatal("joined through an expired invitation")
	}
}
