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

	me := call(t, root, "GET", "/v1/me", nil)
	expect(t, me, http.StatusOK, "")
	if me.str("user", "accountType") != "super_admin" || me.str("user", "loginAccount") != adminLogin {
		t.Fatalf("super admin's /v1/me = %s", me.Raw)
	}
	if me.get("user", "lastLoginAt") == nil {
		t.Fatalf("lastLoginAt not set after sign-in: %s", me.Raw)
	}

	// The super admin creates a platform admin.
	_, _, platformAdmin := newUser(t, root, "platform_admin")

	// It creates a member with a generated password, emailed to the member.
	memberLogin := unique("member")
	email := memberLogin + "@example.com"
	created := call(t, root, "POST", "/v1/users", map[string]any{
		"username": "张三丰", "loginAccount": memberLogin, "accountType": "member", "email": email,
		"mobile": "+8613800138000", "password": map[string]any{"generate": true}, "notify": true,
	})
	expect(t, created, http.StatusCreated, "")
	temporary := created.str("temporaryPassword")
	if len(temporary) < 12 || created.get("notified") != true {
		t.Fatalf("create answered %s", created.Raw)
	}
	for field, want := range map[string]string{"username": "张三丰", "loginAccount": memberLogin, "email": email,
		"accountType": "member", "status": "active", "mobile": "+8613800138000"} {
		if got := created.str("user", field); got != want {
			t.Errorf("user.%s = %q, want %q", field, got, want)
		}
	}
	if created.get("user", "lastLoginAt") != nil || created.get("user", "emailVerified") != false {
		t.Errorf("new user = %s", created.Raw)
	}
	sent := mailTo(t, email)
	if !strings.Contains(sent.Text, temporary) || !strings.Contains(sent.HTML, temporary) || !strings.Contains(sent.Text, memberLogin) {
		t.Fatalf("password email does not carry the login account and password: %+v", sent)
	}

	// The member's first sign-in asks for a new password, which must follow the policy.
	r := call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": strings.ToUpper(memberLogin), "password": temporary})
	expect(t, r, http.StatusOK, "")
	if r.str("challenge") != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("first login = %s", r.Raw)
	}
	weak := call(t, "", "POST", "/v1/auth/challenge", map[string]string{
		"loginAccount": memberLogin, "session": r.str("session"), "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": "password1234",
	})
	expect(t, weak, http.StatusBadRequest, "invalid_request")
	if weak.str("error", "fields", "newPassword") == "" {
		t.Fatalf("common password not named: %s", weak.Raw)
	}
	memberToken := firstLogin(t, memberLogin, temporary, "my own long passphrase")

	me = call(t, memberToken, "GET", "/v1/me", nil)
	expect(t, me, http.StatusOK, "")
	if me.str("user", "loginAccount") != memberLogin || me.str("user", "accountType") != "member" {
		t.Fatalf("member's /v1/me = %s", me.Raw)
	}
	if teams, ok := me.get("teams").([]any); !ok || len(teams) != 0 {
		t.Fatalf("teams = %v, want []", me.get("teams"))
	}

	// Members have no platform powers.
	expect(t, call(t, memberToken, "GET", "/v1/users", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, memberToken, "GET", "/v1/users/"+created.str("user", "id"), nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, memberToken, "POST", "/v1/users", map[string]any{
		"username": "x" + memberLogin, "loginAccount": "x" + memberLogin, "accountType": "member", "password": map[string]any{"generate": true},
	}), http.StatusForbidden, "forbidden")

	// A platform admin creates members only.
	expect(t, call(t, platformAdmin, "POST", "/v1/users", map[string]any{
		"username": "Another_admin", "loginAccount": unique("pa"), "accountType": "platform_admin", "password": map[string]any{"generate": true},
	}), http.StatusForbidden, "forbidden")
	_, _, _ = newUser(t, platformAdmin, "member")

	// Login accounts are unique ignoring case; the email is unique too.
	dup := call(t, platformAdmin, "POST", "/v1/users", map[string]any{
		"username": "Copy", "loginAccount": strings.ToUpper(memberLogin), "accountType": "member", "password": map[string]any{"generate": true},
	})
	expect(t, dup, http.StatusConflict, "login_account_taken")
	dupEmail := call(t, platformAdmin, "POST", "/v1/users", map[string]any{
		"username": "Copy", "loginAccount": unique("copy"), "email": strings.ToUpper(email), "accountType": "member",
		"password": map[string]any{"generate": true},
	})
	expect(t, dupEmail, http.StatusConflict, "email_taken")

	// The admin sees the member with GET /v1/users/{id}.
	got := call(t, platformAdmin, "GET", "/v1/users/"+created.str("user", "id"), nil)
	expect(t, got, http.StatusOK, "")
	if got.str("user", "loginAccount") != memberLogin || got.get("user", "lastLoginAt") == nil {
		t.Fatalf("GET /v1/users/{id} = %s", got.Raw)
	}
	if m, ok := got.get("memberships").([]any); !ok || len(m) != 0 {
		t.Fatalf("memberships = %v", got.get("memberships"))
	}
}
