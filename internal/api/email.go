package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

type changeEmailRequest struct {
	Email string `json:"email"`
}

// ChangeEmail is POST /v1/me/email: a code goes to the new address, which replaces
// the current one only once the code comes back (VerifyEmailChange). Whether the
// address is free is checked then, when it is claimed.
func (a *API) ChangeEmail(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in changeEmailRequest
	f := httpapi.Decode(req, &in)
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	email := newEmail(f, in.Email, me)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	err = a.sendCode(ctx, req, codeSend{
		code:    emailChangeCode(me.ID, email),
		limit:   codesPerEmail,
		limitOn: validate.Fold(email),
		letter:  func(secret string) mail.Letter { return mail.EmailChangeCodeLetter(me.Locale, email, secret) },
	})
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusAccepted, accepted{"A verification code has been sent to the new address."}), nil
}

// newEmail checks the address a user asks to move to.
func newEmail(f validate.Fields, v string, me user.User) string {
	email := validate.Email(f, "email", v)
	if me.Email != "" && validate.Fold(email) == validate.Fold(me.Email) {
		f.Add("email", "is already your email address")
	}
	return email
}

// A user has one email-change code at a time, bound to the address it was sent to.
func emailChangeCode(userID, email string) store.Code {
	return store.Code{Purpose: store.EmailChangeCode, Subject: userID, Email: validate.Fold(email), UserID: userID}
}

type verifyEmailRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
}

// VerifyEmailChange is POST /v1/me/email/verify: the code sent to the new address
// makes it the user's verified email, and the old address is told (in the same write).
func (a *API) VerifyEmailChange(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in verifyEmailRequest
	f := httpapi.Decode(req, &in)
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	email := newEmail(f, in.Email, me)
	secret := validate.VerificationCode(f, "code", in.Code)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	code, err := a.redeemCode(ctx, emailChangeCode(me.ID, email), secret, "code")
	if err != nil {
		return httpapi.Response{}, err
	}
	updated, err := a.swapEmail(ctx, me, email)
	if err != nil {
		a.restoreCode(ctx, code)
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, updated.View()), nil
}

// swapEmailAttempts bounds the retries of an email change that lost a race with
// another edit of the same user (an admin renaming it, say).
const swapEmailAttempts = 3

// swapEmail writes the new address on the user as last read, re-reading it when
// another edit got there first, with the notice to the old address, if any.
func (a *API) swapEmail(ctx context.Context, me user.User, email string) (user.User, error) {
	for attempt := 1; ; attempt++ {
		var fx store.Effects
		if me.Email != "" {
			fx = a.mailed(mail.EmailChangedLetter(me.Locale, me.Email, mail.MaskAddress(email)))
		}
		updated, err := a.Store.ChangeEmail(ctx, me, email, fx)
		if !errors.Is(err, apperr.CodeVersionConflict) || attempt == swapEmailAttempts {
			return updated, err
		}
		if me, err = a.Store.User(ctx, me.ID); err != nil {
			return user.User{}, err
		}
		if validate.Fold(me.Email) == validate.Fold(email) {
			return me, nil
		}
	}
}
