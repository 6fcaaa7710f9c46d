// Package accounts creates and removes whole user accounts, which live in two places:
// the user's records in DynamoDB and its sign-in account in Cognito. It orders the
// steps and undoes the finished ones when a later step fails, so a failure leaves
// either the whole user or nothing.
package accounts

import (
	"context"
	"errors"
	"log/slog"

	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/user"
)

// Records is the DynamoDB side (store.Store).
type Records interface {
	CreateUser(ctx context.Context, u user.User, superAdmin bool) error
	DeleteUserRecords(ctx context.Context, u user.User, superAdmin bool) error
	DeleteMemberships(ctx context.Context, userID string) error
	SetMFA(ctx context.Context, id string, enabled bool) (user.User, error)
}

// Directory is the Cognito side (identity.Cognito).
type Directory interface {
	CreateUser(ctx context.Context, username, temporaryPassword string) error
	SetPassword(ctx context.Context, username, password string, permanent bool) error
	DeleteUser(ctx context.Context, username string) error
	SignOutEverywhere(ctx context.Context, username string) error
	DisableUser(ctx context.Context, username string) error
}

type Accounts struct {
	records   Records
	directory Directory
}

func New(records Records, directory Directory) *Accounts {
	return &Accounts{records: records, directory: directory}
}

// NewAccount describes an account to create.
type NewAccount struct {
	User     user.User
	Password string
	// Permanent skips the NEW_PASSWORD_REQUIRED challenge: only for passwords the user
	// chose itself (registration) or an operator's dev bootstrap.
	Permanent bool
	// SuperAdmin claims the single super admin slot.
	SuperAdmin bool
}

// Create writes the records first, because their transaction is what enforces unique
// login accounts and emails: a taken one fails before Cognito is touched. Only then
// is the sign-in account made, and a failure there removes the records again.
func (a *Accounts) Create(ctx context.Context, n NewAccount) error {
	if err := a.records.CreateUser(ctx, n.User, n.SuperAdmin); err != nil {
		return err
	}
	err := a.directory.CreateUser(ctx, n.User.ID, n.Password)
	if err == nil && n.Permanent {
		if err = a.directory.SetPassword(ctx, n.User.ID, n.Password, true); err != nil {
			err = errors.Join(err, a.directory.DeleteUser(ctx, n.User.ID))
		}
	}
	if err != nil {
		if undo := a.records.DeleteUserRecords(ctx, n.User, n.SuperAdmin); undo != nil {
			slog.ErrorContext(ctx, "could not undo a half-created user", "userId", n.User.ID, "error", undo.Error())
			return errors.Join(err, undo)
		}
		return err
	}
	return nil
}

// SetPassword sets a user's password. The user's records decide that the user exists:
// a sign-in account that is gone (a user's own access token can delete it at Cognito,
// behind Roster's back) is made again, with this password (see Remake).
func (a *Accounts) SetPassword(ctx context.Context, id, password string, permanent bool) error {
	err := a.directory.SetPassword(ctx, id, password, permanent)
	if !errors.Is(err, identity.ErrNoAccount) {
		return err
	}
	return a.Remake(ctx, id, password, permanent)
}

// Remake makes a gone sign-in account again (the bootstrap function repairs the super
// admin with it, whom nobody may reset). Its authenticator went with it, so the
// record's MFA is turned off first: a record left saying "on" would refuse every
// sign-in, as no code could be checked (the user binds an authenticator again). A
// failure leaves nothing that a retry does not finish: the record written and the
// account still missing, or both done.
func (a *Accounts) Remake(ctx context.Context, id, password string, permanent bool) error {
	if _, err := a.records.SetMFA(ctx, id, false); err != nil {
		return err
	}
	err := a.directory.CreateUser(ctx, id, password)
	switch {
	case errors.Is(err, identity.ErrAccountExists):
		// Made meanwhile by a concurrent reset: this password is the one that stays.
		return a.directory.SetPassword(ctx, id, password, permanent)
	case err != nil:
		return err
	case permanent:
		return a.directory.SetPassword(ctx, id, password, true)
	}
	return nil
}

// Discard removes an account that Create made moments ago, when the step it was made
// for failed: its sign-in account first, then its records.
func (a *Accounts) Discard(ctx context.Context, u user.User) error {
	if err := a.directory.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	return a.records.DeleteUserRecords(ctx, u, false)
}

// Delete removes a whole account. The user item goes last: as long as it is there the
// user can be found, so an admin whose DELETE failed half way sends it again, and
// every step below tolerates what an earlier run already removed. The steps:
//
//  1. Revoke every refresh token: a failure here changes nothing but sessions,
//     which a deletion ends anyway.
//  2. Disable the sign-in account: from here on the user cannot sign in, so a
//     deletion that stops later leaves an inert account, not a usable half of one.
//     A sign-in made between steps 1 and 2 gets tokens that die with step 4.
//  3. Remove the user from every team. A failure may leave some of its memberships
//     removed: they cannot be put back safely (the teams may have moved on), so this
//     and the later steps are completed by a retry rather than undone.
//  4. Delete the sign-in account (its password and MFA secret).
//  5. Delete the records: the user item, its login account and email claims and its
//     search items, in one transaction, which frees the login account and email.
//  6. Sweep the memberships again. The user's access tokens work until step 5, so it
//     (or an admin) may have added one after step 3; adding a membership needs the
//     user item, so none can be added after step 5, and a consistent read now sees
//     every one that was. The user is gone by then and a retry would not find it, so
//     a failed sweep is logged for an operator rather than answered.
//
// Login events stay in the user's partition until their TTL (no request reads them
// once the user is gone, and they are the trail of what the account did), and so do
// pending emailed codes, which expire within minutes and redeem nothing for a user
// that no longer exists. What the user made in teams (invitations, audit events) is
// the teams' and stays.
func (a *Accounts) Delete(ctx context.Context, u user.User) error {
	if err := a.directory.SignOutEverywhere(ctx, u.ID); err != nil {
		return err
	}
	if err := a.directory.DisableUser(ctx, u.ID); err != nil {
		return err
	}
	if err := a.records.DeleteMemberships(ctx, u.ID); err != nil {
		return err
	}
	if err := a.directory.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	if err := a.records.DeleteUserRecords(ctx, u, u.AccountType == user.SuperAdmin); err != nil {
		return err
	}
	if err := a.records.DeleteMemberships(ctx, u.ID); err != nil {
		slog.ErrorContext(ctx, "memberships added during a user's deletion may be left", "userId", u.ID, "error", err.Error())
	}
	return nil
}
