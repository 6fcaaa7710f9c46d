// Package cognito is identity.Provider on a Cognito user pool: creating sign-in
// accounts, setting passwords and running the sign-in flows. A user's Cognito
// username is its Roster id. Only the functions that call Cognito import it (their
// main.go passes Load's answer to api.NewAccounts), so the others do not link its SDK
// client.
package cognito

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity"
)

// Load is the identity.Provider of a function's App: Cognito, with the pool and app
// client of the configuration.
func Load(a *app.App) *Cognito {
	client := cip.NewFromConfig(a.SDK, func(o *cip.Options) { o.BaseEndpoint = app.Endpoint("COGNITO_IDENTITY_PROVIDER") })
	return New(client, a.UserPoolID, a.ClientID)
}

// Cognito talks to one user pool through Roster's app client, which has a secret and
// allows only the server-side flows (AdminInitiateAuth, AdminRespondToAuthChallenge):
// signing anyone in takes both the secret and IAM rights on the pool.
type Cognito struct {
	client   *cip.Client
	poolID   string
	clientID string
	secret   secret
}

var _ identity.Provider = (*Cognito)(nil)

func New(client *cip.Client, poolID, clientID string) *Cognito {
	return &Cognito{client: client, poolID: poolID, clientID: clientID}
}

// CreateUser makes a sign-in account whose password must be changed at first
// sign-in. Cognito sends nothing: Roster sends its own emails.
func (c *Cognito) CreateUser(ctx context.Context, username, temporaryPassword string) error {
	_, err := c.client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:        aws.String(c.poolID),
		Username:          aws.String(username),
		TemporaryPassword: aws.String(temporaryPassword),
		MessageAction:     types.MessageActionTypeSuppress,
	})
	var exists *types.UsernameExistsException
	switch {
	case errors.As(err, &exists):
		return identity.ErrAccountExists
	case err != nil:
		return apperr.Wrap(err, "cognito create user")
	}
	return nil
}

// SetPassword sets a password; a temporary one forces NEW_PASSWORD_REQUIRED.
func (c *Cognito) SetPassword(ctx context.Context, username, password string, permanent bool) error {
	_, err := c.client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
		Password:   aws.String(password),
		Permanent:  permanent,
	})
	var missing *types.UserNotFoundException
	switch {
	case errors.As(err, &missing):
		return identity.ErrNoAccount
	case err != nil:
		return apperr.Wrap(err, "cognito set password")
	}
	return nil
}

// Exists reports whether username has a sign-in account.
func (c *Cognito) Exists(ctx context.Context, username string) (bool, error) {
	_, err := c.client.AdminGetUser(ctx, &cip.AdminGetUserInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	var missing *types.UserNotFoundException
	switch {
	case errors.As(err, &missing):
		return false, nil
	case err != nil:
		return false, apperr.Wrap(err, "cognito get user")
	}
	return true, nil
}

// DeleteUser removes a sign-in account; one already gone is not an error.
func (c *Cognito) DeleteUser(ctx context.Context, username string) error {
	_, err := c.client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	return unlessGone(err, "cognito delete user")
}

// SignOutEverywhere revokes every refresh token of the user (AdminUserGlobalSignOut), so
// no session outlives a password reset, a deletion or a logout. Access tokens already
// issued stay valid for the JWT authorizer until they expire: Roster's per-request check
// of the caller's record (status, sessionsEndedAt) is what refuses them.
func (c *Cognito) SignOutEverywhere(ctx context.Context, username string) error {
	_, err := c.client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	return unlessGone(err, "cognito global sign-out")
}

// DisableUser stops a sign-in account from signing in or refreshing its tokens, while
// keeping it (password, MFA secret) in place; one already gone is not an error, so a
// deletion that is run again gets past it.
func (c *Cognito) DisableUser(ctx context.Context, username string) error {
	_, err := c.client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	return unlessGone(err, "cognito disable user")
}

// EnableUser undoes DisableUser: the account signs in again with the password and MFA
// it had. Enabling an enabled account is accepted, so a recovery run again gets past
// it; one already gone is not an error either: there is nothing left to sign in with.
func (c *Cognito) EnableUser(ctx context.Context, username string) error {
	_, err := c.client.AdminEnableUser(ctx, &cip.AdminEnableUserInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	return unlessGone(err, "cognito enable user")
}

// unlessGone wraps err from an admin call on one user, except that the user being gone
// already is success: each such call is a step that a retried deletion or recovery runs
// again after an earlier run got further.
func unlessGone(err error, what string) error {
	var missing *types.UserNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return apperr.Wrap(err, what)
	}
	return nil
}

// SignIn checks a password with the server-side flow (ADMIN_USER_PASSWORD_AUTH), then
// holds the account to the record's MFA (see asRecorded).
func (c *Cognito) SignIn(ctx context.Context, username, password string, mfa bool) (identity.Result, error) {
	r, err := c.passwordAuth(ctx, username, password)
	if err != nil {
		return identity.Result{}, err
	}
	return c.asRecorded(ctx, username, password, mfa, r)
}

func (c *Cognito) passwordAuth(ctx context.Context, username, password string) (identity.Result, error) {
	hash, err := c.secretHash(ctx, username)
	if err != nil {
		return identity.Result{}, err
	}
	out, err := c.client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId:     aws.String(c.poolID),
		ClientId:       aws.String(c.clientID),
		AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password, "SECRET_HASH": hash},
	})
	if err != nil {
		return identity.Result{}, signInError(err, apperr.InvalidCredentials())
	}
	return c.result(username, out.ChallengeName, out.Session, out.AuthenticationResult, ""), nil
}

// asRecorded makes Roster's record, not the pool, decide whether a sign-in asks for a
// TOTP code: a user's own access token can switch its MFA at Cognito behind Roster's
// back. When r, the pool's answer to the password, disagrees with the record, the pool
// is set back and the password put again; the first answer's tokens are never handed out.
func (c *Cognito) asRecorded(ctx context.Context, username, password string, mfa bool, r identity.Result) (identity.Result, error) {
	if agrees(r, mfa) {
		return r, nil
	}
	if err := c.SetMFA(ctx, username, mfa); err != nil {
		return identity.Result{}, err
	}
	r, err := c.passwordAuth(ctx, username, password)
	if err != nil {
		return identity.Result{}, err
	}
	if !agrees(r, mfa) {
		return identity.Result{}, apperr.Wrap(errors.New("the pool's MFA does not follow the record"), "cognito sign-in")
	}
	return r, nil
}

// agrees reports whether a sign-in's answer fits MFA on or off: with it on, no tokens
// before the code; with it off, no code asked.
func agrees(r identity.Result, mfa bool) bool {
	if mfa {
		return r.Tokens == nil
	}
	return r.Challenge != identity.SoftwareTokenMFA
}

// Respond answers a challenge: a new password, or a TOTP code. A new password is the
// user's password from then on, so the answer to it is held to the record as SignIn's is.
func (c *Cognito) Respond(ctx context.Context, username string, mfa bool, challenge, session, answer string) (identity.Result, error) {
	hash, err := c.secretHash(ctx, username)
	if err != nil {
		return identity.Result{}, err
	}
	responses := map[string]string{"USERNAME": username, "SECRET_HASH": hash}
	switch challenge {
	case identity.NewPasswordRequired:
		responses["NEW_PASSWORD"] = answer
	case identity.SoftwareTokenMFA:
		responses["SOFTWARE_TOKEN_MFA_CODE"] = answer
	}
	out, err := c.client.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
		UserPoolId:         aws.String(c.poolID),
		ClientId:           aws.String(c.clientID),
		ChallengeName:      types.ChallengeNameType(challenge),
		Session:            aws.String(session),
		ChallengeResponses: responses,
	})
	if err != nil {
		return identity.Result{}, signInError(err, errSession)
	}
	r := c.result(username, out.ChallengeName, out.Session, out.AuthenticationResult, "")
	if challenge == identity.NewPasswordRequired {
		return c.asRecorded(ctx, username, answer, mfa, r)
	}
	return r, nil
}

// Refresh trades a refresh token for new access and ID tokens; the refresh token
// itself stays the same and is returned with them. The secret's hash is made from the
// username, which Roster's refresh tokens carry (see refreshToken).
func (c *Cognito) Refresh(ctx context.Context, refreshToken string) (identity.Result, error) {
	username, token, ok := strings.Cut(refreshToken, ".")
	if !ok || username == "" || token == "" {
		return identity.Result{}, apperr.Unauthorized()
	}
	hash, err := c.secretHash(ctx, username)
	if err != nil {
		return identity.Result{}, err
	}
	out, err := c.client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId:     aws.String(c.poolID),
		ClientId:       aws.String(c.clientID),
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": token, "SECRET_HASH": hash},
	})
	if err != nil {
		return identity.Result{}, signInError(err, apperr.Unauthorized())
	}
	return c.result(username, out.ChallengeName, out.Session, out.AuthenticationResult, refreshToken), nil
}

var errSession = &apperr.Error{Kind: apperr.Unauthenticated, Code: apperr.CodeUnauthenticated,
	Message: "The sign-in session is invalid or has expired; sign in again."}

// signInError turns Cognito's refusals into Roster's errors; refused is what a
// wrong password, token or session means for the flow at hand.
func signInError(err error, refused *apperr.Error) error {
	var (
		notAuthorized *types.NotAuthorizedException
		notFound      *types.UserNotFoundException
		badPassword   *types.InvalidPasswordException
		badCode       *types.CodeMismatchException
		expiredCode   *types.ExpiredCodeException
		tooMany       *types.TooManyRequestsException
		tooManyFailed *types.TooManyFailedAttemptsException
	)
	switch {
	case errors.As(err, &notAuthorized), errors.As(err, &notFound):
		return refused
	case errors.As(err, &badPassword):
		return apperr.InvalidFields(map[string]string{"newPassword": "is not accepted by the password policy"})
	case errors.As(err, &badCode), errors.As(err, &expiredCode):
		return apperr.InvalidFields(map[string]string{"code": "is incorrect or has expired"})
	case errors.As(err, &tooMany), errors.As(err, &tooManyFailed):
		return apperr.Limited(30e9)
	}
	return apperr.Wrap(err, "cognito sign-in")
}

// result is a sign-in step's answer for username; refresh is the refresh token to answer
// when Cognito issues none (a refresh keeps the one it was given). Every step that gets
// here has made the secret's hash, so the client's refresh validity is known.
func (c *Cognito) result(username string, challenge types.ChallengeNameType, session *string, auth *types.AuthenticationResultType, refresh string) identity.Result {
	if auth == nil {
		return identity.Result{Challenge: string(challenge), Session: aws.ToString(session)}
	}
	t := &identity.Tokens{
		AccessToken:     aws.ToString(auth.AccessToken),
		IDToken:         aws.ToString(auth.IdToken),
		RefreshToken:    refresh,
		ExpiresIn:       auth.ExpiresIn,
		RefreshValidity: c.refreshValidity(),
	}
	if rt := aws.ToString(auth.RefreshToken); rt != "" {
		t.RefreshToken = refreshToken(username, rt)
	}
	return identity.Result{Tokens: t}
}

// refreshToken is the refresh token Roster hands out: "<username>.<Cognito's token>".
// Refreshing through a client with a secret needs the secret's hash of the token's
// username, and Cognito's refresh tokens are opaque; the username is no secret (it is
// the user's id), and one that does not match the token fails Cognito's hash check.
// Usernames are Roster ids, which hold no ".".
func refreshToken(username, cognitoToken string) string {
	return username + "." + cognitoToken
}

// ChangePassword changes the password of the user holding accessToken, which
// Cognito accepts only with the right current password. Cognito answers a wrong
// password and a token it has revoked (by a sign-out everywhere, which the API's
// authorizer cannot know about) with the same exception, so on that answer the
// token is tried on its own: a dead token is unauthenticated, a live one means the
// password was wrong.
func (c *Cognito) ChangePassword(ctx context.Context, accessToken, current, next string) error {
	_, err := c.client.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken:      aws.String(accessToken),
		PreviousPassword: aws.String(current),
		ProposedPassword: aws.String(next),
	})
	var (
		notAuthorized *types.NotAuthorizedException
		badPassword   *types.InvalidPasswordException
		tooMany       *types.TooManyRequestsException
		limit         *types.LimitExceededException
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notAuthorized):
		if _, err := c.client.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(accessToken)}); err != nil {
			return apperr.Unauthorized()
		}
		return apperr.InvalidFields(map[string]string{"currentPassword": "is incorrect"})
	case errors.As(err, &badPassword):
		return apperr.InvalidFields(map[string]string{"newPassword": "is not accepted by the password policy"})
	case errors.As(err, &tooMany), errors.As(err, &limit):
		return apperr.Limited(30 * time.Second)
	}
	return apperr.Wrap(err, "cognito change password")
}
