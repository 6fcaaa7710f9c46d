package e2e

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestOnlyOurAccessTokensAreAccepted(t *testing.T) {
	t.Parallel()
	tokens := login(t, adminLogin, adminPassword)
	access := tokens.AccessToken
	expect(t, as(access).GetMe(t), http.StatusOK, "")

	// The gateway's JWT authorizer lets ID tokens through, as API Gateway does; Roster
	// itself refuses them.
	expect(t, as(tokens.IDToken).GetMe(t), http.StatusUnauthorized, "unauthenticated")

	tampered := access[:len(access)-4] + "AAAA"
	for name, token := range map[string]string{"none": "", "garbage": "not-a-jwt", "tampered": tampered} {
		r := as(token).GetMe(t)
		if r.Status != http.StatusUnauthorized {
			t.Errorf("%s token: status %d, want 401", name, r.Status)
		}
	}

	// An access token of another app client of the same pool is refused by the
	// authorizer's audience check.
	other := otherClientToken(t)
	expect(t, as(other).GetMe(t), http.StatusUnauthorized, "")
}

// otherClientToken signs the super admin in through a second app client.
func otherClientToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	pool := os.Getenv("ROSTER_USER_POOL_ID")
	created, err := cognitoPool(t).CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String(unique("other")),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cognitoPool(t).InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: created.UserPoolClient.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": selfID(t, superAdmin(t)), "PASSWORD": adminPassword},
	})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in through another client: %v", err)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken)
}

func TestLoginAndRefresh(t *testing.T) {
	t.Parallel()
	_, account, _ := newUser(t, superAdmin(t), "member")
	password := chosenPassword
	anyone := Client{}

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
			expect(t, anyone.Send(t, "POST", "/v1/auth/login", tt.body), tt.status, tt.code)
		})
	}
	// Unknown accounts and wrong passwords answer alike.
	a := anyone.Login(t, account, "not the password at all")
	b := anyone.Login(t, unique("nobody"), "not the password at all")
	if a.Error.Message != b.Error.Message {
		t.Fatalf("answers differ: %s vs %s", a.Raw, b.Raw)
	}

	refresh := deref(login(t, strings.ToUpper(account), password).RefreshToken)
	r := anyone.Refresh(t, refresh)
	expect(t, r, http.StatusOK, "")
	expect(t, as(r.Body.AccessToken).GetMe(t), http.StatusOK, "")
	expect(t, anyone.Refresh(t, "not-a-refresh-token"), http.StatusUnauthorized, "unauthenticated")
	expect(t, anyone.Challenge(t, ChallengeAnswer{
		LoginAccount: account, Session: "bogus", Challenge: "NEW_PASSWORD_REQUIRED", NewPassword: "a long enough new passphrase",
	}), http.StatusUnauthorized, "unauthenticated")
}
