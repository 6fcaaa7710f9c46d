package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/identity/cognito"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/store/storetest"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// errInjected is the failure a faulty step answers.
var errInjected = errors.New("injected failure")

// faults counts the steps of one operation across both sides and fails the nth
// (none when n is 0), recording the order the steps were taken in.
type faults struct {
	n     int
	steps []string
	// before runs, if set, as the step of that name is about to be taken.
	before map[string]func()
}

func (f *faults) step(name string) error {
	f.steps = append(f.steps, name)
	if run := f.before[name]; run != nil {
		run()
	}
	if len(f.steps) == f.n {
		return errInjected
	}
	return nil
}

// faultyRecords is the real store with a seam before each step.
type faultyRecords struct {
	real *store.Store
	f    *faults
}

func (r faultyRecords) CreatePendingUser(ctx context.Context, u user.User, superAdmin bool) error {
	if err := r.f.step("records.CreatePendingUser"); err != nil {
		return err
	}
	return r.real.CreatePendingUser(ctx, u, superAdmin)
}

func (r faultyRecords) ConfirmUser(ctx context.Context, u user.User, fx store.Effects) error {
	if err := r.f.step("records.ConfirmUser"); err != nil {
		return err
	}
	return r.real.ConfirmUser(ctx, u, fx)
}

func (r faultyRecords) HalfMadeHolders(ctx context.Context, u user.User, superAdmin bool, staleBefore time.Time) ([]user.User, bool, error) {
	if err := r.f.step("records.HalfMadeHolders"); err != nil {
		return nil, false, err
	}
	return r.real.HalfMadeHolders(ctx, u, superAdmin, staleBefore)
}

func (r faultyRecords) DiscardHalfMade(ctx context.Context, u user.User, fx store.Effects) error {
	if err := r.f.step("records.DiscardHalfMade"); err != nil {
		return err
	}
	return r.real.DiscardHalfMade(ctx, u, fx)
}

func (r faultyRecords) DeleteUserRecords(ctx context.Context, u user.User, superAdmin bool, fx store.Effects) error {
	if err := r.f.step("records.DeleteUserRecords"); err != nil {
		return err
	}
	return r.real.DeleteUserRecords(ctx, u, superAdmin, fx)
}

func (r faultyRecords) DeleteMemberships(ctx context.Context, userID string) error {
	if err := r.f.step("records.DeleteMemberships"); err != nil {
		return err
	}
	return r.real.DeleteMemberships(ctx, userID)
}

func (r faultyRecords) SetMFA(ctx context.Context, id string, enabled bool, fx store.Effects) error {
	if err := r.f.step("records.SetMFA"); err != nil {
		return err
	}
	return r.real.SetMFA(ctx, id, enabled, fx)
}

// faultyDirectory is the real Cognito client with a seam before each step.
type faultyDirectory struct {
	real *cognito.Cognito
	f    *faults
}

func (d faultyDirectory) CreateUser(ctx context.Context, username, password string) error {
	if err := d.f.step("directory.CreateUser"); err != nil {
		return err
	}
	return d.real.CreateUser(ctx, username, password)
}

func (d faultyDirectory) SetPassword(ctx context.Context, username, password string, permanent bool) error {
	if err := d.f.step("directory.SetPassword"); err != nil {
		return err
	}
	return d.real.SetPassword(ctx, username, password, permanent)
}

func (d faultyDirectory) DeleteUser(ctx context.Context, username string) error {
	if err := d.f.step("directory.DeleteUser"); err != nil {
		return err
	}
	return d.real.DeleteUser(ctx, username)
}

func (d faultyDirectory) SignOutEverywhere(ctx context.Context, username string) error {
	if err := d.f.step("directory.SignOutEverywhere"); err != nil {
		return err
	}
	return d.real.SignOutEverywhere(ctx, username)
}

func (d faultyDirectory) DisableUser(ctx context.Context, username string) error {
	if err := d.f.step("directory.DisableUser"); err != nil {
		return err
	}
	return d.real.DisableUser(ctx, username)
}

// env is one test's two sides: a fresh table on DynamoDB Local, and the stack's
// Cognito emulator pool (users there are named by fresh ids, so tests share it).
type env struct {
	t       *testing.T
	store   *store.Store
	cognito *cognito.Cognito
	client  *cip.Client
	pool    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the local stack (-short, make unit)")
	}
	endpoint, pool, clientID := os.Getenv("ROSTER_COGNITO_ENDPOINT"), os.Getenv("ROSTER_USER_POOL_ID"), os.Getenv("ROSTER_USER_POOL_CLIENT_ID")
	if endpoint == "" || pool == "" || clientID == "" {
		t.Fatal("ROSTER_COGNITO_ENDPOINT, ROSTER_USER_POOL_ID or ROSTER_USER_POOL_CLIENT_ID is not set: run through `make test` or `bin/roster-stack run -- go test ...`")
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	client := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = &endpoint })
	return &env{t: t, store: storetest.New(t), cognito: cognito.New(client, pool, clientID), client: client, pool: pool}
}

// accounts returns Accounts whose nth step fails.
func (e *env) accounts(n int) (*accounts.Accounts, *faults) {
	f := &faults{n: n}
	return accounts.New(faultyRecords{e.store, f}, faultyDirectory{e.cognito, f}), f
}

const password = "a temporary passphrase"

func newAccount(loginPrefix string) user.User {
	id := ids.New()
	return user.User{
		ID: id, Username: "Whole Or Nothing", LoginAccount: loginPrefix + id[:10], Email: id[:10] + "@example.com",
		AccountType: user.Member, Status: user.Active, CreatedAt: time.Now(),
	}
}

// cognitoUser reports whether the Cognito user exists and whether it is enabled.
func (e *env) cognitoUser(id string) (exists, enabled bool) {
	e.t.Helper()
	ctx := e.t.Context()
	out, err := e.client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &e.pool, Username: &id})
	var missing *types.UserNotFoundException
	if errors.As(err, &missing) {
		return false, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return true, out.Enabled
}

// whole checks that every part of u is there: its records, its claims, its
// memberships, and a Cognito user that can sign in with password.
func (e *env) whole(u user.User, memberships int) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.store.User(ctx, u.ID); err != nil {
		e.t.Fatalf("user record: %v", err)
	}
	e.claims(u, u.ID)
	if got, err := e.store.UserMemberships(ctx, u.ID); err != nil || len(got) != memberships {
		e.t.Fatalf("memberships %v (%v), want %d", got, err, memberships)
	}
	if exists, enabled := e.cognitoUser(u.ID); !exists || !enabled {
		e.t.Fatalf("Cognito user exists %v, enabled %v", exists, enabled)
	}
	r, err := e.cognito.SignIn(ctx, u.ID, password, false)
	if err != nil || r.Challenge != identity.NewPasswordRequired {
		e.t.Fatalf("sign-in with the temporary password: %+v, %v", r, err)
	}
}

// nothing checks that no part of u is left and its login account and email are free.
func (e *env) nothing(u user.User) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.store.User(ctx, u.ID); !errors.Is(err, apperr.CodeNotFound) {
		e.t.Fatalf("user record: %v, want not_found", err)
	}
	e.claims(u, "")
	if got, err := e.store.UserMemberships(ctx, u.ID); err != nil || len(got) != 0 {
		e.t.Fatalf("memberships %v (%v), want none", got, err)
	}
	if exists, _ := e.cognitoUser(u.ID); exists {
		e.t.Fatal("Cognito user still exists")
	}
}

// claims checks who holds u's login account ("" for nobody) and that its email is
// held exactly when the login account is.
func (e *env) claims(u user.User, holder string) {
	e.t.Helper()
	ctx := e.t.Context()
	got, err := e.store.UserIDByLogin(ctx, u.LoginAccount)
	if holder == "" && !errors.Is(err, apperr.CodeNotFound) || holder != "" && (err != nil || got != holder) {
		e.t.Fatalf("login account held by %q (%v), want %q", got, err, holder)
	}
	taken, err := e.store.EmailTaken(ctx, u.Email)
	if err != nil || taken != (holder != "") {
		e.t.Fatalf("email taken %v (%v), want %v", taken, err, holder != "")
	}
}

// A failure at any step of Create leaves nothing: no records, a free login account
// and email, and no Cognito user; the same account can then be created.
func TestCreateFailureAtEachStepLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tests := []struct {
		permanent bool
		failAt    string
		steps     []string // taken in this order
	}{
		{false, "records.CreatePendingUser", []string{"records.CreatePendingUser"}},
		{false, "directory.CreateUser", []string{"records.CreatePendingUser", "directory.CreateUser", "records.DeleteUserRecords"}},
		{false, "records.ConfirmUser", []string{"records.CreatePendingUser", "directory.CreateUser", "records.ConfirmUser",
			"directory.DeleteUser", "records.DeleteUserRecords"}},
		{true, "records.CreatePendingUser", []string{"records.CreatePendingUser"}},
		{true, "directory.CreateUser", []string{"records.CreatePendingUser", "directory.CreateUser", "records.DeleteUserRecords"}},
		{true, "directory.SetPassword", []string{"records.CreatePendingUser", "directory.CreateUser", "directory.SetPassword",
			"directory.DeleteUser", "records.DeleteUserRecords"}},
		{true, "records.ConfirmUser", []string{"records.CreatePendingUser", "directory.CreateUser", "directory.SetPassword",
			"records.ConfirmUser", "directory.DeleteUser", "records.DeleteUserRecords"}},
	}
	for _, tt := range tests {
		name := tt.failAt
		if tt.permanent {
			name += " (permanent password)"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := newAccount("create")
			a, f := e.accounts(slices.Index(tt.steps, tt.failAt) + 1)
			if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password, Permanent: tt.permanent}); !errors.Is(err, errInjected) {
				t.Fatalf("Create answered %v, want the injected failure", err)
			}
			if !slices.Equal(f.steps, tt.steps) {
				t.Fatalf("steps %v, want %v", f.steps, tt.steps)
			}
			e.nothing(u)

			a, _ = e.accounts(0)
			if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
				t.Fatalf("Create after the failed one: %v", err)
			}
			e.whole(u, 0)
		})
	}
}

// A failure at any step of Delete leaves either the whole user (before anything of
// it is removed) or a user that cannot sign in and whose record is still there, so
// that a retry of the deletion finds it and removes everything.
func TestDeleteFailureAtEachStep(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	steps := []string{"directory.SignOutEverywhere", "directory.DisableUser", "records.DeleteMemberships",
		"directory.DeleteUser", "records.DeleteUserRecords", "records.DeleteMemberships"}
	tests := []struct {
		failAt int  // index in steps
		whole  bool // the user is left whole, rather than waiting for a retry
		gone   bool // the deletion is complete despite the failure
	}{
		{0, true, false},
		{1, true, false},
		{2, false, false},
		{3, false, false},
		{4, false, false},
		{5, false, true}, // the sweep after the records: logged, not answered
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.failAt+1, " ", steps[tt.failAt]), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := newAccount("delete")
			a, _ := e.accounts(0)
			if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"Red", "Blue"} {
				tm := team.Team{ID: ids.New(), Name: name, CreatedAt: time.Now()}
				if err := e.store.CreateTeam(ctx, tm, &team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"owner", "member"}, JoinedAt: time.Now()}, store.Effects{}); err != nil {
					t.Fatal(err)
				}
			}

			a, f := e.accounts(tt.failAt + 1)
			err := a.Delete(ctx, u, store.Effects{})
			if want := steps[:tt.failAt+1]; !slices.Equal(f.steps, want) {
				t.Fatalf("steps %v, want %v", f.steps, want)
			}
			if tt.gone {
				if err != nil {
					t.Fatalf("Delete answered %v for a failed sweep after the user was gone", err)
				}
				e.nothing(u)
				return
			}
			if !errors.Is(err, errInjected) {
				t.Fatalf("Delete answered %v, want the injected failure", err)
			}
			if tt.whole {
				e.whole(u, 2)
			} else {
				// Half way: the record that lets a retry find the user is there, and the
				// user cannot sign in (disabled, or already gone from Cognito).
				if _, err := e.store.User(ctx, u.ID); err != nil {
					t.Fatalf("user record after a failure half way: %v", err)
				}
				e.claims(u, u.ID)
				if exists, enabled := e.cognitoUser(u.ID); enabled {
					t.Fatalf("Cognito user exists %v and is enabled half way through a deletion", exists)
				}
				if _, err := e.cognito.SignIn(ctx, u.ID, password, false); err == nil {
					t.Fatal("signed in half way through a deletion")
				}
			}

			a, f = e.accounts(0)
			if err := a.Delete(ctx, u, store.Effects{}); err != nil {
				t.Fatalf("retried Delete: %v", err)
			}
			if !slices.Equal(f.steps, steps) {
				t.Fatalf("retry steps %v, want %v", f.steps, steps)
			}
			e.nothing(u)
		})
	}
}

// A membership added while a deletion runs (the user joining with a token that still
// works, or an admin adding it) after the memberships were removed does not outlive
// the user.
func TestDeleteSweepsAMembershipAddedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t)
	u := newAccount("race")
	a, f := e.accounts(0)
	if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
		t.Fatal(err)
	}
	tm := team.Team{ID: ids.New(), Name: "Late", CreatedAt: time.Now()}
	if err := e.store.CreateTeam(ctx, tm, nil, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	f.before = map[string]func(){"directory.DeleteUser": func() {
		if err := e.store.AddMember(ctx, team.Membership{TeamID: tm.ID, UserID: u.ID, RoleIDs: []string{"member"}, JoinedAt: time.Now()}, store.Effects{}); err != nil {
			t.Errorf("the racing join: %v", err)
		}
	}}
	if err := a.Delete(ctx, u, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	e.nothing(u)
	if _, err := e.store.Membership(ctx, tm.ID, u.ID); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("the team still holds the deleted user: %v", err)
	}
}

// Deleting twice (a retry after a success the caller did not hear of) is harmless,
// and a late second run does not release the login account and email of a user who
// took them in between.
func TestDeleteAgainSparesTheSuccessor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t)
	a, _ := e.accounts(0)
	u := newAccount("again")
	if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := a.Delete(ctx, u, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	successor := u
	successor.ID = ids.New()
	if err := a.Create(ctx, accounts.NewAccount{User: successor, Password: password}); err != nil {
		t.Fatalf("the freed login account and email could not be taken: %v", err)
	}
	if err := a.Delete(ctx, u, store.Effects{}); !errors.Is(err, apperr.CodeNotFound) {
		t.Fatalf("second deletion answered %v, want not_found", err)
	}
	e.whole(successor, 0)
}

// A sign-in account deleted behind Roster's back (DeleteUser with the user's own access
// token) is made again by the next password set, whatever step a first try failed at;
// the record's MFA goes off, since the authenticator went with the account.
func TestSetPasswordRemakesAGoneAccount(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	steps := []string{"directory.SetPassword", "records.SetMFA", "directory.CreateUser"}
	for failAt := range len(steps) + 1 {
		name := "no failure"
		if failAt > 0 {
			name = "failing at " + steps[failAt-1]
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := newAccount("remake")
			a, _ := e.accounts(0)
			if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
				t.Fatal(err)
			}
			if err := e.store.SetMFA(ctx, u.ID, true, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &e.pool, Username: &u.ID}); err != nil {
				t.Fatal(err)
			}

			a, f := e.accounts(failAt)
			err := a.SetPassword(ctx, u.ID, password, false)
			if failAt > 0 {
				if !errors.Is(err, errInjected) || !slices.Equal(f.steps, steps[:failAt]) {
					t.Fatalf("SetPassword = %v after steps %v, want the injected failure at %s", err, f.steps, steps[failAt-1])
				}
				a, f = e.accounts(0)
				err = a.SetPassword(ctx, u.ID, password, false)
			}
			if err != nil || !slices.Equal(f.steps, steps) {
				t.Fatalf("SetPassword = %v after steps %v, want %v", err, f.steps, steps)
			}
			e.whole(u, 0)
			if got, err := e.store.User(ctx, u.ID); err != nil || got.MFAEnabled {
				t.Fatalf("record after the account was made again: mfa %v (%v), want off", got.MFAEnabled, err)
			}
			// An account that is there only gets the password.
			a, f = e.accounts(0)
			if err := a.SetPassword(ctx, u.ID, "another passphrase here", true); err != nil || !slices.Equal(f.steps, steps[:1]) {
				t.Fatalf("SetPassword on an account that is there: %v after steps %v", err, f.steps)
			}
		})
	}
}
