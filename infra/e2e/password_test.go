package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestForgotAndResetPassword(t *testing.T) {
	t.Parallel()
	account, email := registerMember(t)
	refresh := deref(login(t, account, selfPassword).RefreshToken)
	client := fromNewIP()
	before := len(mailsTo(t, email))

	expect(t, client.ForgotPassword(t, strings.ToUpper(account)), http.StatusAccepted, "")
	m := nthMailTo(t, email, before+1)
	if !strings.Contains(m.Subject, "password reset code") {
		t.Fatalf("reset mail subject %q", m.Subject)
	}
	code := codeIn(t, m)
	const newPassword = "my brand new reset passphrase"

	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"wrong code", map[string]string{"loginAccount": account, "code": wrongCode(code), "newPassword": newPassword}, []string{"code"}},
		{"weak password", map[string]string{"loginAccount": account, "code": code, "newPassword": "password1234"}, []string{"newPassword"}},
		{"password holds the login account", map[string]string{"loginAccount": account, "code": code, "newPassword": "xx" + account + "yy"}, []string{"newPassword"}},
		{"everything missing", map[string]string{}, []string{"loginAccount", "code", "newPassword"}},
		{"bad shapes", map[string]string{"loginAccount": "a b", "code": "abc", "newPassword": "short"}, []string{"loginAccount", "code", "newPassword"}},
	}
	for _, tt := range tests {
		r := client.Send(t, "POST", "/v1/auth/password/reset", tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if m := missing(r, tt.fields...); len(m) > 0 {
			t.Errorf("%s: fields %q missing: %s", tt.name, m, r.Raw)
		}
	}

	expect(t, client.ResetPassword(t, account, code, newPassword), http.StatusNoContent, "")
	// Every session ended with the reset; the old password is gone, the new one is
	// permanent, and the code is used up.
	anyone := Client{}
	expect(t, anyone.Refresh(t, refresh), http.StatusUnauthorized, "")
	expect(t, anyone.Login(t, account, selfPassword), http.StatusUnauthorized, "invalid_credentials")
	login(t, account, newPassword)
	expect(t, client.ResetPassword(t, account, code, "yet another good passphrase"), http.StatusBadRequest, "invalid_request")
}

// A reset replaces an admin-set temporary password with a permanent one: the next
// sign-in asks for nothing.
func TestResetReplacesTemporaryPassword(t *testing.T) {
	t.Parallel()
	email := newEmail("temp")
	account, _ := adminCreated(t, email)
	client := fromNewIP()
	before := len(mailsTo(t, email))
	expect(t, client.ForgotPassword(t, account), http.StatusAccepted, "")
	code := codeIn(t, nthMailTo(t, email, before+1))
	expect(t, client.ResetPassword(t, account, code, "chosen after forgetting it"), http.StatusNoContent, "")
	login(t, account, "chosen after forgetting it")
}

// Forgot-password answers alike for an account with an address, one without, and
// none at all, down to the byte and to the re-send rule; so does a reset attempt.
func TestForgotPasswordDoesNotTellAccounts(t *testing.T) {
	t.Parallel()
	withEmail, email := registerMember(t)
	_, withoutEmail, _ := newUser(t, superAdmin(t), "member")
	accounts := []string{withEmail, withoutEmail, unique("nobody")}
	client := fromNewIP()
	before := len(mailsTo(t, email))

	var first, again []Answer[Accepted]
	var resets []Answer[None]
	for _, account := range accounts {
		first = append(first, client.ForgotPassword(t, account))
		again = append(again, client.ForgotPassword(t, account))
		resets = append(resets, client.ResetPassword(t, account, "123456", "some good new passphrase"))
	}
	for i := range accounts {
		if first[i].Status != http.StatusAccepted || first[i].Raw != first[0].Raw {
			t.Errorf("first request for account %d: %d %s; account 0: %s", i, first[i].Status, first[i].Raw, first[0].Raw)
		}
		if again[i].Status != http.StatusTooManyRequests || again[i].Error.Code != "rate_limited" || again[i].Header.Get("Retry-After") == "" {
			t.Errorf("repeat for account %d: %d %s", i, again[i].Status, again[i].Raw)
		}
		if resets[i].Status != http.StatusBadRequest || withoutRequestID(resets[i]) != withoutRequestID(resets[0]) {
			t.Errorf("reset for account %d: %d %s; account 0: %s", i, resets[i].Status, resets[i].Raw, resets[0].Raw)
		}
	}
	// Only the account with an address got mail: exactly one code.
	nthMailTo(t, email, before+1)
	settle()
	if got := len(mailsTo(t, email)); got != before+1 {
		t.Fatalf("%d new emails to the account's address, want 1", got-before)
	}
}

// withoutRequestID is an error body with its request id blanked, for comparing
// two answers.
func withoutRequestID(a replied) string {
	r := a.reply()
	return strings.Replace(r.Raw, r.Error.RequestID, "", 1)
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	other := signIn(t, account, selfPassword)
	time.Sleep(1100 * time.Millisecond) // token times are whole seconds: the change's token is newer
	access := signIn(t, account, selfPassword)
	otherRefresh := deref(login(t, account, selfPassword).RefreshToken)
	const newPassword = "changed it on purpose today"

	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"wrong current password", map[string]string{"currentPassword": "not my password at all", "newPassword": newPassword}, []string{"currentPassword"}},
		{"weak new password", map[string]string{"currentPassword": selfPassword, "newPassword": "password1234"}, []string{"newPassword"}},
		{"same password", map[string]string{"currentPassword": selfPassword, "newPassword": selfPassword}, []string{"newPassword"}},
		{"nothing given", map[string]string{}, []string{"currentPassword", "newPassword"}},
		{"unknown field", map[string]string{"currentPassword": selfPassword, "newPassword": newPassword, "userId": "x"}, []string{"userId"}},
	}
	for _, tt := range tests {
		r := access.Send(t, "POST", "/v1/me/password", tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		if m := missing(r, tt.fields...); len(m) > 0 {
			t.Errorf("%s: fields %q missing: %s", tt.name, m, r.Raw)
		}
	}
	// None of those changed anything.
	login(t, account, selfPassword)

	anyone := Client{}
	expect(t, anyone.ChangePassword(t, selfPassword, newPassword), http.StatusUnauthorized, "")
	time.Sleep(1100 * time.Millisecond) // a session newer than the caller's
	newer := login(t, account, selfPassword)
	time.Sleep(1100 * time.Millisecond)
	changed := access.ChangePassword(t, selfPassword, newPassword)
	expect(t, changed, http.StatusOK, "")
	fresh, freshRefresh := changed.Body.AccessToken, deref(changed.Body.RefreshToken)
	if fresh == "" || freshRefresh == "" {
		t.Fatalf("the change answered no tokens: %s", changed.Raw)
	}

	// Every session is over, older and newer than the caller's and the caller's own; the
	// caller goes on with the tokens of the new password, which refresh.
	for _, c := range []Client{other, access, as(newer.AccessToken)} {
		expect(t, c.GetMe(t), http.StatusUnauthorized, "unauthenticated")
	}
	for _, token := range []string{otherRefresh, deref(newer.RefreshToken)} {
		expect(t, anyone.Refresh(t, token), http.StatusUnauthorized, "")
	}
	expect(t, as(fresh).GetMe(t), http.StatusOK, "")
	expect(t, anyone.Refresh(t, freshRefresh), http.StatusOK, "")
	expect(t, anyone.Login(t, account, selfPassword), http.StatusUnauthorized, "invalid_credentials")
	login(t, account, newPassword)

	// The new session can change the password again.
	expect(t, as(fresh).ChangePassword(t, newPassword, "and once more a new one"), http.StatusOK, "")
}

func TestChangePasswordGuessesAreLimited(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	access := signIn(t, account, selfPassword)
	for range 5 {
		expect(t, access.ChangePassword(t, "a wrong guess here", "whatever comes next"), http.StatusBadRequest, "invalid_request")
	}
	r := access.ChangePassword(t, selfPassword, "whatever comes next")
	expect(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

// With MFA on, the password change's new session begins with the MFA challenge, which
// login's challenge route completes.
func TestChangePasswordWithMFA(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	access := signIn(t, account, selfPassword)
	secret := bindTOTP(t, access)
	nextSecond()
	changed := access.ChangePassword(t, selfPassword, "a new one with a code")
	expect(t, changed, http.StatusOK, "")
	if changed.Body.Challenge != "SOFTWARE_TOKEN_MFA" || changed.Body.Session == "" || changed.Body.AccessToken != "" {
		t.Fatalf("the change answered %s", changed.Raw)
	}
	expect(t, access.GetMe(t), http.StatusUnauthorized, "unauthenticated")
	done := Client{}.Challenge(t, ChallengeAnswer{
		LoginAccount: account, Challenge: "SOFTWARE_TOKEN_MFA", Session: changed.Body.Session, Code: currentCode(t, secret)})
	expect(t, done, http.StatusOK, "")
	expect(t, as(done.Body.AccessToken).GetMe(t), http.StatusOK, "")
}
