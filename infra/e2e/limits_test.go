package e2e

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/store"
)

// burst sends n requests at once and returns how many got past the limits: every
// answer is either want (past the check) or Roster's 429 with a Retry-After. The
// gateway's own throttle (a 429 without Roster's body) stopped a request before
// Roster saw it, so it is not counted as past.
func burst[A replied](t *testing.T, n, want int, send func(i int) A) (past int) {
	t.Helper()
	refused := 0
	for _, a := range race(n, send) {
		switch r := a.reply(); {
		case r.Status == want:
			past++
		case r.Status == http.StatusTooManyRequests && r.Error.Code == "rate_limited":
			if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
				t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
			}
			refused++
		case r.Status == http.StatusTooManyRequests && r.Gateway != nil:
			t.Logf("the gateway throttled a request: %s", r.Raw)
		default:
			t.Fatalf("answered %d %s, want %d or 429", r.Status, r.Raw, want)
		}
	}
	if refused == 0 {
		t.Fatalf("no request of %d was refused (%d past)", n, past)
	}
	return past
}

// 30 wrong passwords for one account at once, each from its own address: no more than
// the account's 5 are put to Cognito, and the right password is then refused too.
func TestLoginFailuresPerAccountHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	past := burst(t, 30, http.StatusUnauthorized, func(int) Answer[SignIn] {
		return fromNewIP().Login(t, account, "not the password at all")
	})
	if past > 5 {
		t.Fatalf("%d of 30 concurrent wrong passwords were checked, want at most 5", past)
	}
	expect(t, fromNewIP().Login(t, account, chosenPassword), http.StatusTooManyRequests, "rate_limited")
}

// Login failures per source IP, as internal/api counts them.
var loginFailuresPerIP = store.Limit{Name: "login-failures-ip", Max: 100, Window: 15 * time.Minute}

// An address with 90 failures sends 30 wrong passwords at once, each for another
// account (none reaches its own limit): no more than the 10 left are put to Cognito.
// The 90 are counted straight into the table, as 90 earlier failures would have been,
// to keep the traffic of the suite within the gateway's throttle.
func TestLoginFailuresPerAddressHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	db := stackStore(t)
	_, account, _ := newUser(t, superAdmin(t), "member")
	for attempt := 1; ; attempt++ {
		ip := newIP()
		window := time.Now().Truncate(loginFailuresPerIP.Window)
		for range 90 {
			if _, err := db.Take(context.Background(), loginFailuresPerIP, ip, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		past := burst(t, 30, http.StatusUnauthorized, func(int) Answer[SignIn] {
			return Client{}.from(ip).Login(t, unique("sweep"), "not the password at all")
		})
		if time.Now().Truncate(loginFailuresPerIP.Window) != window && attempt < 3 {
			continue // a new window began meanwhile, with a count of its own: again
		}
		if past > 10 {
			t.Fatalf("%d of 30 concurrent wrong passwords were checked with 10 failures left, want at most 10", past)
		}
		// The address is refused even the right password of an account, which is
		// fine from elsewhere.
		expect(t, Client{}.from(ip).Login(t, account, chosenPassword), http.StatusTooManyRequests, "rate_limited")
		expect(t, fromNewIP().Login(t, account, chosenPassword), http.StatusOK, "")
		return
	}
}

// Hammering an account whose limit is reached writes one login event per window into
// its history, not one per refused attempt.
func TestRefusedLoginsAreCountedNotRecorded(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, account, _ := newUser(t, super, "member") // challenge_pending, success
	const wrong = "not the password at all"
	client := fromNewIP()
	for range 5 {
		expect(t, client.Login(t, account, wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	for _, r := range race(10, func(int) Answer[SignIn] { return fromNewIP().Login(t, account, wrong) }) {
		expect(t, r, http.StatusTooManyRequests, "rate_limited")
	}
	expect(t, fromNewIP().Challenge(t, ChallengeAnswer{
		LoginAccount: account, Session: "any", Challenge: "SOFTWARE_TOKEN_MFA", Code: "123456",
	}), http.StatusTooManyRequests, "rate_limited")
	count := map[string]int{}
	for _, o := range outcomes(loginEvents(t, super.User(id).LoginEvents, 100)) {
		count[o]++
	}
	if count["rate_limited"] != 1 || count["invalid_credentials"] != 5 || len(count) != 4 {
		t.Fatalf("events by outcome %v, want 5 invalid_credentials and 1 rate_limited besides the first sign-in", count)
	}
}

// The other failure limits hold under concurrency too: of 30 wrong tries sent at once,
// no more than the limit are checked.
func TestFailureLimitsHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit int
		want  int // the answer of a wrong try that was checked
		setup func(t *testing.T) func() Reply
	}{
		{"current password", 5, http.StatusBadRequest, func(t *testing.T) func() Reply {
			_, _, c := newUser(t, superAdmin(t), "member")
			return func() Reply {
				return c.ChangePassword(t, "not the password at all", "another passphrase of mine").Reply
			}
		}},
		{"totp code", 5, http.StatusBadRequest, func(t *testing.T) func() Reply {
			_, _, c := newUser(t, superAdmin(t), "member")
			wrong := wrongTOTP(t, ok(t, c.StartTOTP(t), http.StatusOK).Secret)
			return func() Reply { return c.VerifyTOTP(t, wrong).Reply }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			send := tt.setup(t)
			if past := burst(t, 30, tt.want, func(int) Reply { return send() }); past > tt.limit {
				t.Fatalf("%d of 30 concurrent wrong tries were checked, want at most %d", past, tt.limit)
			}
		})
	}
}

// Invitation emails to one address stop at 10 a day, resends included; the link is
// not renewed by a refused resend, and other addresses are not affected.
func TestInvitationMailIsLimitedPerAddress(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	team := superAdmin(t).Team(teamID)
	addr := newEmail("limited")
	id := ok(t, team.CreateInvitation(t, InvitationInput{Email: addr, RoleIDs: []string{"member"}}), http.StatusCreated).ID
	var expiresAt string
	for range 9 {
		expiresAt = ok(t, team.ResendInvitation(t, id), http.StatusOK).ExpiresAt
	}
	nthMailTo(t, addr, 10)
	r := team.ResendInvitation(t, id)
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 24*60*60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	for _, inv := range all(t, team.ListInvitations, nil, 50) {
		if inv.ExpiresAt != expiresAt {
			t.Fatalf("a refused resend renewed the link: %+v, want expiresAt %s", inv, expiresAt)
		}
	}
	settle()
	if got := len(mailsTo(t, addr)); got != 10 {
		t.Fatalf("%d emails to the address, want 10", got)
	}
	expect(t, team.CreateInvitation(t, InvitationInput{Email: newEmail("other"), RoleIDs: []string{"member"}}), http.StatusCreated, "")
}
