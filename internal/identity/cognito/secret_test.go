package cognito

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestRefreshValidity(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name   string
		client types.UserPoolClientType
		want   time.Duration
	}{
		{"template.yaml's: 30 days", types.UserPoolClientType{RefreshTokenValidity: 30, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeDays}}, 30 * day},
		{"no units: days", types.UserPoolClientType{RefreshTokenValidity: 7}, 7 * day},
		{"units without the refresh token's", types.UserPoolClientType{RefreshTokenValidity: 7, TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}}, 7 * day},
		{"hours", types.UserPoolClientType{RefreshTokenValidity: 12, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeHours}}, 12 * time.Hour},
		{"minutes", types.UserPoolClientType{RefreshTokenValidity: 90, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes}}, 90 * time.Minute},
		{"seconds", types.UserPoolClientType{RefreshTokenValidity: 3600, TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeSeconds}}, time.Hour},
		{"unset: Cognito's default", types.UserPoolClientType{}, 30 * day},
	}
	for _, tt := range tests {
		if got := refreshValidity(&tt.client); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
