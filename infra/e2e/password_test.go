package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// forgot asks for a reset code for account from client.
func forgot(t *testing.T, client *http.Client, account string) response {
	t.Helper()
	return callWith(t, client, "", "POST", "/v1/auth/password/forgot", map[string]string{"loginAccount": account})
}

func reset(t *testing.T, client *http.Client, account, code, password string) response {
	t.Helper()
	return callWith(t, client, "", "POST", "/v1/auth/password/reset", map[string]string{
		"loginAccount": account, "code": code, "newPassword": password,
	})
}

// adminCreated makes a member with an email address and a temporary password it
// has never used, and answers its login account and that password. Its address
// has never been sent a registration code.
func adminCreated(t *testing.T, email string) (account, temporary string) {
	t.Helper()
	account = unique("adm")
	r := call(t, superAdmin(t), "POST", "/v1/users", map[string]any{
		"username": "Created_" + account, "loginAccount": account, "accountType": "member",
		"email": email, "password": map[string]any{"generate": true},
	})
	expect(t, r, http.StatusCreated, "")
	return account, r.str("temporaryPassword")
}

func TestForgotAndResetPassword(t *testing.T) {
	t.Parallel()
	account, email := registerMember(t)
	_, _, refresh := login(t, account, selfPassword)
	client := fromNewIP()
	before := len(mailsTo(t, email))

	expect(t, forgot(t, client, strings.ToUpper(account)), http.StatusAccepted, "")
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
		r := callWith(t, client, "", "POST", "/v1/auth/password/reset", tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		for _, f := range tt.fields {
			if r.get("error", "fields", f) == nil {
				t.Errorf("%s: fields.%s missing: %s", tt.name, f, r.Raw)
			}
		}
	}

	expect(t, reset(t, client, account, code, newPassword), http.StatusNoContent, "")
	// Every session ended with the reset; the old password is gone, the new one is
	// permanent, and the code is used up.
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh}), http.StatusUnauthorized, "")
	expect(t, call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": selfPassword}), http.StatusUnauthorized, "invalid_credentials")
	login(t, account, newPassword)
	expect(t, reset(t, client, account, code, "yet another good passphrase"), http.StatusBadRequest, "invalid_request")
}

// A reset replaces an admin-set temporary password with a permanent one: the next
// sign-in asks for nothing.
func TestResetReplacesTemporaryPassword(t *testing.T) {
	t.Parallel()
	email := newEmail("temp")
	account, _ := adminCreated(t, email)
	client := fromNewIP()
	before := len(mailsTo(t, email))
	expect(t, forgot(t, client, account), http.StatusAccepted, "")
	code := codeIn(t, nthMailTo(t, email, before+1))
	expect(t, reset(t, client, account, code, "chosen after forgetting it"), http.StatusNoContent, "")
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

	var first, again, resets []response
	for _, account := range accounts {
		first = append(first, forgot(t, client, account))
		again = append(again, forgot(t, client, account))
		resets = append(resets, reset(t, client, account, "123456", "some good new passphrase"))
	}
	for i := range accounts {
		if first[i].Status != http.StatusAccepted || first[i].Raw != first[0].Raw {
			t.Errorf("first request for account %d: %d %s; account 0: %s", i, first[i].Status, first[i].Raw, first[0].Raw)
		}
		if again[i].Status != http.StatusTooManyRequests || again[i].str("error", "code") != "rate_limited" || again[i].Header.Get("Retry-After") == "" {
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
func withoutRequestID(r response) string {
	return strings.Replace(r.Raw, r.str("error", "requestId"), "", 1)
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	otherAccess, _, _ := login(t, account, selfPassword)
	time.Sleep(1100 * time.Millisecond) // token times are whole seconds: the change's token is newer
	access, _, _ := login(t, account, selfPassword)
	_, _, otherRefresh := login(t, account, selfPassword)
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
		r := call(t, access, "POST", "/v1/me/password", tt.body)
		expect(t, r, http.StatusBadRequest, "invalid_request")
		for _, f := range tt.fields {
			if r.get("error", "fields", f) == nil {
				t.Errorf("%s: fields.%s missing: %s", tt.name, f, r.Raw)
			}
		}
	}
	// None of those changed anything.
	login(t, account, selfPassword)

	expect(t, call(t, "", "POST", "/v1/me/password", map[string]string{"currentPassword": selfPassword, "newPassword": newPassword}), http.StatusUnauthorized, "")
	time.Sleep(1100 * time.Millisecond) // a session newer than the caller's
	newerAccess, _, newerRefresh := login(t, account, selfPassword)
	time.Sleep(1100 * time.Millisecond)
	changed := call(t, access, "POST", "/v1/me/password", map[string]string{"currentPassword": selfPassword, "newPassword": newPassword})
	expect(t, changed, http.StatusOK, "")
	fresh, freshRefresh := changed.str("accessToken"), changed.str("refreshToken")
	if fresh == "" || freshRefresh == "" {
		t.Fatalf("the change answered no tokens: %s", changed.Raw)
	}

	// Every session is over, older and newer than the caller's and the caller's own; the
	// caller goes on with the tokens of the new password, which refresh.
	for _, token := range []string{otherAccess, access, newerAccess} {
		expect(t, call(t, token, "GET", "/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	}
	for _, token := range []string{otherRefresh, newerRefresh} {
		expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": token}), http.StatusUnauthorized, "")
	}
	expect(t, call(t, fresh, "GET", "/v1/me", nil), http.StatusOK, "")
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": freshRefresh}), http.StatusOK, "")
	expect(t, call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": selfPassword}), http.StatusUnauthorized, "invalid_credentials")
	login(t, account, newPassword)

	// The new session can change the password again.
	r := call(t, fresh, "POST", "/v1/me/password", map[string]string{"currentPassword": newPassword, "newPassword": "and once more a new one"})
	expect(t, r, http.StatusOK, "")
}

func TestChangePasswordGuessesAreLimited(t *testing.T) {
	t.Parallel()
	account, _ := registerMember(t)
	access, _, _ := login(t, account, selfPassword)
	guess := map[string]string{"currentPassword": "a wrong guess here", "newPassword": "whatever comes next"}
	for range 5 {
		expect(t, call(t, access, "POST", "/v1/me/password", guess), http.StatusBadRequest, "invalid_request")
	}
	r := call(t, access, "POST", "/v1/me/password", map[string]string{"currentPassword": selfPassword, "newPassword": "whatever comes next"})
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
	access, _, _ := login(t, account, selfPassword)
	secret := bindTOTP(t, access)
	nextSecond()
	changed := call(t, access, "POST", "/v1/me/password", map[string]string{"currentPassword": selfPassword, "newPassword": "a new one with a code"})
	expect(t, changed, http.StatusOK, "")
	if changed.str("challenge") != "SOFTWARE_TOKEN_MFA" || changed.str("session") == "" || changed.str("accessToken") != "" {
		t.Fatalf("the change answered %s", changed.Raw)
	}
	expect(t, call(t, access, "GET", "/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	done := call(t, "", "POST", "/v1/auth/challenge", map[string]string{
		"loginAccount": account, "challenge": "SOFTWARE_TOKEN_MFA", "session": changed.str("session"), "code": currentCode(t, secret)})
	expect(t, done, http.StatusOK, "")
	expect(t, call(t, done.str("accessToken"), "GET", "/v1/me", nil), http.StatusOK, "")
}
