package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// DeleteUser is DELETE /v1/users/{id}: the user's sign-in account, records and
// memberships go (see accounts.Delete for the order), its sessions end, and its login
// account and email are free again at once. What it made in teams stays. A half-made
// user (a creation that stopped between its steps, past its grace) is removed too,
// under the same rule of who may delete whom.
func (a *Directory) DeleteUser(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	id := pathIDField(f, req, "id")
	noBody(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.Check(me, authz.ViewUser, user.User{ID: id}); err != nil {
		return httpapi.Response{}, err
	}
	target, err := a.Store.User(ctx, id)
	half, halfMade := accounts.Abandoned(err, a.Now())
	if halfMade {
		target, err = half, nil
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.Check(me, authz.DeleteUser, target); err != nil {
		return httpapi.Response{}, err
	}
	remove := a.Accounts.Delete
	if halfMade {
		remove = a.Accounts.Remove
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditUserDelete, TargetType: TargetUser, TargetID: target.ID,
		Changes: map[string]store.Change{
			"username": change(target.Username, nil), "loginAccount": change(target.LoginAccount, nil),
			"email": change(target.Email, nil), "accountType": change(target.AccountType, nil),
		}})
	if err := remove(ctx, target, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

type resetUserPasswordRequest struct {
	Notify bool `json:"notify"`
}

type resetUserPasswordResponse struct {
	TemporaryPassword string `json:"temporaryPassword"`
	Notified          bool   `json:"notified"`
}

// ResetUserPassword is POST /v1/users/{id}/password-reset: an admin gives another user
// a generated temporary password, returned once and emailed on request. The password is
// set before the sessions are revoked, so no sign-in with the old one in between keeps a
// session; a failed revocation is an error, and the admin resets again. The audit event
// and email go with the end of the sessions, the last step.
func (a *Directory) ResetUserPassword(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in resetUserPasswordRequest
	f := validate.Fields{}
	id := pathIDField(f, req, "id")
	optionalBody(f, req, &in)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, target, err := a.userTarget(ctx, req, id, authz.ResetPassword)
	if err != nil {
		return httpapi.Response{}, err
	}
	if in.Notify && (target.Email == "" || !target.EmailVerified) {
		return httpapi.Response{}, invalid(validate.Fields{"notify": "needs a verified email address to send the password to"})
	}
	var mailTries store.Tries
	if in.Notify {
		if mailTries, err = a.takeMailTries(ctx, adminSender(me.ID), target.Email); err != nil {
			return httpapi.Response{}, err
		}
	}
	password := accounts.GeneratePassword()
	if err := a.Accounts.SetPassword(ctx, target.ID, password, false); err != nil {
		a.giveBack(ctx, mailTries...)
		return httpapi.Response{}, err
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditUserPasswordReset, TargetType: TargetUser, TargetID: target.ID,
		Changes: map[string]store.Change{"notify": change(nil, in.Notify)}})
	if in.Notify {
		fx.Mail = append(fx.Mail, a.temporaryPasswordLetter(req, target, password))
	}
	if err := a.endSessions(ctx, target.ID, a.Now(), fx); err != nil {
		a.giveBack(ctx, mailTries...)
		return httpapi.Response{}, err
	}
	// notified: the email is queued with the reset.
	return httpapi.JSON(http.StatusOK, resetUserPasswordResponse{TemporaryPassword: password, Notified: in.Notify}), nil
}

// optionalBody decodes a body that may be left out altogether into dst, adding what
// is wrong with it to f.
func optionalBody(f validate.Fields, req events.APIGatewayV2HTTPRequest, dst any) {
	if strings.TrimSpace(req.Body) == "" {
		return
	}
	for field, msg := range httpapi.Decode(req, dst) {
		f.Add(field, msg)
	}
}
