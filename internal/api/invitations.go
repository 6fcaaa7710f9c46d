package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// invitationLookups limits the public look-up of invitation links per source IP.
var invitationLookups = store.Limit{Name: "invitation-lookups-ip", Max: 30, Window: time.Minute}

// A link's token is 256 random bits, base64url without padding; only its SHA-256 is
// stored, so the table cannot give a working link away.
const tokenBytes = 32

var tokenLength = base64.RawURLEncoding.EncodedLen(tokenBytes)

func newToken() (token, hash string) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token)
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validToken checks a token's shape before any read: 43 base64url characters, as newToken
// makes them. The decoder skips line breaks, which decoding alone would not notice.
func validToken(token string) bool {
	if len(token) != tokenLength || strings.ContainsAny(token, "\r\n") {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == tokenBytes
}

type invitationView struct {
	ID         string   `json:"id"`
	TeamID     string   `json:"teamId"`
	Link       string   `json:"link,omitempty"`
	Email      *string  `json:"email"`
	RoleIDs    []string `json:"roleIds"`
	ExpiresAt  string   `json:"expiresAt"`
	Status     string   `json:"status"`
	CreatedAt  string   `json:"createdAt"`
	CreatedBy  string   `json:"createdBy"`
	AcceptedBy *string  `json:"acceptedBy"`
	AcceptedAt *string  `json:"acceptedAt"`
	// Emailed is a bound link's mail: queued, sent or failed (store.MailQueued, ...).
	Emailed *string `json:"emailed,omitempty"`
}

func viewInvitation(i team.Invitation, now time.Time) invitationView {
	v := invitationView{ID: i.ID, TeamID: i.TeamID, RoleIDs: i.RoleIDs, ExpiresAt: user.Timestamp(i.ExpiresAt),
		Status: string(i.StatusAt(now)), CreatedAt: user.Timestamp(i.CreatedAt), CreatedBy: i.CreatedBy}
	if i.Email != "" {
		v.Email = &i.Email
	}
	if i.AcceptedBy != "" {
		at := user.Timestamp(i.AcceptedAt)
		v.AcceptedBy, v.AcceptedAt = &i.AcceptedBy, &at
	}
	if i.MailState != "" {
		v.Emailed = &i.MailState
	}
	return v
}

type createInvitationRequest struct {
	Email         string   `json:"email"`
	RoleIDs       []string `json:"roleIds"`
	ValidForHours *int     `json:"validForHours"`
}

// CreateInvitation is POST /v1/teams/{id}/invitations: a link bound to an email
// address, sent there and shown to nobody else (following it proves the address), or
// an open link, in the answer once to be copied.
func (a *API) CreateInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in createInvitationRequest
	f := httpapi.Decode(req, &in)
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	var email string
	if in.Email != "" {
		email = validate.Email(f, "email", in.Email)
	}
	roleIDs(f, "roleIds", in.RoleIDs)
	hours := validate.ValidForHours(f, "validForHours", in.ValidForHours)
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
	token, hash := newToken()
	validFor := time.Duration(hours) * time.Hour
	inv := team.Invitation{
		ID: ids.New(), TeamID: id, Email: email, RoleIDs: in.RoleIDs, CreatedBy: at.me.ID, CreatedAt: now,
		ValidFor: validFor, ExpiresAt: now.Add(validFor), Status: team.Pending, TokenHash: hash,
	}
	var mailTries store.Tries
	if email != "" {
		if mailTries, err = a.takeMailTries(ctx, teamSender(id), email); err != nil {
			return httpapi.Response{}, err
		}
	}
	link := a.invitationLink(req, token)
	fx := a.audited(req, at.me, store.AuditEvent{Action: AuditInvitationCreate, TargetType: TargetInvitation, TargetID: inv.ID, TeamID: id,
		Changes: map[string]store.Change{"email": change(nil, inv.Email), "roleIds": change(nil, inv.RoleIDs), "expiresAt": change(nil, user.Timestamp(inv.ExpiresAt))}})
	inv.MailState = a.mailInvitation(ctx, req, &fx, inv, at.team, at.me.Username, link)
	if err := a.Store.CreateInvitation(ctx, inv, fx); err != nil {
		a.giveBack(ctx, mailTries...)
		return httpapi.Response{}, err
	}
	v := viewInvitation(inv, now)
	if inv.Email == "" {
		v.Link = link
	}
	return httpapi.JSON(http.StatusCreated, v), nil
}

// mailInvitation adds to fx the email of a bound link, in the language of the address's
// account if it has one, else in the inviter's (the request's), and answers the mail's
// state (queued); an open link has no mail and answers "". The mailer sends it after
// the change, and writes on the link whether it was sent: emailed tells the manager,
// who resends a link whose mail failed.
func (a *API) mailInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest, fx *store.Effects, inv team.Invitation, t team.Team, inviter, link string) string {
	if inv.Email == "" {
		return ""
	}
	lang, _, err := a.addressLocale(ctx, req, inv.Email)
	if err != nil {
		lang = httpapi.Locale(req)
	}
	fx.Mail = append(fx.Mail, mail.InvitationLetter(lang, inv.Email, t.Name, inviter, link, inv.ExpiresAt))
	return store.MailQueued
}

// ListInvitations is GET /v1/teams/{id}/invitations, optionally by status.
func (a *API) ListInvitations(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor", "status")
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	status := team.Status(q["status"])
	if _, present := q["status"]; present && !validStatus(status) {
		f.Add("status", "must be pending, accepted, revoked or expired")
	}
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	if _, err := a.enterTeam(ctx, req, id, authz.ManageInvitations); err != nil {
		return httpapi.Response{}, err
	}
	now := a.Now()
	list, next, err := a.Store.ListInvitations(ctx, id, status, now, page, a.grantJudge(id))
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]invitationView, len(list))
	for i, inv := range list {
		views[i] = viewInvitation(inv, now)
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

func validStatus(s team.Status) bool {
	for _, v := range team.Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// teamInvitation reads {id} and {invitationId}, checks the caller manages the team's
// invitations, and loads the invitation; one of another team is not found.
func (a *API) teamInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest) (inTeam, team.Invitation, error) {
	f := validate.Fields{}
	teamID, invID := req.PathParameters["id"], req.PathParameters["invitationId"]
	if !ids.Valid(teamID) {
		f.Add("id", "is not a valid id")
	}
	if !ids.Valid(invID) {
		f.Add("invitationId", "is not a valid id")
	}
	if err := invalid(f); err != nil {
		return inTeam{}, team.Invitation{}, err
	}
	at, err := a.enterTeam(ctx, req, teamID, authz.ManageInvitations)
	if err != nil {
		return inTeam{}, team.Invitation{}, err
	}
	inv, err := a.Store.Invitation(ctx, invID)
	if err == nil && inv.TeamID != teamID {
		err = apperr.Missing("Invitation")
	}
	return at, inv, err
}

// RevokeInvitation is DELETE /v1/teams/{id}/invitations/{invitationId}.
func (a *API) RevokeInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	at, inv, err := a.teamInvitation(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := team.Usable(inv.StatusAt(a.Now())); err != nil {
		return httpapi.Response{}, err
	}
	fx := a.audited(req, at.me, store.AuditEvent{Action: AuditInvitationRevoke, TargetType: TargetInvitation, TargetID: inv.ID, TeamID: inv.TeamID,
		Changes: map[string]store.Change{"status": change(team.Pending, team.Revoked)}})
	if err := a.Store.RevokeInvitation(ctx, inv, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

type resentInvitation struct {
	Link      string  `json:"link,omitempty"` // an open link's only: a bound one is mailed
	ExpiresAt string  `json:"expiresAt"`
	Emailed   *string `json:"emailed,omitempty"` // as invitationView's
}

// ResendInvitation is POST /v1/teams/{id}/invitations/{invitationId}/resend: a new
// token, valid as long again as the link was; the old token stops working. An expired
// link can be resent; a used or revoked one cannot, nor one its issuer could no longer
// make (it stays revoked whoever resends it: a new link is made by someone who can).
func (a *API) ResendInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	at, inv, err := a.teamInvitation(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if inv.Status != team.Pending {
		return httpapi.Response{}, team.Usable(inv.Status)
	}
	if _, err := a.granted(ctx, inv.TeamID, linkOffer(inv)); err != nil {
		return httpapi.Response{}, err
	}
	now := a.Now()
	token, hash := newToken()
	renewed := inv
	renewed.TokenHash, renewed.ExpiresAt = hash, now.Add(inv.ValidFor)
	var mailTries store.Tries
	if inv.Email != "" {
		if mailTries, err = a.takeMailTries(ctx, teamSender(inv.TeamID), inv.Email); err != nil {
			return httpapi.Response{}, err
		}
	}
	link := a.invitationLink(req, token)
	out := resentInvitation{ExpiresAt: user.Timestamp(renewed.ExpiresAt)}
	fx := a.audited(req, at.me, store.AuditEvent{Action: AuditInvitationResend, TargetType: TargetInvitation, TargetID: inv.ID, TeamID: inv.TeamID,
		Changes: map[string]store.Change{"expiresAt": change(user.Timestamp(inv.ExpiresAt), out.ExpiresAt)}})
	if state := a.mailInvitation(ctx, req, &fx, renewed, at.team, at.me.Username, link); state != "" {
		out.Emailed = &state
	}
	if err := a.Store.ResendInvitation(ctx, inv, renewed, fx); err != nil {
		a.giveBack(ctx, mailTries...)
		return httpapi.Response{}, err
	}
	if inv.Email == "" {
		out.Link = link
	}
	return httpapi.JSON(http.StatusOK, out), nil
}

// publicInvitation is what anyone holding a link may see of it.
type publicInvitation struct {
	Team      teamRef   `json:"team"`
	InvitedBy *string   `json:"invitedBy"`
	Email     *string   `json:"email"`
	Roles     []roleRef `json:"roles"`
	ExpiresAt string    `json:"expiresAt"`
	Status    string    `json:"status"`
}

// GetInvitation is GET /v1/invitations/{token}: public, limited per source IP. The
// email address is masked: the link may have been forwarded. A link its issuer could no
// longer make answers 410 invitation_revoked, as one its team revoked: whoever holds
// it learns that it is dead, not what changed in the team.
func (a *API) GetInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	now := a.Now()
	if _, err := a.Store.Take(ctx, invitationLookups, httpapi.SourceIP(req), now); err != nil {
		return httpapi.Response{}, err
	}
	inv, err := a.invitationByToken(ctx, req, now)
	if err != nil {
		return httpapi.Response{}, err
	}
	g, err := a.granted(ctx, inv.TeamID, linkOffer(inv))
	if e := apperr.As(err); e != nil && e.Kind == apperr.NotFound {
		return httpapi.Response{}, apperr.Missing("Invitation")
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	out := publicInvitation{Team: teamRef{ID: g.team.ID, Name: g.team.Name}, Roles: refsOf(inv.RoleIDs, g.roles),
		ExpiresAt: user.Timestamp(inv.ExpiresAt), Status: string(inv.StatusAt(now)), InvitedBy: &g.inviter}
	if inv.Email != "" {
		masked := MaskEmail(inv.Email)
		out.Email = &masked
	}
	return httpapi.JSON(http.StatusOK, out), nil
}

// invitationByToken reads {token} and finds its pending, unexpired link, or answers
// the 410 of what became of it.
func (a *API) invitationByToken(ctx context.Context, req events.APIGatewayV2HTTPRequest, now time.Time) (team.Invitation, error) {
	token := req.PathParameters["token"]
	if !validToken(token) {
		return team.Invitation{}, apperr.InvalidFields(map[string]string{"token": "is not an invitation token"})
	}
	return a.pendingInvitation(ctx, token, now)
}

func (a *API) pendingInvitation(ctx context.Context, token string, now time.Time) (team.Invitation, error) {
	inv, err := a.Store.InvitationByToken(ctx, tokenHash(token))
	if err != nil {
		return team.Invitation{}, err
	}
	return inv, team.Usable(inv.StatusAt(now))
}

// MaskEmail shows an address's first character and domain: enough for its owner to
// recognise it, too little to learn it.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	first := []rune(local)[0]
	return string(first) + "***@" + domain
}

// AcceptInvitation is POST /v1/invitations/{token}/accept: a signed-in member joins
// with the link's roles. A bound link is for the account whose email is its address,
// verified or not: the link was sent there, so following it proves the address, which
// is marked verified in the same write.
func (a *API) AcceptInvitation(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	token := req.PathParameters["token"]
	if !validToken(token) {
		return httpapi.Response{}, apperr.InvalidFields(map[string]string{"token": "is not an invitation token"})
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.CheckJoin(me); err != nil {
		return httpapi.Response{}, err
	}
	now := a.Now()
	inv, err := a.pendingInvitation(ctx, token, now)
	if err != nil {
		return httpapi.Response{}, err
	}
	var verify string
	if inv.Email != "" {
		if !strings.EqualFold(me.Email, inv.Email) {
			return httpapi.Response{}, &apperr.Error{Kind: apperr.Forbidden, Code: apperr.CodeForbidden,
				Message: "This invitation is for another email address; sign in with the invited account."}
		}
		if !me.EmailVerified {
			verify = me.Email
		}
	}
	view, err := a.acceptInvitation(ctx, me, inv, nil, verify, now)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, view), nil
}

// acceptInvitation makes u a member through the pending link inv while its issuer could
// still make it (see redeem), marking verify verified (see Store.AcceptInvitation).
func (a *API) acceptInvitation(ctx context.Context, u user.User, inv team.Invitation, first *grant, verify string, now time.Time) (memberView, error) {
	return a.redeem(ctx, u, inv.TeamID, linkOffer(inv), first, now, func(m team.Membership, by store.Issuer) error {
		return a.Store.AcceptInvitation(ctx, inv, m, by, verify, now)
	})
}
