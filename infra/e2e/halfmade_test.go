package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
)

// TestHalfMadeUsersAreRemoved writes what a user creation killed between its steps
// (a Lambda timeout after the records, before the sign-in account) leaves: the records
// of its first step, through the store call the creation makes, and nothing after.
// Such a user is nobody through the API, and whatever meets it once its grace has
// passed (a sign-in, a creation with its login account or email, its deletion)
// removes it, so its login account and email are free again.
func TestHalfMadeUsersAreRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := stackStore(t)
	root := superAdmin(t)
	halfMade := func(t *testing.T, createdAt time.Time) user.User {
		t.Helper()
		login := unique("half")
		u := user.User{ID: ids.New(), Username: "Half_" + login, LoginAccount: login, Email: login + "@example.com",
			AccountType: user.Member, Status: user.Active, CreatedAt: createdAt}
		if err := db.CreatePendingUser(ctx, u, false); err != nil {
			t.Fatal(err)
		}
		return u
	}
	abandoned := func(t *testing.T) user.User { return halfMade(t, time.Now().Add(-2*accounts.PendingGrace)) }
	// freed checks that nothing holds u's login account and email any more.
	freed := func(t *testing.T, u user.User) {
		t.Helper()
		var half *store.HalfMadeError
		if _, err := db.User(ctx, u.ID); errors.As(err, &half) || !errors.Is(err, apperr.CodeNotFound) {
			t.Fatalf("the half-made user's records: %v, want none", err)
		}
		if _, err := db.UserIDByLogin(ctx, u.LoginAccount); !errors.Is(err, apperr.CodeNotFound) {
			t.Fatalf("login account still held: %v", err)
		}
		if taken, err := db.EmailTaken(ctx, u.Email); err != nil || taken {
			t.Fatalf("email still held (%v)", err)
		}
	}
	create := func(t *testing.T, u user.User) Answer[CreatedUser] {
		t.Helper()
		return root.CreateUser(t, NewUser{Username: "Again", LoginAccount: u.LoginAccount, Email: u.Email, AccountType: "member", Password: generated})
	}

	t.Run("is nobody", func(t *testing.T) {
		t.Parallel()
		u := abandoned(t)
		expect(t, root.User(u.ID).Get(t), http.StatusNotFound, "not_found")
		for _, q := range []string{u.LoginAccount, u.Email} {
			r := root.ListUsers(t, url.Values{"q": {q}})
			expect(t, r, http.StatusOK, "")
			if len(r.Body.Items) != 0 {
				t.Fatalf("a half-made user is listed: %s", r.Raw)
			}
		}
	})

	t.Run("sign-in removes it", func(t *testing.T) {
		t.Parallel()
		u := abandoned(t)
		expect(t, fromNewIP().Login(t, u.LoginAccount, "any passphrase at all"), http.StatusUnauthorized, "invalid_credentials")
		freed(t, u)
		expect(t, create(t, u), http.StatusCreated, "")
	})

	t.Run("creation removes it", func(t *testing.T) {
		t.Parallel()
		u := abandoned(t)
		r := create(t, u)
		expect(t, r, http.StatusCreated, "")
		if r.Body.User.ID == u.ID {
			t.Fatal("the half-made user was answered as created")
		}
		if _, err := db.User(ctx, u.ID); !errors.Is(err, apperr.CodeNotFound) {
			t.Fatalf("the half-made user's record: %v", err)
		}
		firstLogin(t, u.LoginAccount, r.Body.TemporaryPassword, chosenPassword)
	})

	t.Run("deletion removes it", func(t *testing.T) {
		t.Parallel()
		u := abandoned(t)
		expect(t, root.User(u.ID).Delete(t), http.StatusNoContent, "")
		freed(t, u)
		expect(t, root.User(u.ID).Delete(t), http.StatusNotFound, "not_found")
	})

	t.Run("within its grace it is left to its creation", func(t *testing.T) {
		t.Parallel()
		u := halfMade(t, time.Now())
		expect(t, create(t, u), http.StatusConflict, "login_account_taken")
		expect(t, root.User(u.ID).Delete(t), http.StatusNotFound, "not_found")
		expect(t, fromNewIP().Login(t, u.LoginAccount, "any passphrase at all"), http.StatusUnauthorized, "invalid_credentials")
		var half *store.HalfMadeError
		if _, err := db.User(ctx, u.ID); !errors.As(err, &half) {
			t.Fatalf("the creation within its grace was disturbed: %v", err)
		}
	})
}
