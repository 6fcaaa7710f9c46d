package identity

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// SetEnabled enables or disables a sign-in account. A disabled one cannot sign in nor
// refresh its tokens anywhere, through Roster's API or not; disabling is done again on
// an account already disabled, which Cognito accepts. A user already gone from the
// pool is not an error: there is nothing left to sign in with.
func (c *Cognito) SetEnabled(ctx context.Context, username string, enabled bool) error {
	var err error
	if enabled {
		_, err = c.client.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(c.poolID), Username: aws.String(username)})
	} else {
		_, err = c.client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(c.poolID), Username: aws.String(username)})
	}
	var missing *types.UserNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return apperr.Wrap(err, "cognito enable or disable user")
	}
	return nil
}
