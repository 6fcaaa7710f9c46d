package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// Failed invitation codes (wrong, used or expired) are limited per user, per source IP
// and on the whole platform, in 15-minute windows: 10^8 codes are few enough to sweep
// and accounts are cheap, so the platform budget caps what any number of accounts can
// guess, at the price of pausing codes (never links) for everyone while it is spent.
var (
	codeFailuresPerUser    = store.Limit{Name: "invitation-code-failures", Max: 10, Window: 15 * time.Minute}
	codeFailuresPerIP      = store.Limit{Name: "invitation-code-failures-ip", Max: 20, Window: 15 * time.Minute}
	codeFailuresOnPlatform = store.Limit{Name: "invitation-code-failures-platform", Max: 100, Window: 15 * time.Minute}
	platformSubject        = "all"
)

type codeView struct {
	Code      string   `json:"code"`
	TeamID    string   `json:"teamId"`
	RoleIDs   []string `json:"roleIds"`
	CreatedAt string   `json:"createdAt"`
	CreatedBy string   `json:"createdBy"`
	ExpiresAt string   `json:"expiresAt"`
}

func viewCode(c team.Code) codeView {
	return codeView{Code: c.Code, TeamID: c.TeamID, RoleIDs: c.RoleIDs, CreatedAt: user.Timestamp(c.CreatedAt),
		CreatedBy: c.CreatedBy, ExpiresAt: user.Timestamp(c.ExpiresAt)}
}

type roleIDsRequest struct {
	RoleIDs []string `json:"roleIds"`
}

// newCode draws 8 decimal digits, uniformly, from the system's secure random source.
func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000)) // rand.Reader never returns an error
	return fmt.Sprintf("%08d", n.Int64())
}

// codeDraws bounds the redraws when the digits belong to a live code: with 10^8 codes
// and a 24-hour life, several collisions in a row mean something is wrong.
const codeDraws = 8

// CreateInvitationCode is POST /v1/teams/{id}/invitation-codes.
func (a *API) CreateInvitationCode(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in roleIDsRequest
	f := httpapi.Decode(req, &in)
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	roleIDs(f, "roleIds", in.RoleIDs)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	at, err := a.enterTeam(ctx, req, id, authz.ManageInvitations)
	if err != nil {
		return httpapi.Response{}, err
	}
	if _, err := a.assignable(ctx, at, "roleIds", in.RoleIDs); err != nil {
		return httpapi.Response{}, err
	}
	now := a.Now()
	c := team.Code{TeamID: id, RoleIDs: in.RoleIDs, CreatedBy: at.me.ID, CreatedAt: now, ExpiresAt: now.Add(team.CodeValidity)}
	// The code itself is a secret of whoever it is given to: never in the audit log.
	fx := a.audited(req, at.me, store.AuditEvent{Action: AuditInvitationCodeCreate, TargetType: TargetInvitationCode, TargetID: id, TeamID: id,
		Changes: map[string]store.Change{"roleIds": change(nil, c.RoleIDs), "expiresAt": change(nil, user.Timestamp(c.ExpiresAt))}})
	for range codeDraws {
		c.Code = newCode()
		err = a.Store.CreateInvitationCode(ctx, c, now, fx)
		if !errors.Is(err, apperr.CodeCodeTaken) {
			break
		}
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, viewCode(c)), nil
}

// ListInvitationCodes is GET /v1/teams/{id}/invitation-codes: unexpired, unused codes.
func (a *API) ListInvitationCodes(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor")
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	if _, err := a.enterTeam(ctx, req, id, authz.ManageInvitations); err != nil {
		return httpapi.Response{}, err
	}
	codes, next, err := a.Store.ListInvitationCodes(ctx, id, a.Now(), page, a.grantJudge(id))
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]codeView, len(codes))
	for i, c := range codes {
		views[i] = viewCode(c)
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

// RevokeInvitationCode is DELETE /v1/teams/{id}/invitation-codes/{code}.
func (a *API) RevokeInvitationCode(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	code := codePath(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	at, err := a.enterTeam(ctx, req, id, authz.ManageInvitations)
	if err != nil {
		return httpapi.Response{}, err
	}
	c, err := a.Store.InvitationCode(ctx, code)
	if err == nil && c.TeamID != id {
		err = apperr.Missing("Invitation code")
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	now := a.Now()
	if err := team.Usable(c.StatusAt(now)); err != nil {
		return httpapi.Response{}, err
	}
	fx := a.audited(req, at.me, store.AuditEvent{Action: AuditInvitationCodeRevoke, TargetType: TargetInvitationCode, TargetID: id, TeamID: id,
		Changes: map[string]store.Change{"status": change(team.Pending, team.Revoked)}})
	if err := a.Store.RevokeInvitationCode(ctx, c, now, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

func codePath(f validate.Fields, req events.APIGatewayV2HTTPRequest) string {
	sub := validate.Fields{}
	code := validate.InvitationCode(sub, "code", req.PathParameters["code"])
	for k, v := range sub {
		f.Add(k, v)
	}
	return code
}

type joinRequest struct {
	Code string `json:"code"`
}

// JoinTeam is POST /v1/teams/join: a member redeems an invitation code.
func (a *API) JoinTeam(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in joinRequest
	f := httpapi.Decode(req, &in)
	code := validate.InvitationCode(f, "code", in.Code)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.CheckJoin(me); err != nil {
		return httpapi.Response{}, err
	}
	view, err := a.redeemInvitationCode(ctx, me, code, httpapi.SourceIP(req))
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, view), nil
}

// redeemInvitationCode makes u, asking from ip, a member of the code's team with its
// roles.
func (a *API) redeemInvitationCode(ctx context.Context, u user.User, code, ip string) (memberView, error) {
	now := a.Now()
	tries, err := a.takeCodeTries(ctx, u.ID, ip, now)
	if err != nil {
		return memberView{}, err
	}
	view, err := a.consumeInvitationCode(ctx, u, code, now)
	a.keepCodeTries(ctx, tries, err)
	return view, err
}

// takeCodeTries takes an invitation code's tries of the failure limits before the code
// is looked up, so that parallel guesses cannot outrun the counts.
func (a *API) takeCodeTries(ctx context.Context, subject, ip string, now time.Time) (store.Tries, error) {
	return a.Store.TakeAll(ctx, now,
		store.On{Limit: codeFailuresPerUser, Subject: subject},
		store.On{Limit: codeFailuresPerIP, Subject: ip},
		store.On{Limit: codeFailuresOnPlatform, Subject: platformSubject})
}

// keepCodeTries keeps the tries of a code that was not found, used or expired (what a
// guesser gets) and gives back those of any other outcome.
func (a *API) keepCodeTries(ctx context.Context, tries store.Tries, err error) {
	if e := apperr.As(err); e != nil && (e.Kind == apperr.NotFound || e.Kind == apperr.Gone) {
		return
	}
	a.giveBack(ctx, tries...)
}

func (a *API) consumeInvitationCode(ctx context.Context, u user.User, code string, now time.Time) (memberView, error) {
	c, err := a.Store.InvitationCode(ctx, code)
	if err != nil {
		return memberView{}, err
	}
	if err := team.Usable(c.StatusAt(now)); err != nil {
		return memberView{}, err
	}
	return a.redeemInviteCode(ctx, u, c, nil, now)
}

// redeemInviteCode consumes the usable code c, as read, while its issuer could still make it
// (see redeem).
func (a *API) redeemInviteCode(ctx context.Context, u user.User, c team.Code, first *grant, now time.Time) (memberView, error) {
	return a.redeem(ctx, u, c.TeamID, codeOffer(c), first, now, func(m team.Membership, by store.Issuer) error {
		return a.Store.RedeemInvitationCode(ctx, c, m, by, now)
	})
}

// errInviteRoleGone is a role deleted since the invitation was made: the invitation can
// no longer give what it promised, so it is as good as revoked.
var errInviteRoleGone = &apperr.Error{Kind: apperr.Gone, Code: apperr.CodeInvitationRevoked,
	Message: "A role of this invitation no longer exists; ask for a new invitation."}

// inviteRoleGone words a redemption's write that found a role of the invitation gone.
func inviteRoleGone(err error) error {
	if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid && e.Fields["roleIds"] != "" {
		return errInviteRoleGone
	}
	return err
}
