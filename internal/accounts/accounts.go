// Package accounts creates and removes whole user accounts, which live in two places:
// the user's records in DynamoDB and its sign-in account in Cognito. It orders the
// steps and undoes the finished ones when a later step fails, so a failure leaves
// either the whole user or nothing.
package accounts

import (
	"context"
	"errors"
	"log/slog"

	"github.com/roster-dev/roster/internal/user"
)

// Records is the DynamoDB side (store.Store).
type Records interface {
	CreateUser(ctx context.Context, u user.User, superAdmin bool) error
	DeleteUserRecords(ctx context.Context, u user.User, superAdmin bool) error
}

// Directory is the Cognito side (identity.Cognito).
type Directory interface {
	CreateUser(ctx context.Context, username, temporaryPassword string) error
	SetPassword(ctx context.Context, username, password string, permanent bool) error
	DeleteUser(ctx context.Context, username string) error
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

// Discard removes an account that Create made moments ago, when the step it was made
// for failed: its sign-in account first, then its records.
func (a *Accounts) Discard(ctx context.Context, u user.User) error {
	if err := a.directory.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	return a.records.DeleteUserRecords(ctx, u, false)
}
