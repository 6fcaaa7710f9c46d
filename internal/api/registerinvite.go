package api

import (
	"context"
	"strings"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// registrationInvite is the invitation a person registers through: a code, a link,
// or none. Once checked, it holds the code as read and the decision that its issuer
// still grants it, for the join to write on.
type registrationInvite struct {
	code  string
	link  *team.Invitation
	held  *team.Code
	grant *grant
}

// readRegistrationInvite checks the invitation fields of a registration. A link is
// looked up at once, because a link bound to the registering address proves that
// address and spares the verification code. The error it answers (the 410 of a used,
// revoked or expired link or of one its issuer could no longer make, the 403 of a link
// bound to another address) is for after the request's fields are known to be good.
func (a *API) readRegistrationInvite(ctx context.Context, f validate.Fields, code, token, email string) (registrationInvite, error) {
	var in registrationInvite
	switch {
	case code != "" && token != "":
		f.Add("invitationCode", "give either invitationCode or invitationToken, not both")
		f.Add("invitationToken", "give either invitationCode or invitationToken, not both")
	case code != "":
		in.code = validate.InvitationCode(f, "invitationCode", code)
	case token != "" && !validToken(token):
		f.Add("invitationToken", "is not an invitation token")
	case token != "":
		inv, err := a.pendingInvitation(ctx, token, a.Now())
		if err != nil {
			return in, err
		}
		if inv.Email != "" && email != "" && !strings.EqualFold(inv.Email, email) {
			return in, errInvitedElsewhere
		}
		g, err := a.granted(ctx, inv.TeamID, linkOffer(inv))
		if err != nil {
			return in, err
		}
		in.link, in.grant = &inv, &g
	}
	return in, nil
}

var errInvitedElsewhere = &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden,
	Message: "This invitation is for another email address."}

// provesEmail reports whether the invitation itself proves the registering address:
// a link sent to that address.
func (in registrationInvite) provesEmail() bool { return in.link != nil && in.link.Email != "" }

// checkRegistrationInvite refuses an unusable code (or one its issuer could no longer
// make) before the account is made, once the address is proven: a code's failures count
// against that address as they count against a user when it joins, and against the
// source IP and the platform alike.
func (a *API) checkRegistrationInvite(ctx context.Context, in *registrationInvite, email, ip string) error {
	if in.code == "" {
		return nil
	}
	now := a.Now()
	tries, err := a.takeCodeTries(ctx, "register:"+validate.Fold(email), ip, now)
	if err != nil {
		return err
	}
	c, err := a.Store.InvitationCode(ctx, in.code)
	if err == nil {
		err = team.Usable(c.StatusAt(now))
	}
	var g grant
	if err == nil {
		g, err = a.granted(ctx, c.TeamID, codeOffer(c))
	}
	a.keepCodeTries(ctx, tries, err)
	if err != nil {
		return err
	}
	in.held, in.grant = &c, &g
	return nil
}

// joinRegistered makes the new member u a member of the invitation's team. The
// invitation is consumed in the same transaction; if someone else consumed it since
// it was checked, the caller undoes the registration.
func (a *API) joinRegistered(ctx context.Context, u user.User, in registrationInvite) (*memberView, error) {
	var view memberView
	var err error
	switch {
	case in.held != nil:
		view, err = a.redeemInviteCode(ctx, u, *in.held, in.grant, a.Now())
	case in.link != nil:
		// The account's address is proven already (by its code, or by a bound link).
		view, err = a.acceptInvitation(ctx, u, *in.link, in.grant, "", a.Now())
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &view, nil
}
