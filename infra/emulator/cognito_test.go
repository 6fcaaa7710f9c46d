package emulator_test

import (
	"context"
	"errors"
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
	"github.com/roster-dev/roster/infra/totp"
)

// These tests pin down the Cognito behaviours Roster relies on, as the local stack's Cognito
// emulator (moto plus cognito_server.py) provides them; infra/EMULATORS.md describes them.

func startCognito(t *testing.T) (*cognito.Client, provision.UserPool) {
	t.Helper()
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	port, err := emulator.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p, err := emulator.Start(context.Background(), emulator.Tools{Dir: filepath.Join(root, ".tools")}.Cognito(port), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
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

type session struct {
	t      *testing.T
	client *cognito.Client
	pool   provision.UserPool
}

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

func (s session) login(name, password string) (*cognito.InitiateAuthOutput, error) {
	return s.client.InitiateAuth(context.Background(), &cognito.InitiateAuthInput{
		ClientId: &s.pool.ClientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password},
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

func (s session) refresh(token *string) error {
	_, err := s.client.InitiateAuth(context.Background(), &cognito.InitiateAuthInput{
		ClientId: &s.pool.ClientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *token},
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
	s := session{t, client, pool}
	const pw = "plain lower case words"

	t.Run("unknown user looks like a wrong password", func(t *testing.T) {
		if _, err := s.login("nobody-here", pw); !notAuthorized(err) {
			t.Errorf("err = %v, want NotAuthorizedException", err)
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
		challenge := func() *cognito.InitiateAuthOutput {
			out, err := s.login("totp-user", pw)
			if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
				t.Fatalf("login with MFA on: %v %+v", err, out)
			}
			return out
		}
		answer := func(out *cognito.InitiateAuthOutput, code string) error {
			_, err := client.RespondToAuthChallenge(ctx, &cognito.RespondToAuthChallengeInput{
				ClientId: &pool.ClientID, ChallengeName: out.ChallengeName, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": "totp-user", "SOFTWARE_TOKEN_MFA_CODE": code},
			})
			return err
		}
		if err := answer(challenge(), wrongCode(t, secret)); !errors.As(err, &mismatch) {
			t.Errorf("SOFTWARE_TOKEN_MFA with a wrong code: %v, want CodeMismatchException", err)
		}
		if err := answer(challenge(), totpNow(t, secret)); err != nil {
			t.Errorf("SOFTWARE_TOKEN_MFA with the right code: %v", err)
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

	t.Run("a disabled user can neither sign in nor refresh", func(t *testing.T) {
		s.createUser("frozen-user", pw)
		rt := s.tokens("frozen-user", pw).RefreshToken
		if _, err := client.AdminDisableUser(ctx, &cognito.AdminDisableUserInput{UserPoolId: &pool.ID, Username: aws.String("frozen-user")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.login("frozen-user", pw); !notAuthorized(err) {
			t.Errorf("login: %v", err)
		}
		if err := s.refresh(rt); !notAuthorized(err) {
			t.Errorf("refresh: %v", err)
		}
		if _, err := client.AdminEnableUser(ctx, &cognito.AdminEnableUserInput{UserPoolId: &pool.ID, Username: aws.String("frozen-user")}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh(rt); err != nil {
			t.Errorf("refresh after AdminEnableUser: %v", err)
		}
	})

	t.Run("a deleted user cannot refresh", func(t *testing.T) {
		s.createUser("deleted-user", pw)
		rt := s.tokens("deleted-user", pw).RefreshToken
		if _, err := client.AdminDeleteUser(ctx, &cognito.AdminDeleteUserInput{UserPoolId: &pool.ID, Username: aws.String("deleted-user")}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh(rt); !notAuthorized(err) {
			t.Errorf("refresh: %v", err)
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
			_, err := client.RespondToAuthChallenge(ctx, &cognito.RespondToAuthChallengeInput{
				ClientId: &pool.ClientID, ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
				ChallengeResponses: map[string]string{"USERNAME": username, "NEW_PASSWORD": "another plain passphrase"},
			})
			return err
		}
		if err := answer("session-victim"); !notAuthorized(err) {
			t.Errorf("another user's session: %v, want NotAuthorizedException", err)
		}
		if err := answer("session-owner"); err != nil {
			t.Errorf("the session's own user: %v", err)
		}
	})

	t.Run("RevokeToken and GlobalSignOut end refresh tokens", func(t *testing.T) {
		s.createUser("signout-user", pw)
		first := s.tokens("signout-user", pw)
		second := s.tokens("signout-user", pw)
		if _, err := client.RevokeToken(ctx, &cognito.RevokeTokenInput{ClientId: &pool.ClientID, Token: first.RefreshToken}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh(first.RefreshToken); !notAuthorized(err) {
			t.Errorf("refresh with a revoked token: %v", err)
		}
		if err := s.refresh(second.RefreshToken); err != nil {
			t.Errorf("RevokeToken revoked another token too: %v", err)
		}
		if _, err := client.GlobalSignOut(ctx, &cognito.GlobalSignOutInput{AccessToken: second.AccessToken}); err != nil {
			t.Fatal(err)
		}
		if err := s.refresh(second.RefreshToken); !notAuthorized(err) {
			t.Errorf("refresh after GlobalSignOut: %v", err)
		}
	})
}

// Stop ends the emulator's whole process group.
func TestStopLeavesNothing(t *testing.T) {
	root, err := provision.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	port, err := emulator.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p, err := emulator.Start(context.Background(), emulator.Tools{Dir: filepath.Join(root, ".tools")}.SES(port), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
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

// totpNow and wrongCode are an authenticator app's codes for secret (see infra/totp).
func totpNow(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.Now(secret)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.Wrong(secret)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
