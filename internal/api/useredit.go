package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/locale"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// Edits of a user are optimistic: each is written conditioned on the version it was
// read at (store.SaveUser), so two admins editing one user at once never lose an
// update silently; the loser gets 409 version_conflict. A client may also send the
// ETag it read (GET /v1/users/{id}, or any answer below) as If-Match, so that an edit
// based on a stale screen is refused the same way.

type updateMeRequest struct {
	Username *string `json:"username"`
	Locale   *string `json:"locale"`
}

// UpdateMe is PATCH /v1/me: the caller renames itself, or changes the language Roster
// writes to it in. It is self-service, not an admin's change, so it is not an audit
// event.
func (a *API) UpdateMe(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in updateMeRequest
	f := httpapi.Decode(req, &in)
	if f.Empty() && in == (updateMeRequest{}) {
		f.Add("body", "must name at least one of username, locale")
	}
	var username string
	if in.Username != nil {
		username = validate.Username(f, "username", *in.Username)
	}
	var lang locale.Locale
	if in.Locale != nil {
		if lang = locale.Locale(*in.Locale); !lang.Valid() {
			f.Add("locale", localeMessage)
		}
	}
	ifMatch := httpapi.IfMatch(req, f)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	next := me
	if in.Username != nil {
		next.Username = username
	}
	if in.Locale != nil {
		next.Locale = lang
	}
	saved, err := a.saveUser(ctx, me, next, ifMatch, store.Effects{})
	if err != nil {
		return httpapi.Response{}, err
	}
	return userAnswer(saved), nil
}

type updateUserRequest struct {
	Username    *string `json:"username"`
	AccountType *string `json:"accountType"`
	Mobile      *string `json:"mobile"` // "" removes it
}

// UpdateUser is PATCH /v1/users/{id}. Each field present is a change the caller must
// be allowed (SPEC.md section 1): the username and mobile as "edit username", the
// account type only by the super admin, never to or from super_admin. A member still
// in teams is not made an admin (409 member_of_teams): admins never belong to a team.
func (a *API) UpdateUser(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	id := pathIDField(f, req, "id")
	var in updateUserRequest
	decoded := httpapi.Decode(req, &in)
	for field, msg := range decoded {
		f.Add(field, msg)
	}
	if decoded.Empty() && in == (updateUserRequest{}) {
		f.Add("body", "must name at least one of username, accountType, mobile")
	}
	var username, mobile string
	var accountType user.AccountType
	if in.Username != nil {
		username = validate.Username(f, "username", *in.Username)
	}
	if in.Mobile != nil {
		mobile = validate.Mobile(f, "mobile", *in.Mobile)
	}
	if in.AccountType != nil {
		accountType = user.AccountType(*in.AccountType)
		if accountType != user.PlatformAdmin && accountType != user.Member {
			f.Add("accountType", "must be platform_admin or member")
		}
	}
	ifMatch := httpapi.IfMatch(req, f)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	var actions []authz.Action
	if in.Username != nil || in.Mobile != nil {
		actions = append(actions, authz.EditUsername)
	}
	if in.AccountType != nil {
		actions = append(actions, authz.ChangeAccountType)
	}
	me, target, err := a.userTarget(ctx, req, id, actions...)
	if err != nil {
		return httpapi.Response{}, err
	}
	next := target
	if in.Username != nil {
		next.Username = username
	}
	if in.Mobile != nil {
		next.Mobile = mobile
	}
	if in.AccountType != nil {
		next.AccountType = accountType
	}
	saved, err := a.saveUser(ctx, target, next, ifMatch, a.auditedUser(req, me, AuditUserUpdate, target, next))
	if err != nil {
		return httpapi.Response{}, err
	}
	return userAnswer(saved), nil
}

// saveUser writes next over u, with fx, when the client's If-Match allows u's version;
// an edit that changes nothing writes nothing.
func (a *API) saveUser(ctx context.Context, u, next user.User, ifMatch httpapi.Precondition, fx store.Effects) (user.User, error) {
	if !ifMatch.Holds(u.Version) {
		return user.User{}, errStaleRead
	}
	if next == u {
		return u, nil
	}
	return a.Store.SaveUser(ctx, u, next, fx)
}

var errStaleRead = apperr.Stale("The user")

// FreezeUser is POST /v1/users/{id}/freeze. From the moment the record says frozen,
// every token the user holds is refused (api.caller reads the record per request) and
// so is sign-in through the API. Cognito is then told too: the account is disabled,
// so no sign-in or refresh works outside the API either, and its refresh tokens are
// revoked, so a recovered user signs in afresh. Freezing a frozen user answers it
// unchanged and tells Cognito again, which repairs a pool left behind by a failure.
func (a *Directory) FreezeUser(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	saved, err := a.changeUser(ctx, req, authz.FreezeUser, AuditUserFreeze, func(u *user.User) { u.Status = user.Frozen })
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := a.Identity.DisableUser(ctx, saved.ID); err != nil {
		return httpapi.Response{}, err
	}
	if err := a.endSessions(ctx, saved.ID, a.Now(), store.Effects{}); err != nil {
		return httpapi.Response{}, err
	}
	return userAnswer(saved), nil
}

// RecoverUser is POST /v1/users/{id}/recover: the record first, then Cognito, so a
// failure between the two leaves the user still unable to sign in (and a retry,
// which answers an active user unchanged, enables it in Cognito). Memberships were
// never touched by the freeze and come back as they were.
func (a *Directory) RecoverUser(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	saved, err := a.changeUser(ctx, req, authz.RecoverUser, AuditUserRecover, func(u *user.User) { u.Status = user.Active })
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := a.Identity.EnableUser(ctx, saved.ID); err != nil {
		return httpapi.Response{}, err
	}
	return userAnswer(saved), nil
}

// UnbindUserEmail is DELETE /v1/users/{id}/email: the address is removed from the
// user and free for anyone at once (its claim goes in the same transaction). A user
// without an address answers 204 all the same.
func (a *API) UnbindUserEmail(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	_, err := a.changeUser(ctx, req, authz.UnbindEmail, AuditUserEmailUnbind, func(u *user.User) {
		u.Email, u.EmailVerified = "", false
	})
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

// changeEditAttempts bounds the re-reads of an admin action that lost a race.
const changeEditAttempts = 3

// changeUser runs an admin action on the user of the path: the request takes no
// body; change sets the fields the action is about. It is written conditioned on the
// version read, and re-read and re-decided (authz included) when another edit got
// there first: change sets a value that does not depend on what it read, so trying
// again loses nothing. An action that changes nothing writes nothing and is not an
// audit event.
func (a *API) changeUser(ctx context.Context, req events.APIGatewayV2HTTPRequest, action authz.Action, audit string, change func(*user.User)) (user.User, error) {
	f := validate.Fields{}
	id := pathIDField(f, req, "id")
	noBody(f, req)
	if err := invalid(f); err != nil {
		return user.User{}, err
	}
	me, target, err := a.userTarget(ctx, req, id)
	for attempt := 1; err == nil; attempt++ {
		if err = authz.Check(me, action, target); err != nil {
			break
		}
		next := target
		change(&next)
		if next == target {
			return target, nil
		}
		var saved user.User
		saved, err = a.Store.SaveUser(ctx, target, next, a.auditedUser(req, me, audit, target, next))
		if err == nil {
			return saved, nil
		}
		if !errors.Is(err, apperr.CodeVersionConflict) || attempt == changeEditAttempts {
			break
		}
		target, err = a.Store.User(ctx, id)
	}
	return user.User{}, err
}

// userTarget loads the caller and the user an admin route acts on, and asks authz
// whether the caller may do each of actions to it. Callers who may not see users at
// all are refused before the target is looked up, so that a member cannot learn which
// ids exist from 404s; the actions are checked on the target's record (its type).
func (a *API) userTarget(ctx context.Context, req events.APIGatewayV2HTTPRequest, id string, actions ...authz.Action) (me, target user.User, err error) {
	if me, err = a.caller(ctx, req); err != nil {
		return user.User{}, user.User{}, err
	}
	if err = authz.Check(me, authz.ViewUser, user.User{ID: id}); err != nil {
		return user.User{}, user.User{}, err
	}
	if target, err = a.Store.User(ctx, id); err != nil {
		return user.User{}, user.User{}, err
	}
	for _, action := range actions {
		if err = authz.Check(me, action, target); err != nil {
			return user.User{}, user.User{}, err
		}
	}
	return me, target, nil
}

// auditedUser is the audit event of an admin's change of a user, with the fields it
// changes; none when it changes none a reader may see.
func (a *API) auditedUser(req events.APIGatewayV2HTTPRequest, actor user.User, action string, before, after user.User) store.Effects {
	changes := userChanges(before, after)
	if len(changes) == 0 {
		return store.Effects{}
	}
	return a.audited(req, actor, store.AuditEvent{Action: action, TargetType: TargetUser, TargetID: before.ID, Changes: changes})
}

// userChanges names the fields of a user an edit changed, before and after. Nothing
// secret is on a user record, so each may be shown.
func userChanges(before, after user.User) map[string]store.Change {
	out := map[string]store.Change{}
	add := func(name string, from, to any) {
		if from != to {
			out[name] = change(from, to)
		}
	}
	add("username", before.Username, after.Username)
	add("accountType", string(before.AccountType), string(after.AccountType))
	add("status", string(before.Status), string(after.Status))
	add("mobile", before.Mobile, after.Mobile)
	add("email", before.Email, after.Email)
	add("emailVerified", before.EmailVerified, after.EmailVerified)
	add("locale", string(before.Locale), string(after.Locale))
	return out
}

// userAnswer is a user with its ETag, for If-Match on the next edit.
func userAnswer(u user.User) httpapi.Response {
	return withETag(httpapi.JSON(http.StatusOK, u.View()), u)
}

func withETag(r httpapi.Response, u user.User) httpapi.Response {
	r.Headers = map[string]string{"ETag": httpapi.ETag(u.Version)}
	return r
}
