package cognito

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/identity"
)

// errNoSoftwareToken is a verification with no secret to check it against.
var errNoSoftwareToken = apperr.New(apperr.Conflict, apperr.CodeMFANotStarted,
	"No authenticator is being bound; start with POST /v1/me/mfa/totp.")

// AssociateSoftwareToken starts binding an authenticator app to the user holding the
// access token, and answers the new TOTP secret. Cognito keeps the secret; Roster
// only passes it on once.
func (c *Cognito) AssociateSoftwareToken(ctx context.Context, accessToken string) (string, error) {
	out, err := c.client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(accessToken)})
	if err != nil {
		return "", mfaError(err, "cognito associate software token")
	}
	return aws.ToString(out.SecretCode), nil
}

// VerifySoftwareToken checks a TOTP code against the secret Cognito holds for the user
// of the access token; after AssociateSoftwareToken, success marks the secret verified.
func (c *Cognito) VerifySoftwareToken(ctx context.Context, accessToken, code string) error {
	out, err := c.client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{
		AccessToken: aws.String(accessToken),
		UserCode:    aws.String(code),
	})
	if err != nil {
		return mfaError(err, "cognito verify software token")
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return identity.ErrWrongCode
	}
	return nil
}

// SetMFA turns TOTP sign-in on (as the preferred factor) or off for a user. Turning it
// on needs a verified software token.
func (c *Cognito) SetMFA(ctx context.Context, username string, enabled bool) error {
	_, err := c.client.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId:               aws.String(c.poolID),
		Username:                 aws.String(username),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: enabled, PreferredMfa: enabled},
	})
	if err != nil {
		return mfaError(err, "cognito set mfa preference")
	}
	return nil
}

// mfaError turns Cognito's refusals of the MFA calls into Roster's errors. A revoked
// access token (after logout) still passes the JWT authorizer, and Cognito refuses it.
func mfaError(err error, context string) error {
	var (
		notAuthorized *types.NotAuthorizedException
		mismatch      *types.CodeMismatchException
		enableFailed  *types.EnableSoftwareTokenMFAException
		notFound      *types.SoftwareTokenMFANotFoundException
		tooMany       *types.TooManyRequestsException
		noUser        *types.UserNotFoundException
	)
	switch {
	case errors.As(err, &notAuthorized):
		return apperr.Unauthorized()
	case errors.As(err, &mismatch), errors.As(err, &enableFailed):
		return identity.ErrWrongCode
	case errors.As(err, &notFound):
		return errNoSoftwareToken
	case errors.As(err, &noUser):
		return apperr.Missing("User")
	case errors.As(err, &tooMany):
		return apperr.Limited(30e9)
	}
	return apperr.Wrap(err, context)
}
