// Package identity is what Roster asks of its sign-in directory (a Cognito user
// pool, in package identity/cognito): the Provider interface and the values it
// answers. It links no AWS SDK, so the functions that never call Cognito (most of
// the read paths) neither carry nor initialise its client at cold start.
package identity

import (
	"context"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
)

// Provider creates sign-in accounts, sets passwords and runs the sign-in flows.
//
// A sign-in account answers to Roster's records, which decide: a user's own access token
// can act on its account behind Roster's back (README.md, "Sign-in security"), so
// SignIn and Respond are told whether the user's record has MFA on and hold the account
// to it, and an account the user deleted is made again by accounts.SetPassword.
type Provider interface {
	// CreateUser answers ErrAccountExists when the username has an account already.
	CreateUser(ctx context.Context, username, temporaryPassword string) error
	// SetPassword answers ErrNoAccount when the username has no account.
	SetPassword(ctx context.Context, username, password string, permanent bool) error
	// Exists reports whether the username has a sign-in account.
	Exists(ctx context.Context, username string) (bool, error)
	DeleteUser(ctx context.Context, username string) error
	SignOutEverywhere(ctx context.Context, username string) error
	DisableUser(ctx context.Context, username string) error
	EnableUser(ctx context.Context, username string) error
	// SignIn checks a password; mfa is whether the user's record has MFA on.
	SignIn(ctx context.Context, username, password string, mfa bool) (Result, error)
	// Respond answers a challenge of a SignIn; mfa is as for SignIn.
	Respond(ctx context.Context, username string, mfa bool, challenge, session, answer string) (Result, error)
	Refresh(ctx context.Context, refreshToken string) (Result, error)
	ChangePassword(ctx context.Context, accessToken, current, next string) error
	AssociateSoftwareToken(ctx context.Context, accessToken string) (string, error)
	VerifySoftwareToken(ctx context.Context, accessToken, code string) error
	SetMFA(ctx context.Context, username string, enabled bool) error
}

// Challenges Roster passes on to clients.
const (
	NewPasswordRequired = "NEW_PASSWORD_REQUIRED"
	SoftwareTokenMFA    = "SOFTWARE_TOKEN_MFA"
)

// Tokens are what a completed sign-in gives. RefreshToken is left out of the JSON when
// empty: a console's session keeps it in a cookie instead (api's cookie sessions).
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken,omitempty"`
	ExpiresIn    int32  `json:"expiresIn"`
	// RefreshValidity is how long the refresh token lives from its issue (the app
	// client's setting), for the cookie that holds it.
	RefreshValidity time.Duration `json:"-"`
}

// Result is either tokens or the next challenge with its session.
type Result struct {
	Tokens    *Tokens
	Challenge string
	Session   string
}

// ErrNoAccount is a username without a sign-in account; ErrAccountExists one that has
// one already.
var (
	ErrNoAccount     = apperr.New(apperr.NotFound, apperr.CodeNoSignInAccount, "The sign-in account was not found.")
	ErrAccountExists = apperr.New(apperr.Conflict, apperr.CodeSignInAccountExists, "The sign-in account exists already.")
)

// ErrWrongCode is a TOTP code Cognito did not accept.
var ErrWrongCode = apperr.InvalidFields(map[string]string{"code": "is incorrect or has expired"})
