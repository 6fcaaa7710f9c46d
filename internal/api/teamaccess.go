package api

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// inTeam is a team-scoped request, once its caller and the caller's standing in the
// team are known and the caller may do what it asked.
type inTeam struct {
	me       user.User
	team     team.Team
	standing authz.Standing
}

// enterTeam loads the caller, the team and the caller's standing in it, and asks authz
// whether the caller may do action there. A team the caller cannot see answers
// not_found whether or not it exists.
func (a *API) enterTeam(ctx context.Context, req events.APIGatewayV2HTTPRequest, teamID string, action authz.TeamAction) (inTeam, error) {
	in, err := a.standIn(ctx, req, teamID)
	if err != nil {
		return inTeam{}, err
	}
	return in, authz.CheckTeam(in.me, in.standing, action)
}

// standIn loads the caller, the team and a member caller's membership (one BatchGetItem) and
// resolves the membership's roles into effective permissions. It decides nothing.
func (a *API) standIn(ctx context.Context, req events.APIGatewayV2HTTPRequest, teamID string) (inTeam, error) {
	me, err := a.caller(ctx, req)
	if err != nil {
		return inTeam{}, err
	}
	// Admins belong to no team (SPEC.md section 1): only members' memberships are read.
	memberID := me.ID
	if me.AccountType.Admin() {
		memberID = ""
	}
	t, m, err := a.Store.TeamAccess(ctx, teamID, memberID)
	if err != nil {
		return inTeam{}, err
	}
	var s authz.Standing
	if m != nil {
		roles, err := a.Store.Roles(ctx, m.RoleIDs)
		if err != nil {
			return inTeam{}, err
		}
		s = standing(*m, roles)
	}
	return inTeam{me: me, team: t, standing: s}, nil
}

// standing is what a member with membership m holds in its team, from m's roles as read
// into roles (which may hold others).
func standing(m team.Membership, roles map[string]team.Role) authz.Standing {
	held := make([]team.Role, 0, len(m.RoleIDs))
	for _, id := range m.RoleIDs {
		if r, ok := roles[id]; ok {
			held = append(held, r)
		}
	}
	return authz.Standing{Member: true, Permissions: team.Effective(held)}
}

// validRoleID accepts the id of a custom role or of a built-in one.
func validRoleID(id string) bool {
	_, builtIn := team.BuiltIn(id)
	return builtIn || ids.Valid(id)
}

// roleIDs checks a list of role ids of a membership or invitation: 1 to 3, none twice,
// each well formed.
func roleIDs(f validate.Fields, field string, list []string) []string {
	validate.RoleIDs(f, field, list)
	for i, id := range list {
		if id != "" && !validRoleID(id) {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "is not a valid role id")
		}
	}
	return list
}

// resolveRoles reads the roles named by field, in order, answering 400 naming every
// one that does not exist.
func (a *API) resolveRoles(ctx context.Context, field string, list []string) ([]team.Role, error) {
	found, err := a.Store.Roles(ctx, list)
	if err != nil {
		return nil, err
	}
	f := validate.Fields{}
	roles := make([]team.Role, len(list))
	for i, id := range list {
		r, ok := found[id]
		if !ok {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "is not an existing role")
		}
		roles[i] = r
	}
	return roles, invalid(f)
}

// assignable resolves the roles a request assigns and checks that the caller may
// assign them in its team (no escalation).
func (a *API) assignable(ctx context.Context, in inTeam, field string, list []string) ([]team.Role, error) {
	roles, err := a.resolveRoles(ctx, field, list)
	if err != nil {
		return nil, err
	}
	return roles, authz.CheckAssign(in.me, in.standing, field, roles)
}

// roleRef is how a role is shown inside a membership or an invitation.
type roleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// refsOf shows role ids as roles, naming those that still exist.
func refsOf(ids []string, known map[string]team.Role) []roleRef {
	out := make([]roleRef, 0, len(ids))
	for _, id := range ids {
		if r, ok := known[id]; ok {
			out = append(out, roleRef{ID: id, Name: r.Name})
		}
	}
	return out
}

// pathTeamID reads the {id} of a team route.
func pathTeamID(req events.APIGatewayV2HTTPRequest) (string, error) { return pathID(req, "id") }

// renameField moves a store error's field to the name the request used for it.
func renameField(err error, from, to string) error {
	e := apperr.As(err)
	if e == nil {
		return err
	}
	msg, ok := e.Fields[from]
	if !ok {
		return err
	}
	c := *e
	c.Fields = maps.Clone(e.Fields)
	delete(c.Fields, from)
	c.Fields[to] = msg
	return &c
}

// admin loads the caller of a platform-level team or role action: admins only.
func (a *API) admin(ctx context.Context, req events.APIGatewayV2HTTPRequest) (user.User, error) {
	me, err := a.caller(ctx, req)
	if err != nil {
		return user.User{}, err
	}
	return me, authz.CheckAdmin(me)
}
