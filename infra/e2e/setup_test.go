package e2e

import (
	"crypto/rand"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/identity/totptest"
)

// The stack these tests run against is started by `make test` (infra/cmd/stack run),
// which exports where each part listens.
var (
	apiURL        = os.Getenv("ROSTER_API_URL")
	mailJSONURL   = os.Getenv("ROSTER_MAIL_JSON_URL")
	adminLogin    = os.Getenv("ROSTER_ADMIN_LOGIN")
	adminPassword = os.Getenv("ROSTER_ADMIN_PASSWORD")
)

// Every test here calls the running stack: under -short (make unit) none runs.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: every test needs the local stack; skipped under -short")
		os.Exit(0)
	}
	if apiURL == "" {
		fmt.Fprintln(os.Stderr, "e2e: ROSTER_API_URL is not set; run these tests through `make test`, which starts the local stack")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// The people and teams tests start from, made through the API.

const (
	chosenPassword = "a fresh passphrase of my own" // what newUser sets
	selfPassword   = "a passphrase I chose myself"  // what registration sets
)

// unique returns a fresh name for test data, so tests can run in parallel on one stack.
func unique(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:10])
}

func newEmail(prefix string) string { return unique(prefix) + "@example.com" }

// login signs in and expects tokens.
func login(t *testing.T, account, password string) SignIn {
	t.Helper()
	s := ok(t, Client{}.Login(t, account, password), http.StatusOK)
	if s.AccessToken == "" {
		t.Fatalf("login answered no tokens: %+v", s)
	}
	return s
}

// signIn signs in and returns a client with the access token.
func signIn(t *testing.T, account, password string) Client {
	t.Helper()
	return as(login(t, account, password).AccessToken)
}

var adminSession struct {
	sync.Mutex
	token string
}

// superAdmin returns a client of the bootstrapped super admin, signing in once.
func superAdmin(t *testing.T) Client {
	t.Helper()
	adminSession.Lock()
	defer adminSession.Unlock()
	if adminSession.token == "" {
		adminSession.token = login(t, adminLogin, adminPassword).AccessToken
	}
	return as(adminSession.token)
}

// newUser creates a user as the given admin and signs it in for the first time,
// choosing chosenPassword; it returns the user's id, login account and client.
func newUser(t *testing.T, admin Client, accountType string) (id, login string, c Client) {
	t.Helper()
	login = unique("u")
	created := ok(t, admin.CreateUser(t, NewUser{
		Username: "User_" + login, LoginAccount: login, AccountType: accountType, Password: generated,
	}), http.StatusCreated)
	return created.User.ID, login, firstLogin(t, login, created.TemporaryPassword, chosenPassword)
}

// member creates a member account signed in for the first time.
func member(t *testing.T) (id string, c Client) {
	t.Helper()
	id, _, c = newUser(t, superAdmin(t), "member")
	return id, c
}

// firstLogin signs in with a temporary password, answers NEW_PASSWORD_REQUIRED and
// returns a client with the access token.
func firstLogin(t *testing.T, login, temporary, chosen string) Client {
	t.Helper()
	r := Client{}.Login(t, login, temporary)
	expect(t, r, http.StatusOK, "")
	if r.Body.Challenge != "NEW_PASSWORD_REQUIRED" || r.Body.Session == "" {
		t.Fatalf("first login answered %s, want NEW_PASSWORD_REQUIRED", r.Raw)
	}
	r = Client{}.Challenge(t, ChallengeAnswer{
		LoginAccount: login, Session: r.Body.Session, Challenge: "NEW_PASSWORD_REQUIRED", NewPassword: chosen,
	})
	expect(t, r, http.StatusOK, "")
	if r.Body.AccessToken == "" {
		t.Fatalf("challenge answered no tokens: %s", r.Raw)
	}
	return as(r.Body.AccessToken)
}

// adminCreated makes a member with an email address and a temporary password it
// has never used, and returns its login account and that password. Its address
// has never been sent a registration code.
func adminCreated(t *testing.T, email string) (account, temporary string) {
	t.Helper()
	account = unique("adm")
	created := ok(t, superAdmin(t).CreateUser(t, NewUser{
		Username: "Created_" + account, LoginAccount: account, AccountType: "member", Email: email, Password: generated,
	}), http.StatusCreated)
	return account, created.TemporaryPassword
}

// registration is a valid registration request.
func registration(login, email, code string) Registration {
	return Registration{
		Username: "张小伟", LoginAccount: login, Email: email,
		Password: selfPassword, ConfirmPassword: selfPassword, VerificationCode: code,
	}
}

// requestCode asks for a registration code for email from c and returns it.
func requestCode(t *testing.T, c Client, email string) string {
	t.Helper()
	before := len(mailsTo(t, email))
	expect(t, c.SendVerificationCode(t, email), http.StatusAccepted, "")
	return codeIn(t, nthMailTo(t, email, before+1))
}

// registerMember registers a new member and returns its login account and email.
func registerMember(t *testing.T) (login, email string) {
	t.Helper()
	c := fromNewIP()
	login, email = unique("self"), newEmail("self")
	expect(t, c.Register(t, registration(login, email, requestCode(t, c, email))), http.StatusCreated, "")
	return login, email
}

// selfID is the caller's own user id.
func selfID(t *testing.T, c Client) string {
	t.Helper()
	return ok(t, c.GetMe(t), http.StatusOK).User.ID
}

// myTeams returns the caller's teams from GET /v1/me, by team id.
func myTeams(t *testing.T, c Client) map[string]MyTeam {
	t.Helper()
	out := map[string]MyTeam{}
	for _, team := range ok(t, c.GetMe(t), http.StatusOK).Teams {
		out[team.ID] = team
	}
	return out
}

// freeze freezes a user through the API, as the given admin.
func freeze(t *testing.T, admin Client, id string) {
	t.Helper()
	expect(t, admin.User(id).Freeze(t), http.StatusOK, "")
}

// newTeam creates a team as the super admin, with owner as its first owner unless "".
func newTeam(t *testing.T, owner string) (id, name string) {
	t.Helper()
	name = unique("Team ")
	return ok(t, superAdmin(t).CreateTeam(t, TeamInput{Name: name, OwnerID: owner}), http.StatusCreated).ID, name
}

// join adds userID to a team with roles, as the super admin.
func join(t *testing.T, teamID, userID string, roles ...string) {
	t.Helper()
	expect(t, superAdmin(t).Team(teamID).AddMember(t, MemberInput{UserID: userID, RoleIDs: roles}), http.StatusCreated, "")
}

// newRole creates a custom role as the super admin and returns its id.
func newRole(t *testing.T, permissions ...string) string {
	t.Helper()
	return ok(t, superAdmin(t).CreateRole(t, RoleInput{Name: unique("Role "), Permissions: permissions}), http.StatusCreated).ID
}

// inviteLink makes a link to teamID as the super admin, bound to email unless "", and
// returns its token: from the email for a bound link, as the invitee would follow it.
func inviteLink(t *testing.T, teamID, email string, roles ...string) string {
	t.Helper()
	var before int
	if email != "" {
		before = len(mailsTo(t, email))
	}
	inv := ok(t, superAdmin(t).Team(teamID).CreateInvitation(t, InvitationInput{Email: email, RoleIDs: roles}), http.StatusCreated)
	if email == "" {
		return tokenOf(deref(inv.Link))
	}
	return tokenIn(t, nthMailTo(t, email, before+1))
}

// tokenOf is the token of an invitation link.
func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// auditOf returns the audit events of one action on one target, newest first.
func auditOf(t *testing.T, targetID, action string) []AuditEvent {
	t.Helper()
	return all(t, superAdmin(t).ListAuditEvents, url.Values{"targetId": {targetID}, "action": {action}}, 20)
}

// currentCode is the current code of secret, as an authenticator app shows it.
func currentCode(t *testing.T, secret string) string {
	t.Helper()
	code, err := totptest.Now(secret)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongTOTP is well formed and is not the code of the current step.
func wrongTOTP(t *testing.T, secret string) string {
	t.Helper()
	code, err := totptest.Wrong(secret)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// bindTOTP binds an authenticator to the user of c and returns its secret.
func bindTOTP(t *testing.T, c Client) string {
	t.Helper()
	secret := ok(t, c.StartTOTP(t), http.StatusOK).Secret
	expect(t, c.VerifyTOTP(t, currentCode(t, secret)), http.StatusNoContent, "")
	return secret
}

// nextSecond waits until the clock has moved into a new second: token times have whole
// seconds, and a token of the very second sessions end is let through.
func nextSecond() { time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) }

// race sends n requests at once (send(i) makes the i-th) and returns their answers in order.
func race[A any](n int, send func(i int) A) []A {
	out := make([]A, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = send(i)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// statuses counts answers by status.
func statuses[A replied](answers []A) map[int]int {
	out := map[int]int{}
	for _, a := range answers {
		out[a.reply().Status]++
	}
	return out
}
