package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

type loginRequest struct {
	LoginAccount string `json:"loginAccount"`
	Password     string `json:"password"`
}

type challengeAnswer struct {
	Challenge string `json:"challenge"`
	Session   string `json:"session"`
}

// Login is POST /v1/auth/login.
func (a *API) Login(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in loginRequest
	f := httpapi.Decode(req, &in)
	validate.Required(f, "loginAccount", in.LoginAccount)
	validate.Required(f, "password", in.Password)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	id, err := a.Store.UserIDByLogin(ctx, in.LoginAccount)
	if apperr.IsCode(err, "not_found") {
		// Ask Cognito anyway, about a name no user has, so that an unknown login
		// account takes as long as a wrong password and answers the same.
		id, err = "unknown:"+validate.Fold(in.LoginAccount), nil
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	result, err := a.Identity.SignIn(ctx, id, in.Password)
	if err != nil {
		return httpapi.Response{}, err
	}
	return a.signedIn(ctx, id, result)
}

type challengeRequest struct {
	LoginAccount string `json:"loginAccount"`
	Session      string `json:"session"`
	Challenge    string `json:"challenge"`
	NewPassword  string `json:"newPassword"`
	Code         string `json:"code"`
}

// Challenge is POST /v1/auth/challenge: a new password or a TOTP code.
func (a *API) Challenge(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in challengeRequest
	f := httpapi.Decode(req, &in)
	login := validate.Required(f, "loginAccount", in.LoginAccount)
	validate.Required(f, "session", in.Session)
	answer := ""
	switch in.Challenge {
	case identity.NewPasswordRequired:
		validate.Password(f, "newPassword", in.NewPassword, login)
		answer = in.NewPassword
	case identity.SoftwareTokenMFA:
		answer = validate.VerificationCode(f, "code", in.Code)
	case "":
		f.Add("challenge", "is required")
	default:
		f.Add("challenge", "must be NEW_PASSWORD_REQUIRED or SOFTWARE_TOKEN_MFA")
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	id, err := a.Store.UserIDByLogin(ctx, login)
	if apperr.IsCode(err, "not_found") {
		return httpapi.Response{}, apperr.Unauthorized()
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	result, err := a.Identity.Respond(ctx, id, in.Challenge, in.Session, answer)
	if err != nil {
		return httpapi.Response{}, err
	}
	return a.signedIn(ctx, id, result)
}

// signedIn answers a sign-in step: the next challenge, or tokens for an active user.
func (a *API) signedIn(ctx context.Context, id string, result identity.Result) (httpapi.Response, error) {
	if result.Tokens == nil {
		return httpapi.JSON(http.StatusOK, challengeAnswer{Challenge: result.Challenge, Session: result.Session}), nil
	}
	u, err := a.Store.User(ctx, id)
	if err != nil {
		return httpapi.Response{}, apperr.InvalidCredentials()
	}
	if u.Status == user.Frozen {
		return httpapi.Response{}, apperr.Frozen()
	}
	if err := a.Store.SetLastLogin(ctx, id, a.Now()); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, result.Tokens), nil
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// Refresh is POST /v1/auth/refresh. A frozen or deleted user gets no new tokens.
func (a *API) Refresh(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in refreshRequest
	f := httpapi.Decode(req, &in)
	validate.Required(f, "refreshToken", in.RefreshToken)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	result, err := a.Identity.Refresh(ctx, in.RefreshToken)
	if err != nil {
		return httpapi.Response{}, err
	}
	if result.Tokens == nil {
		return httpapi.Response{}, apperr.Unauthorized()
	}
	u, err := a.Store.User(ctx, tokenUsername(result.Tokens.AccessToken))
	if err != nil {
		return httpapi.Response{}, apperr.Unauthorized()
	}
	if u.Status == user.Frozen {
		return httpapi.Response{}, apperr.Frozen()
	}
	return httpapi.JSON(http.StatusOK, result.Tokens), nil
}

// tokenUsername reads the username claim of an access token Cognito has just issued
// to Roster itself, so its signature needs no check here.
func tokenUsername(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Username string `json:"username"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Username
}
