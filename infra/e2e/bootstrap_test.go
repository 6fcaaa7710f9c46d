package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// invokeBootstrap calls BootstrapAdminFunction as an operator does with `aws lambda
// invoke`, through the gateway's Lambda Invoke API.
func invokeBootstrap(t *testing.T, payload map[string]any) (int, map[string]any) {
	t.Helper()
	base := os.Getenv("ROSTER_GATEWAY_INVOKE_URL")
	if base == "" {
		t.Fatal("ROSTER_GATEWAY_INVOKE_URL is not set")
	}
	body, _ := json.Marshal(payload)
	resp, err := httpClient.Post(base+"/2015-03-31/functions/BootstrapAdminFunction/invocations", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("invoke answered %d %q", resp.StatusCode, raw)
	}
	if resp.Header.Get("X-Amz-Function-Error") != "" {
		return http.StatusBadRequest, out
	}
	return resp.StatusCode, out
}

// The stack bootstrapped the super admin when it started; another run, even with a new
// login account, changes nothing and says so.
func TestBootstrapRunsOnce(t *testing.T) {
	t.Parallel()
	login := unique("second-root")
	status, out := invokeBootstrap(t, map[string]any{"loginAccount": login, "username": "Second_root", "email": login + "@example.com"})
	if status != http.StatusOK || out["created"] != false || out["message"] == "" {
		t.Fatalf("second bootstrap = %d %v, want 200 created:false with a message", status, out)
	}
	if _, ok := out["temporaryPassword"]; ok {
		t.Fatalf("second bootstrap hands out a password: %v", out)
	}
	// Nothing was written: the login account is unknown, and the one super admin stands.
	r := call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": login, "password": "whatever password 1"})
	expect(t, r, http.StatusUnauthorized, "invalid_credentials")
	supers := listAll(t, superAdmin(t), map[string][]string{"accountType": {"super_admin"}}, 10)
	if len(supers) != 1 || supers[0]["loginAccount"] != adminLogin {
		t.Fatalf("super admins = %v, want only %s", logins(supers), adminLogin)
	}

	// A payload that breaks the field rules is refused with every bad field named.
	status, out = invokeBootstrap(t, map[string]any{"loginAccount": "a b", "username": ""})
	msg, _ := out["errorMessage"].(string)
	if status != http.StatusBadRequest || !strings.Contains(msg, "loginAccount") || !strings.Contains(msg, "username") {
		t.Fatalf("bad payload = %d %v, want a function error naming loginAccount and username", status, out)
	}
}

// The super admin's own access token can delete its sign-in account at Cognito, and
// nobody may reset the super admin's password: running the bootstrap again makes the
// account again. Not parallel: the super admin cannot sign in while it runs.
func TestBootstrapRepairsTheSuperAdmin(t *testing.T) {
	token, _, _ := login(t, adminLogin, adminPassword)
	id := call(t, token, "GET", "/v1/me", nil).str("user", "id")
	if _, err := cognitoPool(t).DeleteUser(context.Background(), &cip.DeleteUserInput{AccessToken: &token}); err != nil {
		t.Fatal(err)
	}
	expect(t, callFrom(t, newIP(), "", "POST", "/v1/auth/login", map[string]string{"loginAccount": adminLogin, "password": adminPassword}),
		http.StatusUnauthorized, "invalid_credentials")

	status, out := invokeBootstrap(t, map[string]any{"loginAccount": unique("other"), "username": "Other_root", "password": adminPassword})
	if status != http.StatusOK || out["created"] != false || out["repaired"] != true || out["userId"] != id || out["loginAccount"] != adminLogin {
		t.Fatalf("bootstrap after the account was deleted = %d %v, want it repaired", status, out)
	}
	if _, ok := out["temporaryPassword"]; ok {
		t.Fatalf("a repair with a password hands out another: %v", out)
	}
	login(t, adminLogin, adminPassword)
	// With the account there, a run changes nothing again.
	if status, out := invokeBootstrap(t, map[string]any{"loginAccount": adminLogin, "username": "Root", "password": adminPassword}); status != http.StatusOK || out["repaired"] != nil {
		t.Fatalf("bootstrap with the account there = %d %v", status, out)
	}
}
