package api

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/accounts"
	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// userSummary is a user as member lists show it.
type userSummary struct {
	ID           string           `json:"id"`
	Username     string           `json:"username"`
	LoginAccount string           `json:"loginAccount"`
	Email        *string          `json:"email"`
	AccountType  user.AccountType `json:"accountType"`
	Status       user.Status      `json:"status"`
}

func summary(u user.User) userSummary {
	v := u.View()
	return userSummary{ID: v.ID, Username: v.Username, LoginAccount: v.LoginAccount, Email: v.Email, AccountType: v.AccountType, Status: v.Status}
}

type teamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// memberView is one member of a team.
type memberView struct {
	Team     teamRef     `json:"team"`
	User     userSummary `json:"user"`
	Roles    []roleRef   `json:"roles"`
	JoinedAt string      `json:"joinedAt"`
}

func memberOf(t team.Team, u user.User, m team.Membership, roles map[string]team.Role) memberView {
	return memberView{Team: teamRef{ID: t.ID, Name: t.Name}, User: summary(u), Roles: refsOf(m.RoleIDs, roles), JoinedAt: user.Timestamp(m.JoinedAt)}
}

// ListTeamMembers is GET /v1/teams/{id}/members, filtered by role and by a prefix of
// username, login account or email.
func (a *API) ListTeamMembers(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor", "roleId", "q")
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	filter := store.MemberFilter{RoleID: q["roleId"], Query: nameQuery(f, q)}
	if _, present := q["roleId"]; present && !validRoleID(filter.RoleID) {
		f.Add("roleId", "is not a valid role id")
	}
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	in, err := a.enterTeam(ctx, req, id, authz.ViewTeam)
	if err != nil {
		return httpapi.Response{}, err
	}
	members, next, err := a.Store.ListMembers(ctx, id, filter, page)
	if err != nil {
		return httpapi.Response{}, err
	}
	var roleIDs []string
	for _, m := range members {
		roleIDs = append(roleIDs, m.RoleIDs...)
	}
	roles, err := a.Store.Roles(ctx, roleIDs)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]memberView, len(members))
	for i, m := range members {
		views[i] = memberOf(in.team, m.User, m.Membership, roles)
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

// newMemberRequest is a member account created directly into a team: POST /v1/users's
// body without accountType.
type newMemberRequest struct {
	Username     string          `json:"username"`
	LoginAccount string          `json:"loginAccount"`
	Email        string          `json:"email"`
	Mobile       string          `json:"mobile"`
	Password     *passwordChoice `json:"password"`
	Notify       bool            `json:"notify"`
	Locale       *string         `json:"locale"`
}

type addMemberRequest struct {
	UserID  string            `json:"userId"`
	NewUser *newMemberRequest `json:"newUser"`
	RoleIDs []string          `json:"roleIds"`
}

type addedMember struct {
	memberView
	TemporaryPassword string `json:"temporaryPassword,omitempty"`
	Notified          *bool  `json:"notified,omitempty"`
}

// AddTeamMember is POST /v1/teams/{id}/members: add an existing member user
// (members:manage) or create a new member account into the team (members:create).
func (a *Directory) AddTeamMember(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in addMemberRequest
	f := httpapi.Decode(req, &in)
	id, err := pathTeamID(req)
	if err != nil {
		f.Add("id", "is not a valid id")
	}
	roleIDs(f, "roleIds", in.RoleIDs)
	var account *accounts.NewAccount
	switch {
	case in.UserID != "" && in.NewUser != nil:
		f.Add("userId", "give either userId or newUser, not both")
	case in.NewUser != nil:
		account = newMemberAccount(f, req, *in.NewUser, a.Now())
	case in.UserID == "":
		f.Add("userId", "is required (or newUser, to create the account)")
	case !ids.Valid(in.UserID):
		f.Add("userId", "is not a valid id")
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	action := authz.ManageMembers
	if account != nil {
		action = authz.CreateMembers
	}
	at, err := a.enterTeam(ctx, req, id, action)
	if err != nil {
		return httpapi.Response{}, err
	}
	roles, err := a.assignable(ctx, at, "roleIds", in.RoleIDs)
	if err != nil {
		return httpapi.Response{}, err
	}
	m := team.Membership{TeamID: id, UserID: in.UserID, RoleIDs: in.RoleIDs, JoinedAt: a.Now(), AddedBy: at.me.ID}
	if account == nil {
		if err := a.Store.AddMember(ctx, m, a.auditedMembership(req, at.me, AuditMemberAdd, m, nil)); err != nil {
			return httpapi.Response{}, err
		}
		u, err := a.Store.User(ctx, m.UserID)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusCreated, addedMember{memberView: memberOf(at.team, u, m, byID(roles))}), nil
	}
	account.User.CreatedBy = at.me.ID
	m.UserID = account.User.ID
	var mailTries store.Tries
	if in.NewUser.Notify {
		if mailTries, err = a.takeMailTries(ctx, teamSender(id), account.User.Email); err != nil {
			return httpapi.Response{}, err
		}
	}
	if err := a.Accounts.Create(ctx, *account); err != nil {
		a.giveBack(ctx, mailTries...)
		return httpapi.Response{}, prefixFields(err, "newUser.")
	}
	fx := a.auditedMembership(req, at.me, AuditMemberCreate, m, map[string]store.Change{
		"username": change(nil, account.User.Username), "loginAccount": change(nil, account.User.LoginAccount),
		"email": change(nil, account.User.Email), "mobile": change(nil, account.User.Mobile), "notify": change(nil, in.NewUser.Notify),
	})
	if in.NewUser.Notify {
		fx.Mail = append(fx.Mail, a.temporaryPasswordLetter(req, account.User, account.Password))
	}
	if err := a.Store.AddMember(ctx, m, fx); err != nil {
		a.giveBack(ctx, mailTries...)
		// The account was made for this team only: without the membership it goes.
		if undo := a.Accounts.Discard(ctx, account.User); undo != nil {
			slog.ErrorContext(ctx, "could not remove a member account whose team membership failed", "userId", m.UserID, "error", undo.Error())
			return httpapi.Response{}, errors.Join(err, undo)
		}
		return httpapi.Response{}, err
	}
	out := addedMember{memberView: memberOf(at.team, account.User, m, byID(roles)), TemporaryPassword: account.Password}
	if in.NewUser.Notify {
		out.Notified = &in.NewUser.Notify // queued with the membership
	}
	return httpapi.JSON(http.StatusCreated, out), nil
}

// newMemberAccount validates a new member account as POST /v1/users does, naming its
// fields under newUser.
func newMemberAccount(f validate.Fields, req events.APIGatewayV2HTTPRequest, in newMemberRequest, now time.Time) *accounts.NewAccount {
	sub := validate.Fields{}
	u := user.User{
		ID:          ids.New(),
		Username:    validate.Username(sub, "username", in.Username),
		AccountType: user.Member,
		Status:      user.Active,
		CreatedAt:   now,
	}
	u.LoginAccount = validate.LoginAccount(sub, "loginAccount", in.LoginAccount)
	if in.Email != "" {
		u.Email = validate.Email(sub, "email", in.Email)
	}
	u.Mobile = validate.Mobile(sub, "mobile", in.Mobile)
	u.Locale = chosenLocale(sub, "locale", in.Locale, req)
	password := temporaryPassword(sub, in.Password, u.LoginAccount)
	if in.Notify && u.Email == "" {
		sub.Add("notify", "needs an email address to send the password to")
	}
	for field, msg := range sub {
		f.Add("newUser."+field, msg)
	}
	return &accounts.NewAccount{User: u, Password: password}
}

// prefixFields names a store error's fields as nested under prefix in the request.
func prefixFields(err error, prefix string) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		c.Fields[prefix+k] = v
	}
	return &c
}

func byID(roles []team.Role) map[string]team.Role {
	m := make(map[string]team.Role, len(roles))
	for _, r := range roles {
		m[r.ID] = r
	}
	return m
}

type updateMemberRequest struct {
	RoleIDs []string `json:"roleIds"`
}

// UpdateTeamMember is PUT /v1/teams/{id}/members/{userId}: replace a member's roles.
func (a *API) UpdateTeamMember(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in updateMemberRequest
	f := httpapi.Decode(req, &in)
	teamID, userID := memberPath(f, req)
	roleIDs(f, "roleIds", in.RoleIDs)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	at, err := a.standIn(ctx, req, teamID)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.CheckTeam(at.me, at.standing, authz.ManageMembers); err != nil {
		return httpapi.Response{}, err
	}
	m, current, err := a.member(ctx, teamID, userID)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.CheckChangeMember(at.me, at.standing, current); err != nil {
		return httpapi.Response{}, err
	}
	roles, err := a.assignable(ctx, at, "roleIds", in.RoleIDs)
	if err != nil {
		return httpapi.Response{}, err
	}
	fx := a.auditedMembership(req, at.me, AuditMemberUpdate, team.Membership{TeamID: teamID, UserID: userID, RoleIDs: in.RoleIDs},
		map[string]store.Change{"roleIds": change(m.RoleIDs, in.RoleIDs)})
	if err := a.Store.SetMemberRoles(ctx, m, in.RoleIDs, fx); err != nil {
		return httpapi.Response{}, err
	}
	u, err := a.Store.User(ctx, userID)
	if err != nil {
		return httpapi.Response{}, err
	}
	m.RoleIDs = in.RoleIDs
	return httpapi.JSON(http.StatusOK, memberOf(at.team, u, m, byID(roles))), nil
}

// RemoveTeamMember is DELETE /v1/teams/{id}/members/{userId}: a manager removes a
// member, or a member leaves.
func (a *API) RemoveTeamMember(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	teamID, userID := memberPath(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	at, err := a.standIn(ctx, req, teamID)
	if err != nil {
		return httpapi.Response{}, err
	}
	// Whether someone else is a member is only for those who manage members to learn;
	// leaving a team one is not in answers as a team that does not exist.
	check := authz.CheckInTeam(at.me, at.standing)
	if userID != at.me.ID {
		check = authz.CheckTeam(at.me, at.standing, authz.ManageMembers)
	}
	if check != nil {
		return httpapi.Response{}, check
	}
	m, current, err := a.member(ctx, teamID, userID)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := authz.CheckRemove(at.me, at.standing, userID, current); err != nil {
		return httpapi.Response{}, err
	}
	// A member leaving is its own business; a manager removing it is a change to audit.
	var fx store.Effects
	if userID != at.me.ID {
		fx = a.auditedMembership(req, at.me, AuditMemberRemove, m, map[string]store.Change{"roleIds": change(m.RoleIDs, nil)})
	}
	if err := a.Store.RemoveMember(ctx, m, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

// memberPath reads {id} and {userId}.
func memberPath(f validate.Fields, req events.APIGatewayV2HTTPRequest) (teamID, userID string) {
	teamID, userID = req.PathParameters["id"], req.PathParameters["userId"]
	if !ids.Valid(teamID) {
		f.Add("id", "is not a valid id")
	}
	if !ids.Valid(userID) {
		f.Add("userId", "is not a valid id")
	}
	return teamID, userID
}

// member reads a membership with its current roles.
func (a *API) member(ctx context.Context, teamID, userID string) (team.Membership, []team.Role, error) {
	m, err := a.Store.Membership(ctx, teamID, userID)
	if err != nil {
		return team.Membership{}, nil, err
	}
	found, err := a.Store.Roles(ctx, m.RoleIDs)
	if err != nil {
		return team.Membership{}, nil, err
	}
	return m, slices.Collect(maps.Values(found)), nil
}

// auditedMembership is the audit event of a change to a membership: its target is the
// member, so the member's trail (targetId) shows it, and its team is the membership's.
func (a *API) auditedMembership(req events.APIGatewayV2HTTPRequest, actor user.User, action string, m team.Membership, changes map[string]store.Change) store.Effects {
	if changes == nil {
		changes = map[string]store.Change{"roleIds": change(nil, m.RoleIDs)}
	}
	return a.audited(req, actor, store.AuditEvent{Action: action, TargetType: TargetMembership, TargetID: m.UserID, TeamID: m.TeamID, Changes: changes})
}
