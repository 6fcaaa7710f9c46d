package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/roster-dev/roster/internal/apperr"
)

// secret is the app client's secret, which is in no template, variable or file: it is
// read from Cognito on first need and kept for the container's life, so init makes no
// network call and a failed read is tried again. The same answer gives the refresh
// tokens' lifetime (the session cookie's Max-Age), which so cannot drift from the pool's.
type secret struct {
	mu      sync.Mutex
	value   string
	refresh time.Duration
}

// secretHash is the SECRET_HASH Cognito asks of a client with a secret, for username:
// base64(HMAC-SHA256(secret, username + client id)).
func (c *Cognito) secretHash(ctx context.Context, username string) (string, error) {
	key, err := c.clientSecret(ctx)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(username + c.clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

func (c *Cognito) clientSecret(ctx context.Context) (string, error) {
	c.secret.mu.Lock()
	defer c.secret.mu.Unlock()
	if c.secret.value != "" {
		return c.secret.value, nil
	}
	out, err := c.client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(c.poolID),
		ClientId:   aws.String(c.clientID),
	})
	if err != nil {
		return "", apperr.Wrap(err, "cognito describe app client")
	}
	if out.UserPoolClient == nil || aws.ToString(out.UserPoolClient.ClientSecret) == "" {
		return "", apperr.Wrap(errors.New("the app client has no secret"), "cognito describe app client")
	}
	c.secret.value = aws.ToString(out.UserPoolClient.ClientSecret)
	c.secret.refresh = refreshValidity(out.UserPoolClient)
	return c.secret.value, nil
}

// refreshValidity is how long the client's refresh tokens live: RefreshTokenValidity in
// its unit (days unless TokenValidityUnits says otherwise), or Cognito's default of 30
// days for a client that sets none.
func refreshValidity(client *types.UserPoolClientType) time.Duration {
	n := time.Duration(client.RefreshTokenValidity)
	if n <= 0 {
		return 30 * 24 * time.Hour
	}
	unit := types.TimeUnitsTypeDays
	if client.TokenValidityUnits != nil && client.TokenValidityUnits.RefreshToken != "" {
		unit = client.TokenValidityUnits.RefreshToken
	}
	switch unit {
	case types.TimeUnitsTypeSeconds:
		return n * time.Second
	case types.TimeUnitsTypeMinutes:
		return n * time.Minute
	case types.TimeUnitsTypeHours:
		return n * time.Hour
	default:
		return n * 24 * time.Hour
	}
}

// refreshValidity is the client's as last read with its secret (zero before).
func (c *Cognito) refreshValidity() time.Duration {
	c.secret.mu.Lock()
	defer c.secret.mu.Unlock()
	return c.secret.refresh
}
