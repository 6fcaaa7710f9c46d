// Package bootstrap creates the one super admin. An operator invokes it once after
// the first deploy; a later run changes nothing and says so, unless the super admin's
// sign-in account is gone (see repair).
package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// Input is the invocation payload.
type Input struct {
	LoginAccount string `json:"loginAccount"`
	Username     string `json:"username"`
	Email        string `json:"email"`
	// Password, when given, is set permanent (the local stack's fixed admin). Without
	// it a temporary password is generated and returned once.
	Password string `json:"password"`
}

type Output struct {
	Created bool `json:"created"`
	// Repaired: the super admin existed but its sign-in account was gone, and was made again.
	Repaired          bool   `json:"repaired,omitempty"`
	UserID            string `json:"userId,omitempty"`
	LoginAccount      string `json:"loginAccount,omitempty"`
	TemporaryPassword string `json:"temporaryPassword,omitempty"`
	Message           string `json:"message"`
}

// Handler returns the function's handler. An invalid payload is an error, which the
// Lambda Invoke API reports to the operator with its message. idp is the sign-in
// directory (cognito.Load).
func Handler(a *app.App, idp identity.Provider) func(context.Context, Input) (Output, error) {
	b := bootstrapper{App: a, identity: idp, accounts: accounts.New(a.Store, idp)}
	return func(ctx context.Context, in Input) (Output, error) {
		f := validate.Fields{}
		u := user.User{
			ID:           ids.New(),
			Username:     validate.Username(f, "username", in.Username),
			LoginAccount: validate.LoginAccount(f, "loginAccount", in.LoginAccount),
			AccountType:  user.SuperAdmin,
			Status:       user.Active,
			CreatedAt:    a.Now(),
		}
		if in.Email != "" {
			u.Email = validate.Email(f, "email", in.Email)
			u.EmailVerified = true // the operator vouches for the address it bootstraps with
		}
		password, permanent := in.Password, in.Password != ""
		if permanent {
			validate.Password(f, "password", password, u.LoginAccount)
		} else {
			password = accounts.GeneratePassword()
		}
		if !f.Empty() {
			return Output{}, invalidInput(f)
		}
		err := b.accounts.Create(ctx, accounts.NewAccount{User: u, Password: password, Permanent: permanent, SuperAdmin: true})
		if errors.Is(err, apperr.CodeAlreadyBootstrapped) {
			out, err := b.repair(ctx, in)
			return out, operatorError(err)
		}
		if err != nil {
			return Output{}, operatorError(err)
		}
		out := Output{Created: true, UserID: u.ID, LoginAccount: u.LoginAccount, Message: "The super admin was created."}
		if !permanent {
			out.TemporaryPassword = password
			out.Message += " Sign in with the temporary password; you will be asked to choose a new one."
		}
		return out, nil
	}
}

// bootstrapper is the App with the sign-in directory.
type bootstrapper struct {
	*app.App
	identity identity.Provider
	accounts *accounts.Accounts
}

// repair makes the existing super admin's sign-in account again when it is gone: its
// own access token can delete it at Cognito (DeleteUser) behind Roster's back, and
// nobody else may reset the super admin's password. The payload's password is used as
// in a first run (permanent if given, else a temporary one is answered); its other
// fields are not: the super admin stays who it is.
func (a bootstrapper) repair(ctx context.Context, in Input) (Output, error) {
	unchanged := Output{Created: false, Message: "The super admin already exists; nothing was changed."}
	id, err := a.Store.SuperAdminID(ctx)
	if err != nil {
		return Output{}, err
	}
	if exists, err := a.identity.Exists(ctx, id); err != nil || exists {
		return unchanged, err
	}
	admin, err := a.Store.User(ctx, id)
	if err != nil {
		return Output{}, err
	}
	password, permanent := in.Password, in.Password != ""
	if permanent {
		f := validate.Fields{}
		validate.Password(f, "password", password, admin.LoginAccount)
		if !f.Empty() {
			return Output{}, invalidInput(f)
		}
	} else {
		password = accounts.GeneratePassword()
	}
	if err := a.accounts.Remake(ctx, id, password, permanent); err != nil {
		return Output{}, err
	}
	out := Output{Repaired: true, UserID: id, LoginAccount: admin.LoginAccount,
		Message: "The super admin's sign-in account was gone and has been made again; its MFA is off."}
	if !permanent {
		out.TemporaryPassword = password
		out.Message += " Sign in with the temporary password; you will be asked to choose a new one."
	}
	return out, nil
}

// operatorError is what the Lambda Invoke API reports: a domain error's message, or the
// error itself.
func operatorError(err error) error {
	if e := apperr.As(err); e != nil && e.Kind != apperr.Internal {
		return errors.New(e.Message)
	}
	return err
}

func invalidInput(f validate.Fields) error {
	parts := make([]string, 0, len(f))
	for _, field := range slices.Sorted(maps.Keys(f)) {
		parts = append(parts, field+" "+f[field])
	}
	return fmt.Errorf("invalid input: %s", strings.Join(parts, "; "))
}
