package api

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// teamDetail is a team as the team routes show it. LoginURL is the team's own sign-in
// page in the console, for its employees.
type teamDetail struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	CreatedAt   string  `json:"createdAt"`
	CreatedBy   *string `json:"createdBy"`
	LoginURL    string  `json:"loginUrl"`
}

func (a *API) teamDetail(req events.APIGatewayV2HTTPRequest, t team.Team) teamDetail {
	d := teamDetail{
		ID: t.ID, Name: t.Name, Description: t.Description,
		CreatedAt: user.Timestamp(t.CreatedAt),
		LoginURL:  a.teamLoginURL(req, t.ID),
	}
	if t.CreatedBy != "" {
		d.CreatedBy = &t.CreatedBy
	}
	return d
}

// nameQuery reads an optional prefix filter q: when present, 1 to 64 characters.
func nameQuery(f validate.Fields, q map[string]string) string {
	raw, present := q["q"]
	v := strings.TrimSpace(raw)
	if present && (v == "" || utf8.RuneCountInString(v) > 64) {
		f.Add("q", "must be 1 to 64 characters")
	}
	return v
}

// ListTeams is GET /v1/teams: admins see every team, members their own.
func (a *API) ListTeams(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor", "q")
	prefix := nameQuery(f, q)
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.caller(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	var teams []team.Team
	var next string
	if me.AccountType.Admin() {
		teams, next, err = a.Store.ListTeams(ctx, prefix, page)
	} else {
		teams, next, err = a.Store.ListUserTeams(ctx, me.ID, prefix, page)
	}
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]teamDetail, len(teams))
	for i, t := range teams {
		views[i] = a.teamDetail(req, t)
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

type createTeamRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	OwnerID     string `json:"ownerId"`
}

// CreateTeam is POST /v1/teams: an admin creates a team, optionally with its first
// owner, an existing member account.
func (a *API) CreateTeam(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in createTeamRequest
	f := httpapi.Decode(req, &in)
	t := team.Team{
		ID:          ids.New(),
		Name:        validate.TeamName(f, "name", in.Name),
		Description: validate.Description(f, "description", in.Description),
		CreatedAt:   a.Now(),
	}
	if in.OwnerID != "" && !ids.Valid(in.OwnerID) {
		f.Add("ownerId", "is not a valid id")
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.admin(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	t.CreatedBy = me.ID
	var owner *team.Membership
	if in.OwnerID != "" {
		owner = &team.Membership{TeamID: t.ID, UserID: in.OwnerID, RoleIDs: []string{team.Owner.ID}, JoinedAt: t.CreatedAt, AddedBy: me.ID}
	}
	changes := map[string]store.Change{"name": change(nil, t.Name), "description": change(nil, t.Description)}
	if owner != nil {
		changes["ownerId"] = change(nil, owner.UserID)
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditTeamCreate, TargetType: TargetTeam, TargetID: t.ID, TeamID: t.ID, Changes: changes})
	if err := a.Store.CreateTeam(ctx, t, owner, fx); err != nil {
		// The owner is checked inside the transaction; name the request's field.
		return httpapi.Response{}, renameField(err, "userId", "ownerId")
	}
	return httpapi.JSON(http.StatusCreated, a.teamDetail(req, t)), nil
}

// GetTeam is GET /v1/teams/{id}.
func (a *API) GetTeam(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	id, err := pathTeamID(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	in, err := a.enterTeam(ctx, req, id, authz.ViewTeam)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, a.teamDetail(req, in.team)), nil
}

type updateTeamRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// UpdateTeam is PATCH /v1/teams/{id}: rename or describe a team.
func (a *API) UpdateTeam(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var body updateTeamRequest
	f := httpapi.Decode(req, &body)
	id, idErr := pathTeamID(req)
	if idErr != nil {
		f.Add("id", "is not a valid id")
	}
	if f.Empty() && body.Name == nil && body.Description == nil {
		f.Add("body", "must change name or description")
	}
	var name, description string
	if body.Name != nil {
		name = validate.TeamName(f, "name", *body.Name)
	}
	if body.Description != nil {
		description = validate.Description(f, "description", *body.Description)
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	in, err := a.enterTeam(ctx, req, id, authz.UpdateTeam)
	if err != nil {
		return httpapi.Response{}, err
	}
	updated := in.team
	if body.Name != nil {
		updated.Name = name
	}
	if body.Description != nil {
		updated.Description = description
	}
	changes := map[string]store.Change{}
	if updated.Name != in.team.Name {
		changes["name"] = change(in.team.Name, updated.Name)
	}
	if updated.Description != in.team.Description {
		changes["description"] = change(in.team.Description, updated.Description)
	}
	if len(changes) == 0 { // as for users: a change of nothing writes nothing and is no event
		return httpapi.JSON(http.StatusOK, a.teamDetail(req, updated)), nil
	}
	fx := a.audited(req, in.me, store.AuditEvent{Action: AuditTeamUpdate, TargetType: TargetTeam, TargetID: id, TeamID: id, Changes: changes})
	if err := a.Store.UpdateTeam(ctx, in.team, updated, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, a.teamDetail(req, updated)), nil
}

// DeleteTeam is DELETE /v1/teams/{id}: admins only; memberships, codes and
// invitations go with the team.
func (a *API) DeleteTeam(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	id, err := pathTeamID(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.admin(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditTeamDelete, TargetType: TargetTeam, TargetID: id, TeamID: id})
	if err := a.Store.DeleteTeam(ctx, id, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

// callerTeams is the teams part of GET /v1/me: each of the user's teams with its roles
// and effective permissions. Teams deleted meanwhile and roles deleted since are left out.
func (a *API) callerTeams(ctx context.Context, userID string) ([]teamView, error) {
	memberships, roles, teams, err := a.memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := []teamView{}
	for _, m := range memberships {
		t, ok := teams[m.TeamID]
		if !ok {
			continue
		}
		var held []team.Role
		names := []string{}
		for _, id := range m.RoleIDs {
			if r, ok := roles[id]; ok {
				held = append(held, r)
				names = append(names, r.Name)
			}
		}
		perms := team.Effective(held)
		if perms == nil {
			perms = team.Permissions{}
		}
		out = append(out, teamView{ID: t.ID, Name: t.Name, Roles: names, Permissions: perms})
	}
	return out, nil
}

// userMemberships is the memberships part of GET /v1/users/{id}.
func (a *API) userMemberships(ctx context.Context, userID string) ([]membershipView, error) {
	memberships, roles, teams, err := a.memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := []membershipView{}
	for _, m := range memberships {
		t, ok := teams[m.TeamID]
		if !ok {
			continue
		}
		names := []string{}
		for _, id := range m.RoleIDs {
			if r, ok := roles[id]; ok {
				names = append(names, r.Name)
			}
		}
		out = append(out, membershipView{TeamID: t.ID, TeamName: t.Name, Roles: names, JoinedAt: user.Timestamp(m.JoinedAt)})
	}
	return out, nil
}

// memberships reads a user's memberships with their teams and roles, for a page to
// show (a snapshot: see store.UserMembershipsSnapshot).
func (a *API) memberships(ctx context.Context, userID string) ([]team.Membership, map[string]team.Role, map[string]team.Team, error) {
	memberships, err := a.Store.UserMembershipsSnapshot(ctx, userID)
	if err != nil || len(memberships) == 0 {
		return nil, nil, nil, err
	}
	var teamIDs, roleIDs []string
	for _, m := range memberships {
		teamIDs = append(teamIDs, m.TeamID)
		roleIDs = append(roleIDs, m.RoleIDs...)
	}
	list, err := a.Store.Teams(ctx, teamIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	teams := make(map[string]team.Team, len(list))
	for _, t := range list {
		teams[t.ID] = t
	}
	roles, err := a.Store.Roles(ctx, roleIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	return memberships, roles, teams, nil
}

// listTeamUsers is GET /v1/users?teamId=: the users of one team, with the list's other
// filters, in the team's member order.
func (a *API) listTeamUsers(ctx context.Context, teamID string, f store.UserFilter, page store.Page) (httpapi.Response, error) {
	if _, err := a.Store.Team(ctx, teamID); err != nil {
		return httpapi.Response{}, err
	}
	members, next, err := a.Store.ListMembers(ctx, teamID, store.MemberFilter{Query: f.Query, AccountType: f.AccountType, Status: f.Status}, page)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]user.View, len(members))
	for i, m := range members {
		views[i] = m.User.ListView()
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}
