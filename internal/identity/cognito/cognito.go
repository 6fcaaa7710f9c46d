// Package cognito is identity.Provider on a Cognito user pool: creating sign-in
// accounts, setting passwords and running the sign-in flows. A user's Cognito
// username is its Roster id. Only the functions that call Cognito import it
// (app.Load(ctx, cognito.Service)), so the others do not link its SDK client.
package cognito

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity"
)

// Service gives a function's App its identity.Provider: Cognito, with the pool and
// app client of the configuration.
func Service(a *app.App, sdk aws.Config) {
	client := cip.NewFromConfig(sdk, func(o *cip.Options) { o.BaseEndpoint = app.Endpoint("COGNITO_IDENTITY_PROVIDER") })
	a.Identity = New(client, a.UserPoolID, a.ClientID)
}

// Cognito talks to one user pool through one public app client.
type Cognito struct {
	client   *cip.Client
	poolID   string
	clientID string
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
	if err != nil {
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
	if err != nil {
		return apperr.Wrap(err, "cognito set password")
	}
	return nil
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

// SignIn checks a password with USER_PASSWORD_AUTH.
func (c *Cognito) SignIn(ctx context.Context, username, password string) (identity.Result, error) {
	out, err := c.client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       aws.String(c.clientID),
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
	if err != nil {
		return identity.Result{}, signInError(err, apperr.InvalidCredentials())
	}
	return result(out.ChallengeName, out.Session, out.AuthenticationResult, ""), nil
}

// Respond answers a challenge: a new password, or a TOTP code.
func (c *Cognito) Respond(ctx context.Context, username, challenge, session, answer string) (identity.Result, error) {
	responses := map[string]string{"USERNAME": username}
	switch challenge {
	case identity.NewPasswordRequired:
		responses["NEW_PASSWORD"] = answer
	case identity.SoftwareTokenMFA:
		responses["SOFTWARE_TOKEN_MFA_CODE"] = answer
	}
	out, err := c.client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId:           aws.String(c.clientID),
		ChallengeName:      types.ChallengeNameType(challenge),
		Session:            aws.String(session),
		ChallengeResponses: responses,
	})
	if err != nil {
		return identity.Result{}, signInError(err, errSession)
	}
	return result(out.ChallengeName, out.Session, out.AuthenticationResult, ""), nil
}

// Refresh trades a refresh token for new access and ID tokens; the refresh token
// itself stays the same and is returned with them.
func (c *Cognito) Refresh(ctx context.Context, refreshToken string) (identity.Result, error) {
	out, err := c.client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       aws.String(c.clientID),
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	if err != nil {
		return identity.Result{}, signInError(err, apperr.Unauthorized())
	}
	return result(out.ChallengeName, out.Session, out.AuthenticationResult, refreshToken), nil
}

var errSession = &apperr.Error{Kind: apperr.Unauthenticated, Code: "unauthenticated",
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

func result(challenge types.ChallengeNameType, session *string, auth *types.AuthenticationResultType, refresh string) identity.Result {
	if auth == nil {
		return identity.Result{Challenge: string(challenge), Session: aws.ToString(session)}
	}
	t := &identity.Tokens{
		AccessToken:  aws.ToString(auth.AccessToken),
		IDToken:      aws.ToString(auth.IdToken),
		RefreshToken: aws.ToString(auth.RefreshToken),
		ExpiresIn:    auth.ExpiresIn,
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refresh
	}
	return identity.Result{Tokens: t}
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
