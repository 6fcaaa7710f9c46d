package api_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/api"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/bootstrap"
	"github.com/roster-dev/roster/internal/cognitotrigger"
	"github.com/roster-dev/roster/internal/console"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/mail/mailtest"
	"github.com/roster-dev/roster/internal/openapi"
	"github.com/roster-dev/roster/internal/outbox"
	"github.com/roster-dev/roster/internal/store"
)

// The handlers run in this process against the local stack that `make test` starts;
// its endpoints reach the SDK through the per-service endpoint variables. Under -short
// (make unit) there is no stack: the tests that need it skip (stackApp).
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	env := map[string]string{
		"TABLE_NAME":                 os.Getenv("ROSTER_TABLE_NAME"),
		"USER_POOL_ID":               os.Getenv("ROSTER_USER_POOL_ID"),
		"USER_POOL_CLIENT_ID":        os.Getenv("ROSTER_USER_POOL_CLIENT_ID"),
		"SENDER_EMAIL":               "no-reply@roster.local",
		"CONSOLE_URL":                "http://localhost:5173",
		"LOGIN_EVENT_RETENTION_DAYS": "180",
		"AWS_ENDPOINT_URL_DYNAMODB":  os.Getenv("ROSTER_DYNAMODB_ENDPOINT"),
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": os.Getenv("ROSTER_COGNITO_ENDPOINT"),
		"AWS_ENDPOINT_URL_SESV2":                     os.Getenv("ROSTER_SES_ENDPOINT"),
	}
	for k, v := range env {
		if v == "" {
			fmt.Fprintf(os.Stderr, "api: %s is empty; run the tests through `make test`, which starts the local stack\n", k)
			os.Exit(1)
		}
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// stackApp returns the App on the local stack; the test skips under -short.
func stackApp(t *testing.T) *app.App {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
	a, err := app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSampleEvents feeds every sample event in events/ to its function's handler, as
// `sam local invoke -e` would, and checks the answer the sample is meant to get.
func TestSampleEvents(t *testing.T) {
	ctx := context.Background()
	a := stackApp(t)
	idp := cognito.Load(a)
	h := api.NewDirectory(a, idp)
	adminID, err := a.Store.UserIDByLogin(ctx, os.Getenv("ROSTER_ADMIN_LOGIN"))
	if err != nil {
		t.Fatal(err)
	}
	// Samples whose claims name someone other than the admin.
	subjects := map[string]string{"logout": "aaaaaaaaaaaaaaaaaaaaaaaaaa"}
	tests := []struct {
		event  string
		op     httpapi.Operation
		status int
		code   string
	}{
		{"login", h.Login, http.StatusUnauthorized, "invalid_credentials"},
		{"challenge", h.Challenge, http.StatusUnauthorized, "unauthenticated"},
		{"refresh", h.Refresh, http.StatusUnauthorized, "unauthenticated"},
		{"get-me", h.GetMe, http.StatusOK, ""},
		{"list-users", h.ListUsers, http.StatusOK, ""},
		{"create-user", h.CreateUser, http.StatusCreated, ""},
		{"get-user", h.GetUser, http.StatusNotFound, "not_found"},
		{"send-verification-code", h.SendVerificationCode, http.StatusAccepted, ""},
		{"register", h.Register, http.StatusBadRequest, "invalid_request"},
		{"forgot-password", h.ForgotPassword, http.StatusAccepted, ""},
		{"reset-password", h.ResetPassword, http.StatusBadRequest, "invalid_request"},
		// The sample's bearer token is not one Cognito issued: Cognito refuses it.
		{"change-password", h.ChangePassword, http.StatusUnauthorized, "unauthenticated"},
		{"change-email", h.ChangeEmail, http.StatusAccepted, ""},
		{"verify-email-change", h.VerifyEmailChange, http.StatusBadRequest, "invalid_request"},
		// Signing the admin out everywhere would end other tests' sessions: the sample's
		// token names an id no user has (see subjects), refused like any other route's.
		{"logout", h.Logout, http.StatusUnauthorized, "unauthenticated"},
		// The sample's bearer token is not one Cognito issued, and Cognito says so.
		{"start-totp", h.StartTOTP, http.StatusUnauthorized, "unauthenticated"},
		{"verify-totp", h.VerifyTOTP, http.StatusUnauthorized, "unauthenticated"},
		// The admin has no MFA: nothing to unbind, nothing written.
		{"unbind-my-mfa", h.UnbindMyMFA, http.StatusNoContent, ""},
		{"unbind-user-mfa", h.UnbindUserMFA, http.StatusNotFound, "not_found"},
		// The admin's own username, unchanged: answered, nothing written.
		{"update-me", h.UpdateMe, http.StatusOK, ""},
		// User edits name a user that does not exist.
		{"update-user", h.UpdateUser, http.StatusNotFound, "not_found"},
		{"freeze-user", h.FreezeUser, http.StatusNotFound, "not_found"},
		{"recover-user", h.RecoverUser, http.StatusNotFound, "not_found"},
		{"unbind-user-email", h.UnbindUserEmail, http.StatusNotFound, "not_found"},
		{"list-my-login-events", h.MyLoginEvents, http.StatusOK, ""},
		{"list-user-login-events", h.UserLoginEvents, http.StatusNotFound, "not_found"},
		// Team routes: the samples name a team, role or invitation that does not exist.
		{"list-teams", h.ListTeams, http.StatusOK, ""},
		{"create-team", h.CreateTeam, http.StatusCreated, ""},
		{"get-team", h.GetTeam, http.StatusNotFound, "not_found"},
		{"update-team", h.UpdateTeam, http.StatusNotFound, "not_found"},
		{"delete-team", h.DeleteTeam, http.StatusNotFound, "not_found"},
		{"list-team-members", h.ListTeamMembers, http.StatusNotFound, "not_found"},
		{"add-team-member", h.AddTeamMember, http.StatusNotFound, "not_found"},
		{"update-team-member", h.UpdateTeamMember, http.StatusNotFound, "not_found"},
		{"remove-team-member", h.RemoveTeamMember, http.StatusNotFound, "not_found"},
		{"create-invitation-code", h.CreateInvitationCode, http.StatusNotFound, "not_found"},
		{"list-invitation-codes", h.ListInvitationCodes, http.StatusNotFound, "not_found"},
		{"revoke-invitation-code", h.RevokeInvitationCode, http.StatusNotFound, "not_found"},
		{"join-team", h.JoinTeam, http.StatusForbidden, "forbidden"}, // admins never join
		{"create-invitation", h.CreateInvitation, http.StatusNotFound, "not_found"},
		{"list-invitations", h.ListInvitations, http.StatusNotFound, "not_found"},
		{"revoke-invitation", h.RevokeInvitation, http.StatusNotFound, "not_found"},
		{"resend-invitation", h.ResendInvitation, http.StatusNotFound, "not_found"},
		{"get-invitation", h.GetInvitation, http.StatusNotFound, "not_found"},
		{"accept-invitation", h.AcceptInvitation, http.StatusForbidden, "forbidden"},
		{"list-permissions", h.ListPermissions, http.StatusOK, ""},
		{"list-roles", h.ListRoles, http.StatusOK, ""},
		{"create-role", h.CreateRole, http.StatusCreated, ""},
		{"update-role", h.UpdateRole, http.StatusNotFound, "not_found"},
		{"delete-role", h.DeleteRole, http.StatusNotFound, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			var req events.APIGatewayV2HTTPRequest
			readEvent(t, tt.event, &req)
			if req.Version != "2.0" || req.RouteKey != req.RequestContext.RouteKey {
				t.Fatalf("%s is not a payload 2.0 event", tt.event)
			}
			if auth := req.RequestContext.Authorizer; auth != nil {
				// The sample's claims are those of a token of another pool; make them
				// the bootstrapped admin's, as the authorizer would pass them on.
				auth.JWT.Claims["client_id"] = a.ClientID
				auth.JWT.Claims["username"] = adminID
				if id, ok := subjects[tt.event]; ok {
					auth.JWT.Claims["username"] = id
				}
			}
			resp, err := httpapi.Handle(tt.op)(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || (tt.code != "" && !strings.Contains(resp.Body, `"code":"`+tt.code+`"`)) {
				t.Fatalf("answer %d %s, want %d %s", resp.StatusCode, resp.Body, tt.status, tt.code)
			}
		})
	}
	t.Run("post-authentication", func(t *testing.T) {
		var ev events.CognitoEventUserPoolsPostAuthentication
		readEvent(t, "post-authentication", &ev)
		if ev.TriggerSource != "PostAuthentication_Authentication" {
			t.Fatalf("trigger source %q", ev.TriggerSource)
		}
		// As the pool would send it: Roster's pool, a user of it, another app client.
		ev.UserPoolID, ev.UserName = a.UserPoolID, adminID
		since := a.Now().Add(-time.Second)
		out, err := cognitotrigger.PostAuthentication(a)(ctx, ev)
		if err != nil || out.UserName != ev.UserName || out.TriggerSource != ev.TriggerSource {
			t.Fatalf("answer %+v, %v: the trigger must hand the event back", out, err)
		}
		got, _, err := a.Store.LoginEvents(ctx, adminID, since, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(got, func(e store.LoginEvent) bool {
			return e.Via == store.ViaCognito && e.Outcome == store.LoginSucceeded
		}) {
			t.Fatalf("no sign-in recorded from the sample: %+v", got)
		}
	})
	t.Run("openapi", func(t *testing.T) {
		var req events.APIGatewayV2HTTPRequest
		readEvent(t, "openapi", &req)
		resp, err := openapi.Handler(ctx, req)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Body != openapi.JSON {
			t.Fatalf("answer %d, %v: want 200 and the document", resp.StatusCode, err)
		}
	})
	t.Run("no-route", func(t *testing.T) {
		var req events.APIGatewayV2HTTPRequest
		readEvent(t, "no-route", &req)
		resp, err := openapi.NoRoute(ctx, req)
		if err != nil || resp.StatusCode != http.StatusMethodNotAllowed || resp.Headers["Allow"] != "GET, PATCH" {
			t.Fatalf("answer %d %v, %v: want 405 with Allow: GET, PATCH", resp.StatusCode, resp.Headers, err)
		}
	})
	t.Run("console", func(t *testing.T) {
		var req events.APIGatewayV2HTTPRequest
		readEvent(t, "console", &req)
		page := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Roster</title>")}}
		resp, err := console.New(page).Serve(ctx, req)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Headers["Content-Security-Policy"] != console.CSP {
			t.Fatalf("answer %d %v, %v: want 200, the page, with the CSP", resp.StatusCode, resp.Headers, err)
		}
	})
	t.Run("send-mail", func(t *testing.T) {
		var ev events.DynamoDBEvent
		readEvent(t, "send-mail", &ev)
		if len(ev.Records) == 0 || ev.Records[0].Change.StreamViewType != "KEYS_ONLY" {
			t.Fatalf("%+v is not a KEYS_ONLY stream event", ev)
		}
		// The sample's outbox item does not exist (sent already, as on a retry): nothing
		// to send, nothing failed.
		rec := &mailtest.Recorder{}
		resp, err := outbox.NewMailer(a, rec).Handle(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 || len(rec.Messages()) != 0 {
			t.Fatalf("answer %+v, %v, %d sent: want no failure and no mail", resp, err, len(rec.Messages()))
		}
	})
	t.Run("bootstrap-admin", func(t *testing.T) {
		var in bootstrap.Input
		readEvent(t, "bootstrap-admin", &in)
		out, err := bootstrap.Handler(a, idp)(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.Created || out.UserID != "" {
			t.Fatalf("a second bootstrap created a super admin: %+v", out)
		}
	})
}

func readEvent(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("events/%s.json: %v", name, err)
	}
}

// TestEveryFunctionHasASampleEvent keeps events/ and functions/ from drifting apart.
func TestEveryFunctionHasASampleEvent(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "functions", "*", "main.go"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no functions found: %v", err)
	}
	for _, main := range dirs {
		name := filepath.Base(filepath.Dir(main))
		if _, err := os.Stat(filepath.Join("..", "..", "events", name+".json")); err != nil {
			t.Errorf("functions/%s has no events/%s.json", name, name)
		}
	}
}
