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
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
)

func TestInvitationCodes(t *testing.T) {
	t.Parallel()
	ownerID, owner := member(t)
	teamID, _ := newTeam(t, ownerID)
	codes := "/v1/teams/" + teamID + "/invitation-codes"

	r := call(t, owner, "POST", codes, map[string]any{"roleIds": []string{"member", "admin"}})
	expect(t, r, http.StatusCreated, "")
	code := r.str("code")
	if !regexp.MustCompile(`^[0-9]{8}$`).MatchString(code) || !slices.Equal(strs(r.get("roleIds")), []string{"member", "admin"}) {
		t.Fatalf("code %s", r.Raw)
	}
	created, _ := time.Parse(time.RFC3339, r.str("createdAt"))
	expires, _ := time.Parse(time.RFC3339, r.str("expiresAt"))
	if expires.Sub(created) != 24*time.Hour {
		t.Fatalf("valid %v, want 24h", expires.Sub(created))
	}
	if got := field(pageAll(t, owner, codes, nil, 1), "code"); !slices.Equal(got, []string{code}) {
		t.Fatalf("live codes %v", got)
	}

	// Redeemed once, then used.
	joinerID, joiner := member(t)
	r = call(t, joiner, "POST", "/v1/teams/join", map[string]any{"code": code})
	expect(t, r, http.StatusCreated, "")
	if r.str("team", "id") != teamID || r.str("user", "id") != joinerID || len(r.get("roles").([]any)) != 2 {
		t.Fatalf("membership %s", r.Raw)
	}
	if mine := myTeams(t, joiner)[teamID]; !slices.Contains(strs(mine["permissions"]), "members:create") {
		t.Fatalf("joined with %v", mine)
	}
	_, second := member(t)
	expect(t, call(t, second, "POST", "/v1/teams/join", map[string]any{"code": code}), http.StatusGone, "invitation_used")
	if got := pageAll(t, owner, codes, nil, 5); len(got) != 0 {
		t.Fatalf("a used code is still listed: %v", got)
	}

	// Revoked.
	r = call(t, owner, "POST", codes, map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	revoked := r.str("code")
	expect(t, call(t, owner, "DELETE", codes+"/"+revoked, nil), http.StatusNoContent, "")
	expect(t, call(t, owner, "DELETE", codes+"/"+revoked, nil), http.StatusGone, "invitation_revoked")
	expect(t, call(t, second, "POST", "/v1/teams/join", map[string]any{"code": revoked}), http.StatusGone, "invitation_revoked")
	expect(t, call(t, owner, "DELETE", codes+"/"+code, nil), http.StatusGone, "invitation_used")

	// A member already in the team keeps the code for someone else.
	r = call(t, owner, "POST", codes, map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	expect(t, call(t, joiner, "POST", "/v1/teams/join", map[string]any{"code": r.str("code")}), http.StatusConflict, "already_member")
	expect(t, call(t, second, "POST", "/v1/teams/join", map[string]any{"code": r.str("code")}), http.StatusCreated, "")

	// Admins never join; another team's manager does not see this team's codes.
	expect(t, call(t, superAdmin(t), "POST", "/v1/teams/join", map[string]any{"code": code}), http.StatusForbidden, "forbidden")
	otherOwner, otherToken := member(t)
	newTeam(t, otherOwner)
	expect(t, call(t, otherToken, "GET", codes, nil), http.StatusNotFound, "not_found")
	// A plain member of the team may not manage codes.
	expect(t, call(t, joiner, "GET", codes, nil), http.StatusOK, "") // joiner holds admin
	expect(t, call(t, second, "GET", codes, nil), http.StatusForbidden, "forbidden")
}

// TestConcurrentCodeRedemption sends one code to many members at once: exactly one joins.
func TestConcurrentCodeRedemption(t *testing.T) {
	t.Parallel()
	const callers = 24
	teamID, _ := newTeam(t, "")
	r := call(t, superAdmin(t), "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	code := r.str("code")

	tokens := make([]string, callers)
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Go(func() { _, tokens[i] = member(t) })
	}
	wg.Wait()
	start := make(chan struct{})
	answers := make([]response, callers)
	for i, token := range tokens {
		wg.Go(func() {
			<-start
			// Each from an address of its own: the losers' failures are not one address's.
			answers[i] = callFrom(t, newIP(), token, "POST", "/v1/teams/join", map[string]any{"code": code})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, a := range answers {
		switch {
		case a.Status == http.StatusCreated:
			won++
		case a.Status == http.StatusGone && a.str("error", "code") == "invitation_used":
		default:
			t.Fatalf("a redemption answered %d %s", a.Status, a.Raw)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent redemptions succeeded, want exactly 1", won, callers)
	}
	if got := pageAll(t, superAdmin(t), "/v1/teams/"+teamID+"/members", nil, 50); len(got) != 1 {
		t.Fatalf("%d members after the race, want 1", len(got))
	}
}

func TestCodeRedemptionFailuresAreLimited(t *testing.T) {
	t.Parallel()
	_, token := member(t)
	teamID, _ := newTeam(t, "")
	r := call(t, superAdmin(t), "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	good := r.str("code")
	ip := newIP()
	for i := range 10 {
		// Unknown codes: the digits of the good one, shifted.
		n, _ := strconv.Atoi(good)
		guess := fmt.Sprintf("%08d", (n+1+i)%100_000_000)
		a := callFrom(t, ip, token, "POST", "/v1/teams/join", map[string]any{"code": guess})
		if a.Status != http.StatusNotFound && a.Status != http.StatusGone {
			t.Fatalf("guess %d answered %d %s", i, a.Status, a.Raw)
		}
	}
	a := callFrom(t, newIP(), token, "POST", "/v1/teams/join", map[string]any{"code": good})
	expect(t, a, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || s < 1 || s > 15*60 {
		t.Fatalf("Retry-After %q", a.Header.Get("Retry-After"))
	}
	// The limit is the guesser's alone.
	_, other := member(t)
	expect(t, callFrom(t, newIP(), other, "POST", "/v1/teams/join", map[string]any{"code": good}), http.StatusCreated, "")
}

// linkPattern is an invitation link: the stack has no console URL, so links start with
// the API's own address (see links_test.go).
var linkPattern = regexp.MustCompile(regexp.QuoteMeta(apiURL) + `/invitations/([A-Za-z0-9_-]+)`)

// tokenIn is the token of the invitation link in an email's text and HTML.
func tokenIn(t *testing.T, m mail) string {
	t.Helper()
	text, html := linkPattern.FindStringSubmatch(m.Text), linkPattern.FindStringSubmatch(m.HTML)
	if text == nil || html == nil || text[1] != html[1] {
		t.Fatalf("no invitation link in the email %q", m.Subject)
	}
	return text[1]
}

func TestInvitationLinks(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, teamName := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	links := "/v1/teams/" + teamID + "/invitations"
	managerName := call(t, manager, "GET", "/v1/me", nil).str("user", "username")

	// A bound link is emailed, and only emailed (see TestBoundLinksAreSeenOnlyInTheirEmail).
	email := unique("invitee") + "@example.com"
	// Typed with a capital: the address is kept as given, and matched ignoring case.
	typed := strings.ToUpper(email[:1]) + email[1:]
	r := call(t, manager, "POST", links, map[string]any{"email": typed, "roleIds": []string{"member"}, "validForHours": 48})
	expect(t, r, http.StatusCreated, "")
	bound := r.str("id")
	if r.str("status") != "pending" || r.get("emailed") != "queued" || r.str("link") != "" {
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
	r = call(t, "", "GET", "/v1/invitations/"+token, nil)
	expect(t, r, http.StatusOK, "")
	if r.str("team", "id") != teamID || r.str("team", "name") != teamName || r.str("invitedBy") != managerName ||
		r.str("email") != typed[:1]+"***@example.com" || r.str("status") != "pending" {
		t.Fatalf("public view %s", r.Raw)
	}
	if strings.Contains(strings.ToLower(r.Raw), email) {
		t.Fatal("the public view shows the whole address")
	}

	// Someone else may not accept a bound link.
	_, stranger := member(t)
	expect(t, call(t, stranger, "POST", "/v1/invitations/"+token+"/accept", nil), http.StatusForbidden, "forbidden")

	// Resending kills the old token and mails a new one.
	r = call(t, manager, "POST", links+"/"+bound+"/resend", nil)
	expect(t, r, http.StatusOK, "")
	deadline := time.Now().Add(10 * time.Second)
	renewed := tokenIn(t, mailTo(t, email))
	for renewed == token && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		renewed = tokenIn(t, mailTo(t, email))
	}
	if renewed == token || r.str("link") != "" {
		t.Fatalf("resend answered %s, mailed a new token: %v", r.Raw, renewed != token)
	}
	expect(t, call(t, "", "GET", "/v1/invitations/"+token, nil), http.StatusGone, "invitation_revoked")
	expect(t, call(t, "", "GET", "/v1/invitations/"+renewed, nil), http.StatusOK, "")

	// An open link: any member accepts it, once.
	r = call(t, manager, "POST", links, map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	open, openToken := r.str("id"), tokenOf(r.str("link"))
	if r.get("email") != nil || r.get("emailed") != nil {
		t.Fatalf("open link %s", r.Raw)
	}
	created, _ := time.Parse(time.RFC3339, r.str("createdAt"))
	expires, _ := time.Parse(time.RFC3339, r.str("expiresAt"))
	if expires.Sub(created) != 7*24*time.Hour {
		t.Fatalf("default validity %v", expires.Sub(created))
	}
	joinerID, joiner := member(t)
	r = call(t, joiner, "POST", "/v1/invitations/"+openToken+"/accept", nil)
	expect(t, r, http.StatusCreated, "")
	if r.str("user", "id") != joinerID || r.str("team", "id") != teamID {
		t.Fatalf("accepted %s", r.Raw)
	}
	if _, ok := myTeams(t, joiner)[teamID]; !ok {
		t.Fatal("the member who accepted is not in the team")
	}
	expect(t, call(t, stranger, "POST", "/v1/invitations/"+openToken+"/accept", nil), http.StatusGone, "invitation_used")
	expect(t, call(t, "", "GET", "/v1/invitations/"+openToken, nil), http.StatusGone, "invitation_used")
	expect(t, call(t, manager, "POST", links+"/"+open+"/resend", nil), http.StatusGone, "invitation_used")
	expect(t, call(t, superAdmin(t), "POST", "/v1/invitations/"+renewed+"/accept", nil), http.StatusForbidden, "forbidden")

	// Revoked.
	r = call(t, manager, "POST", links, map[string]any{"roleIds": []string{"member"}, "validForHours": 1})
	expect(t, r, http.StatusCreated, "")
	revoked, revokedToken := r.str("id"), tokenOf(r.str("link"))
	expect(t, call(t, manager, "DELETE", links+"/"+revoked, nil), http.StatusNoContent, "")
	expect(t, call(t, manager, "DELETE", links+"/"+revoked, nil), http.StatusGone, "invitation_revoked")
	expect(t, call(t, stranger, "POST", "/v1/invitations/"+revokedToken+"/accept", nil), http.StatusGone, "invitation_revoked")

	// Listed by status, newest first.
	for status, want := range map[string][]string{"": {revoked, open, bound}, "pending": {bound}, "accepted": {open}, "revoked": {revoked}, "expired": nil} {
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		if got := field(pageAll(t, manager, links, q, 1), "id"); !slices.Equal(got, want) {
			t.Fatalf("status %q: %v, want %v", status, got, want)
		}
	}
	// Links of another team are not found through this one.
	otherTeam, _ := newTeam(t, "")
	expect(t, call(t, superAdmin(t), "DELETE", "/v1/teams/"+otherTeam+"/invitations/"+bound, nil), http.StatusNotFound, "not_found")
	expect(t, call(t, "", "GET", "/v1/invitations/"+strings.Repeat("A", 43), nil), http.StatusNotFound, "not_found")
}

func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// TestInvitationLookupsAreLimitedPerIP looks links up from a loopback address of its
// own, so that the limit it exhausts is not the other tests'.
func TestInvitationLookupsAreLimitedPerIP(t *testing.T) {
	t.Parallel()
	client := fromNewIP()
	lookup := func() *http.Response {
		resp, err := client.Get(apiURL + "/v1/invitations/" + strings.Repeat("B", 43))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 30 {
		if resp := lookup(); resp.StatusCode != http.StatusNotFound {
			// A minute boundary may fall inside the loop and give a fresh window.
			t.Fatalf("look-up %d answered %d", i, resp.StatusCode)
		}
	}
	resp := lookup()
	if resp.StatusCode == http.StatusNotFound {
		// The window turned during the loop: the next 30 must hit the limit.
		for range 30 {
			if resp = lookup(); resp.StatusCode != http.StatusNotFound {
				break
			}
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("answered %d, Retry-After %q; want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Other addresses are not limited by it.
	expect(t, call(t, "", "GET", "/v1/invitations/"+strings.Repeat("B", 43), nil), http.StatusNotFound, "not_found")
}

// TestExpiredInvitationsThroughTheGateway writes a code and a link as they would have
// been made a day ago (the store takes its times from the caller), then redeems them
// through the gateway: they are refused although their items are still in the table.
func TestExpiredInvitationsThroughTheGateway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := store.New(storetest.Client(t), os.Getenv("ROSTER_TABLE_NAME"))
	teamID, _ := newTeam(t, "")
	_, token := member(t)
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

	expect(t, call(t, token, "POST", "/v1/teams/join", map[string]any{"code": code.Code}), http.StatusGone, "invitation_expired")
	expect(t, call(t, "", "GET", "/v1/invitations/"+link, nil), http.StatusGone, "invitation_expired")
	expect(t, call(t, token, "POST", "/v1/invitations/"+link+"/accept", nil), http.StatusGone, "invitation_expired")
	r := call(t, superAdmin(t), "GET", "/v1/teams/"+teamID+"/invitations?status=expired", nil)
	expect(t, r, http.StatusOK, "")
	if got := field(r.items(), "id"); !slices.Equal(got, []string{inv.ID}) {
		t.Fatalf("expired links %v", got)
	}
	if got := pageAll(t, superAdmin(t), "/v1/teams/"+teamID+"/invitation-codes", nil, 5); len(got) != 0 {
		t.Fatalf("an expired code is listed: %v", got)
	}
	if _, err := db.InvitationCode(ctx, code.Code); err != nil {
		t.Fatalf("the expired code's item is gone (%v): the test proves nothing", err)
	}
	if _, ok := myTeams(t, token)[teamID]; ok {
		t.Fatal("joined through an expired invitation")
	}
}
