package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/identity/totptest"
)

const chosenPassword = "a fresh passphrase of my own" // what newUser sets

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

// bindTOTP binds an authenticator to the user of token and answers its secret.
func bindTOTP(t *testing.T, token string) string {
	t.Helper()
	r := call(t, token, "POST", "/v1/me/mfa/totp", nil)
	expect(t, r, http.StatusOK, "")
	secret := r.str("secret")
	expect(t, call(t, token, "POST", "/v1/me/mfa/totp/verify", map[string]string{"code": currentCode(t, secret)}), http.StatusNoContent, "")
	return secret
}

// loginEvents answers the newest login events of a user, as the given caller sees them.
func loginEvents(t *testing.T, token, path string) []map[string]any {
	t.Helper()
	r := call(t, token, "GET", path, nil)
	expect(t, r, http.StatusOK, "")
	return r.items()
}

func outcomes(events []map[string]any) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i], _ = e["outcome"].(string)
	}
	return out
}

func TestTOTPBindSignInAndUnbind(t *testing.T) {
	t.Parallel()
	admin := superAdmin(t)
	id, account, token := newUser(t, admin, "member")

	// Binding: a secret and a URI for the QR code; MFA is on only once a code checks out.
	r := call(t, token, "POST", "/v1/me/mfa/totp", nil)
	expect(t, r, http.StatusOK, "")
	secret := r.str("secret")
	uri, err := url.Parse(r.str("otpauthUri"))
	if err != nil || secret == "" || uri.Scheme != "otpauth" || uri.Host != "totp" ||
		uri.Query().Get("secret") != secret || uri.Query().Get("issuer") != "Roster" || !strings.Contains(uri.Path, account) {
		t.Fatalf("binding answered %s", r.Raw)
	}
	if call(t, token, "GET", "/v1/me", nil).get("user", "mfaEnabled") != false {
		t.Fatal("MFA on before a code was verified")
	}
	r = call(t, token, "POST", "/v1/me/mfa/totp/verify", map[string]string{"code": wrongTOTP(t, secret)})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.str("error", "fields", "code") == "" {
		t.Fatalf("wrong code not named: %s", r.Raw)
	}
	expect(t, call(t, token, "POST", "/v1/me/mfa/totp/verify", map[string]string{"code": currentCode(t, secret)}), http.StatusNoContent, "")
	if call(t, token, "GET", "/v1/me", nil).get("user", "mfaEnabled") != true {
		t.Fatal("MFA not on after verification")
	}
	if r := call(t, admin, "GET", "/v1/users/"+id, nil); r.get("user", "mfaEnabled") != true {
		t.Fatalf("admin view: %s", r.Raw)
	}
	// A second binding would replace the secret without proving the first.
	expect(t, call(t, token, "POST", "/v1/me/mfa/totp", nil), http.StatusConflict, "mfa_already_enabled")
	expect(t, call(t, token, "POST", "/v1/me/mfa/totp/verify", map[string]string{"code": currentCode(t, secret)}), http.StatusConflict, "mfa_already_enabled")

	// Sign-in now asks for a code.
	ip := newIP()
	r = callFrom(t, ip, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": chosenPassword})
	expect(t, r, http.StatusOK, "")
	if r.str("challenge") != "SOFTWARE_TOKEN_MFA" || r.str("session") == "" || r.str("accessToken") != "" {
		t.Fatalf("login with MFA answered %s", r.Raw)
	}
	session := r.str("session")
	answer := func(code string) response {
		return callFrom(t, ip, "", "POST", "/v1/auth/challenge", map[string]string{
			"loginAccount": account, "session": session, "challenge": "SOFTWARE_TOKEN_MFA", "code": code,
		})
	}
	r = answer(wrongTOTP(t, secret))
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.str("error", "fields", "code") == "" {
		t.Fatalf("wrong code not named: %s", r.Raw)
	}
	r = answer(currentCode(t, secret))
	expect(t, r, http.StatusOK, "")
	if r.str("accessToken") == "" {
		t.Fatalf("challenge answered no tokens: %s", r.Raw)
	}
	mfaToken := r.str("accessToken")
	events := loginEvents(t, mfaToken, "/v1/me/login-events?limit=3")
	if got := strings.Join(outcomes(events), ","); got != "success,invalid_code,challenge_pending" {
		t.Fatalf("outcomes %s, want success,invalid_code,challenge_pending", got)
	}
	if events[2]["challenge"] != "SOFTWARE_TOKEN_MFA" || events[1]["challenge"] != "SOFTWARE_TOKEN_MFA" || events[2]["sourceIp"] != ip {
		t.Fatalf("events %v", events)
	}

	// Unbinding by the user needs a current code.
	r = call(t, mfaToken, "DELETE", "/v1/me/mfa", map[string]string{"code": wrongTOTP(t, secret)})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	expect(t, call(t, mfaToken, "GET", "/v1/me", nil), http.StatusOK, "")
	if call(t, mfaToken, "GET", "/v1/me", nil).get("user", "mfaEnabled") != true {
		t.Fatal("a wrong code unbound MFA")
	}
	expect(t, call(t, mfaToken, "DELETE", "/v1/me/mfa", map[string]string{"code": currentCode(t, secret)}), http.StatusNoContent, "")
	if call(t, mfaToken, "GET", "/v1/me", nil).get("user", "mfaEnabled") != false {
		t.Fatal("MFA still on after unbinding")
	}
	login(t, account, chosenPassword) // tokens straight away
	// Nothing bound: nothing to do.
	expect(t, call(t, mfaToken, "DELETE", "/v1/me/mfa", map[string]string{"code": "123456"}), http.StatusNoContent, "")
}

func TestAdminUnbindsMFA(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	memberID, memberLogin, memberToken := newUser(t, super, "member")
	adminID, _, platformAdmin := newUser(t, super, "platform_admin")
	_, _, otherMember := newUser(t, super, "member")
	bindTOTP(t, memberToken)
	superID := call(t, super, "GET", "/v1/me", nil).str("user", "id")

	// SPEC.md section 1: the target rule of reset password.
	expect(t, call(t, otherMember, "DELETE", "/v1/users/"+memberID+"/mfa", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, platformAdmin, "DELETE", "/v1/users/"+superID+"/mfa", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, super, "DELETE", "/v1/users/"+superID+"/mfa", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, platformAdmin, "DELETE", "/v1/users/"+adminID+"/mfa", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, super, "DELETE", "/v1/users/"+strings.Repeat("a", 26)+"/mfa", nil), http.StatusNotFound, "not_found")
	r := call(t, super, "DELETE", "/v1/users/not-an-id/mfa", `{"extra": true}`)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.str("error", "fields", "id") == "" || r.str("error", "fields", "extra") == "" {
		t.Fatalf("bad fields not all named: %s", r.Raw)
	}
	if call(t, super, "GET", "/v1/users/"+memberID, nil).get("user", "mfaEnabled") != true {
		t.Fatal("a refused unbind changed something")
	}

	expect(t, call(t, platformAdmin, "DELETE", "/v1/users/"+memberID+"/mfa", nil), http.StatusNoContent, "")
	if call(t, super, "GET", "/v1/users/"+memberID, nil).get("user", "mfaEnabled") != false {
		t.Fatal("MFA still on after the admin unbound it")
	}
	login(t, memberLogin, chosenPassword) // no challenge any more
	// Again: nothing bound, still 204.
	expect(t, call(t, platformAdmin, "DELETE", "/v1/users/"+memberID+"/mfa", nil), http.StatusNoContent, "")
	// The member can bind again.
	bindTOTP(t, memberToken)
}

func TestLoginEventsAndLastLogin(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, account, _ := newUser(t, super, "member") // NEW_PASSWORD_REQUIRED, then success
	_, _, platformAdmin := newUser(t, super, "platform_admin")
	_, _, otherMember := newUser(t, super, "member")

	ip := newIP()
	expect(t, callFrom(t, ip, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": "not the password at all"}),
		http.StatusUnauthorized, "invalid_credentials")
	before := time.Now().Add(-time.Second)
	r := callFrom(t, ip, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": strings.ToUpper(account), "password": chosenPassword})
	expect(t, r, http.StatusOK, "")
	token := r.str("accessToken")

	events := loginEvents(t, token, "/v1/me/login-events")
	if got := strings.Join(outcomes(events), ","); got != "success,invalid_credentials,success,challenge_pending" {
		t.Fatalf("outcomes %s", got)
	}
	latest := events[0]
	at, err := time.Parse(time.RFC3339, latest["time"].(string))
	if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
		t.Fatalf("event time %v", latest["time"])
	}
	if latest["sourceIp"] != ip || latest["userAgent"] != "roster-e2e" || latest["via"] != "api" || latest["id"] == "" || latest["challenge"] != nil {
		t.Fatalf("latest event %v", latest)
	}
	if events[3]["challenge"] != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("first event %v", events[3])
	}

	// lastLoginAt: on the user, in the admin's list, and the time of the last success.
	me := call(t, token, "GET", "/v1/me", nil)
	if me.str("user", "lastLoginAt") != latest["time"] {
		t.Fatalf("lastLoginAt %q, latest success %v", me.str("user", "lastLoginAt"), latest["time"])
	}
	list := call(t, super, "GET", "/v1/users?q="+account, nil)
	expect(t, list, http.StatusOK, "")
	if items := list.items(); len(items) != 1 || items[0]["lastLoginAt"] != latest["time"] {
		t.Fatalf("list shows %s", list.Raw)
	}

	// Admins see the same history; a page at a time.
	first := call(t, platformAdmin, "GET", "/v1/users/"+id+"/login-events?limit=3", nil)
	expect(t, first, http.StatusOK, "")
	next, _ := first.get("nextCursor").(string)
	if len(first.items()) != 3 || next == "" {
		t.Fatalf("first page %s", first.Raw)
	}
	second := call(t, platformAdmin, "GET", "/v1/users/"+id+"/login-events?limit=3&cursor="+url.QueryEscape(next), nil)
	expect(t, second, http.StatusOK, "")
	if got := strings.Join(append(outcomes(first.items()), outcomes(second.items())...), ","); got != "success,invalid_credentials,success,challenge_pending" ||
		second.get("nextCursor") != nil {
		t.Fatalf("pages %s then %s", first.Raw, second.Raw)
	}

	// Who may look: admins within the target rules, not members; nobody else's via /v1/me.
	superID := call(t, super, "GET", "/v1/me", nil).str("user", "id")
	expect(t, call(t, otherMember, "GET", "/v1/users/"+id+"/login-events", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, platformAdmin, "GET", "/v1/users/"+superID+"/login-events", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, super, "GET", "/v1/users/"+strings.Repeat("b", 26)+"/login-events", nil), http.StatusNotFound, "not_found")
	if got := loginEvents(t, otherMember, "/v1/me/login-events"); len(got) != 2 {
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
	for _, try := range []map[string]string{
		{"loginAccount": account, "password": chosenPassword},
		{"loginAccount": account, "password": "not the password at all"},
		{"loginAccount": unique("nobody"), "password": chosenPassword},
	} {
		r := callFrom(t, ip, "", "POST", "/v1/auth/login", try)
		expect(t, r, http.StatusUnauthorized, "invalid_credentials")
		answers = append(answers, r.str("error", "message"))
	}
	if answers[0] != answers[1] || answers[1] != answers[2] {
		t.Fatalf("the answers differ: %q", answers)
	}
	events := loginEvents(t, super, "/v1/users/"+id+"/login-events?limit=2")
	if got := strings.Join(outcomes(events), ","); got != "frozen,frozen" || events[0]["sourceIp"] != ip {
		t.Fatalf("events %v", events)
	}
}

// A challenge answered for an account nobody holds gets what one answered for a real
// account with a bad session gets, after the same work (Cognito is asked for both).
func TestChallengeAnswersAlikeForUnknownAccounts(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	ip := newIP()
	var answers []string
	for _, login := range []string{account, unique("nobody")} {
		for _, body := range []map[string]string{
			{"loginAccount": login, "challenge": "SOFTWARE_TOKEN_MFA", "session": "a-session-nobody-was-given", "code": "123456"},
			{"loginAccount": login, "challenge": "NEW_PASSWORD_REQUIRED", "session": "a-session-nobody-was-given", "newPassword": "a brand new passphrase"},
		} {
			r := callFrom(t, ip, "", "POST", "/v1/auth/challenge", body)
			answers = append(answers, fmt.Sprintf("%d %s %s", r.Status, r.str("error", "code"), r.str("error", "message")))
		}
	}
	if answers[0] != answers[2] || answers[1] != answers[3] || !strings.HasPrefix(answers[0], "401 ") {
		t.Fatalf("answers for a real account, then an unknown one: %q", answers)
	}
}

func TestLoginFailuresAreLimited(t *testing.T) {
	t.Parallel()
	id, account, _ := newUser(t, superAdmin(t), "member")
	wrong := map[string]string{"loginAccount": account, "password": "not the password at all"}
	right := map[string]string{"loginAccount": account, "password": chosenPassword}

	// Per login account: a success clears the count...
	ip := newIP()
	for range 4 {
		expect(t, callFrom(t, ip, "", "POST", "/v1/auth/login", wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	expect(t, callFrom(t, ip, "", "POST", "/v1/auth/login", right), http.StatusOK, "")
	// ...and five failures in a row stop the next attempt, from anywhere, even with the
	// right password: Cognito is not asked.
	for range 5 {
		expect(t, callFrom(t, ip, "", "POST", "/v1/auth/login", wrong), http.StatusUnauthorized, "invalid_credentials")
	}
	for _, from := range []string{ip, newIP()} {
		r := callFrom(t, from, "", "POST", "/v1/auth/login", right)
		expect(t, r, http.StatusTooManyRequests, "rate_limited")
		wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || wait < 1 || wait > 15*60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}
	// The challenge route is held by the same limit.
	expect(t, callFrom(t, newIP(), "", "POST", "/v1/auth/challenge", map[string]string{
		"loginAccount": account, "session": "any", "challenge": "SOFTWARE_TOKEN_MFA", "code": "123456",
	}), http.StatusTooManyRequests, "rate_limited")
	// Case does not make another account.
	expect(t, callFrom(t, newIP(), "", "POST", "/v1/auth/login", map[string]string{"loginAccount": strings.ToUpper(account), "password": chosenPassword}),
		http.StatusTooManyRequests, "rate_limited")
	events := loginEvents(t, superAdmin(t), "/v1/users/"+id+"/login-events?limit=1")
	if len(events) != 1 || events[0]["outcome"] != "rate_limited" {
		t.Fatalf("latest event %v", events)
	}

	// Unknown login accounts are limited alike, so limits do not tell who exists.
	nobody := map[string]string{"loginAccount": unique("nobody"), "password": "not the password at all"}
	for range 5 {
		expect(t, callFrom(t, newIP(), "", "POST", "/v1/auth/login", nobody), http.StatusUnauthorized, "invalid_credentials")
	}
	expect(t, callFrom(t, newIP(), "", "POST", "/v1/auth/login", nobody), http.StatusTooManyRequests, "rate_limited")
}

func TestLogoutRevokesRefreshTokens(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	access, _, refresh := login(t, account, chosenPassword)
	_, _, otherDevice := login(t, account, chosenPassword)
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}), http.StatusOK, "")

	expect(t, call(t, "", "POST", "/v1/auth/logout", nil), http.StatusUnauthorized, "")
	r := call(t, access, "POST", "/v1/auth/logout", `{"everywhere": true}`)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.str("error", "fields", "everywhere") == "" {
		t.Fatalf("unknown field not named: %s", r.Raw)
	}
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}), http.StatusOK, "")

	expect(t, call(t, access, "POST", "/v1/auth/logout", nil), http.StatusNoContent, "")
	for _, token := range []string{refresh, otherDevice} {
		expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": token}), http.StatusUnauthorized, "unauthenticated")
	}
	// Signing in again works; a token the logout ended is refused by the logout too, as by
	// every other route.
	access, _, _ = login(t, account, chosenPassword)
	nextSecond()
	expect(t, call(t, access, "POST", "/v1/auth/logout", `{}`), http.StatusNoContent, "")
	expect(t, call(t, access, "POST", "/v1/auth/logout", nil), http.StatusUnauthorized, "unauthenticated")
}

func TestSignInRoutesNameEveryBadField(t *testing.T) {
	t.Parallel()
	_, _, token := newUser(t, superAdmin(t), "member")
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
			r := callFrom(t, newIP(), tt.token, tt.method, tt.path, tt.body)
			expectFields(t, r, tt.fields...)
		})
	}
	if got := call(t, token, "GET", "/v1/me", nil).get("user", "mfaEnabled"); got != false {
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
	payload, _ := json.Marshal(ev)
	resp, err := httpClient.Post(os.Getenv("ROSTER_GATEWAY_INVOKE_URL")+"/2015-03-31/functions/PostAuthenticationFunction/invocations",
		"application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var back map[string]any
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Function-Error") != "" || json.Unmarshal(body, &back) != nil || back["userName"] != userID {
		t.Fatalf("invoke answered %d %s", resp.StatusCode, body)
	}
}

func TestPostAuthenticationTriggerRecordsSignInsOutsideTheAPI(t *testing.T) {
	t.Parallel()
	super := superAdmin(t)
	id, _, _ := newUser(t, super, "member")
	path := "/v1/users/" + id + "/login-events"
	before := len(loginEvents(t, super, path))

	// Through Roster's own client the API has already recorded it: nothing more.
	postAuthentication(t, id, os.Getenv("ROSTER_USER_POOL_CLIENT_ID"))
	if got := loginEvents(t, super, path); len(got) != before {
		t.Fatalf("a sign-in through the API was recorded twice: %v", got)
	}

	// Through another app client (the hosted UI, say): recorded, and lastLoginAt moves.
	start := time.Now().Add(-time.Second)
	postAuthentication(t, id, "hosted-ui-client")
	events := loginEvents(t, super, path)
	if len(events) != before+1 {
		t.Fatalf("events %v", events)
	}
	e := events[0]
	if e["outcome"] != "success" || e["via"] != "cognito" || e["sourceIp"] != nil || e["userAgent"] != nil {
		t.Fatalf("trigger event %v", e)
	}
	last, err := time.Parse(time.RFC3339, call(t, super, "GET", "/v1/users/"+id, nil).str("user", "lastLoginAt"))
	if err != nil || last.Before(start) || call(t, super, "GET", "/v1/users/"+id, nil).str("user", "lastLoginAt") != e["time"] {
		t.Fatalf("lastLoginAt %v, event time %v", last, e["time"])
	}
}

// freeze freezes a user through the API, as the given admin.
func freeze(t *testing.T, adminTok, id string) {
	t.Helper()
	expect(t, call(t, adminTok, "POST", "/v1/users/"+id+"/freeze", nil), http.StatusOK, "")
}
