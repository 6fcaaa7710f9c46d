package cognito

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// EnableUser undoes DisableUser: the account signs in again with the password and MFA
// it had. Enabling an enabled account is accepted, so a recovery run again gets past
// it; one already gone is not an error either: there is nothing left to sign in with.
func (c *Cognito) EnableUser(ctx context.Context, username string) error {
	_, err := c.client.AdminEnableUser(ctx, &cip.AdminEnableUserInput{
		UserPoolId: aws.String(c.poolID),
		Username:   aws.String(username),
	})
	var missing *types.UserNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return apperr.Wrap(err, "cognito enable user")
	}
	return nil
}
