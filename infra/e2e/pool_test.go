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

// These tests act on the user pool straight, around Roster: as an attacker who knows the
// app client's id (it is in every token) and a user's id, or as a user (or a thief) with
// an access token of Roster's, which Cognito's own self-service calls accept.

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

	refresh := deref(ok(t, fromNewIP().Login(t, account, chosenPassword), http.StatusOK).RefreshToken)
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
	refreshed := ok(t, Client{}.Refresh(t, refresh), http.StatusOK)
	expect(t, as(refreshed.AccessToken).GetMe(t), http.StatusOK, "")
	// A refresh token made to name another user fails Cognito's check of the secret's hash.
	other, _, _ := newUser(t, superAdmin(t), "member")
	expect(t, Client{}.Refresh(t, other+"."+cognitoToken), http.StatusUnauthorized, "unauthenticated")
}

// A user's own access token can switch its MFA at Cognito behind Roster's back; sign-in
// follows Roster's record all the same.
func TestSignInFollowsTheRecordsMFA(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := superAdmin(t)

	login := func(t *testing.T, ip, account, password string) Answer[SignIn] {
		t.Helper()
		r := Client{}.from(ip).Login(t, account, password)
		expect(t, r, http.StatusOK, "")
		return r
	}
	t.Run("turned off at Cognito, still asked", func(t *testing.T) {
		t.Parallel()
		id, account, client := newUser(t, admin, "member")
		secret := bindTOTP(t, client)
		if _, err := cognitoPool(t).SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &client.Token,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
			t.Fatal(err)
		}
		ip := newIP()
		r := login(t, ip, account, chosenPassword)
		if r.Body.Challenge != "SOFTWARE_TOKEN_MFA" || r.Body.AccessToken != "" {
			t.Fatalf("login after MFA was turned off at Cognito answered %s, want the SOFTWARE_TOKEN_MFA challenge", r.Raw)
		}
		r = Client{}.from(ip).Challenge(t, ChallengeAnswer{
			LoginAccount: account, Session: r.Body.Session, Challenge: "SOFTWARE_TOKEN_MFA", Code: currentCode(t, secret)})
		expect(t, r, http.StatusOK, "")
		if r.Body.AccessToken == "" {
			t.Fatalf("the code answered %s", r.Raw)
		}

		// After an admin's reset too: the new password, then the code.
		if _, err := cognitoPool(t).SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &client.Token,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
			t.Fatal(err)
		}
		reset := ok(t, admin.User(id).ResetPassword(t, nil), http.StatusOK)
		r = login(t, ip, account, reset.TemporaryPassword)
		if r.Body.Challenge != "NEW_PASSWORD_REQUIRED" {
			t.Fatalf("login with the temporary password answered %s", r.Raw)
		}
		r = Client{}.from(ip).Challenge(t, ChallengeAnswer{
			LoginAccount: account, Session: r.Body.Session, Challenge: "NEW_PASSWORD_REQUIRED", NewPassword: "yet another passphrase"})
		expect(t, r, http.StatusOK, "")
		if r.Body.Challenge != "SOFTWARE_TOKEN_MFA" || r.Body.AccessToken != "" {
			t.Fatalf("the new password answered %s, want the SOFTWARE_TOKEN_MFA challenge", r.Raw)
		}
	})
	t.Run("turned on at Cognito, not asked", func(t *testing.T) {
		t.Parallel()
		_, account, client := newUser(t, admin, "member")
		token := client.Token
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
		if r.Body.AccessToken == "" {
			t.Fatalf("login after MFA was turned on at Cognito answered %s, want tokens", r.Raw)
		}
		if me := ok(t, as(r.Body.AccessToken).GetMe(t), http.StatusOK); me.User.MFAEnabled {
			t.Fatalf("mfaEnabled %v, want false", me.User.MFAEnabled)
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
	deleteOwn := func(t *testing.T, c Client) {
		t.Helper()
		if _, err := cognitoPool(t).DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: &c.Token}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("by an admin's reset", func(t *testing.T) {
		t.Parallel()
		id, account, client := newUser(t, admin, "member")
		bindTOTP(t, client)
		teamID, _ := newTeam(t, "")
		join(t, teamID, id, "member")
		deleteOwn(t, client)
		expect(t, fromNewIP().Login(t, account, chosenPassword), http.StatusUnauthorized, "invalid_credentials")

		reset := ok(t, admin.User(id).ResetPassword(t, nil), http.StatusOK)
		fresh := firstLogin(t, account, reset.TemporaryPassword, "a passphrase after the loss")
		me := fresh.GetMe(t)
		if me.Body.User.ID != id || me.Body.User.MFAEnabled {
			t.Fatalf("the user after its account was made again: %s", me.Raw)
		}
		teams := myTeams(t, fresh)
		if _, kept := teams[teamID]; !kept {
			t.Fatalf("teams %+v, want %s kept", teams, teamID)
		}
		bindTOTP(t, fresh) // a new authenticator binds
	})
	t.Run("by the emailed code", func(t *testing.T) {
		t.Parallel()
		account, email := registerMember(t)
		deleteOwn(t, signIn(t, account, selfPassword))
		client := fromNewIP()
		before := len(mailsTo(t, email))
		expect(t, client.ForgotPassword(t, account), http.StatusAccepted, "")
		const again = "a passphrase after the loss"
		expect(t, client.ResetPassword(t, account, codeIn(t, nthMailTo(t, email, before+1)), again), http.StatusNoContent, "")
		login(t, account, again)
	})
}
