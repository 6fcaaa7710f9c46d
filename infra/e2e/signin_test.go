package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loginEvents returns the newest page of login events of a list (a user's, or the
// caller's own), limit of them; 0 leaves the limit to the route.
func loginEvents(t *testing.T, list func(*testing.T, url.Values) Answer[Page[LoginEvent]], limit int) []LoginEvent {
	t.Helper()
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return ok(t, list(t, q), http.StatusOK).Items
}

func outcomes(events []LoginEvent) []string {
	return pick(events, func(e LoginEvent) string { return e.Outcome })
}

// mfaEnabled reports whether the user's record has MFA on, as an admin sees it.
func mfaEnabled(t *testing.T, admin Client, id string) bool {
	t.Helper()
	return ok(t, admin.User(id).Get(t), http.StatusOK).User.MFAEnabled
}

// myMFA reports whether the caller's record has MFA on, as /v1/me shows it.
func myMFA(t *testing.T, c Client) bool {
	t.Helper()
	return ok(t, c.GetMe(t), http.StatusOK).User.MFAEnabled
}

func TestTOTPBindSignInAndUnbind(t *testing.T) {
	t.Parallel()
	admin := superAdmin(t)
	id, account, client := newUser(t, admin, "member")

	// Binding: a secret and a URI for the QR code; MFA is on only once a code checks out.
	r := client.StartTOTP(t)
	expect(t, r, http.StatusOK, "")
	secret := r.Body.Secret
	uri, err := url.Parse(r.Body.OTPAuthURI)
	if err != nil || secret == "" || uri.Scheme != "otpauth" || uri.Host != "totp" ||
		uri.Query().Get("secret") != secret || uri.Query().Get("issuer") != "Roster" || !strings.Contains(uri.Path, account) {
		t.Fatalf("binding answered %s", r.Raw)
	}
	if myMFA(t, client) {
		t.Fatal("MFA on before a code was verified")
	}
	wrong := client.VerifyTOTP(t, wrongTOTP(t, secret))
	expect(t, wrong, http.StatusBadRequest, "invalid_request")
	if wrong.Error.Fields["code"] == "" {
		t.Fatalf("wrong code not named: %s", wrong.Raw)
	}
	expect(t, client.VerifyTOTP(t, currentCode(t, secret)), http.StatusNoContent, "")
	if !myMFA(t, client) {
		t.Fatal("MFA not on after verification")
	}
	if !mfaEnabled(t, admin, id) {
		t.Fatal("admin view: MFA off")
	}
	// A second binding would replace the secret without proving the first.
	expect(t, client.StartTOTP(t), http.StatusConflict, "mfa_already_enabled")
	expect(t, client.VerifyTOTP(t, currentCode(t, secret)), http.StatusConflict, "mfa_already_enabled")

	// Sign-in now asks for a code.
	ip := newIP()
	step := Client{}.from(ip).Login(t, account, chosenPassword)
	expect(t, step, http.StatusOK, "")
	if step.Body.Challenge != "SOFTWARE_TOKEN_MFA" || step.Body.Session == "" || step.Body.AccessToken != "" {
		t.Fatalf("login with MFA answered %s", step.Raw)
	}
	answer := func(code string) Answer[SignIn] {
		return Client{}.from(ip).Challenge(t, ChallengeAnswer{
			LoginAccount: account, Session: step.Body.Session, Challenge: "SOFTWARE_TOKEN_MFA", Code: code,
		})
	}
	answered := answer(wrongTOTP(t, secret))
	expect(t, answered, http.StatusBadRequest, "invalid_request")
	if answered.Error.Fields["code"] == "" {
		t.Fatalf("wrong code not named: %s", answered.Raw)
	}
	answered = answer(currentCode(t, secret))
	expect(t, answered, http.StatusOK, "")
	if answered.Body.AccessToken == "" {
		t.Fatalf("challenge answered no tokens: %s", answered.Raw)
	}
	withMFA := as(answered.Body.AccessToken)
	events := loginEvents(t, withMFA.MyLoginEvents, 3)
	if got := strings.Join(outcomes(events), ","); got != "success,invalid_code,challenge_pending" {
		t.Fatalf("outcomes %s, want success,invalid_code,challenge_pending", got)
	}
	if deref(events[2].Challenge) != "SOFTWARE_TOKEN_MFA" || deref(events[1].Challenge) != "SOFTWARE_TOKEN_MFA" || deref(events[2].SourceIP) != ip {
		t.Fatalf("events %+v", events)
	}

	// Unbinding by the user needs a current code.
	expect(t, withMFA.UnbindMyMFA(t, wrongTOTP(t, secret)), http.StatusBadRequest, "invalid_request")
	if !myMFA(t, withMFA) {
		t.Fatal("a wrong code unbound MFA")
	}
	expect(t, withMFA.UnbindMyMFA(t, currentCode(t, secret)), http.StatusNoContent, "")
	if myMFA(t, withMFA) {
		t.Fatal("MFA still on after unbinding")
	}
	login(t, account, chosenPassword) // tokens straight away
	// Nothing bound: nothing to do.
	expect(t, withMFA.UnbindMyMFA(t, "123456"), http.StatusNoContent, "")
}

func TestAdminUnbindsMFA(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	memberID, memberLogin, memberClient := newUser(t, super, "member")
	adminID, _, platformAdmin := newUser(t, super, "platform_admin")
	_, _, otherMember := newUser(t, super, "member")
	bindTOTP(t, memberClient)
	superID := selfID(t, super)

	// SPEC.md section 1: the target rule of reset password.
	expect(t, otherMember.User(memberID).UnbindMFA(t), http.StatusForbidden, "forbidden")
	expect(t, platformAdmin.User(superID).UnbindMFA(t), http.StatusForbidden, "forbidden")
	expect(t, super.User(superID).UnbindMFA(t), http.StatusForbidden, "forbidden")
	expect(t, platformAdmin.User(adminID).UnbindMFA(t), http.StatusForbidden, "forbidden")
	expect(t, super.User(strings.Repeat("a", 26)).UnbindMFA(t), http.StatusNotFound, "not_found")
	r := super.Send(t, "DELETE", "/v1/users/not-an-id/mfa", `{"extra": true}`)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.Error.Fields["id"] == "" || r.Error.Fields["extra"] == "" {
		t.Fatalf("bad fields not all named: %s", r.Raw)
	}
	if !mfaEnabled(t, super, memberID) {
		t.Fatal("a refused unbind changed something")
	}

	expect(t, platformAdmin.User(memberID).UnbindMFA(t), http.StatusNoContent, "")
	if mfaEnabled(t, super, memberID) {
		t.Fatal("MFA still on after the admin unbound it")
	}
	login(t, memberLogin, chosenPassword) // no challenge any more
	// Again: nothing bound, still 204.
	expect(t, platformAdmin.User(memberID).UnbindMFA(t), http.StatusNoContent, "")
	// The member can bind again.
	bindTOTP(t, memberClient)
}

func TestLoginEventsAndLastLogin(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, account, _ := newUser(t, super, "member") // NEW_PASSWORD_REQUIRED, then success
	_, _, platformAdmin := newUser(t, super, "platform_admin")
	_, _, otherMember := newUser(t, super, "member")

	ip := newIP()
	expect(t, Client{}.from(ip).Login(t, account, "not the password at all"), http.StatusUnauthorized, "invalid_credentials")
	before := time.Now().Add(-time.Second)
	client := as(ok(t, Client{}.from(ip).Login(t, strings.ToUpper(account), chosenPassword), http.StatusOK).AccessToken)

	events := loginEvents(t, client.MyLoginEvents, 0)
	if got := strings.Join(outcomes(events), ","); got != "success,invalid_credentials,success,challenge_pending" {
		t.Fatalf("outcomes %s", got)
	}
	latest := events[0]
	at, err := time.Parse(time.RFC3339, latest.Time)
	if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
		t.Fatalf("event time %v", latest.Time)
	}
	if deref(latest.SourceIP) != ip || deref(latest.UserAgent) != "roster-e2e" || latest.Via != "api" || latest.ID == "" || latest.Challenge != nil {
		t.Fatalf("latest event %+v", latest)
	}
	if deref(events[3].Challenge) != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("first event %+v", events[3])
	}

	// lastLoginAt: on the user, in the admin's list, and the time of the last success.
	if me := ok(t, client.GetMe(t), http.StatusOK); deref(me.User.LastLoginAt) != latest.Time {
		t.Fatalf("lastLoginAt %q, latest success %v", deref(me.User.LastLoginAt), latest.Time)
	}
	list := super.ListUsers(t, url.Values{"q": {account}})
	expect(t, list, http.StatusOK, "")
	if items := list.Body.Items; len(items) != 1 || deref(items[0].LastLoginAt) != latest.Time {
		t.Fatalf("list shows %s", list.Raw)
	}

	// Admins see the same history; a page at a time.
	first := platformAdmin.User(id).LoginEvents(t, url.Values{"limit": {"3"}})
	expect(t, first, http.StatusOK, "")
	next := deref(first.Body.NextCursor)
	if len(first.Body.Items) != 3 || next == "" {
		t.Fatalf("first page %s", first.Raw)
	}
	second := platformAdmin.User(id).LoginEvents(t, url.Values{"limit": {"3"}, "cursor": {next}})
	expect(t, second, http.StatusOK, "")
	if got := strings.Join(append(outcomes(first.Body.Items), outcomes(second.Body.Items)...), ","); got != "success,invalid_credentials,success,challenge_pending" ||
		second.Body.NextCursor != nil {
		t.Fatalf("pages %s then %s", first.Raw, second.Raw)
	}

	// Who may look: admins within the target rules, not members; nobody else's via /v1/me.
	superID := selfID(t, super)
	expect(t, otherMember.User(id).LoginEvents(t, nil), http.StatusForbidden, "forbidden")
	expect(t, platformAdmin.User(superID).LoginEvents(t, nil), http.StatusForbidden, "forbidden")
	expect(t, super.User(strings.Repeat("b", 26)).LoginEvents(t, nil), http.StatusNotFound, "not_found")
	if got := loginEvents(t, otherMember.MyLoginEvents, 0); len(got) != 2 {
		t.Fatalf("another member sees %d events, want its own 2", len(got))
	}
}

// A frozen account cannot sign in, and its sign-in answers say nothing of the freeze: the
// right password, a wrong one, and an account nobody holds read alike. Admins see the
// attempts as frozen in the user's history.
func TestFrozenAccountCannotSignIn(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, account, _ := newUser(t, super, "member")
	freeze(t, super, id)
	ip := newIP()
	var answers []string
	for _, try := range [][2]string{
		{account, chosenPassword},
		{account, "not the password at all"},
		{unique("nobody"), chosenPassword},
	} {
		r := Client{}.from(ip).Login(t, try[0], try[1])
		expect(t, r, http.StatusUnauthorized, "invalid_credentials")
		answers = append(answers, r.Error.Message)
	}
	if answers[0] != answers[1] || answers[1] != answers[2] {
		t.Fatalf("the answers differ: %q", answers)
	}
	events := loginEvents(t, super.User(id).LoginEvents, 2)
	if got := strings.Join(outcomes(events), ","); got != "frozen,frozen" || deref(events[0].SourceIP) != ip {
		t.Fatalf("events %+v", events)
	}
}

// A challenge answered for an account nobody holds gets what one answered for a real
// account with a bad session gets, after the same work (Cognito is asked for both).
func TestChallengeAnswersAlikeForUnknownAccounts(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	client := fromNewIP()
	var answers []string
	for _, login := range []string{account, unique("nobody")} {
		for _, in := range []ChallengeAnswer{
			{LoginAccount: login, Challenge: "SOFTWARE_TOKEN_MFA", Session: "a-session-nobody-was-given", Code: "123456"},
			{LoginAccount: login, Challenge: "NEW_PASSWORD_REQUIRED", Session: "a-session-nobody-was-given", NewPassword: "a brand new passphrase"},
		} {
			r := client.Challenge(t, in)
			answers = append(answers, fmt.Sprintf("%d %s %s", r.Status, r.Error.Code, r.Error.Message))
		}
	}
	if answers[0] != answers[2] || answers[1] != answers[3] || !strings.HasPrefix(answers[0], "401 ") {
		t.Fatalf("answers for a real account, then an unknown one: %q", answers)
	}
}

func TestLoginFailuresAreLimited(t *testing.T) {
	t.Parallel()
	id, account, _ := newUser(t, superAdmin(t), "member")
	const wrong = "not the password at all"

	// Per login account: a success clears the count...
	ip := newIP()
	client := Client{}.from(ip)
	for range 4 {
		expect(t, client.Login(t, account, wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	expect(t, client.Login(t, account, chosenPassword), http.StatusOK, "")
	// ...and five failures in a row stop the next attempt, from anywhere, even with the
	// right password: Cognito is not asked.
	for range 5 {
		expect(t, client.Login(t, account, wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	for _, from := range []string{ip, newIP()} {
		r := Client{}.from(from).Login(t, account, chosenPassword)
		expect(t, r, http.StatusTooManyRequests, "rate_limited")
		wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || wait < 1 || wait > 15*60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}
	// The challenge route is held by the same limit.
	expect(t, fromNewIP().Challenge(t, ChallengeAnswer{
		LoginAccount: account, Session: "any", Challenge: "SOFTWARE_TOKEN_MFA", Code: "123456",
	}), http.StatusTooManyRequests, "rate_limited")
	// Case does not make another account.
	expect(t, fromNewIP().Login(t, strings.ToUpper(account), chosenPassword), http.StatusTooManyRequests, "rate_limited")
	events := loginEvents(t, superAdmin(t).User(id).LoginEvents, 1)
	if len(events) != 1 || events[0].Outcome != "rate_limited" {
		t.Fatalf("latest event %+v", events)
	}

	// Unknown login accounts are limited alike, so limits do not tell who exists.
	nobody := unique("nobody")
	for range 5 {
		expect(t, fromNewIP().Login(t, nobody, wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	expect(t, fromNewIP().Login(t, nobody, wrong), http.StatusTooManyRequests, "rate_limited")
}

func TestLogoutRevokesRefreshTokens(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	tokens := login(t, account, chosenPassword)
	access, refresh := as(tokens.AccessToken), deref(tokens.RefreshToken)
	otherDevice := deref(login(t, account, chosenPassword).RefreshToken)
	anyone := Client{}
	expect(t, anyone.Refresh(t, refresh), http.StatusOK, "")

	expect(t, anyone.Logout(t), http.StatusUnauthorized, "")
	r := access.Send(t, "POST", "/v1/auth/logout", `{"everywhere": true}`)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.Error.Fields["everywhere"] == "" {
		t.Fatalf("unknown field not named: %s", r.Raw)
	}
	expect(t, anyone.Refresh(t, refresh), http.StatusOK, "")

	expect(t, access.Logout(t), http.StatusNoContent, "")
	for _, token := range []string{refresh, otherDevice} {
		expect(t, anyone.Refresh(t, token), http.StatusUnauthorized, "unauthenticated")
	}
	// Signing in again works; a token the logout ended is refused by the logout too, as by
	// every other route.
	access = signIn(t, account, chosenPassword)
	nextSecond()
	expect(t, access.Send(t, "POST", "/v1/auth/logout", `{}`), http.StatusNoContent, "")
	expect(t, access.Logout(t), http.StatusUnauthorized, "unauthenticated")
}

func TestSignInRoutesNameEveryBadField(t *testing.T) {
	t.Parallel()
	_, _, client := newUser(t, superAdmin(t), "member")
	token := client.Token
	long := strings.Repeat("x", 3000)
	tests := []struct {
		name, method, path string
		token              string
		body               any
		fields             []string
	}{
		{"login: nothing", "POST", "/v1/auth/login", "", `{}`, []string{"loginAccount", "password"}},
		{"login: types and extras", "POST", "/v1/auth/login", "", `{"loginAccount": 5, "password": [], "remember": true}`, []string{"loginAccount", "password", "remember"}},
		{"login: shapes", "POST", "/v1/auth/login", "", map[string]string{"loginAccount": "a b", "password": long}, []string{"loginAccount", "password"}},
		{"login: not an object", "POST", "/v1/auth/login", "", `["a"]`, []string{"body"}},
		{"challenge: nothing", "POST", "/v1/auth/challenge", "", `{}`, []string{"loginAccount", "session", "challenge"}},
		{"challenge: unknown challenge", "POST", "/v1/auth/challenge", "", map[string]string{"loginAccount": "someone", "session": long, "challenge": "SMS_MFA"}, []string{"session", "challenge"}},
		{"challenge: bad code", "POST", "/v1/auth/challenge", "", map[string]string{"loginAccount": "someone", "session": "s", "challenge": "SOFTWARE_TOKEN_MFA", "code": "12a456"}, []string{"code"}},
		{"challenge: weak password", "POST", "/v1/auth/challenge", "", map[string]string{"loginAccount": "someone", "session": "s", "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": "short"}, []string{"newPassword"}},
		{"refresh: nothing", "POST", "/v1/auth/refresh", "", `{"refreshToken": ""}`, []string{"refreshToken"}},
		{"refresh: oversized", "POST", "/v1/auth/refresh", "", map[string]string{"refreshToken": strings.Repeat("x", 9000)}, []string{"refreshToken"}},
		{"logout: a body", "POST", "/v1/auth/logout", token, `{"all": 1}`, []string{"all"}},
		{"start totp: a body", "POST", "/v1/me/mfa/totp", token, `{"label": "phone"}`, []string{"label"}},
		{"verify totp: no code", "POST", "/v1/me/mfa/totp/verify", token, `{}`, []string{"code"}},
		{"verify totp: bad code", "POST", "/v1/me/mfa/totp/verify", token, `{"code": 123456, "device": "x"}`, []string{"code", "device"}},
		{"unbind: no body", "DELETE", "/v1/me/mfa", token, nil, []string{"body"}},
		{"unbind: bad code", "DELETE", "/v1/me/mfa", token, map[string]string{"code": "1234567"}, []string{"code"}},
		{"my events: paging", "GET", "/v1/me/login-events?limit=0&sort=asc", token, nil, []string{"limit", "sort"}},
		{"my events: cursor", "GET", "/v1/me/login-events?cursor=bm90LWEtY3Vyc29y", token, nil, []string{"cursor"}},
		{"user events: id and limit", "GET", "/v1/users/nope/login-events?limit=500", token, nil, []string{"id", "limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expectFields(t, as(tt.token).from(newIP()).Send(t, tt.method, tt.path, tt.body), tt.fields...)
		})
	}
	if myMFA(t, client) {
		t.Fatal("a refused request changed the user")
	}
}

// postAuthentication invokes the trigger function through the gateway's Lambda Invoke
// path, with the sample event made to name a user of the local pool.
func postAuthentication(t *testing.T, userID, clientID string) {
	t.Helper()
	data, err := os.ReadFile("../../events/post-authentication.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	ev["userPoolId"] = os.Getenv("ROSTER_USER_POOL_ID")
	ev["userName"] = userID
	ev["callerContext"].(map[string]any)["clientId"] = clientID
	var back map[string]any // the event, as Cognito's trigger contract returns it
	if status, failed := invoke(t, "PostAuthenticationFunction", ev, &back); status != http.StatusOK || back["userName"] != userID {
		t.Fatalf("invoke answered %d %+v %v", status, failed, back)
	}
}

func TestPostAuthenticationTriggerRecordsSignInsOutsideTheAPI(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, _ := newUser(t, super, "member")
	history := super.User(id).LoginEvents
	before := len(loginEvents(t, history, 0))

	// Through Roster's own client the API has already recorded it: nothing more.
	postAuthentication(t, id, os.Getenv("ROSTER_USER_POOL_CLIENT_ID"))
	if got := loginEvents(t, history, 0); len(got) != before {
		t.Fatalf("a sign-in through the API was recorded twice: %+v", got)
	}

	// Through another app client (the hosted UI, say): recorded, and lastLoginAt moves.
	start := time.Now().Add(-time.Second)
	postAuthentication(t, id, "hosted-ui-client")
	events := loginEvents(t, history, 0)
	if len(events) != before+1 {
		t.Fatalf("events %+v", events)
	}
	e := events[0]
	if e.Outcome != "success" || e.Via != "cognito" || e.SourceIP != nil || e.UserAgent != nil {
		t.Fatalf("trigger event %+v", e)
	}
	lastLoginAt := deref(ok(t, super.User(id).Get(t), http.StatusOK).User.LastLoginAt)
	last, err := time.Parse(time.RFC3339, lastLoginAt)
	if err != nil || last.Before(start) || lastLoginAt != e.Time {
		t.Fatalf("lastLoginAt %v, event time %v", lastLoginAt, e.Time)
	}
}
