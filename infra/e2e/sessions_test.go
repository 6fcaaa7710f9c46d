package e2e

import (
	"net/http"
	"testing"
)

func TestEndedSessionsVoidEarlierAccessTokens(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	id, account, _ := newUser(t, root, "member")

	// A freeze: the old token is refused as frozen, and after the recovery it stays
	// refused (it was issued before the freeze); a new sign-in works.
	before := signIn(t, account, chosenPassword)
	nextSecond()
	expect(t, root.User(id).Freeze(t), http.StatusOK, "")
	expect(t, before.GetMe(t), http.StatusForbidden, "account_frozen")
	expect(t, before.Logout(t), http.StatusForbidden, "account_frozen")
	expect(t, root.User(id).Recover(t), http.StatusOK, "")
	expect(t, before.Logout(t), http.StatusUnauthorized, "unauthenticated")
	expect(t, before.GetMe(t), http.StatusUnauthorized, "unauthenticated")
	after := signIn(t, account, chosenPassword)
	expect(t, after.GetMe(t), http.StatusOK, "")

	// A logout voids the token it was made with, and every other one.
	other := signIn(t, account, chosenPassword)
	nextSecond()
	expect(t, after.Logout(t), http.StatusNoContent, "")
	for _, c := range []Client{after, other} {
		expect(t, c.GetMe(t), http.StatusUnauthorized, "unauthenticated")
	}
	fresh := signIn(t, account, chosenPassword)
	expect(t, fresh.GetMe(t), http.StatusOK, "")

	// An admin's password reset too.
	nextSecond()
	reset := ok(t, root.User(id).ResetPassword(t, nil), http.StatusOK)
	expect(t, fresh.GetMe(t), http.StatusUnauthorized, "unauthenticated")
	expect(t, firstLogin(t, account, reset.TemporaryPassword, "another passphrase of mine").GetMe(t), http.StatusOK, "")
}
