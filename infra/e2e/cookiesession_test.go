package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The console's cookie sessions (see internal/api/session.go): the routes that answer
// tokens keep the refresh token in an HttpOnly cookie when the request says
// X-Roster-Session: cookie, refresh reads it, logout clears it.

const (
	sessionHeader = "X-Roster-Session"
	refreshCookie = "roster_refresh"
	// refreshValidity is template.yaml's RefreshTokenValidity (30 days), which the
	// functions read from the pool's app client.
	refreshValidity = 30 * 24 * time.Hour
)

// cookieMode is c as the console calls: in a cookie session.
func cookieMode(c Client) Client { return c.with(sessionHeader, "cookie") }

// withCookie is c in a cookie session whose cookie holds value.
func withCookie(c Client, value string) Client {
	return cookieMode(c).with("Cookie", refreshCookie+"="+value)
}

// sessionCookie reads the refresh cookie an answer sets, checking its attributes: it
// must be out of page scripts' reach, never sent by another site, sent only to the
// sign-in routes, and live as long as the refresh token. The value is "" when the
// answer removes the cookie.
func sessionCookie(t *testing.T, a replied) (value string, removed bool) {
	t.Helper()
	r := a.reply()
	lines := r.Header.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("Set-Cookie %q, want one cookie; body %s", lines, r.Raw)
	}
	c, err := http.ParseSetCookie(lines[0])
	if err != nil {
		t.Fatalf("Set-Cookie %q: %v", lines[0], err)
	}
	if c.Name != refreshCookie || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/v1/auth" {
		t.Fatalf("Set-Cookie %q: want %s, HttpOnly, Secure, SameSite=Strict, Path=/v1/auth", lines[0], refreshCookie)
	}
	if c.MaxAge < 0 || strings.Contains(lines[0], "Max-Age=0") {
		if c.Value != "" {
			t.Fatalf("a removal that keeps a value: %q", lines[0])
		}
		return "", true
	}
	if c.MaxAge != int(refreshValidity/time.Second) || c.Value == "" {
		t.Fatalf("Set-Cookie %q: want a value and Max-Age=%d", lines[0], int(refreshValidity/time.Second))
	}
	return c.Value, false
}

// noRefreshToken fails unless a tokens answer has access and ID tokens and no refresh
// token, and sets no cookie unless setsCookie.
func noRefreshToken(t *testing.T, r Answer[SignIn], setsCookie bool) {
	t.Helper()
	expect(t, r, http.StatusOK, "")
	if r.Body.AccessToken == "" || r.Body.IDToken == "" || r.Body.ExpiresIn == nil {
		t.Fatalf("no tokens: %s", r.Raw)
	}
	if r.Body.RefreshToken != nil {
		t.Fatalf("a cookie session's answer holds the refresh token: %s", r.Raw)
	}
	if got := len(r.Header.Values("Set-Cookie")); !setsCookie && got != 0 {
		t.Fatalf("Set-Cookie %q on an answer that keeps the cookie", r.Header.Values("Set-Cookie"))
	}
}

func TestCookieSessionSignIn(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	client := fromNewIP()

	// Without the header nothing changes: the refresh token is in the JSON, no cookie.
	r := client.Login(t, account, selfPassword)
	expect(t, r, http.StatusOK, "")
	if deref(r.Body.RefreshToken) == "" || len(r.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("a sign-in without the header: %s, Set-Cookie %q", r.Raw, r.Header.Values("Set-Cookie"))
	}

	// With it, the refresh token is the cookie's only.
	r = cookieMode(client).Login(t, account, selfPassword)
	noRefreshToken(t, r, true)
	cookie, _ := sessionCookie(t, r)
	if strings.Contains(r.Raw, cookie) {
		t.Fatalf("the answer holds the cookie's token: %s", r.Raw)
	}
	first := r.Body.AccessToken

	// Refresh reads the cookie, with {} or no body; the cookie stays as it is.
	for _, refresh := range []func() Answer[SignIn]{
		func() Answer[SignIn] { return withCookie(client, cookie).Refresh(t, "") },
		func() Answer[SignIn] {
			return send[SignIn](t, withCookie(client, cookie), "POST", "/v1/auth/refresh", nil)
		},
	} {
		r = refresh()
		noRefreshToken(t, r, false)
		if me := as(r.Body.AccessToken).GetMe(t); me.Body.User.LoginAccount != account {
			t.Fatalf("the refreshed token is not the account's: %s", me.Raw)
		}
	}
	// An Origin that is the API's own is a page of the console.
	r = withCookie(client, cookie).with("Origin", apiURL).Refresh(t, "")
	noRefreshToken(t, r, false)
	// The cookie's token is a refresh token like any other (an API client could hold it).
	expect(t, client.Refresh(t, cookie), http.StatusOK, "")

	// Logout with the header removes the cookie, and the cookie's token is dead.
	out := cookieMode(client.withToken(first)).Logout(t)
	expect(t, out, http.StatusNoContent, "")
	if _, removed := sessionCookie(t, out); !removed {
		t.Fatalf("logout kept the cookie: %q", out.Header.Values("Set-Cookie"))
	}
	expect(t, withCookie(client, cookie).Refresh(t, ""), http.StatusUnauthorized, "unauthenticated")
}

// TestCookieSessionRefusals: every way a cookie session's request can be wrong.
func TestCookieSessionRefusals(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	client := fromNewIP()
	creds := map[string]string{"loginAccount": account, "password": selfPassword}
	r := cookieMode(client).Login(t, account, selfPassword)
	noRefreshToken(t, r, true)
	cookie, _ := sessionCookie(t, r)
	access := r.Body.AccessToken
	evil := []string{"Origin", "https://evil.example"}

	tests := []struct {
		name   string
		client Client
		path   string
		body   any
		status int
		code   string
		field  string
	}{
		// CSRF: a page of another site can send neither the header nor, with it, its
		// own Origin; a refresh that would read the cookie without the header is refused.
		{"refresh from the cookie without the header", client.with("Cookie", refreshCookie+"="+cookie), "/v1/auth/refresh", map[string]any{}, 403, "forbidden", ""},
		{"refresh from another origin", withCookie(client, cookie).with(evil...), "/v1/auth/refresh", map[string]any{}, 403, "forbidden", ""},
		{"refresh from another scheme", withCookie(client, cookie).with("Origin", strings.Replace(apiURL, "http://", "https://", 1)), "/v1/auth/refresh", map[string]any{}, 403, "forbidden", ""},
		{"refresh from an opaque origin", withCookie(client, cookie).with("Origin", "null"), "/v1/auth/refresh", map[string]any{}, 403, "forbidden", ""},
		{"login from another origin", cookieMode(client).with(evil...), "/v1/auth/login", creds, 403, "forbidden", ""},
		{"logout from another origin", cookieMode(client.withToken(access)).with(evil...), "/v1/auth/logout", nil, 403, "forbidden", ""},
		{"password change from another origin", cookieMode(client.withToken(access)).with(evil...), "/v1/me/password",
			map[string]string{"currentPassword": selfPassword, "newPassword": "another passphrase of mine"}, 403, "forbidden", ""},
		// A missing or wrong cookie is a bad session, as a bad refresh token is.
		{"refresh without the cookie", cookieMode(client), "/v1/auth/refresh", map[string]any{}, 401, "unauthenticated", ""},
		{"refresh with an empty cookie", withCookie(client, ""), "/v1/auth/refresh", map[string]any{}, 401, "unauthenticated", ""},
		{"refresh with a wrong cookie", withCookie(client, cookie[:len(cookie)-4]+"AAAA"), "/v1/auth/refresh", map[string]any{}, 401, "unauthenticated", ""},
		{"refresh with another user's name in the cookie", withCookie(client, "someoneelse"+cookie[strings.Index(cookie, "."):]), "/v1/auth/refresh", map[string]any{}, 401, "unauthenticated", ""},
		// The header's one value, and the body rules, still hold.
		{"another session mode", client.with(sessionHeader, "token"), "/v1/auth/login", creds, 400, "invalid_request", sessionHeader},
		{"refresh without the header or a token", client, "/v1/auth/refresh", map[string]any{}, 400, "invalid_request", "refreshToken"},
		{"refresh in a cookie session with an unknown field", withCookie(client, cookie), "/v1/auth/refresh", map[string]any{"cookie": cookie}, 400, "invalid_request", "cookie"},
	}
	for _, tt := range tests {
		r := tt.client.Send(t, "POST", tt.path, tt.body)
		if r.Status != tt.status || r.Error.Code != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.Status, r.Raw, tt.status, tt.code)
			continue
		}
		if tt.field != "" && !named(r, tt.field) {
			t.Errorf("%s: fields.%s missing: %s", tt.name, tt.field, r.Raw)
		}
		if len(r.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: a refusal set a cookie: %q", tt.name, r.Header.Values("Set-Cookie"))
		}
	}
	// None of that ended the session.
	noRefreshToken(t, withCookie(client, cookie).Refresh(t, ""), false)
}

// TestCookieSessionChallenges: a first sign-in's new password, and a password change,
// answer their tokens in a cookie session as login does; a frozen user's cookie
// refreshes nothing.
func TestCookieSessionChallenges(t *testing.T) {
	t.Parallel()
	account, temporary := adminCreated(t, newEmail("cookie"))
	client := fromNewIP()
	r := cookieMode(client).Login(t, account, temporary)
	expect(t, r, http.StatusOK, "")
	if r.Body.Challenge != "NEW_PASSWORD_REQUIRED" || len(r.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("first sign-in: %s, Set-Cookie %q", r.Raw, r.Header.Values("Set-Cookie"))
	}
	r = cookieMode(client).Challenge(t, ChallengeAnswer{
		LoginAccount: account, Session: r.Body.Session, Challenge: "NEW_PASSWORD_REQUIRED", NewPassword: selfPassword,
	})
	noRefreshToken(t, r, true)
	first, _ := sessionCookie(t, r)

	// A password change ends every session, the cookie's too, and answers a new one.
	const changed = "a changed passphrase of mine"
	r = cookieMode(client.withToken(r.Body.AccessToken)).ChangePassword(t, selfPassword, changed)
	noRefreshToken(t, r, true)
	second, _ := sessionCookie(t, r)
	if second == first {
		t.Fatal("the password change kept the old session's token")
	}
	expect(t, withCookie(client, first).Refresh(t, ""), http.StatusUnauthorized, "unauthenticated")
	r = withCookie(client, second).Refresh(t, "")
	noRefreshToken(t, r, false)

	// Frozen, the cookie refreshes nothing: a freeze revokes every refresh token.
	freeze(t, superAdmin(t), selfID(t, as(r.Body.AccessToken)))
	expect(t, withCookie(client, second).Refresh(t, ""), http.StatusUnauthorized, "unauthenticated")
}
