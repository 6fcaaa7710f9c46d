package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// bootstrapped is BootstrapAdminFunction's result (internal/bootstrap's Output).
type bootstrapped struct {
	Created           bool    `json:"created"`
	Repaired          *bool   `json:"repaired,omitempty"`
	UserID            string  `json:"userId,omitempty"`
	LoginAccount      string  `json:"loginAccount,omitempty"`
	TemporaryPassword *string `json:"temporaryPassword,omitempty"`
	Message           string  `json:"message"`
}

// invokeBootstrap calls BootstrapAdminFunction as an operator does with `aws lambda
// invoke`.
func invokeBootstrap(t *testing.T, payload map[string]any) (int, bootstrapped, functionError) {
	t.Helper()
	var out bootstrapped
	status, failed := invoke(t, "BootstrapAdminFunction", payload, &out)
	return status, out, failed
}

// The stack bootstrapped the super admin when it started; another run, even with a new
// login account, changes nothing and says so.
func TestBootstrapRunsOnce(t *testing.T) {
	t.Parallel()
	login := unique("second-root")
	status, out, _ := invokeBootstrap(t, map[string]any{"loginAccount": login, "username": "Second_root", "email": login + "@example.com"})
	if status != http.StatusOK || out.Created || out.Message == "" {
		t.Fatalf("second bootstrap = %d %+v, want 200 created:false with a message", status, out)
	}
	if out.TemporaryPassword != nil {
		t.Fatalf("second bootstrap hands out a password: %+v", out)
	}
	// Nothing was written: the login account is unknown, and the one super admin stands.
	expect(t, Client{}.Login(t, login, "whatever password 1"), http.StatusUnauthorized, "invalid_credentials")
	supers := all(t, superAdmin(t).ListUsers, url.Values{"accountType": {"super_admin"}}, 10)
	if len(supers) != 1 || supers[0].LoginAccount != adminLogin {
		t.Fatalf("super admins = %v, want only %s", logins(supers), adminLogin)
	}

	// A payload that breaks the field rules is refused with every bad field named.
	status, _, failed := invokeBootstrap(t, map[string]any{"loginAccount": "a b", "username": ""})
	if status != http.StatusBadRequest || !strings.Contains(failed.ErrorMessage, "loginAccount") || !strings.Contains(failed.ErrorMessage, "username") {
		t.Fatalf("bad payload = %d %+v, want a function error naming loginAccount and username", status, failed)
	}
}

// The super admin's own access token can delete its sign-in account at Cognito, and
// nobody may reset the super admin's password: running the bootstrap again makes the
// account again. Not parallel: the super admin cannot sign in while it runs.
func TestBootstrapRepairsTheSuperAdmin(t *testing.T) {
	token := login(t, adminLogin, adminPassword).AccessToken
	id := selfID(t, as(token))
	if _, err := cognitoPool(t).DeleteUser(context.Background(), &cip.DeleteUserInput{AccessToken: &token}); err != nil {
		t.Fatal(err)
	}
	expect(t, fromNewIP().Login(t, adminLogin, adminPassword), http.StatusUnauthorized, "invalid_credentials")

	status, out, _ := invokeBootstrap(t, map[string]any{"loginAccount": unique("other"), "username": "Other_root", "password": adminPassword})
	if status != http.StatusOK || out.Created || !deref(out.Repaired) || out.UserID != id || out.LoginAccount != adminLogin {
		t.Fatalf("bootstrap after the account was deleted = %d %+v, want it repaired", status, out)
	}
	if out.TemporaryPassword != nil {
		t.Fatalf("a repair with a password hands out another: %+v", out)
	}
	login(t, adminLogin, adminPassword)
	// With the account there, a run changes nothing again.
	if status, out, _ := invokeBootstrap(t, map[string]any{"loginAccount": adminLogin, "username": "Root", "password": adminPassword}); status != http.StatusOK || out.Repaired != nil {
		t.Fatalf("bootstrap with the account there = %d %+v", status, out)
	}
}
