package accounts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
)

// halfMade does what a creation killed between its steps leaves: the first step
// (the records, through the store call Create makes) and, with signIn, the sign-in
// account of the second, but never the last step that confirms them. createdAt says
// when the dead creation began.
func (e *env) halfMade(u user.User, superAdmin, signIn bool, createdAt time.Time) user.User {
	e.t.Helper()
	ctx := e.t.Context()
	u.CreatedAt = createdAt
	if err := e.store.CreatePendingUser(ctx, u, superAdmin); err != nil {
		e.t.Fatal(err)
	}
	if signIn {
		if err := e.cognito.CreateUser(ctx, u.ID, password); err != nil {
			e.t.Fatal(err)
		}
	}
	return u
}

// gone checks that nothing of the half-made user h is left: no record (not even a
// pending one) and no Cognito user.
func (e *env) gone(h user.User) {
	e.t.Helper()
	ctx := e.t.Context()
	var half *store.HalfMadeError
	if _, err := e.store.User(ctx, h.ID); !errors.Is(err, apperr.CodeNotFound) || errors.As(err, &half) {
		e.t.Fatalf("the half-made user's record: %v, want none", err)
	}
	if exists, _ := e.cognitoUser(h.ID); exists {
		e.t.Fatal("the half-made user's Cognito user is still there")
	}
}

// A creation killed between its records and its sign-in account (or between those
// and its confirmation) leaves a user that is nobody to readers, and that the next
// creation needing its login account, email or the super admin slot removes whole
// once its grace has passed; within the grace the creation may still be running,
// and it is left alone.
func TestCreateRemovesAHalfMadeUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	stale := time.Now().Add(-2 * accounts.PendingGrace)
	tests := []struct {
		name       string
		signIn     bool // killed after AdminCreateUser rather than before
		superAdmin bool
		fresh      bool // still within its grace
		// what the new account shares with the half-made one
		sameLogin, sameEmail bool
	}{
		{name: "records only, same login account and email", sameLogin: true, sameEmail: true},
		{name: "records and sign-in account", signIn: true, sameLogin: true, sameEmail: true},
		{name: "same email only", signIn: true, sameEmail: true},
		{name: "same login account only", sameLogin: true},
		{name: "the super admin slot", signIn: true, superAdmin: true},
		{name: "within its grace", fresh: true, sameLogin: true, sameEmail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			created := stale
			if tt.fresh {
				created = time.Now()
			}
			h := newAccount("half")
			if tt.superAdmin {
				h.AccountType = user.SuperAdmin
			}
			h = e.halfMade(h, tt.superAdmin, tt.signIn, created)

			// The half-made user is nobody: not found, and not listed.
			var half *store.HalfMadeError
			if _, err := e.store.User(ctx, h.ID); !errors.Is(err, apperr.CodeNotFound) || !errors.As(err, &half) {
				t.Fatalf("reading the half-made user: %v, want not_found (half-made)", err)
			}

			next := newAccount("next")
			if tt.sameLogin {
				next.LoginAccount = h.LoginAccount
			}
			if tt.sameEmail {
				next.Email = h.Email
			}
			a, _ := e.accounts(0)
			err := a.Create(ctx, accounts.NewAccount{User: next, Password: password, SuperAdmin: tt.superAdmin})
			if tt.fresh {
				if !errors.Is(err, apperr.CodeLoginAccountTaken) {
					t.Fatalf("Create beside a creation within its grace: %v, want login_account_taken", err)
				}
				if _, err := e.store.User(ctx, h.ID); !errors.As(err, &half) {
					t.Fatalf("the creation within its grace was disturbed: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create over a half-made user: %v", err)
			}
			e.whole(next, 0)
			e.gone(h)
		})
	}
}

// A creation that outlives its grace and finds its pending records removed at its
// last step undoes what it made: no sign-in account is left beside no records.
func TestCreateUndoesItselfWhenRemovedAsHalfMade(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t)
	u := newAccount("slow")
	a, f := e.accounts(0)
	f.before = map[string]func(){"records.ConfirmUser": func() {
		if err := e.store.DiscardHalfMade(ctx, u, store.Effects{}); err != nil {
			t.Errorf("removing the pending user: %v", err)
		}
	}}
	if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); !errors.Is(err, apperr.CodeUserCreationAbandoned) {
		t.Fatalf("Create answered %v, want user_creation_abandoned", err)
	}
	e.nothing(u)
}

// Removing a half-made user leaves alone a user whose creation finished meanwhile.
func TestRemoveSparesAConfirmedUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t)
	a, _ := e.accounts(0)
	u := newAccount("done")
	if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := a.Remove(ctx, u, store.Effects{}); !errors.Is(err, apperr.CodeUserCreated) {
		t.Fatalf("Remove of a confirmed user: %v, want user_created", err)
	}
	e.whole(u, 0)
}

// A user who verifies a new email address while being deleted does not leave the new
// address's claim behind: the address can be registered again.
func TestDeleteFreesAnEmailVerifiedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, at := range []string{"directory.SignOutEverywhere", "directory.DeleteUser", "records.DeleteUserRecords"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			a, f := e.accounts(0)
			u := newAccount("moving")
			if err := a.Create(ctx, accounts.NewAccount{User: u, Password: password}); err != nil {
				t.Fatal(err)
			}
			read, err := e.store.User(ctx, u.ID) // what the deletion was given
			if err != nil {
				t.Fatal(err)
			}
			newEmail := ids.New()[:10] + "@example.org"
			f.before = map[string]func(){at: func() {
				next := read
				next.Email, next.EmailVerified = newEmail, true
				if _, err := e.store.SaveUser(ctx, read, next, store.Effects{}); err != nil {
					t.Errorf("the racing email change: %v", err)
				}
			}}
			if err := a.Delete(ctx, read, store.Effects{}); err != nil {
				t.Fatal(err)
			}
			for _, addr := range []string{u.Email, newEmail} {
				if taken, err := e.store.EmailTaken(ctx, addr); err != nil || taken {
					t.Fatalf("%s still taken (%v) after its user was deleted", addr, err)
				}
			}
			again := newAccount("again")
			again.Email = newEmail
			if err := a.Create(ctx, accounts.NewAccount{User: again, Password: password}); err != nil {
				t.Fatalf("registering the verified address again: %v", err)
			}
		})
	}
}
