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

// cookieMode is the header a console request carries.
var cookieMode = map[string]string{sessionHeader: "cookie"}

// with is headers plus more.
func with(headers map[string]string, more ...string) map[string]string {
	out := map[string]string{}
	for k, v := range headers {
		out[k] = v
	}
	for i := 0; i+1 < len(more); i += 2 {
		out[more[i]] = more[i+1]
	}
	return out
}

// sessionCookie reads the refresh cookie an answer sets, checking its attributes: it
// must be out of page scripts' reach, never sent by another site, sent only to the
// sign-in routes, and live as long as the refresh token. The value is "" when the
// answer removes the cookie.
func sessionCookie(t *testing.T, r response) (value string, removed bool) {
	t.Helper()
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
func noRefreshToken(t *testing.T, r response, setsCookie bool) {
	t.Helper()
	expect(t, r, http.StatusOK, "")
	if r.str("accessToken") == "" || r.str("idToken") == "" || r.get("expiresIn") == nil {
		t.Fatalf("no tokens: %s", r.Raw)
	}
	if _, present := r.Body["refreshToken"]; present {
		t.Fatalf("a cookie session's answer holds the refresh token: %s", r.Raw)
	}
	if got := len(r.Header.Values("Set-Cookie")); !setsCookie && got != 0 {
		t.Fatalf("Set-Cookie %q on an answer that keeps the cookie", r.Header.Values("Set-Cookie"))
	}
}

func cookieHeader(value string) string { return refreshCookie + "=" + value }

func TestCookieSessionSignIn(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	client := fromNewIP()
	creds := map[string]string{"loginAccount": account, "password": selfPassword}

	// Without the header nothing changes: the refresh token is in the JSON, no cookie.
	r := send(t, client, "", "POST", "/v1/auth/login", nil, creds)
	expect(t, r, http.StatusOK, "")
	if r.str("refreshToken") == "" || len(r.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("a sign-in without the header: %s, Set-Cookie %q", r.Raw, r.Header.Values("Set-Cookie"))
	}

	// With it, the refresh token is the cookie's only.
	r = send(t, client, "", "POST", "/v1/auth/login", cookieMode, creds)
	noRefreshToken(t, r, true)
	cookie, _ := sessionCookie(t, r)
	if strings.Contains(r.Raw, cookie) {
		t.Fatalf("the answer holds the cookie's token: %s", r.Raw)
	}
	first := r.str("accessToken")

	// Refresh reads the cookie, with {} or no body; the cookie stays as it is.
	for _, body := range []any{map[string]any{}, nil} {
		r = send(t, client, "", "POST", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(cookie)), body)
		noRefreshToken(t, r, false)
		if me := call(t, r.str("accessToken"), "GET", "/v1/me", nil); me.str("user", "loginAccount") != account {
			t.Fatalf("the refreshed token is not the account's: %s", me.Raw)
		}
	}
	// An Origin that is the API's own is a page of the console.
	r = send(t, client, "", "POST", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(cookie), "Origin", apiURL), map[string]any{})
	noRefreshToken(t, r, false)
	// The cookie's token is a refresh token like any other (an API client could hold it).
	r = send(t, client, "", "POST", "/v1/auth/refresh", nil, map[string]any{"refreshToken": cookie})
	expect(t, r, http.StatusOK, "")

	// Logout with the header removes the cookie, and the cookie's token is dead.
	r = send(t, client, first, "POST", "/v1/auth/logout", cookieMode, nil)
	expect(t, r, http.StatusNoContent, "")
	if _, removed := sessionCookie(t, r); !removed {
		t.Fatalf("logout kept the cookie: %q", r.Header.Values("Set-Cookie"))
	}
	r = send(t, client, "", "POST", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(cookie)), map[string]any{})
	expect(t, r, http.StatusUnauthorized, "unauthenticated")
}

// TestCookieSessionRefusals: every way a cookie session's request can be wrong.
func TestCookieSessionRefusals(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	client := fromNewIP()
	creds := map[string]string{"loginAccount": account, "password": selfPassword}
	r := send(t, client, "", "POST", "/v1/auth/login", cookieMode, creds)
	noRefreshToken(t, r, true)
	cookie, _ := sessionCookie(t, r)
	access := r.str("accessToken")
	withCookie := with(cookieMode, "Cookie", cookieHeader(cookie))

	tests := []struct {
		name    string
		token   string
		path    string
		headers map[string]string
		body    any
		status  int
		code    string
		field   string
	}{
		// CSRF: a page of another site can send neither the header nor, with it, its
		// own Origin; a refresh that would read the cookie without the header is refused.
		{"refresh from the cookie without the header", "", "/v1/auth/refresh", map[string]string{"Cookie": cookieHeader(cookie)}, map[string]any{}, 403, "forbidden", ""},
		{"refresh from another origin", "", "/v1/auth/refresh", with(withCookie, "Origin", "https://evil.example"), map[string]any{}, 403, "forbidden", ""},
		{"refresh from another scheme", "", "/v1/auth/refresh", with(withCookie, "Origin", strings.Replace(apiURL, "http://", "https://", 1)), map[string]any{}, 403, "forbidden", ""},
		{"refresh from an opaque origin", "", "/v1/auth/refresh", with(withCookie, "Origin", "null"), map[string]any{}, 403, "forbidden", ""},
		{"login from another origin", "", "/v1/auth/login", with(cookieMode, "Origin", "https://evil.example"), creds, 403, "forbidden", ""},
		{"logout from another origin", access, "/v1/auth/logout", with(cookieMode, "Origin", "https://evil.example"), nil, 403, "forbidden", ""},
		{"password change from another origin", access, "/v1/me/password", with(cookieMode, "Origin", "https://evil.example"),
			map[string]string{"currentPassword": selfPassword, "newPassword": "another passphrase of mine"}, 403, "forbidden", ""},
		// A missing or wrong cookie is a bad session, as a bad refresh token is.
		{"refresh without the cookie", "", "/v1/auth/refresh", cookieMode, map[string]any{}, 401, "unauthenticated", ""},
		{"refresh with an empty cookie", "", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader("")), map[string]any{}, 401, "unauthenticated", ""},
		{"refresh with a wrong cookie", "", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(cookie[:len(cookie)-4]+"AAAA")), map[string]any{}, 401, "unauthenticated", ""},
		{"refresh with another user's name in the cookie", "", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader("someoneelse"+cookie[strings.Index(cookie, "."):])), map[string]any{}, 401, "unauthenticated", ""},
		// The header's one value, and the body rules, still hold.
		{"another session mode", "", "/v1/auth/login", map[string]string{sessionHeader: "token"}, creds, 400, "invalid_request", sessionHeader},
		{"refresh without the header or a token", "", "/v1/auth/refresh", nil, map[string]any{}, 400, "invalid_request", "refreshToken"},
		{"refresh in a cookie session with an unknown field", "", "/v1/auth/refresh", withCookie, map[string]any{"cookie": cookie}, 400, "invalid_request", "cookie"},
	}
	for _, tt := range tests {
		r := send(t, client, tt.token, "POST", tt.path, tt.headers, tt.body)
		if r.Status != tt.status || r.str("error", "code") != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.Status, r.Raw, tt.status, tt.code)
			continue
		}
		if tt.field != "" && r.get("error", "fields", tt.field) == nil {
			t.Errorf("%s: fields.%s missing: %s", tt.name, tt.field, r.Raw)
		}
		if len(r.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: a refusal set a cookie: %q", tt.name, r.Header.Values("Set-Cookie"))
		}
	}
	// None of that ended the session.
	r = send(t, client, "", "POST", "/v1/auth/refresh", withCookie, map[string]any{})
	noRefreshToken(t, r, false)
}

// TestCookieSessionChallenges: a first sign-in's new password, and a password change,
// answer their tokens in a cookie session as login does; a frozen user's cookie
// refreshes nothing.
func TestCookieSessionChallenges(t *testing.T) {
	t.Parallel()
	account, temporary := adminCreated(t, newEmail("cookie"))
	client := fromNewIP()
	r := send(t, client, "", "POST", "/v1/auth/login", cookieMode, map[string]string{"loginAccount": account, "password": temporary})
	expect(t, r, http.StatusOK, "")
	if r.str("challenge") != "NEW_PASSWORD_REQUIRED" || len(r.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("first sign-in: %s, Set-Cookie %q", r.Raw, r.Header.Values("Set-Cookie"))
	}
	r = send(t, client, "", "POST", "/v1/auth/challenge", cookieMode, map[string]string{
		"loginAccount": account, "session": r.str("session"), "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": selfPassword,
	})
	noRefreshToken(t, r, true)
	first, _ := sessionCookie(t, r)

	// A password change ends every session, the cookie's too, and answers a new one.
	const changed = "a changed passphrase of mine"
	r = send(t, client, r.str("accessToken"), "POST", "/v1/me/password", cookieMode,
		map[string]string{"currentPassword": selfPassword, "newPassword": changed})
	noRefreshToken(t, r, true)
	second, _ := sessionCookie(t, r)
	if second == first {
		t.Fatal("the password change kept the old session's token")
	}
	expect(t, send(t, client, "", "POST", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(first)), map[string]any{}), http.StatusUnauthorized, "unauthenticated")
	r = send(t, client, "", "POST", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(second)), map[string]any{})
	noRefreshToken(t, r, false)

	// Frozen, the cookie refreshes nothing: a freeze revokes every refresh token.
	id := call(t, r.str("accessToken"), "GET", "/v1/me", nil).str("user", "id")
	freeze(t, superAdmin(t), id)
	expect(t, send(t, client, "", "POST", "/v1/auth/refresh", with(cookieMode, "Cookie", cookieHeader(second)), map[string]any{}), http.StatusUnauthorized, "unauthenticated")
}
