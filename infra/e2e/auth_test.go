package e2e

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestOnlyOurAccessTokensAreAccepted(t *testing.T) {
	t.Parallel()
	access, idToken, _ := login(t, adminLogin, adminPassword)
	expect(t, call(t, access, "GET", "/v1/me", nil), http.StatusOK, "")

	// The gateway's JWT authorizer lets ID tokens through, as API Gateway does; Roster
	// itself refuses them.
	expect(t, call(t, idToken, "GET", "/v1/me", nil), http.StatusUnauthorized, "unauthenticated")

	tampered := access[:len(access)-4] + "AAAA"
	for name, token := range map[string]string{"none": "", "garbage": "not-a-jwt", "tampered": tampered} {
		r := call(t, token, "GET", "/v1/me", nil)
		if r.Status != http.StatusUnauthorized {
			t.Errorf("%s token: status %d, want 401", name, r.Status)
		}
	}

	// An access token of another app client of the same pool is refused by the
	// authorizer's audience check.
	other := otherClientToken(t)
	expect(t, call(t, other, "GET", "/v1/me", nil), http.StatusUnauthorized, "")
}

// otherClientToken signs the super admin in through a second app client.
func otherClientToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(os.Getenv("ROSTER_COGNITO_ENDPOINT")) })
	pool := os.Getenv("ROSTER_USER_POOL_ID")
	created, err := client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String(unique("other")),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	me := call(t, superAdmin(t), "GET", "/v1/me", nil)
	out, err := client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: created.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": me.str("user", "id"), "PASSWORD": adminPassword},
	})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in through another client: %v", err)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken)
}

func TestLoginAndRefresh(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	password := "a fresh passphrase of my own"

	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"wrong password", map[string]string{"loginAccount": account, "password": "not the password at all"}, 401, "invalid_credentials"},
		{"unknown account", map[string]string{"loginAccount": unique("nobody"), "password": "not the password at all"}, 401, "invalid_credentials"},
		{"missing fields", map[string]string{}, 400, "invalid_request"},
		{"wrong types", `{"loginAccount": 1, "password": true}`, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "", "POST", "/v1/auth/login", tt.body)
			expect(t, r, tt.status, tt.code)
		})
	}
	// Unknown accounts and wrong passwords answer alike.
	a := call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": "not the password at all"})
	b := call(t, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": unique("nobody"), "password": "not the password at all"})
	if a.str("error", "message") != b.str("error", "message") {
		t.Fatalf("answers differ: %s vs %s", a.Raw, b.Raw)
	}

	_, _, refresh := login(t, strings.ToUpper(account), password)
	r := call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh})
	expect(t, r, http.StatusOK, "")
	expect(t, call(t, r.str("accessToken"), "GET", "/v1/me", nil), http.StatusOK, "")
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": "not-a-refresh-token"}), http.StatusUnauthorized, "unauthenticated")
	expect(t, call(t, "", "POST", "/v1/auth/challenge", map[string]string{
		"loginAccount": account, "session": "bogus", "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": "a long enough new passphrase",
	}), http.StatusUnauthorized, "unauthenticated")
}
