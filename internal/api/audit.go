package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// Audited actions, one per kind of change an admin or a team manager makes.
const (
	AuditUserCreate           = "user.create"
	AuditUserUpdate           = "user.update"
	AuditUserDelete           = "user.delete"
	AuditUserPasswordReset    = "user.password_reset"
	AuditUserFreeze           = "user.freeze"
	AuditUserRecover          = "user.recover"
	AuditUserMFAUnbind        = "user.mfa_unbind"
	AuditUserEmailUnbind      = "user.email_unbind"
	AuditTeamCreate           = "team.create"
	AuditTeamUpdate           = "team.update"
	AuditTeamDelete           = "team.delete"
	AuditMemberAdd            = "member.add"
	AuditMemberCreate         = "member.create"
	AuditMemberUpdate         = "member.update"
	AuditMemberRemove         = "member.remove"
	AuditRoleCreate           = "role.create"
	AuditRoleUpdate           = "role.update"
	AuditRoleDelete           = "role.delete"
	AuditInvitationCodeCreate = "invitation_code.create"
	AuditInvitationCodeRevoke = "invitation_code.revoke"
	AuditInvitationCreate     = "invitation.create"
	AuditInvitationRevoke     = "invitation.revoke"
	AuditInvitationResend     = "invitation.resend"
)

var auditActions = []string{
	AuditUserCreate, AuditUserUpdate, AuditUserDelete, AuditUserPasswordReset, AuditUserFreeze,
	AuditUserRecover, AuditUserMFAUnbind, AuditUserEmailUnbind,
	AuditTeamCreate, AuditTeamUpdate, AuditTeamDelete,
	AuditMemberAdd, AuditMemberCreate, AuditMemberUpdate, AuditMemberRemove,
	AuditRoleCreate, AuditRoleUpdate, AuditRoleDelete,
	AuditInvitationCodeCreate, AuditInvitationCodeRevoke,
	AuditInvitationCreate, AuditInvitationRevoke, AuditInvitationResend,
}

// Target types of audit events.
const (
	TargetUser           = "user"
	TargetTeam           = "team"
	TargetRole           = "role"
	TargetMembership     = "membership"
	TargetInvitation     = "invitation"
	TargetInvitationCode = "invitation_code"
)

// change is one field's before and after, for an event's changes; empty strings are
// recorded as null, so "set" and "cleared" read plainly.
func change(from, to any) store.Change {
	return store.Change{From: nullIfEmpty(from), To: nullIfEmpty(to)}
}

func nullIfEmpty(v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// audited completes the audit event of a change the caller is about to make, as the
// effects the store writes in the change's own transaction: a change that fails has
// no event, one that succeeds has exactly one.
func (a *API) audited(req events.APIGatewayV2HTTPRequest, actor user.User, e store.AuditEvent) store.Effects {
	e.ID = ids.New()
	e.At = a.Now()
	e.ActorID = actor.ID
	e.RequestID = req.RequestContext.RequestID
	return store.Effects{Audit: &e, At: e.At}
}

// mailed is the effects of a change that sends letters (and records no event).
func (a *API) mailed(letters ...mail.Letter) store.Effects {
	return store.Effects{Mail: letters, At: a.Now()}
}

type auditEventView struct {
	ID         string                  `json:"id"`
	Time       string                  `json:"time"`
	ActorID    string                  `json:"actorId"`
	Action     string                  `json:"action"`
	TargetType string                  `json:"targetType"`
	TargetID   string                  `json:"targetId"`
	TeamID     *string                 `json:"teamId"`
	RequestID  *string                 `json:"requestId"`
	Changes    map[string]store.Change `json:"changes"`
}

// AuditEvents is GET /v1/audit-events.
func (a *API) AuditEvents(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor", "actorId", "targetId", "action", "from", "to")
	filter := store.AuditFilter{ActorID: q["actorId"], TargetID: q["targetId"], Action: q["action"]}
	for _, name := range []string{"actorId", "targetId"} {
		if v, present := q[name]; present && !ids.Valid(v) {
			f.Add(name, "is not a valid id")
		}
	}
	if _, present := q["action"]; present && !slices.Contains(auditActions, filter.Action) {
		f.Add("action", "is not an audited action")
	}
	filter.From = timeParam(f, q, "from")
	filter.To = timeParam(f, q, "to")
	if !filter.From.IsZero() && !filter.To.IsZero() && filter.To.Before(filter.From) {
		f.Add("to", "must not be before from")
	}
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.Check(me, authz.ViewAuditEvents, user.User{}); err != nil {
		return httpapi.Response{}, err
	}
	evs, next, err := a.Store.AuditEvents(ctx, filter, page)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]auditEventView, len(evs))
	for i, e := range evs {
		views[i] = auditEventView{
			ID: e.ID, Time: user.Timestamp(e.At), ActorID: e.ActorID, Action: e.Action,
			TargetType: e.TargetType, TargetID: e.TargetID,
			TeamID: orNull(e.TeamID), RequestID: orNull(e.RequestID), Changes: e.Changes,
		}
		if views[i].Changes == nil {
			views[i].Changes = map[string]store.Change{}
		}
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

// timeParam reads an optional RFC 3339 time from the query.
func timeParam(f validate.Fields, q map[string]string, name string) time.Time {
	v, present := q[name]
	if !present {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		f.Add(name, "must be an RFC 3339 time, like 2026-01-31T09:00:00Z")
		return time.Time{}
	}
	return t.UTC()
}
