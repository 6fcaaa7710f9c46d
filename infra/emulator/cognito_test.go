package emulator_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cognito "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/infra/emulator"
	"github.com/roster-dev/roster/infra/provision"
	"github.com/roster-dev/roster/infra/samtemplate"
	"github.com/roster-dev/roster/internal/identity/totptest"
)

// These tests pin down the Cognito behaviours Roster relies on, as the local stack's Cognito
// emulator (moto plus cognito_server.py) provides them; infra/EMULATORS.md describes them.

// startTool starts the emulator that spec picks from .tools on a free port; the test skips
// under -short (make unit), which runs no emulator.
func startTool(t *testing.T, spec func(emulator.Tools, int) emulator.Spec) *emulator.Process {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the emulators in .tools (-short, make unit)")
	}
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tools := emulator.Tools{Dir: filepath.Join(root, ".tools")}
	p, err := emulator.StartFree(context.Background(), func(port int) emulator.Spec { return spec(tools, port) }, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func startCognito(t *testing.T) (*cognito.Client, provision.UserPool) {
	t.Helper()
	p := startTool(t, emulator.Tools.Cognito)
	t.Cleanup(func() { p.Stop(5 * time.Second) })
	client := cognito.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")},
		func(o *cognito.Options) { o.BaseEndpoint = &p.URL })
	tmpl, err := samtemplate.Load(provision.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := provision.CreateUserPool(context.Background(), client, tmpl, map[string]string{"AWS::StackName": "emulator-test"})
	if err != nil {
		t.Fatal(err)
	}
	return client, pool
}

// session acts on the pool as Roster does: the server-side flows of its app client, with the
// client's secret read from Cognito.
type session struct {
	t      *testing.T
	client *cognito.Client
	pool   provision.UserPool
	secret string
}

func newSession(t *testing.T, client *cognito.Client, pool provision.UserPool) session {
	t.Helper()
	out, err := client.DescribeUserPoolClient(context.Background(), &cognito.DescribeUserPoolClientInput{UserPoolId: &pool.ID, ClientId: &pool.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.UserPoolClient.ClientSecret) == "" {
		t.Fatal("the template's app client has no secret")
	}
	return session{t, client, pool, aws.ToString(out.UserPoolClient.ClientSecret)}
}

// hash is the SECRET_HASH of a username for an app client with the given secret.
func hash(secret, clientID, username string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (s session) hash(username string) string { return hash(s.secret, s.pool.ClientID, username) }

func (s session) createUser(name, password string) {
	s.t.Helper()
	ctx := context.Background()
	if _, err := s.client.AdminCreateUser(ctx, &cognito.AdminCreateUserInput{UserPoolId: &s.pool.ID, Username: &name, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.client.AdminSetUserPassword(ctx, &cognito.AdminSetUserPasswordInput{UserPoolId: &s.pool.ID, Username: &name, Password: &password, Permanent: true}); err != nil {
		s.t.Fatal(err)
	}
}

// login is Roster's sign-in: AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH with SECRET_HASH.
func (s session) login(name, password string) (*cognito.AdminInitiateAuthOutput, error) {
	return s.client.AdminInitiateAuth(context.Background(), &cognito.AdminInitiateAuthInput{
		UserPoolId: &s.pool.ID, ClientId: &s.pool.ClientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password, "SECRET_HASH": s.hash(name)},
	})
}

func (s session) tokens(name, password string) *types.AuthenticationResultType {
	s.t.Helper()
	out, err := s.login(name, password)
	if err != nil || out.AuthenticationResult == nil {
		s.t.Fatalf("login %s: %v %+v", name, err, out)
	}
	return out.AuthenticationResult
}

// answer is Roster's AdminRespondToAuthChallenge for name.
func (s session) answer(name string, challenge types.ChallengeNameType, session *string, responses map[string]string) (*cognito.AdminRespondToAuthChallengeOutput, error) {
	all := map[string]string{"USERNAME": name, "SECRET_HASH": s.hash(name)}
	maps.Copy(all, responses)
	return s.client.AdminRespondToAuthChallenge(context.Background(), &cognito.AdminRespondToAuthChallengeInput{
		UserPoolId: &s.pool.ID, ClientId: &s.pool.ClientID, ChallengeName: challenge, Session: session, ChallengeResponses: all,
	})
}

// refresh is Roster's refresh of name's token: AdminInitiateAuth REFRESH_TOKEN_AUTH.
func (s session) refresh(name string, token *string) error {
	_, err := s.client.AdminInitiateAuth(context.Background(), &cognito.AdminInitiateAuthInput{
		UserPoolId: &s.pool.ID, ClientId: &s.pool.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *token, "SECRET_HASH": s.hash(name)},
	})
	return err
}

func notAuthorized(err error) bool {
	var e *types.NotAuthorizedException
	return errors.As(err, &e)
}

func TestCognitoEmulator(t *testing.T) {
	client, pool := startCognito(t)
	ctx := context.Background()
	s := newSession(t, client, pool)
	const pw = "plain lower case words"

	t.Run("nobody signs in with the app client id alone", func(t *testing.T) {
		s.createUser("direct-user", pw)
		// The attack: the client id is in every token, and a user id is all else it takes.
		var badFlow *types.InvalidParameterException
		_, err := client.InitiateAuth(ctx, &cognito.InitiateAuthInput{
			ClientId: &pool.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "direct-user", "PASSWORD": pw},
		})
		if !errors.As(err, &badFlow) {
			t.Errorf("InitiateAuth USER_PASSWORD_AUTH with the client id: %v, want InvalidParameterException", err)
		}
		// Nor with the secret's hash: the client allows no user-side password flow at all.
		_, err = client.InitiateAuth(ctx, &cognito.InitiateAuthInput{
			ClientId: &pool.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "direct-user", "PASSWORD": pw, "SECRET_HASH": s.hash("direct-user")},
		})
		if !errors.As(err, &badFlow) {
			t.Errorf("InitiateAuth USER_PASSWORD_AUTH with SECRET_HASH: %v, want InvalidParameterException", err)
		}
		// The server-side flow needs the secret.
		for name, params := range map[string]map[string]string{
			"no SECRET_HASH":             {"USERNAME": "direct-user", "PASSWORD": pw},
			"another user's hash":        {"USERNAME": "direct-user", "PASSWORD": pw, "SECRET_HASH": s.hash("someone-else")},
			"a hash from a wrong secret": {"USERNAME": "direct-user", "PASSWORD": pw, "SECRET_HASH": hash("guess", pool.ClientID, "direct-user")},
		} {
			if _, err := client.AdminInitiateAuth(ctx, &cognito.AdminInitiateAuthInput{UserPoolId: &pool.ID, ClientId: &pool.ClientID,
				AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params}); !notAuthorized(err) {
				t.Errorf("AdminInitiateAuth with %s: %v, want NotAuthorizedException", name, err)
			}
		}
		rt := s.tokens("direct-user", pw).RefreshToken
		for name, params := range map[string]map[string]string{
			"no SECRET_HASH":      {"REFRESH_TOKEN": *rt},
			"another user's hash": {"REFRESH_TOKEN": *rt, "SECRET_HASH": s.hash("someone-else")},
		} {
			if _, err := client.InitiateAuth(ctx, &cognito.InitiateAuthInput{ClientId: &pool.ClientID,
				AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: params}); !notAuthorized(err) {
				t.Errorf("InitiateAuth REFRESH_TOKEN_AUTH with %s: %v, want NotAuthorizedException", name, err)
			}
		}
		if err := s.refresh("direct-user", rt); err != nil {
			t.Errorf("AdminInitiateAuth REFRESH_TOKEN_AUTH with SECRET_HASH: %v", err)
		}
		if err := s.refresh("direct-user", aws.String("not-a-refresh-token")); !notAuthorized(err) {
			t.Errorf("refresh with an unknown token: %v, want NotAuthorizedException", err)
		}
	})

	t.Run("a client with a secret refuses InitiateAuth without SECRET_HASH", func(t *testing.T) {
		// A client that does allow USER_PASSWORD_AUTH, with a secret.
		out, err := client.CreateUserPoolClient(ctx, &cognito.CreateUserPoolClientInput{UserPoolId: &pool.ID, ClientName: aws.String("with-secret"),
			GenerateSecret: true, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		if err != nil {
			t.Fatal(err)
		}
		other, secret := out.UserPoolClient.ClientId, aws.ToString(out.UserPoolClient.ClientSecret)
		s.createUser("secret-user", pw)
		signIn := func(params map[string]string) (*cognito.InitiateAuthOutput, error) {
			return client.InitiateAuth(ctx, &cognito.InitiateAuthInput{ClientId: other, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
		}
		if _, err := signIn(map[string]string{"USERNAME": "secret-user", "PASSWORD": pw}); !notAuthorized(err) {
			t.Errorf("without SECRET_HASH: %v, want NotAuthorizedException", err)
		}
		if _, err := signIn(map[string]string{"USERNAME": "secret-user", "PASSWORD": pw, "SECRET_HASH": hash(secret, *other, "another")}); !notAuthorized(err) {
			t.Errorf("with another user's SECRET_HASH: %v, want NotAuthorizedException", err)
		}
		got, err := signIn(map[string]string{"USERNAME": "secret-user", "PASSWORD": pw, "SECRET_HASH": hash(secret, *other, "secret-user")})
		if err != nil || got.AuthenticationResult == nil {
			t.Fatalf("with SECRET_HASH: %v", err)
		}
		// A refresh token belongs to the client it was issued to.
		if err := s.refresh("secret-user", got.AuthenticationResult.RefreshToken); !notAuthorized(err) {
			t.Errorf("another client's refresh token: %v, want NotAuthorizedException", err)
		}
		// And AdminInitiateAuth is refused by a client that does not allow it.
		var badFlow *types.InvalidParameterException
		if _, err := client.AdminInitiateAuth(ctx, &cognito.AdminInitiateAuthInput{UserPoolId: &pool.ID, ClientId: other, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "secret-user", "PASSWORD": pw, "SECRET_HASH": hash(secret, *other, "secret-user")}}); !errors.As(err, &badFlow) {
			t.Errorf("AdminInitiateAuth on a client without ALLOW_ADMIN_USER_PASSWORD_AUTH: %v, want InvalidParameterException", err)
		}
	})

	t.Run("unknown user looks like a wrong password", func(t *testing.T) {
		s.createUser("known-user", pw)
		for name, password := range map[string]string{"nobody-here": pw, "known-user": "not the password at all"} {
			if _, err := s.login(name, password); !notAuthorized(err) {
				t.Errorf("%s: err = %v, want NotAuthorizedException", name, err)
			}
		}
	})

	t.Run("TOTP codes are checked", func(t *testing.T) {
		s.createUser("totp-user", pw)
		at := s.tokens("totp-user", pw).AccessToken
		assoc, err := client.AssociateSoftwareToken(ctx, &cognito.AssociateSoftwareTokenInput{AccessToken: at})
		if err != nil {
			t.Fatal(err)
		}
		secret := *assoc.SecretCode
		var mismatch *types.CodeMismatchException
		if _, err := client.VerifySoftwareToken(ctx, &cognito.VerifySoftwareTokenInput{AccessToken: at, UserCode: aws.String(wrongCode(t, secret))}); !errors.As(err, &mismatch) {
			t.Errorf("VerifySoftwareToken with a wrong code: %v, want CodeMismatchException", err)
		}
		if _, err := client.VerifySoftwareToken(ctx, &cognito.VerifySoftwareTokenInput{AccessToken: at, UserCode: aws.String(totpNow(t, secret))}); err != nil {
			t.Fatalf("VerifySoftwareToken with the right code: %v", err)
		}
		if _, err := client.SetUserMFAPreference(ctx, &cognito.SetUserMFAPreferenceInput{AccessToken: at,
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
			t.Fatal(err)
		}
		challenge := func() *cognito.AdminInitiateAuthOutput {
			out, err := s.login("totp-user", pw)
			if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
				t.Fatalf("login with MFA on: %v %+v", err, out)
			}
			return out
		}
		answer := func(out *cognito.AdminInitiateAuthOutput, code string) error {
			_, err := s.answer("totp-user", out.ChallengeName, out.Session, map[string]string{"SOFTWARE_TOKEN_MFA_CODE": code})
			return err
		}
		if err := answer(challenge(), wrongCode(t, secret)); !errors.As(err, &mismatch) {
			t.Errorf("SOFTWARE_TOKEN_MFA with a wrong code: %v, want CodeMismatchException", err)
		}
		out := challenge()
		if _, err := client.AdminRespondToAuthChallenge(ctx, &cognito.AdminRespondToAuthChallengeInput{UserPoolId: &pool.ID, ClientId: &pool.ClientID,
			ChallengeName: out.ChallengeName, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "totp-user", "SOFTWARE_TOKEN_MFA_CODE": totpNow(t, secret)}}); !notAuthorized(err) {
			t.Errorf("SOFTWARE_TOKEN_MFA without SECRET_HASH: %v, want NotAuthorizedException", err)
		}
		if err := answer(out, totpNow(t, secret)); err != nil {
			t.Errorf("SOFTWARE_TOKEN_MFA with the right code: %v", err)
		}

		// A temporary password set by an admin: the new password, then the code.
		if _, err := client.AdminSetUserPassword(ctx, &cognito.AdminSetUserPasswordInput{UserPoolId: &pool.ID, Username: aws.String("totp-user"),
			Password: aws.String("a temporary passphrase")}); err != nil {
			t.Fatal(err)
		}
		first, err := s.login("totp-user", "a temporary passphrase")
		if err != nil || first.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("login with a temporary password: %v %+v", err, first)
		}
		next, err := s.answer("totp-user", first.ChallengeName, first.Session, map[string]string{"NEW_PASSWORD": pw})
		if err != nil || next.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || next.AuthenticationResult != nil {
			t.Fatalf("new password with MFA on: %v %+v, want the SOFTWARE_TOKEN_MFA challenge", err, next)
		}
		if done, err := s.answer("totp-user", next.ChallengeName, next.Session, map[string]string{"SOFTWARE_TOKEN_MFA_CODE": totpNow(t, secret)}); err != nil || done.AuthenticationResult == nil {
			t.Errorf("the code after the new password: %v", err)
		}

		// What the Go SDK sends for {Enabled: false} turns MFA off.
		if _, err := client.AdminSetUserMFAPreference(ctx, &cognito.AdminSetUserMFAPreferenceInput{UserPoolId: &pool.ID, Username: aws.String("totp-user"),
			SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}); err != nil {
			t.Fatal(err)
		}
		if out, err := s.login("totp-user", pw); err != nil || out.AuthenticationResult == nil {
			t.Errorf("login after MFA was turned off: %v, challenge %q", err, out.ChallengeName)
		}
	})

	t.Run("a disabled user can neither sign in, answer a challenge nor refresh", func(t *testing.T) {
		s.createUser("frozen-user", pw)
		rt := s.tokens("frozen-user", pw).RefreshToken
		if _, err := client.AdminCreateUser(ctx, &cognito.AdminCreateUserInput{UserPoolId: &pool.ID, Username: aws.String("frozen-new"),
			TemporaryPassword: aws.String(pw), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatal(err)
		}
		pending, err := s.login("frozen-new", pw)
		if err != nil || pending.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("login: %v %+v", err, pending)
		}
		for _, name := range []string{"frozen-user", "frozen-new"} {
			if _, err := client.AdminDisableUser(ctx, &cognito.AdminDisableUserInput{UserPoolId: &pool.ID, Username: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.login("frozen-user", pw); !notAuthorized(err) {
			t.Errorf("login: %v", err)
		}
		if err := s.refresh("frozen-user", rt); !notAuthorized(err) {
			t.Errorf("refresh: %v", err)
		}
		if _, err := s.answer("frozen-new", pending.ChallengeName, pending.Session, map[string]string{"NEW_PASSWORD": "another plain passphrase"}); !notAuthorized(err) {
			t.Errorf("challenge: %v", err)
		}
		if _, err := client.AdminEnableUser(ctx, &cognito.AdminEnableUserInput{UserPoolId: &pool.ID, Username: aws.String("frozen-user")}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh("frozen-user", rt); err != nil {
			t.Errorf("refresh after AdminEnableUser: %v", err)
		}
	})

	t.Run("a deleted user cannot refresh", func(t *testing.T) {
		s.createUser("deleted-user", pw)
		rt := s.tokens("deleted-user", pw).RefreshToken
		if _, err := client.AdminDeleteUser(ctx, &cognito.AdminDeleteUserInput{UserPoolId: &pool.ID, Username: aws.String("deleted-user")}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh("deleted-user", rt); !notAuthorized(err) {
			t.Errorf("refresh: %v", err)
		}
	})

	t.Run("a user's own access token deletes it", func(t *testing.T) {
		s.createUser("self-deleting", pw)
		tokens := s.tokens("self-deleting", pw)
		if _, err := client.DeleteUser(ctx, &cognito.DeleteUserInput{AccessToken: tokens.AccessToken}); err != nil {
			t.Fatal(err)
		}
		var missing *types.UserNotFoundException
		if _, err := client.AdminGetUser(ctx, &cognito.AdminGetUserInput{UserPoolId: &pool.ID, Username: aws.String("self-deleting")}); !errors.As(err, &missing) {
			t.Errorf("AdminGetUser after DeleteUser: %v, want UserNotFoundException", err)
		}
		if err := s.refresh("self-deleting", tokens.RefreshToken); !notAuthorized(err) {
			t.Errorf("refresh after DeleteUser: %v", err)
		}
		if _, err := s.login("self-deleting", pw); !notAuthorized(err) {
			t.Errorf("login after DeleteUser: %v", err)
		}
	})

	t.Run("a challenge session belongs to its user", func(t *testing.T) {
		for _, name := range []string{"session-owner", "session-victim"} {
			if _, err := client.AdminCreateUser(ctx, &cognito.AdminCreateUserInput{UserPoolId: &pool.ID, Username: aws.String(name),
				TemporaryPassword: aws.String(pw), MessageAction: types.MessageActionTypeSuppress}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := s.login("session-owner", pw)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("login: %v %+v", err, out)
		}
		answer := func(username string) error {
			_, err := s.answer(username, types.ChallengeNameTypeNewPasswordRequired, out.Session, map[string]string{"NEW_PASSWORD": "another plain passphrase"})
			return err
		}
		if err := answer("session-victim"); !notAuthorized(err) {
			t.Errorf("another user's session: %v, want NotAuthorizedException", err)
		}
		var missing *types.ResourceNotFoundException
		if _, err := client.AdminRespondToAuthChallenge(ctx, &cognito.AdminRespondToAuthChallengeInput{UserPoolId: aws.String("us-east-1_nothere"), ClientId: &pool.ClientID,
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "session-owner", "NEW_PASSWORD": "another plain passphrase", "SECRET_HASH": s.hash("session-owner")}}); !errors.As(err, &missing) {
			t.Errorf("another pool: %v, want ResourceNotFoundException", err)
		}
		if err := answer("session-owner"); err != nil {
			t.Errorf("the session's own user: %v", err)
		}
	})

	t.Run("RevokeToken and GlobalSignOut end refresh tokens", func(t *testing.T) {
		s.createUser("signout-user", pw)
		first := s.tokens("signout-user", pw)
		second := s.tokens("signout-user", pw)
		var unauthorized *types.UnauthorizedException
		if _, err := client.RevokeToken(ctx, &cognito.RevokeTokenInput{ClientId: &pool.ClientID, Token: first.RefreshToken}); !errors.As(err, &unauthorized) {
			t.Errorf("RevokeToken without the client's secret: %v, want UnauthorizedException", err)
		}
		if _, err := client.RevokeToken(ctx, &cognito.RevokeTokenInput{ClientId: &pool.ClientID, ClientSecret: &s.secret, Token: first.RefreshToken}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh("signout-user", first.RefreshToken); !notAuthorized(err) {
			t.Errorf("refresh with a revoked token: %v", err)
		}
		if err := s.refresh("signout-user", second.RefreshToken); err != nil {
			t.Errorf("RevokeToken revoked another token too: %v", err)
		}
		if _, err := client.GlobalSignOut(ctx, &cognito.GlobalSignOutInput{AccessToken: second.AccessToken}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh("signout-user", second.RefreshToken); !notAuthorized(err) {
			t.Errorf("refresh after GlobalSignOut: %v", err)
		}
	})
}

// Stop ends the emulator's whole process group.
func TestStopLeavesNothing(t *testing.T) {
	p := startTool(t, emulator.Tools.SES)
	pgid := p.Pid()
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pgid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d still has members after Stop (kill: %v)", pgid, err)
	}
}

func TestStartFailsWithTheLogTail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := emulator.Start(context.Background(), emulator.Spec{
		Name: "broken", Command: []string{"sh", "-c", "echo listening soon; echo cannot bind >&2; exit 3"}, Port: 1,
	}, dir)
	if err == nil || !strings.Contains(err.Error(), "cannot bind") || !strings.Contains(err.Error(), "broken.log") {
		t.Errorf("err = %v, want the log's tail", err)
	}
	_, err = emulator.Start(context.Background(), emulator.Spec{Name: "absent", Command: []string{"true"}, Stamp: filepath.Join(dir, "nope")}, dir)
	if err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Errorf("err = %v, want a hint to run make tools", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "absent.log")); err == nil {
		t.Error("a log was created for a tool that is not installed")
	}
}

// TestStartOnTriesAnotherPort: an emulator whose picked port was taken meanwhile starts
// again on another free one; one asked for a given port fails with the log instead.
func TestStartOnTriesAnotherPort(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	server := func(port int) emulator.Spec { // Python's own words when the port is taken
		return emulator.Spec{Name: "server", Port: port,
			Command: []string{"python3", "-m", "http.server", strconv.Itoa(port), "--bind", "127.0.0.1"}}
	}

	p, err := emulator.StartOn(context.Background(), server, port, true, t.TempDir())
	if err != nil {
		t.Fatalf("a picked port: %v", err)
	}
	defer p.Stop(time.Second)
	if p.URL == "http://127.0.0.1:"+strconv.Itoa(port) {
		t.Errorf("started on the taken port %d", port)
	}

	_, err = emulator.StartOn(context.Background(), server, port, false, t.TempDir())
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "address already in use") {
		t.Errorf("a port asked for: err = %v, want the emulator's address in use", err)
	}
}

// totpNow and wrongCode are an authenticator app's codes for secret (see internal/identity/totptest).
func totpNow(t *testing.T, secret string) string {
	t.Helper()
	code, err := totptest.Now(secret)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	code, err := totptest.Wrong(secret)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
