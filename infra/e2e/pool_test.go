package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// These tests act on the user pool straight, around Roster: as an attacker who knows the
// app client's id (it is in every token) and a user's id, or as a user (or a thief) with
// an access token of Roster's, which Cognito's own self-service calls accept.

var (
	poolOnce   sync.Once
	poolClient *cip.Client
)

// cognitoPool is a client of the local Cognito with the stack's own credentials, which
// the IAM proxy does not check: an operator's, or anyone's for the calls Cognito
// authorizes by a token rather than by IAM.
func cognitoPool(t *testing.T) *cip.Client {
	t.Helper()
	poolOnce.Do(func() {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			panic(err)
		}
		poolClient = cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(os.Getenv("ROSTER_COGNITO_ENDPOINT")) })
	})
	return poolClient
}

// signInWithCognito signs a user in at Cognito as Roster does (the server-side flow,
// with the app client's secret, which only an operator or Roster's sign-in functions
// can read), skipping Roster's own checks of the user's record.
func signInWithCognito(t *testing.T, userID, password string) error {
	t.Helper()
	ctx := context.Background()
	pool, clientID := os.Getenv("ROSTER_USER_POOL_ID"), os.Getenv("ROSTER_USER_POOL_CLIENT_ID")
	out, err := cognitoPool(t).DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &pool, ClientId: &clientID})
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(aws.ToString(out.UserPoolClient.ClientSecret)))
	mac.Write([]byte(userID + clientID))
	_, err = cognitoPool(t).AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: &pool, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": userID, "PASSWORD": password, "SECRET_HASH": base64.StdEncoding.EncodeToString(mac.Sum(nil))},
	})
	return err
}

// Nobody signs in except through Roster: with the app client's id and a user's id and
// password, Cognito itself signs nobody in, and a refresh token Roster handed out is
// refreshed by Roster only.
func TestNobodySignsInAroundRoster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	id, account, _ := newUser(t, superAdmin(t), "member")
	clientID := os.Getenv("ROSTER_USER_POOL_CLIENT_ID")
	_, err := cognitoPool(t).InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": id, "PASSWORD": chosenPassword},
	})
	if err == nil {
		t.Fatal("InitiateAuth USER_PASSWORD_AUTH with the app client's id signed the user in around Roster")
	}

	r := callFrom(t, newIP(), "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": chosenPassword})
	expect(t, r, http.StatusOK, "")
	refresh := r.str("refreshToken")
	// Roster's refresh token is the user's id and Cognito's token; Cognito's alone, even
	// with the user's id, refreshes nothing without the secret.
	_, cognitoToken, _ := strings.Cut(refresh, ".")
	for _, params := range []map[string]string{{"REFRESH_TOKEN": refresh}, {"REFRESH_TOKEN": cognitoToken, "USERNAME": id}} {
		if _, err := cognitoPool(t).InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: params,
		}); err == nil {
			t.Fatal("InitiateAuth REFRESH_TOKEN_AUTH refreshed tokens around Roster")
		}
	}
	r = call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": refresh})
	expect(t, r, http.StatusOK, "")
	expect(t, call(t, r.str("accessToken"), "GET", "/v1/me", nil), http.StatusOK, "")
	// A refresh token made to name another user fails Cognito's check of the secret's hash.
	other, _, _ := newUser(t, superAdmin(t), "member")
	expect(t, call(t, "", "POST", "/v1/auth/refresh", map[string]string{"refreshToken": other + "." + cognitoToken}), http.StatusUnauthorized, "unauthenticated")
}

// A user's own access token can switch its MFA at Cognito behind Roster's back; sign-in
// follows Roster's record all the same.
func TestSignInFollowsTheRecordsMFA(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := superAdmin(t)

	login := func(t *testing.T, ip, account, password string) response {
		t.Helper()
		r := callFrom(t, ip, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": password})
		expect(t, r, http.StatusOK, "")
		return r
	}
	t.Run("turned off at Cognito, still asked", func(t *testing.T) {
		t.Parallel()
		id, account, token := newUser(t, admin, "member")
		secret := bindTOTP(t, token)
		if _, err := cognitoPool(t).SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &token,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
			t.Fatal(err)
		}
		ip := newIP()
		r := login(t, ip, account, chosenPassword)
		if r.str("challenge") != "SOFTWARE_TOKEN_MFA" || r.str("accessToken") != "" {
			t.Fatalf("login after MFA was turned off at Cognito answered %s, want the SOFTWARE_TOKEN_MFA challenge", r.Raw)
		}
		r = callFrom(t, ip, "", "POST", "/v1/auth/challenge", map[string]string{
			"loginAccount": account, "session": r.str("session"), "challenge": "SOFTWARE_TOKEN_MFA", "code": currentCode(t, secret)})
		expect(t, r, http.StatusOK, "")
		if r.str("accessToken") == "" {
			t.Fatalf("the code answered %s", r.Raw)
		}

		// After an admin's reset too: the new password, then the code.
		if _, err := cognitoPool(t).SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &token,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
			t.Fatal(err)
		}
		reset := call(t, admin, "POST", "/v1/users/"+id+"/password-reset", nil)
		expect(t, reset, http.StatusOK, "")
		r = login(t, ip, account, reset.str("temporaryPassword"))
		if r.str("challenge") != "NEW_PASSWORD_REQUIRED" {
			t.Fatalf("login with the temporary password answered %s", r.Raw)
		}
		r = callFrom(t, ip, "", "POST", "/v1/auth/challenge", map[string]string{
			"loginAccount": account, "session": r.str("session"), "challenge": "NEW_PASSWORD_REQUIRED", "newPassword": "yet another passphrase"})
		expect(t, r, http.StatusOK, "")
		if r.str("challenge") != "SOFTWARE_TOKEN_MFA" || r.str("accessToken") != "" {
			t.Fatalf("the new password answered %s, want the SOFTWARE_TOKEN_MFA challenge", r.Raw)
		}
	})
	t.Run("turned on at Cognito, not asked", func(t *testing.T) {
		t.Parallel()
		_, account, token := newUser(t, admin, "member")
		// A thief binds its own authenticator with the stolen token, to lock the owner out.
		assoc, err := cognitoPool(t).AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: &token})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cognitoPool(t).VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: &token,
			UserCode: aws.String(currentCode(t, aws.ToString(assoc.SecretCode)))}); err != nil {
			t.Fatal(err)
		}
		if _, err := cognitoPool(t).SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &token,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatal(err)
		}
		r := login(t, newIP(), account, chosenPassword)
		if r.str("accessToken") == "" {
			t.Fatalf("login after MFA was turned on at Cognito answered %s, want tokens", r.Raw)
		}
		if got := call(t, r.str("accessToken"), "GET", "/v1/me", nil).get("user", "mfaEnabled"); got != false {
			t.Fatalf("mfaEnabled %v, want false", got)
		}
	})
}

// A user's own access token can delete its sign-in account at Cognito; Roster's record
// stands, and a password reset (an admin's, or by the emailed code) makes the account
// again, with the user's teams, and without its authenticator, which went with it.
func TestAGoneSignInAccountIsMadeAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := superAdmin(t)
	deleteOwn := func(t *testing.T, token string) {
		t.Helper()
		if _, err := cognitoPool(t).DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: &token}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("by an admin's reset", func(t *testing.T) {
		t.Parallel()
		id, account, token := newUser(t, admin, "member")
		bindTOTP(t, token)
		teamID, _ := newTeam(t, "")
		join(t, teamID, id, "member")
		deleteOwn(t, token)
		ip := newIP()
		expect(t, callFrom(t, ip, "", "POST", "/v1/auth/login", map[string]string{"loginAccount": account, "password": chosenPassword}),
			http.StatusUnauthorized, "invalid_credentials")

		r := call(t, admin, "POST", "/v1/users/"+id+"/password-reset", nil)
		expect(t, r, http.StatusOK, "")
		fresh := firstLogin(t, account, r.str("temporaryPassword"), "a passphrase after the loss")
		me := call(t, fresh, "GET", "/v1/me", nil)
		if me.str("user", "id") != id || me.get("user", "mfaEnabled") != false {
			t.Fatalf("the user after its account was made again: %s", me.Raw)
		}
		if teams := myTeams(t, fresh); teams[teamID] == nil {
			t.Fatalf("teams %v, want %s kept", teams, teamID)
		}
		bindTOTP(t, fresh) // a new authenticator binds
	})
	t.Run("by the emailed code", func(t *testing.T) {
		t.Parallel()
		account, email := registerMember(t)
		token, _, _ := login(t, account, selfPassword)
		deleteOwn(t, token)
		client := fromNewIP()
		before := len(mailsTo(t, email))
		expect(t, forgot(t, client, account), http.StatusAccepted, "")
		const again = "a passphrase after the loss"
		expect(t, reset(t, client, account, codeIn(t, nthMailTo(t, email, before+1)), again), http.StatusNoContent, "")
		login(t, account, again)
	})
}
