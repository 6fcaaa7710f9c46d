// Package accounts creates and removes whole user accounts, which live in two places:
// the user's records in DynamoDB and its sign-in account in Cognito. It orders the
// steps and undoes the finished ones when a later step fails, so a failure leaves
// either the whole user or nothing; and a creation that stops without failing (killed
// by a timeout between its steps) leaves a half-made user that is marked as such and
// removed by the next sign-in, creation or deletion that meets it.
package accounts

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
)

// Records is the DynamoDB side (store.Store).
type Records interface {
	CreatePendingUser(ctx context.Context, u user.User, superAdmin bool) error
	ConfirmUser(ctx context.Context, u user.User, fx store.Effects) error
	HalfMadeHolders(ctx context.Context, u user.User, superAdmin bool, staleBefore time.Time) ([]user.User, bool, error)
	DiscardHalfMade(ctx context.Context, u user.User, fx store.Effects) error
	DeleteUserRecords(ctx context.Context, u user.User, superAdmin bool, fx store.Effects) error
	DeleteMemberships(ctx context.Context, userID string) error
	SetMFA(ctx context.Context, id string, enabled bool, fx store.Effects) error
}

// Directory is the Cognito side (cognito.Cognito, an identity.Provider).
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
	now       func() time.Time
}

func New(records Records, directory Directory) *Accounts {
	return &Accounts{records: records, directory: directory, now: time.Now}
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
	// Effects are written with the step that makes the account whole (its audit
	// event, the email of its password).
	Effects store.Effects
}

// Create writes the records first, as their transaction enforces unique login accounts
// and emails before Cognito is touched, then the sign-in account; a failure removes what
// was made. The records are pending until the last step, so a creation killed between
// steps leaves a half-made user that readers ignore and others remove (see Abandoned);
// Create frees the claims such users, or users that are gone, still hold.
func (a *Accounts) Create(ctx context.Context, n NewAccount) error {
	err := a.records.CreatePendingUser(ctx, n.User, n.SuperAdmin)
	if store.ClaimTaken(err) && a.freeClaims(ctx, n) {
		err = a.records.CreatePendingUser(ctx, n.User, n.SuperAdmin)
	}
	if err != nil {
		return err
	}
	err = a.directory.CreateUser(ctx, n.User.ID, n.Password)
	signIn := err == nil // a sign-in account exists, to remove if a later step fails
	if err == nil && n.Permanent {
		err = a.directory.SetPassword(ctx, n.User.ID, n.Password, true)
	}
	if err == nil {
		err = a.records.ConfirmUser(ctx, n.User, n.Effects)
	}
	if err == nil {
		return nil
	}
	undo := func() error {
		if signIn {
			if err := a.directory.DeleteUser(ctx, n.User.ID); err != nil {
				// The records stay pending, so the half-made user is found and removed
				// whole later, rather than its sign-in account being left to nobody.
				return err
			}
		}
		return a.records.DeleteUserRecords(ctx, n.User, n.SuperAdmin, store.Effects{})
	}
	if uerr := undo(); uerr != nil {
		slog.ErrorContext(ctx, "could not undo a half-created user", "userId", n.User.ID, "error", uerr.Error())
		return errors.Join(err, uerr)
	}
	return err
}

// PendingGrace is how long a pending user is left to the creation that wrote it
// before anyone may remove it as half-made: a minute, six times the functions'
// timeout (template.yaml, Globals). It only spares a slow creation: one still running
// after it finds its records gone at its last step (ConfirmUser) and undoes itself, so
// the records never end up confirmed beside a removed sign-in account or the reverse.
const PendingGrace = time.Minute

// Abandoned returns the half-made user a read answered instead of a user (err from
// store.User), and reports whether its creation began more than PendingGrace before
// now: one that nobody is still making, to be removed.
func Abandoned(err error, now time.Time) (user.User, bool) {
	var half *store.HalfMadeError
	if errors.As(err, &half) && half.User.CreatedAt.Before(now.Add(-PendingGrace)) {
		return half.User, true
	}
	return user.User{}, false
}

// Remove removes an abandoned half-made user (see Abandoned): its records first, and
// only while they are still pending, then its sign-in account, if it got one. In that
// order a creation still running cannot be left confirmed without its sign-in account:
// its ConfirmUser fails once the records are gone. fx go with the records.
func (a *Accounts) Remove(ctx context.Context, u user.User, fx store.Effects) error {
	if err := a.records.DiscardHalfMade(ctx, u, fx); err != nil {
		return err
	}
	return a.directory.DeleteUser(ctx, u.ID)
}

// freeClaims removes what holds the claims n needs without being a user: abandoned
// half-made users, and claims whose user is gone. It reports whether anything was
// freed, so that the creation is worth trying again; a failure is logged, and the
// creation answers the conflict it met.
func (a *Accounts) freeClaims(ctx context.Context, n NewAccount) bool {
	halfMade, released, err := a.records.HalfMadeHolders(ctx, n.User, n.SuperAdmin, a.now().Add(-PendingGrace))
	if err != nil {
		slog.ErrorContext(ctx, "could not look at the holders of a taken claim", "userId", n.User.ID, "error", err.Error())
		return false
	}
	freed := released
	for _, h := range halfMade {
		if err := a.Remove(ctx, h, store.Effects{}); err != nil {
			slog.ErrorContext(ctx, "could not remove a half-made user", "userId", h.ID, "error", err.Error())
			continue
		}
		slog.WarnContext(ctx, "removed a half-made user", "userId", h.ID, "createdAt", h.CreatedAt)
		freed = true
	}
	return freed
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
	if err := a.records.SetMFA(ctx, id, false, store.Effects{}); err != nil {
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
	return a.records.DeleteUserRecords(ctx, u, false, store.Effects{})
}

// Delete removes a whole account. Nothing is undone: the user item goes last, so a
// deletion that failed half way is finished by sending it again, and every step
// tolerates what an earlier run removed. Login events and pending codes stay until their
// TTL; what the user made in teams is the teams'. fx go with the records' deletion.
func (a *Accounts) Delete(ctx context.Context, u user.User, fx store.Effects) error {
	if err := a.directory.SignOutEverywhere(ctx, u.ID); err != nil {
		return err
	}
	// Disabled first, a deletion that stops later leaves an inert account, never a
	// usable half of one.
	if err := a.directory.DisableUser(ctx, u.ID); err != nil {
		return err
	}
	if err := a.records.DeleteMemberships(ctx, u.ID); err != nil {
		return err
	}
	if err := a.directory.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	if err := a.records.DeleteUserRecords(ctx, u, u.AccountType == user.SuperAdmin, fx); err != nil {
		return err
	}
	// The user's tokens worked until its records went, so a membership may have been
	// added meanwhile; none can be now. A retry would not find the user: log, not answer.
	if err := a.records.DeleteMemberships(ctx, u.ID); err != nil {
		slog.ErrorContext(ctx, "memberships added during a user's deletion may be left", "userId", u.ID, "error", err.Error())
	}
	return nil
}
