package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestFirstSlice walks the foundation's story end to end through the gateway with
// the real function binaries, Cognito and SES emulators and DynamoDB Local.
func TestFirstSlice(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)

	me := root.GetMe(t)
	expect(t, me, http.StatusOK, "")
	if me.Body.User.AccountType != "super_admin" || me.Body.User.LoginAccount != adminLogin {
		t.Fatalf("super admin's /v1/me = %s", me.Raw)
	}
	if me.Body.User.LastLoginAt == nil {
		t.Fatalf("lastLoginAt not set after sign-in: %s", me.Raw)
	}

	// The super admin creates a platform admin.
	_, _, platformAdmin := newUser(t, root, "platform_admin")

	// It creates a member with a generated password, emailed to the member.
	memberLogin := unique("member")
	email := memberLogin + "@example.com"
	created := root.CreateUser(t, NewUser{
		Username: "张三丰", LoginAccount: memberLogin, AccountType: "member", Email: email,
		Mobile: "+8613800138000", Password: generated, Notify: true,
	})
	expect(t, created, http.StatusCreated, "")
	temporary := created.Body.TemporaryPassword
	if len(temporary) < 12 || !created.Body.Notified {
		t.Fatalf("create answered %s", created.Raw)
	}
	u := created.Body.User
	for field, got := range map[string][2]string{"username": {u.Username, "张三丰"}, "loginAccount": {u.LoginAccount, memberLogin},
		"email": {deref(u.Email), email}, "accountType": {u.AccountType, "member"}, "status": {u.Status, "active"},
		"mobile": {deref(u.Mobile), "+8613800138000"}} {
		if got[0] != got[1] {
			t.Errorf("user.%s = %q, want %q", field, got[0], got[1])
		}
	}
	if u.LastLoginAt != nil || u.EmailVerified {
		t.Errorf("new user = %s", created.Raw)
	}
	sent := mailTo(t, email)
	if !strings.Contains(sent.Text, temporary) || !strings.Contains(sent.HTML, temporary) || !strings.Contains(sent.Text, memberLogin) {
		t.Fatalf("password email does not carry the login account and password: %+v", sent)
	}

	// The member's first sign-in asks for a new password, which must follow the policy.
	r := Client{}.Login(t, strings.ToUpper(memberLogin), temporary)
	expect(t, r, http.StatusOK, "")
	if r.Body.Challenge != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("first login = %s", r.Raw)
	}
	weak := Client{}.Challenge(t, ChallengeAnswer{
		LoginAccount: memberLogin, Session: r.Body.Session, Challenge: "NEW_PASSWORD_REQUIRED", NewPassword: "password1234",
	})
	expect(t, weak, http.StatusBadRequest, "invalid_request")
	if weak.Error.Fields["newPassword"] == "" {
		t.Fatalf("common password not named: %s", weak.Raw)
	}
	memberClient := firstLogin(t, memberLogin, temporary, "my own long passphrase")

	me = memberClient.GetMe(t)
	expect(t, me, http.StatusOK, "")
	if me.Body.User.LoginAccount != memberLogin || me.Body.User.AccountType != "member" {
		t.Fatalf("member's /v1/me = %s", me.Raw)
	}
	if len(me.Body.Teams) != 0 {
		t.Fatalf("teams = %+v, want []", me.Body.Teams)
	}

	// Members have no platform powers.
	expect(t, memberClient.ListUsers(t, nil), http.StatusForbidden, "forbidden")
	expect(t, memberClient.User(u.ID).Get(t), http.StatusForbidden, "forbidden")
	expect(t, memberClient.CreateUser(t, NewUser{
		Username: "x" + memberLogin, LoginAccount: "x" + memberLogin, AccountType: "member", Password: generated,
	}), http.StatusForbidden, "forbidden")

	// A platform admin creates members only.
	expect(t, platformAdmin.CreateUser(t, NewUser{
		Username: "Another_admin", LoginAccount: unique("pa"), AccountType: "platform_admin", Password: generated,
	}), http.StatusForbidden, "forbidden")
	_, _, _ = newUser(t, platformAdmin, "member")

	// Login accounts are unique ignoring case; the email is unique too.
	expect(t, platformAdmin.CreateUser(t, NewUser{
		Username: "Copy", LoginAccount: strings.ToUpper(memberLogin), AccountType: "member", Password: generated,
	}), http.StatusConflict, "login_account_taken")
	expect(t, platformAdmin.CreateUser(t, NewUser{
		Username: "Copy", LoginAccount: unique("copy"), Email: strings.ToUpper(email), AccountType: "member", Password: generated,
	}), http.StatusConflict, "email_taken")

	// The admin sees the member with GET /v1/users/{id}.
	got := platformAdmin.User(u.ID).Get(t)
	expect(t, got, http.StatusOK, "")
	if got.Body.User.LoginAccount != memberLogin || got.Body.User.LastLoginAt == nil {
		t.Fatalf("GET /v1/users/{id} = %s", got.Raw)
	}
	if got.Body.Memberships == nil || len(got.Body.Memberships) != 0 {
		t.Fatalf("memberships = %+v", got.Body.Memberships)
	}
}
