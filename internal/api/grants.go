package api

import (
	"context"
	"errors"
	"time"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
)

// An invitation (code or link) grants its roles only while its issuer could still make
// it (SPEC.md section 5): authz's rule for making one is asked again, with the issuer
// as it is now, whenever one is redeemed, looked up, resent or listed. One that fails
// answers as revoked.

// grant is what a redemption found of an invitation's team and issuer: enough to
// decide, to write on the condition that the issuer is unchanged, and to answer.
type grant struct {
	team    team.Team
	roles   map[string]team.Role // the invitation's roles (and the issuer's)
	issuer  store.Issuer
	inviter string // the issuer's username
}

// codeOffer and linkOffer are what a code and a link grant, and who made them.
func codeOffer(c team.Code) store.Offer {
	return store.Offer{IssuerID: c.CreatedBy, RoleIDs: c.RoleIDs}
}

func linkOffer(i team.Invitation) store.Offer {
	return store.Offer{IssuerID: i.CreatedBy, RoleIDs: i.RoleIDs}
}

// granted reads the team, the issuer and its standing there (one BatchGetItem, a second
// for the issuer's custom roles) and answers 410 invitation_revoked unless the
// invitation o to teamID still grants its roles.
func (a *API) granted(ctx context.Context, teamID string, o store.Offer) (grant, error) {
	found, err := a.Store.Issuers(ctx, teamID, []string{o.IssuerID}, o.RoleIDs)
	if err != nil {
		return grant{}, err
	}
	if err := checkGrant(found, o); err != nil {
		return grant{}, err
	}
	issuer := found.Users[o.IssuerID]
	return grant{team: found.Team, roles: found.Roles, inviter: issuer.Username,
		issuer: store.Issuer{ID: issuer.ID, AccountType: issuer.AccountType, RoleIDs: found.Memberships[o.IssuerID].RoleIDs}}, nil
}

// checkGrant asks authz whether o's issuer, as found, could make o now. A role deleted
// since it was made revokes it too.
func checkGrant(found store.Issuers, o store.Offer) error {
	roles := make([]team.Role, len(o.RoleIDs))
	for i, id := range o.RoleIDs {
		r, ok := found.Roles[id]
		if !ok {
			return errInviteRoleGone
		}
		roles[i] = r
	}
	var issuer *user.User
	if u, ok := found.Users[o.IssuerID]; ok {
		issuer = &u
	}
	var s authz.Standing
	if m, ok := found.Memberships[o.IssuerID]; ok {
		s = standing(m, found.Roles)
	}
	return authz.CheckGrant(issuer, s, roles)
}

// grantJudge decides, for a list of teamID's pending invitations, which still grant
// their roles: one eventually consistent read for the whole batch, as the list's is.
func (a *API) grantJudge(teamID string) store.GrantJudge {
	return func(ctx context.Context, offers []store.Offer) ([]bool, error) {
		var issuers, roles []string
		for _, o := range offers {
			issuers, roles = append(issuers, o.IssuerID), append(roles, o.RoleIDs...)
		}
		found, err := a.Store.IssuersSnapshot(ctx, teamID, issuers, roles)
		if err != nil {
			return nil, err
		}
		out := make([]bool, len(offers))
		for i, o := range offers {
			out[i] = checkGrant(found, o) == nil
		}
		return out, nil
	}
}

// redeemAttempts bounds how often a redemption decides again when its issuer changed
// between the decision and the write.
const redeemAttempts = 3

// redeem makes u a member of teamID with the roles of invitation o while o still grants
// them. write consumes the invitation and adds the membership in one transaction that
// holds only while the issuer is as read, so a demotion racing it is wholly before or
// after; when the issuer changed, the decision is made again. first, if set, is the
// decision an earlier step of the request made.
func (a *API) redeem(ctx context.Context, u user.User, teamID string, o store.Offer, first *grant, now time.Time,
	write func(team.Membership, store.Issuer) error,
) (memberView, error) {
	m := team.Membership{TeamID: teamID, UserID: u.ID, RoleIDs: o.RoleIDs, JoinedAt: now, AddedBy: o.IssuerID}
	for attempt := 1; ; attempt++ {
		var g grant
		var err error
		if attempt == 1 && first != nil {
			g = *first
		} else if g, err = a.granted(ctx, teamID, o); err != nil {
			return memberView{}, err
		}
		err = write(m, g.issuer)
		switch {
		case err == nil:
			return memberOf(g.team, u, m, g.roles), nil
		case errors.Is(err, apperr.CodeVersionConflict) && attempt < redeemAttempts:
			continue
		}
		return memberView{}, inviteRoleGone(err)
	}
}
