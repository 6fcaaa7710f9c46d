// Package identity is what Roster asks of its sign-in directory (a Cognito user
// pool, in package identity/cognito): the Provider interface and the values it
// answers. It links no AWS SDK, so the functions that never call Cognito (most of
// the read paths) neither carry nor initialise its client at cold start.
package identity

import (
	"context"

	"github.com/roster-dev/roster/internal/apperr"
)

// Provider creates sign-in accounts, sets passwords and runs the sign-in flows.
type Provider interface {
	CreateUser(ctx context.Context, username, temporaryPassword string) error
	SetPassword(ctx context.Context, username, password string, permanent bool) error
	DeleteUser(ctx context.Context, username string) error
	SignOutEverywhere(ctx context.Context, username string) error
	DisableUser(ctx context.Context, username string) error
	EnableUser(ctx context.Context, username string) error
	SignIn(ctx context.Context, username, password string) (Result, error)
	Respond(ctx context.Context, username, challenge, session, answer string) (Result, error)
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

// Tokens are what a completed sign-in gives.
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	IDToken      string `json:"idToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int32  `json:"expiresIn"`
}

// Result is either tokens or the next challenge with its session.
type Result struct {
	Tokens    *Tokens
	Challenge string
	Session   string
}

// ErrWrongCode is a TOTP code Cognito did not accept.
var ErrWrongCode = apperr.InvalidFields(map[string]string{"code": "is incorrect or has expired"})
