package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/identity/totptest"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
)

// Operation is one Roster operation as the bench drives it. Add a row to operations
// when a function lands; the bench fails loudly for a function without one.
type Operation struct {
	Name     string // route key, or "invoke <Function>" for invoke-only functions
	Function string // logical id in template.yaml
	// Read marks a read path: it must make no Cognito call.
	Read bool
	// Prepare makes the i-th request, doing any set-up it needs (through the API,
	// labelled apart from the operation itself).
	Prepare func(ctx context.Context, e *Env, i int) (Request, error)
	// Direct, when set, makes the same DynamoDB and Cognito calls as the operation,
	// straight from Go with Roster's own store and identity code: no gateway, no
	// Lambda runtime, no HTTP decoding or authorization. The bench checks that it
	// makes the same calls. Nil keeps the operation out of the overhead table.
	Direct func(ctx context.Context, e *Env, r Request) error
	// Unlisted marks a stand-in for a function without a row (see sampleEventOp).
	Unlisted bool
	// Samples overrides Options.Samples for warm timing (operations whose set-up is
	// costly take fewer).
	Samples int
}

// Request is one call of an operation: an HTTP request, or an Invoke payload for an
// invoke-only function.
type Request struct {
	Method, Path string
	Token        string
	Body         any
	Invoke       []byte            // payload for an invoke-only function
	Function     string            // the function Invoke goes to (the runner fills it in)
	Want         int               // expected status
	FreshIP      bool              // from a new source address (per-address rate limits)
	AnyAnswer    bool              // an Invoke whose function error is not the bench's failure
	Vars         map[string]string // what Direct needs to repeat the calls
}

// operations are the operations on main, one per function. A function without a row
// still gets its cold start measured, from its sample event, and the report names it.
var operations = []Operation{
	{
		Name: "POST /v1/auth/login", Function: "LoginFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/auth/login", Want: http.StatusOK,
				Body: map[string]string{"loginAccount": e.Member.Login, "password": e.Member.Password}}, nil
		},
		Direct: func(ctx context.Context, e *Env, _ Request) error {
			now := time.Now()
			id, err := e.Store.UserIDByLogin(ctx, e.Member.Login)
			if err != nil {
				return err
			}
			if _, err := e.Store.User(ctx, id); err != nil {
				return err
			}
			// The failure limits, per login account and per source IP (internal/api): a
			// try of each is taken before Cognito is asked; a success clears the
			// account's count and gives the address's try back.
			limit := store.Limit{Name: "bench", Max: 5, Window: 15 * time.Minute}
			tries, err := e.Store.TakeAll(ctx, now, store.On{Limit: limit, Subject: e.Member.Login}, store.On{Limit: limit, Subject: "127.0.0.1"})
			if err != nil {
				return err
			}
			if _, err := e.Identity.SignIn(ctx, id, e.Member.Password, false); err != nil {
				return err
			}
			if err := e.Store.ClearLimit(ctx, limit, e.Member.Login, now); err != nil {
				return err
			}
			if err := e.Store.Return(ctx, tries[1]); err != nil {
				return err
			}
			if err := e.Store.SetLastLogin(ctx, id, now); err != nil {
				return err
			}
			return e.Store.RecordLoginEvent(ctx, store.LoginEvent{
				ID: ids.New(), UserID: id, At: now, SourceIP: "127.0.0.1", UserAgent: "bench",
				Outcome: store.LoginSucceeded, Via: store.ViaAPI,
			}, 180*24*time.Hour)
		},
	},
	{
		Name: "POST /v1/auth/challenge", Function: "ChallengeFunction", Samples: 10,
		Prepare: func(ctx context.Context, e *Env, i int) (Request, error) {
			login, temporary, err := e.createMember(ctx, "ch", "")
			if err != nil {
				return Request{}, err
			}
			var started struct{ Session string }
			if err := e.call(ctx, Request{Method: "POST", Path: "/v1/auth/login", Want: http.StatusOK,
				Body: map[string]string{"loginAccount": login, "password": temporary}}, &started); err != nil {
				return Request{}, err
			}
			return Request{Method: "POST", Path: "/v1/auth/challenge", Want: http.StatusOK, Body: map[string]string{
				"loginAccount": login, "session": started.Session, "challenge": "NEW_PASSWORD_REQUIRED",
				"newPassword": "a bench passphrase of its own",
			}}, nil
		},
	},
	{
		Name: "POST /v1/auth/refresh", Function: "RefreshFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/auth/refresh", Want: http.StatusOK,
				Body: map[string]string{"refreshToken": e.Member.Refresh}}, nil
		},
		Direct: func(ctx context.Context, e *Env, _ Request) error {
			if _, err := e.Identity.Refresh(ctx, e.Member.Refresh); err != nil {
				return err
			}
			_, err := e.Store.User(ctx, e.Member.ID)
			return err
		},
	},
	{
		Name: "GET /v1/me", Function: "GetMeFunction", Read: true,
		Prepare: getAs(member, "/v1/me"),
		Direct: func(ctx context.Context, e *Env, _ Request) error {
			if _, err := e.Store.User(ctx, e.Member.ID); err != nil {
				return err
			}
			return e.directMemberships(ctx, e.Member.ID)
		},
	},
	{
		Name: "GET /v1/users", Function: "ListUsersFunction", Read: true,
		Prepare: getAs(admin, "/v1/users?limit=20"),
		Direct: func(ctx context.Context, e *Env, _ Request) error {
			if _, err := e.Store.User(ctx, e.Admin.ID); err != nil {
				return err
			}
			_, _, err := e.Store.ListUsers(ctx, store.UserFilter{}, store.Page{Limit: 20})
			return err
		},
	},
	{
		Name: "POST /v1/users", Function: "CreateUserFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			login := e.unique("cu")
			return Request{Method: "POST", Path: "/v1/users", Token: e.Admin.Token, Want: http.StatusCreated,
				Body: map[string]any{
					"username": "Bench_" + login, "loginAccount": login, "accountType": "member",
					"email": login + "@bench.example", "password": map[string]bool{"generate": true},
				},
				Vars: map[string]string{"login": login}}, nil
		},
		Direct: func(ctx context.Context, e *Env, r Request) error {
			if _, err := e.Store.User(ctx, e.Admin.ID); err != nil {
				return err
			}
			// The same account under another login: the one in r was taken by the API call.
			login := r.Vars["login"] + "d"
			u := user.User{
				ID: ids.New(), Username: "Bench_" + login, LoginAccount: login, Email: login + "@bench.example",
				AccountType: user.Member, Status: user.Active, CreatedAt: time.Now(), CreatedBy: e.Admin.ID,
			}
			// Its audit event is written with the account, as the function writes it.
			ev := store.AuditEvent{ID: ids.New(), At: time.Now(), ActorID: e.Admin.ID,
				Action: "user.create", TargetType: "user", TargetID: u.ID, Changes: map[string]store.Change{
					"username": {To: u.Username}, "loginAccount": {To: u.LoginAccount}, "accountType": {To: string(u.AccountType)},
					"email": {To: u.Email}, "mobile": {To: u.Mobile}, "notify": {To: false},
				}}
			return e.Accounts.Create(ctx, accounts.NewAccount{User: u, Password: accounts.GeneratePassword(), Effects: store.Effects{Audit: &ev, At: ev.At}})
		},
	},
	{
		Name: "GET /v1/users/{id}", Function: "GetUserFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "GET", Path: "/v1/users/" + e.Member.ID, Token: e.Admin.Token, Want: http.StatusOK}, nil
		},
		Direct: func(ctx context.Context, e *Env, _ Request) error {
			if _, err := e.Store.User(ctx, e.Admin.ID); err != nil {
				return err
			}
			if _, err := e.Store.User(ctx, e.Member.ID); err != nil {
				return err
			}
			return e.directMemberships(ctx, e.Member.ID)
		},
	},
	{
		Name: "POST /v1/auth/verification-codes", Function: "SendVerificationCodeFunction", Samples: 50,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/auth/verification-codes", Want: http.StatusAccepted, FreshIP: true,
				Body: map[string]string{"email": e.unique("vc") + "@bench.example"}}, nil
		},
	},
	{
		Name: "POST /v1/auth/register", Function: "RegisterFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			login := e.unique("rg")
			email := login + "@bench.example"
			code, err := e.code(ctx, Request{Method: "POST", Path: "/v1/auth/verification-codes", Want: http.StatusAccepted,
				FreshIP: true, Body: map[string]string{"email": email}}, email)
			if err != nil {
				return Request{}, err
			}
			const password = "a bench registration passphrase"
			return Request{Method: "POST", Path: "/v1/auth/register", Want: http.StatusCreated, FreshIP: true, Body: map[string]string{
				"username": "Bench_" + login, "loginAccount": login, "email": email,
				"password": password, "confirmPassword": password, "verificationCode": code,
			}}, nil
		},
	},
	{
		Name: "POST /v1/auth/password/forgot", Function: "ForgotPasswordFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			login, _, err := e.createMember(ctx, "fg", e.unique("fg")+"@bench.example")
			return Request{Method: "POST", Path: "/v1/auth/password/forgot", Want: http.StatusAccepted, FreshIP: true,
				Body: map[string]string{"loginAccount": login}}, err
		},
	},
	{
		Name: "POST /v1/auth/password/reset", Function: "ResetPasswordFunction", Samples: 10,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			email := e.unique("rs") + "@bench.example"
			login, _, err := e.createMember(ctx, "rs", email)
			if err != nil {
				return Request{}, err
			}
			code, err := e.code(ctx, Request{Method: "POST", Path: "/v1/auth/password/forgot", Want: http.StatusAccepted,
				FreshIP: true, Body: map[string]string{"loginAccount": login}}, email)
			return Request{Method: "POST", Path: "/v1/auth/password/reset", Want: http.StatusNoContent, FreshIP: true,
				Body: map[string]string{"loginAccount": login, "code": code, "newPassword": "a bench passphrase after reset"}}, err
		},
	},
	{
		Name: "POST /v1/me/password", Function: "ChangePasswordFunction", Samples: 10,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			a, err := e.newAccount(ctx, "pw")
			return Request{Method: "POST", Path: "/v1/me/password", Token: a.Token, Want: http.StatusOK, // a new session of the new password
				Body: map[string]string{"currentPassword": a.Password, "newPassword": "a changed bench passphrase"}}, err
		},
	},
	{
		// A user has one email-change code at a time and may ask again only after a
		// minute: each request is a new user's.
		Name: "POST /v1/me/email", Function: "ChangeEmailFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			a, err := e.newAccount(ctx, "ce")
			return Request{Method: "POST", Path: "/v1/me/email", Token: a.Token, Want: http.StatusAccepted, FreshIP: true,
				Body: map[string]string{"email": e.unique("ce") + "@bench.example"}}, err
		},
	},
	{
		Name: "POST /v1/me/email/verify", Function: "VerifyEmailChangeFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			a, err := e.newAccount(ctx, "ve")
			if err != nil {
				return Request{}, err
			}
			email := e.unique("ve") + "@bench.example"
			code, err := e.code(ctx, Request{Method: "POST", Path: "/v1/me/email", Token: a.Token, Want: http.StatusAccepted,
				FreshIP: true, Body: map[string]string{"email": email}}, email)
			return Request{Method: "POST", Path: "/v1/me/email/verify", Token: a.Token, Want: http.StatusOK,
				Body: map[string]string{"email": email, "code": code}}, err
		},
	},
	// Users administration (issue "users admin"): each write goes to a member of its own.
	{
		Name: "PATCH /v1/me", Function: "UpdateMeFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "PATCH", Path: "/v1/me", Token: e.Member.Token, Want: http.StatusOK,
				Body: map[string]string{"username": "Bench_" + e.unique("me")}}, nil
		},
	},
	{
		Name: "PATCH /v1/users/{id}", Function: "UpdateUserFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "PATCH", Path: "/v1/users/" + e.Member.ID, Token: e.Admin.Token, Want: http.StatusOK,
				Body: map[string]string{"username": "Bench_" + e.unique("ed")}}, nil
		},
	},
	{
		Name: "DELETE /v1/users/{id}", Function: "DeleteUserFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "dl")
			return Request{Method: "DELETE", Path: "/v1/users/" + id, Token: e.Admin.Token, Want: http.StatusNoContent}, err
		},
	},
	{
		Name: "POST /v1/users/{id}/password-reset", Function: "ResetUserPasswordFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "rp")
			return Request{Method: "POST", Path: "/v1/users/" + id + "/password-reset", Token: e.Admin.Token, Want: http.StatusOK,
				Body: map[string]bool{"notify": false}}, err
		},
	},
	{
		Name: "POST /v1/users/{id}/freeze", Function: "FreezeUserFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "fz")
			return Request{Method: "POST", Path: "/v1/users/" + id + "/freeze", Token: e.Admin.Token, Want: http.StatusOK}, err
		},
	},
	{
		Name: "POST /v1/users/{id}/recover", Function: "RecoverUserFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "rc")
			if err != nil {
				return Request{}, err
			}
			err = e.call(ctx, Request{Method: "POST", Path: "/v1/users/" + id + "/freeze", Token: e.Admin.Token, Want: http.StatusOK}, nil)
			return Request{Method: "POST", Path: "/v1/users/" + id + "/recover", Token: e.Admin.Token, Want: http.StatusOK}, err
		},
	},
	{
		Name: "DELETE /v1/users/{id}/email", Function: "UnbindUserEmailFunction", Samples: 20,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "ub")
			return Request{Method: "DELETE", Path: "/v1/users/" + id + "/email", Token: e.Admin.Token, Want: http.StatusNoContent}, err
		},
	},
	{
		Name: "GET /v1/audit-events", Function: "ListAuditEventsFunction", Read: true,
		Prepare: getAs(admin, "/v1/audit-events?limit=20"),
	},
	// Teams (issue "teams"). The bench's member belongs to one team, as most members do.
	{
		Name: "GET /v1/teams", Function: "ListTeamsFunction", Read: true,
		Prepare: getAs(admin, "/v1/teams?limit=20"),
	},
	{
		Name: "POST /v1/teams", Function: "CreateTeamFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/teams", Token: e.Admin.Token, Want: http.StatusCreated,
				Body: map[string]string{"name": "Bench team " + e.unique("t")}}, nil
		},
	},
	{
		Name: "GET /v1/teams/{id}", Function: "GetTeamFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return get(e.Member.Token, "/v1/teams/"+e.TeamID), nil
		},
	},
	{
		Name: "GET /v1/teams/{id}/members", Function: "ListTeamMembersFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return get(e.Member.Token, "/v1/teams/"+e.TeamID+"/members?limit=20"), nil
		},
	},
	{
		Name: "POST /v1/teams/{id}/members", Function: "AddTeamMemberFunction", Samples: 50,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "am")
			return Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/members", Token: e.Admin.Token, Want: http.StatusCreated,
				Body: map[string]any{"userId": id, "roleIds": []string{"member"}}}, err
		},
	},
	{
		Name: "POST /v1/teams/{id}/invitation-codes", Function: "CreateInvitationCodeFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/invitation-codes", Token: e.Admin.Token,
				Want: http.StatusCreated, Body: map[string]any{"roleIds": []string{"member"}}}, nil
		},
	},
	{
		// Join with code: each join is a new team's code, redeemed by the bench's joiner.
		Name: "POST /v1/teams/join", Function: "JoinTeamFunction", Samples: 50,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			code, err := e.invitationCode(ctx)
			return Request{Method: "POST", Path: "/v1/teams/join", Token: e.Joiner.Token, Want: http.StatusCreated,
				Body: map[string]string{"code": code}, Vars: map[string]string{"code": code}}, err
		},
	},
	{
		Name: "GET /v1/roles", Function: "ListRolesFunction", Read: true,
		Prepare: getAs(member, "/v1/roles"),
	},
	{
		Name: "GET /v1/permissions", Function: "ListPermissionsFunction", Read: true,
		Prepare: getAs(member, "/v1/permissions"),
	},
	{
		// Public, and answered from the binary: no token, no table.
		Name: "GET /v1/openapi.json", Function: "OpenapiFunction", Read: true,
		Prepare: func(context.Context, *Env, int) (Request, error) {
			return Request{Method: "GET", Path: "/v1/openapi.json", Want: http.StatusOK}, nil
		},
	},
	{
		// What no route under /v1 takes: a method /v1/me does not have.
		Name: "PUT /v1/me (no route)", Function: "NoRouteFunction", Read: true,
		Prepare: func(context.Context, *Env, int) (Request, error) {
			return Request{Method: "PUT", Path: "/v1/me", Want: http.StatusMethodNotAllowed}, nil
		},
	},
	{
		// The $default route: a page of the console, answered from the binary.
		Name: "GET /login (console)", Function: "ConsoleFunction", Read: true,
		Prepare: func(context.Context, *Env, int) (Request, error) {
			return Request{Method: "GET", Path: "/login", Want: http.StatusOK}, nil
		},
	},
	// Team, role and invitation management: each write works on items of its own.
	{
		Name: "PATCH /v1/teams/{id}", Function: "UpdateTeamFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "PATCH", Path: "/v1/teams/" + e.TeamID, Token: e.Admin.Token, Want: http.StatusOK,
				Body: map[string]string{"description": "Bench " + e.unique("td")}}, nil
		},
	},
	{
		Name: "DELETE /v1/teams/{id}", Function: "DeleteTeamFunction", Samples: 50,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.newTeam(ctx, "dt")
			return Request{Method: "DELETE", Path: "/v1/teams/" + id, Token: e.Admin.Token, Want: http.StatusNoContent}, err
		},
	},
	{
		Name: "PUT /v1/teams/{id}/members/{userId}", Function: "UpdateTeamMemberFunction",
		Prepare: func(_ context.Context, e *Env, i int) (Request, error) {
			roles := []string{"member"}
			if i%2 == 1 {
				roles = append(roles, "admin")
			}
			return Request{Method: "PUT", Path: "/v1/teams/" + e.TeamID + "/members/" + e.Member.ID, Token: e.Admin.Token,
				Want: http.StatusOK, Body: map[string]any{"roleIds": roles}}, nil
		},
	},
	{
		Name: "DELETE /v1/teams/{id}/members/{userId}", Function: "RemoveTeamMemberFunction", Samples: 50,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.memberID(ctx, "rm")
			if err != nil {
				return Request{}, err
			}
			err = e.call(ctx, Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/members", Token: e.Admin.Token,
				Want: http.StatusCreated, Body: map[string]any{"userId": id, "roleIds": []string{"member"}}}, nil)
			return Request{Method: "DELETE", Path: "/v1/teams/" + e.TeamID + "/members/" + id, Token: e.Admin.Token,
				Want: http.StatusNoContent}, err
		},
	},
	{
		Name: "GET /v1/teams/{id}/invitation-codes", Function: "ListInvitationCodesFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return get(e.Admin.Token, "/v1/teams/"+e.TeamID+"/invitation-codes?limit=20"), nil
		},
	},
	{
		Name: "DELETE /v1/teams/{id}/invitation-codes/{code}", Function: "RevokeInvitationCodeFunction",
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			var code struct{ Code string }
			err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/invitation-codes", Token: e.Admin.Token,
				Want: http.StatusCreated, Body: map[string]any{"roleIds": []string{"member"}}}, &code)
			return Request{Method: "DELETE", Path: "/v1/teams/" + e.TeamID + "/invitation-codes/" + code.Code, Token: e.Admin.Token,
				Want: http.StatusNoContent}, err
		},
	},
	{
		Name: "POST /v1/teams/{id}/invitations", Function: "CreateInvitationFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/invitations", Token: e.Admin.Token,
				Want: http.StatusCreated, Body: map[string]any{"roleIds": []string{"member"}}}, nil
		},
	},
	{
		Name: "GET /v1/teams/{id}/invitations", Function: "ListInvitationsFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return get(e.Admin.Token, "/v1/teams/"+e.TeamID+"/invitations?limit=20"), nil
		},
	},
	{
		Name: "DELETE /v1/teams/{id}/invitations/{invitationId}", Function: "RevokeInvitationFunction",
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			inv, err := e.invitation(ctx, e.TeamID)
			return Request{Method: "DELETE", Path: "/v1/teams/" + e.TeamID + "/invitations/" + inv.ID, Token: e.Admin.Token,
				Want: http.StatusNoContent}, err
		},
	},
	{
		Name: "POST /v1/teams/{id}/invitations/{invitationId}/resend", Function: "ResendInvitationFunction",
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			inv, err := e.invitation(ctx, e.TeamID)
			return Request{Method: "POST", Path: "/v1/teams/" + e.TeamID + "/invitations/" + inv.ID + "/resend", Token: e.Admin.Token,
				Want: http.StatusOK}, err
		},
	},
	{
		Name: "GET /v1/invitations/{token}", Function: "GetInvitationFunction", Read: true,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			inv, err := e.invitation(ctx, e.TeamID)
			r := get("", "/v1/invitations/"+inv.token())
			r.FreshIP = true // public look-ups are limited per address
			return r, err
		},
	},
	{
		// Accepting: the joiner takes an open link to a new team of its own each time.
		Name: "POST /v1/invitations/{token}/accept", Function: "AcceptInvitationFunction", Samples: 50,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.newTeam(ctx, "at")
			if err != nil {
				return Request{}, err
			}
			inv, err := e.invitation(ctx, id)
			return Request{Method: "POST", Path: "/v1/invitations/" + inv.token() + "/accept", Token: e.Joiner.Token,
				Want: http.StatusCreated}, err
		},
	},
	{
		Name: "POST /v1/roles", Function: "CreateRoleFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/roles", Token: e.Admin.Token, Want: http.StatusCreated,
				Body: map[string]any{"name": "Bench role " + e.unique("cr"), "permissions": []string{"team:read"}}}, nil
		},
	},
	{
		Name: "PATCH /v1/roles/{id}", Function: "UpdateRoleFunction",
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.newRole(ctx, "ur")
			return Request{Method: "PATCH", Path: "/v1/roles/" + id, Token: e.Admin.Token, Want: http.StatusOK,
				Body: map[string]any{"permissions": []string{"team:read", "bench:use"}}}, err
		},
	},
	{
		Name: "DELETE /v1/roles/{id}", Function: "DeleteRoleFunction",
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			id, err := e.newRole(ctx, "dr")
			return Request{Method: "DELETE", Path: "/v1/roles/" + id, Token: e.Admin.Token, Want: http.StatusNoContent}, err
		},
	},
	{
		// Each request signs a new account out: the shared member's tokens must live on.
		Name: "POST /v1/auth/logout", Function: "LogoutFunction", Samples: 10,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			a, err := e.newAccount(ctx, "lo")
			return Request{Method: "POST", Path: "/v1/auth/logout", Token: a.Token, Want: http.StatusNoContent}, err
		},
	},
	{
		// Starting a binding changes nothing until a code is verified: the member can repeat it.
		Name: "POST /v1/me/mfa/totp", Function: "StartTotpFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "POST", Path: "/v1/me/mfa/totp", Token: e.Member.Token, Want: http.StatusOK}, nil
		},
	},
	{
		Name: "POST /v1/me/mfa/totp/verify", Function: "VerifyTotpFunction", Samples: 10,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			a, err := e.newAccount(ctx, "tv")
			if err != nil {
				return Request{}, err
			}
			_, code, err := e.startTOTP(ctx, a)
			return Request{Method: "POST", Path: "/v1/me/mfa/totp/verify", Token: a.Token, Want: http.StatusNoContent,
				Body: map[string]string{"code": code}}, err
		},
	},
	{
		Name: "DELETE /v1/me/mfa", Function: "UnbindMyMfaFunction", Samples: 10,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			a, err := e.newAccount(ctx, "tu")
			if err != nil {
				return Request{}, err
			}
			secret, code, err := e.startTOTP(ctx, a)
			if err != nil {
				return Request{}, err
			}
			if err := e.call(ctx, Request{Method: "POST", Path: "/v1/me/mfa/totp/verify", Token: a.Token, Want: http.StatusNoContent,
				Body: map[string]string{"code": code}}, nil); err != nil {
				return Request{}, err
			}
			code, err = totptest.Now(secret)
			return Request{Method: "DELETE", Path: "/v1/me/mfa", Token: a.Token, Want: http.StatusNoContent,
				Body: map[string]string{"code": code}}, err
		},
	},
	{
		Name: "GET /v1/me/login-events", Function: "ListMyLoginEventsFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "GET", Path: "/v1/me/login-events", Token: e.Member.Token, Want: http.StatusOK}, nil
		},
	},
	{
		// The member has no MFA: Cognito is told anyway and nothing is written.
		Name: "DELETE /v1/users/{id}/mfa", Function: "UnbindUserMfaFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "DELETE", Path: "/v1/users/" + e.Member.ID + "/mfa", Token: e.Admin.Token, Want: http.StatusNoContent}, nil
		},
	},
	{
		Name: "GET /v1/users/{id}/login-events", Function: "ListUserLoginEventsFunction", Read: true,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			return Request{Method: "GET", Path: "/v1/users/" + e.Member.ID + "/login-events", Token: e.Admin.Token, Want: http.StatusOK}, nil
		},
	},
	{
		// A sign-in through another app client, as the user pool would report it.
		Name: "invoke PostAuthenticationFunction", Function: "PostAuthenticationFunction",
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			payload, err := json.Marshal(map[string]any{
				"version": "1", "triggerSource": "PostAuthentication_Authentication", "region": "us-east-1",
				"userPoolId": e.poolID, "userName": e.Member.ID,
				"callerContext": map[string]string{"awsSdkVersion": "bench", "clientId": "hosted-ui"},
				"request":       map[string]any{"userAttributes": map[string]string{}}, "response": map[string]any{},
			})
			return Request{Invoke: payload}, err
		},
	},
	{
		// One mail, as the stream hands it over: the bench writes an outbox item (past the
		// proxy, as set-up) and invokes the mailer with its key at once. The stack's poller
		// sees the item too, a poll later (up to 250 ms): by then it is sent and gone, and the
		// poller's invocation, a read of nothing, is booked apart (Ledger.Async).
		Name: "invoke SendMailFunction", Function: "SendMailFunction", Samples: 50,
		Prepare: func(ctx context.Context, e *Env, _ int) (Request, error) {
			return e.queueMail(ctx, e.unique("ml")+"@bench.example")
		},
	},
	{
		Name: "invoke BootstrapAdminFunction", Function: "BootstrapAdminFunction", Samples: 20,
		Prepare: func(_ context.Context, e *Env, _ int) (Request, error) {
			// The admin exists: a run after the first changes nothing and says so.
			payload, err := json.Marshal(map[string]string{"loginAccount": e.Admin.Login, "username": "Admin", "email": "admin@roster.local"})
			return Request{Invoke: payload}, err
		},
	},
}

// adminMix is the call mix of an admin console session used for the cost target,
// in calls per 100: mostly the user and team pages' reads, some sign-ins and token
// refreshes, a few edits. Operations not on main yet are left out and the rest
// renormalised (the report names them).
var adminMix = []struct {
	Op     string
	Weight float64
}{
	{"POST /v1/auth/login", 3},
	{"POST /v1/auth/refresh", 7},
	{"GET /v1/me", 15},
	{"GET /v1/users", 25},
	{"GET /v1/users/{id}", 15},
	{"POST /v1/users", 3},
	{"PATCH /v1/users/{id}", 3},
	{"GET /v1/teams", 10},
	{"GET /v1/teams/{id}", 5},
	{"GET /v1/teams/{id}/members", 10},
	{"POST /v1/teams/{id}/members", 2},
	{"POST /v1/teams/{id}/invitation-codes", 1},
	{"GET /v1/audit-events", 1},
}

// get is a GET of path with token that expects 200.
func get(token, path string) Request {
	return Request{Method: "GET", Path: path, Token: token, Want: http.StatusOK}
}

// getAs prepares a GET of a fixed path by the admin or the member.
func getAs(who func(*Env) Account, path string) func(context.Context, *Env, int) (Request, error) {
	return func(_ context.Context, e *Env, _ int) (Request, error) { return get(who(e).Token, path), nil }
}

func admin(e *Env) Account  { return e.Admin }
func member(e *Env) Account { return e.Member }

// startTOTP starts binding an authenticator for a and answers its secret and a current code.
func (e *Env) startTOTP(ctx context.Context, a Account) (secret, code string, err error) {
	var started struct{ Secret string }
	if err := e.call(ctx, Request{Method: "POST", Path: "/v1/me/mfa/totp", Token: a.Token, Want: http.StatusOK}, &started); err != nil {
		return "", "", err
	}
	code, err = totptest.Now(started.Secret)
	return started.Secret, code, err
}

func (e *Env) unique(prefix string) string {
	return fmt.Sprintf("%s%s%d", prefix, e.runID, e.seq.Add(1))
}

// newTeam creates a team and answers its id.
func (e *Env) newTeam(ctx context.Context, prefix string) (string, error) {
	var created struct{ ID string }
	err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams", Token: e.Admin.Token, Want: http.StatusCreated,
		Body: map[string]string{"name": "Bench team " + e.unique(prefix)}}, &created)
	return created.ID, err
}

// newRole creates a custom role and answers its id.
func (e *Env) newRole(ctx context.Context, prefix string) (string, error) {
	var created struct{ ID string }
	err := e.call(ctx, Request{Method: "POST", Path: "/v1/roles", Token: e.Admin.Token, Want: http.StatusCreated,
		Body: map[string]any{"name": "Bench role " + e.unique(prefix), "permissions": []string{"team:read"}}}, &created)
	return created.ID, err
}

// openInvitation is an open invitation link as its creation answers it.
type openInvitation struct {
	ID   string
	Link string
}

// token is the link's last path segment.
func (i openInvitation) token() string { return i.Link[strings.LastIndex(i.Link, "/")+1:] }

// invitation creates an open invitation link to team.
func (e *Env) invitation(ctx context.Context, team string) (openInvitation, error) {
	var inv openInvitation
	err := e.call(ctx, Request{Method: "POST", Path: "/v1/teams/" + team + "/invitations", Token: e.Admin.Token,
		Want: http.StatusCreated, Body: map[string]any{"roleIds": []string{"member"}}}, &inv)
	return inv, err
}

// directMemberships reads what GET /v1/me and GET /v1/users/{id} show of a user's
// teams, as the API does: its memberships, their teams, their custom roles.
func (e *Env) directMemberships(ctx context.Context, userID string) error {
	memberships, err := e.Store.UserMembershipsSnapshot(ctx, userID)
	if err != nil || len(memberships) == 0 {
		return err
	}
	var teamIDs, roleIDs []string
	for _, m := range memberships {
		teamIDs = append(teamIDs, m.TeamID)
		roleIDs = append(roleIDs, m.RoleIDs...)
	}
	if _, err := e.Store.Teams(ctx, teamIDs); err != nil {
		return err
	}
	_, err = e.Store.Roles(ctx, roleIDs)
	return err
}
