package e2e

import (
	"net/http"
	"testing"
	"time"
)

// nextSecond waits until the clock has moved into a new second: token times have whole
// seconds, and a token of the very second sessions end is let through.
func nextSecond() { time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) }

func TestEndedSessionsVoidEarlierAccessTokens(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	id, account, _ := newUser(t, root, "member")
	me := func(token string) response { return call(t, token, "GET", "/v1/me", nil) }

	// A freeze: the old token is refused as frozen, and after the recovery it stays
	// refused (it was issued before the freeze); a new sign-in works.
	before, _, _ := login(t, account, chosenPassword)
	nextSecond()
	expect(t, call(t, root, "POST", "/v1/users/"+id+"/freeze", nil), http.StatusOK, "")
	expect(t, me(before), http.StatusForbidden, "account_frozen")
	expect(t, call(t, before, "POST", "/v1/auth/logout", nil), http.StatusForbidden, "account_frozen")
	expect(t, call(t, root, "POST", "/v1/users/"+id+"/recover", nil), http.StatusOK, "")
	expect(t, call(t, before, "POST", "/v1/auth/logout", nil), http.StatusUnauthorized, "unauthenticated")
	expect(t, me(before), http.StatusUnauthorized, "unauthenticated")
	after, _, _ := login(t, account, chosenPassword)
	expect(t, me(after), http.StatusOK, "")

	// A logout voids the token it was made with, and every other one.
	other, _, _ := login(t, account, chosenPassword)
	nextSecond()
	expect(t, call(t, after, "POST", "/v1/auth/logout", nil), http.StatusNoContent, "")
	for _, token := range []string{after, other} {
		expect(t, me(token), http.StatusUnauthorized, "unauthenticated")
	}
	fresh, _, _ := login(t, account, chosenPassword)
	expect(t, me(fresh), http.StatusOK, "")

	// An admin's password reset too.
	nextSecond()
	r := call(t, root, "POST", "/v1/users/"+id+"/password-reset", nil)
	expect(t, r, http.StatusOK, "")
	expect(t, me(fresh), http.StatusUnauthorized, "unauthenticated")
	expect(t, me(firstLogin(t, account, r.str("temporaryPassword"), "another passphrase of mine")), http.StatusOK, "")
}
