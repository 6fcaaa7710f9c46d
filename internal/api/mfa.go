package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/identity"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// Wrong TOTP codes a user may send to the bind and unbind routes per 15 minutes. A
// stolen access token must not be enough to guess the code that removes the second
// factor: five tries in a million codes per window.
var mfaCodeFailures = store.Limit{Name: "mfa-code-failures", Max: 5, Window: 15 * time.Minute}

// totpIssuer names Roster in authenticator apps.
const totpIssuer = "Roster"

var (
	errMFAEnabled = apperr.New(apperr.Conflict, apperr.CodeMFAAlreadyEnabled,
		"An authenticator is already bound; unbind it first.")
)

type totpSecret struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauthUri"`
}

// StartTOTP is POST /v1/me/mfa/totp: Cognito makes a new TOTP secret for the caller,
// answered once with an otpauth:// URI for a QR code. MFA is on only once a code made
// from it is verified. A caller whose MFA is on must unbind it (with a current code)
// first: re-binding would replace the secret without proving the old factor.
func (a *Directory) StartTOTP(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	if err := emptyBody(req); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if me.MFAEnabled {
		return httpapi.Response{}, errMFAEnabled
	}
	secret, err := a.Identity.AssociateSoftwareToken(ctx, httpapi.BearerToken(req))
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, totpSecret{Secret: secret, OTPAuthURI: otpauthURI(me.LoginAccount, secret)}), nil
}

// otpauthURI is the Key URI Format authenticator apps read from QR codes, with
// Cognito's TOTP parameters spelt out.
func otpauthURI(account, secret string) string {
	q := url.Values{
		"secret":    {secret},
		"issuer":    {totpIssuer},
		"algorithm": {"SHA1"},
		"digits":    {"6"},
		"period":    {"30"},
	}
	return "otpauth://totp/" + url.PathEscape(totpIssuer+":"+account) + "?" + q.Encode()
}

type codeRequest struct {
	Code string `json:"code"`
}

// VerifyTOTP is POST /v1/me/mfa/totp/verify: a code from the new secret turns MFA on.
func (a *Directory) VerifyTOTP(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	return a.switchMyMFA(ctx, req, true)
}

// UnbindMyMFA is DELETE /v1/me/mfa: a current code proves the caller still holds the
// authenticator.
func (a *Directory) UnbindMyMFA(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	return a.switchMyMFA(ctx, req, false)
}

// switchMyMFA turns the caller's MFA on or off once a TOTP code checks out. Turning on
// an MFA already on is a conflict (see StartTOTP); turning off one already off changes
// nothing, writes nothing and needs no code checked.
func (a *Directory) switchMyMFA(ctx context.Context, req events.APIGatewayV2HTTPRequest, enable bool) (httpapi.Response, error) {
	var in codeRequest
	f := httpapi.Decode(req, &in)
	code := validate.VerificationCode(f, "code", in.Code)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	switch {
	case enable && me.MFAEnabled:
		return httpapi.Response{}, errMFAEnabled
	case !enable && !me.MFAEnabled:
		return httpapi.NoContent(), nil
	}
	if err := a.checkCode(ctx, me, httpapi.BearerToken(req), code); err != nil {
		return httpapi.Response{}, err
	}
	if err := a.setMFA(ctx, me.ID, enable, store.Effects{}); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

// UnbindUserMFA is DELETE /v1/users/{id}/mfa: an admin turns off a user's MFA (a lost
// phone), within the target rules of SPEC.md section 1. Cognito is told even when the
// record says MFA is off, so a record and a pool that disagree are brought back in step.
func (a *Directory) UnbindUserMFA(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	id := pathIDField(f, req, "id")
	noBody(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, target, err := a.userTarget(ctx, req, id, authz.UnbindMFA)
	if err != nil {
		return httpapi.Response{}, err
	}
	if !target.MFAEnabled {
		// Nothing Roster knows of changes; Cognito is told again in case it lags behind.
		if err := a.Identity.SetMFA(ctx, target.ID, false); err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.NoContent(), nil
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditUserMFAUnbind, TargetType: TargetUser, TargetID: target.ID,
		Changes: map[string]store.Change{"mfaEnabled": change(true, false)}})
	if err := a.setMFA(ctx, target.ID, false, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

// checkCode verifies a TOTP code of the caller with Cognito, within mfaCodeFailures.
func (a *Directory) checkCode(ctx context.Context, me user.User, accessToken, code string) error {
	// The try is taken before Cognito is asked, so parallel guesses cannot outrun the
	// count; only a wrong code keeps it.
	try, err := a.Store.Take(ctx, mfaCodeFailures, me.ID, a.Now())
	if err != nil {
		return err
	}
	err = a.Identity.VerifySoftwareToken(ctx, accessToken, code)
	if !errors.Is(err, identity.ErrWrongCode) {
		a.giveBack(ctx, try)
	}
	return err
}

// setMFA switches TOTP sign-in in Cognito, which sign-in obeys, then on the user's
// record, which lists show. When the record cannot be written (the user was deleted
// meanwhile, or DynamoDB failed), Cognito is switched back so the two do not disagree.
// fx go with the record.
func (a *Directory) setMFA(ctx context.Context, id string, enabled bool, fx store.Effects) error {
	if err := a.Identity.SetMFA(ctx, id, enabled); err != nil {
		return err
	}
	err := a.Store.SetMFA(ctx, id, enabled, fx)
	if err != nil {
		if undo := a.Identity.SetMFA(ctx, id, !enabled); undo != nil && !errors.Is(err, apperr.CodeNotFound) {
			slog.ErrorContext(ctx, "mfa switched in Cognito but not recorded", "userId", id, "enabled", enabled, "error", undo.Error())
		}
		return err
	}
	return nil
}
