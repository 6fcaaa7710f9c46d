package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// passwordChangeFailures limits guesses of the current password by someone holding
// a signed-in user's access token.
var passwordChangeFailures = store.Limit{Name: "password-change-failures", Max: 5, Window: 15 * time.Minute}

type forgotPasswordRequest struct {
	LoginAccount string `json:"loginAccount"`
}

// ForgotPassword is POST /v1/auth/password/forgot. It answers the same 202, with the
// same body, for an account that exists, one without an email address and one that
// does not exist: each gets the same rate limits and the same stored code (keyed by
// the login account, not by a user), and only the first is sent the code.
func (a *API) ForgotPassword(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in forgotPasswordRequest
	f := httpapi.Decode(req, &in)
	login := validate.LoginAccount(f, "loginAccount", in.LoginAccount)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	target, err := a.userByLogin(ctx, login)
	if err != nil {
		return httpapi.Response{}, err
	}
	err = a.sendCode(ctx, req, codeSend{
		code:    store.Code{Purpose: store.PasswordResetCode, Subject: validate.Fold(login), UserID: target.ID},
		limit:   resetCodesPerAccount,
		limitOn: validate.Fold(login),
		letter: func(secret string) mail.Letter {
			if target.Email == "" {
				return mail.NoLetter()
			}
			return mail.PasswordResetCodeLetter(target.Locale, target.Email, secret)
		},
	})
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusAccepted, accepted{"If the account exists and has an email address, a reset code has been sent to it."}), nil
}

// userByLogin returns the holder of a login account, or the zero user when there is
// none. A half-made user is nobody; once past its grace its records are removed, only
// them: these public functions may not delete Cognito users, and a sign-in account left
// without a record is unreachable. It reads a user either way, so that forgot password
// makes the same calls for an account that exists and one that does not.
func (a *API) userByLogin(ctx context.Context, login string) (user.User, error) {
	id, err := a.Store.UserIDByLogin(ctx, login)
	switch {
	case errors.Is(err, apperr.CodeNotFound):
		id = nobody
	case err != nil:
		return user.User{}, err
	}
	u, err := a.Store.User(ctx, id)
	if half, ok := accounts.Abandoned(err, a.Now()); ok {
		if derr := a.Store.DiscardHalfMade(ctx, half, store.Effects{}); derr != nil {
			slog.WarnContext(ctx, "could not remove a half-made user", "userId", half.ID, "error", derr.Error())
		}
	}
	if errors.Is(err, apperr.CodeNotFound) {
		return user.User{}, nil
	}
	return u, err
}

type resetPasswordRequest struct {
	LoginAccount string `json:"loginAccount"`
	Code         string `json:"code"`
	NewPassword  string `json:"newPassword"`
}

// ResetPassword is POST /v1/auth/password/reset: a right code sets a new, permanent
// password and ends every session of the account. An unknown account answers as a
// wrong code does.
func (a *Directory) ResetPassword(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in resetPasswordRequest
	f := httpapi.Decode(req, &in)
	login := validate.LoginAccount(f, "loginAccount", in.LoginAccount)
	secret := validate.VerificationCode(f, "code", in.Code)
	validate.Password(f, "newPassword", in.NewPassword, login)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	code, err := a.redeemCode(ctx, store.Code{Purpose: store.PasswordResetCode, Subject: validate.Fold(login)}, secret, "code")
	if err != nil {
		return httpapi.Response{}, err
	}
	// The account may have been deleted since, and its login account given to
	// someone else: the code resets only the account it was sent for.
	holder, err := a.Store.UserIDByLogin(ctx, login)
	if err != nil && !errors.Is(err, apperr.CodeNotFound) {
		a.restoreCode(ctx, code)
		return httpapi.Response{}, err
	}
	if code.UserID == "" || holder != code.UserID {
		return httpapi.Response{}, apperr.InvalidFields(validate.Fields{"code": "is incorrect or has expired; ask for a new code"})
	}
	if err := a.Accounts.SetPassword(ctx, code.UserID, in.NewPassword, true); err != nil {
		a.restoreCode(ctx, code)
		return httpapi.Response{}, err
	}
	// Whoever reset it may have lost it to someone holding a session: every token goes.
	a.signOutEverywhere(ctx, code.UserID, a.Now())
	return httpapi.NoContent(), nil
}

type changePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// ChangePassword is POST /v1/me/password. Cognito checks the current password; on
// success every session of the user ends, newer ones than the caller's and the
// caller's own included (an access token's time cannot tell the caller's session from
// one that began after it), and the caller goes on in a new session signed in with the
// new password: the answer is login's, tokens or the MFA challenge that leads to them.
func (a *Directory) ChangePassword(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in changePasswordRequest
	f := httpapi.Decode(req, &in)
	cookie, err := cookieSession(f, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	validate.Required(f, "currentPassword", in.CurrentPassword)
	validate.Password(f, "newPassword", in.NewPassword, me.LoginAccount)
	if in.NewPassword != "" && in.NewPassword == in.CurrentPassword {
		f.Add("newPassword", "must differ from the current password")
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	// The try is taken before Cognito checks the current password, so parallel guesses
	// cannot outrun the count; only a wrong current password keeps it.
	try, err := a.Store.Take(ctx, passwordChangeFailures, me.ID, a.Now())
	if err != nil {
		return httpapi.Response{}, err
	}
	err = a.Identity.ChangePassword(ctx, httpapi.BearerToken(req), in.CurrentPassword, in.NewPassword)
	if e := apperr.As(err); e == nil || e.Fields["currentPassword"] == "" {
		a.giveBack(ctx, try)
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	a.signOutEverywhere(ctx, me.ID, a.Now())
	result, err := a.Identity.SignIn(ctx, me.ID, in.NewPassword, me.MFAEnabled)
	if err != nil {
		// The change has happened: the person is told so, and signs in again.
		slog.ErrorContext(ctx, "could not sign in again after a password change", "userId", me.ID, "error", err.Error())
		if cookie {
			// The cookie's refresh token was revoked with every session.
			return endCookieSession(httpapi.NoContent()), nil
		}
		return httpapi.NoContent(), nil
	}
	if result.Tokens == nil {
		return httpapi.JSON(http.StatusOK, challengeAnswer{Challenge: result.Challenge, Session: result.Session}), nil
	}
	return tokensAnswer(result.Tokens, cookie), nil
}

// endSessions ends the sessions of a user: Cognito revokes its refresh tokens, and
// the record voids the access tokens issued before at, which Cognito cannot revoke.
// fx go with the record.
func (a *Directory) endSessions(ctx context.Context, userID string, at time.Time, fx store.Effects) error {
	if err := a.Identity.SignOutEverywhere(ctx, userID); err != nil {
		return err
	}
	return a.Store.EndSessions(ctx, userID, at, fx)
}

// signOutEverywhere is endSessions after a password change: the change has happened
// whatever this answers, so a failure is logged, not returned (the person must not
// be told the change failed and try again with the old one).
func (a *Directory) signOutEverywhere(ctx context.Context, userID string, at time.Time) {
	if err := a.endSessions(ctx, userID, at, store.Effects{}); err != nil {
		slog.ErrorContext(ctx, "sessions not revoked after a password change", "userId", userID, "error", err.Error())
	}
}
