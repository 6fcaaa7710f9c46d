package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/aws/aws-lambda-go/events"

	"github.com/roster-dev/roster/internal/apperr"
	"github.com/roster-dev/roster/internal/httpapi"
	"github.com/roster-dev/roster/internal/ids"
	"github.com/roster-dev/roster/internal/store"
	"github.com/roster-dev/roster/internal/team"
	"github.com/roster-dev/roster/internal/user"
	"github.com/roster-dev/roster/internal/validate"
)

// ListPermissions is GET /v1/permissions: the team permissions Roster enforces.
func (a *API) ListPermissions(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	if _, err := a.caller(ctx, req); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, newList(team.Catalog, "")), nil
}

type roleView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
	BuiltIn     bool     `json:"builtIn"`
	CreatedAt   *string  `json:"createdAt"`
}

func viewRole(r team.Role) roleView {
	v := roleView{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: r.Permissions, BuiltIn: r.BuiltIn}
	if !r.BuiltIn {
		at := user.Timestamp(r.CreatedAt)
		v.CreatedAt = &at
	}
	return v
}

// ListRoles is GET /v1/roles: the built-in roles, then custom ones by name.
func (a *API) ListRoles(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	q := httpapi.Query(req, f, "limit", "cursor")
	page := store.Page{Limit: validate.Limit(f, "limit", q["limit"]), Cursor: q["cursor"]}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	if _, err := a.caller(ctx, req); err != nil {
		return httpapi.Response{}, err
	}
	roles, next, err := a.Store.ListRoles(ctx, page)
	if err != nil {
		return httpapi.Response{}, err
	}
	views := make([]roleView, len(roles))
	for i, r := range roles {
		views[i] = viewRole(r)
	}
	return httpapi.JSON(http.StatusOK, newList(views, next)), nil
}

type roleRequest struct {
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Permissions *[]string `json:"permissions"`
}

// CreateRole is POST /v1/roles: admins define a role from any valid permission keys.
func (a *API) CreateRole(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in roleRequest
	f := httpapi.Decode(req, &in)
	r := team.Role{ID: ids.New(), CreatedAt: a.Now(), Permissions: []string{}}
	if in.Name == nil {
		f.Add("name", "is required")
	} else {
		r.Name = validate.RoleName(f, "name", *in.Name)
	}
	if in.Description != nil {
		r.Description = validate.Description(f, "description", *in.Description)
	}
	if in.Permissions == nil {
		f.Add("permissions", "is required")
	} else {
		validate.Permissions(f, "permissions", *in.Permissions)
		r.Permissions = *in.Permissions
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, err := a.admin(ctx, req)
	if err != nil {
		return httpapi.Response{}, err
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditRoleCreate, TargetType: TargetRole, TargetID: r.ID, Changes: map[string]store.Change{
		"name": change(nil, r.Name), "description": change(nil, r.Description), "permissions": change(nil, r.Permissions),
	}})
	if err := a.Store.CreateRole(ctx, r, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, viewRole(r)), nil
}

var errBuiltInRole = apperr.New(apperr.Forbidden, apperr.CodeForbidden, "Built-in roles cannot be changed or deleted.")

// customRole loads, for an admin (answered too), the custom role an edit or deletion
// is about, with its version; built-in roles are refused.
func (a *API) customRole(ctx context.Context, req events.APIGatewayV2HTTPRequest, id string) (user.User, team.Role, int64, error) {
	me, err := a.admin(ctx, req)
	if err != nil {
		return user.User{}, team.Role{}, 0, err
	}
	r, version, err := a.Store.Role(ctx, id)
	if err == nil && r.BuiltIn {
		err = errBuiltInRole
	}
	return me, r, version, err
}

// rolePath reads a role's {id}: a custom role's id, or a built-in role's.
func rolePath(f validate.Fields, req events.APIGatewayV2HTTPRequest) string {
	id := req.PathParameters["id"]
	if !validRoleID(id) {
		f.Add("id", "is not a valid role id")
	}
	return id
}

// UpdateRole is PATCH /v1/roles/{id}; built-in roles are refused.
func (a *API) UpdateRole(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	var in roleRequest
	f := httpapi.Decode(req, &in)
	id := rolePath(f, req)
	if f.Empty() && in.Name == nil && in.Description == nil && in.Permissions == nil {
		f.Add("body", "must change name, description or permissions")
	}
	var changes team.Role
	if in.Name != nil {
		changes.Name = validate.RoleName(f, "name", *in.Name)
	}
	if in.Description != nil {
		changes.Description = validate.Description(f, "description", *in.Description)
	}
	if in.Permissions != nil {
		validate.Permissions(f, "permissions", *in.Permissions)
	}
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, old, version, err := a.customRole(ctx, req, id)
	if err != nil {
		return httpapi.Response{}, err
	}
	updated := old
	if in.Name != nil {
		updated.Name = changes.Name
	}
	if in.Description != nil {
		updated.Description = changes.Description
	}
	if in.Permissions != nil {
		updated.Permissions = *in.Permissions
	}
	changed := map[string]store.Change{}
	if updated.Name != old.Name {
		changed["name"] = change(old.Name, updated.Name)
	}
	if updated.Description != old.Description {
		changed["description"] = change(old.Description, updated.Description)
	}
	if !slices.Equal(updated.Permissions, old.Permissions) {
		changed["permissions"] = change(old.Permissions, updated.Permissions)
	}
	if len(changed) == 0 { // as for users: a change of nothing writes nothing and is no event
		return httpapi.JSON(http.StatusOK, viewRole(updated)), nil
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditRoleUpdate, TargetType: TargetRole, TargetID: id, Changes: changed})
	if err := a.Store.UpdateRole(ctx, old, version, updated, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, viewRole(updated)), nil
}

// DeleteRole is DELETE /v1/roles/{id}: refused for built-in roles and, with
// role_in_use, while any member holds the role.
func (a *API) DeleteRole(ctx context.Context, req events.APIGatewayV2HTTPRequest) (httpapi.Response, error) {
	f := validate.Fields{}
	id := rolePath(f, req)
	if err := invalid(f); err != nil {
		return httpapi.Response{}, err
	}
	me, r, _, err := a.customRole(ctx, req, id)
	if err != nil {
		return httpapi.Response{}, err
	}
	fx := a.audited(req, me, store.AuditEvent{Action: AuditRoleDelete, TargetType: TargetRole, TargetID: id, Changes: map[string]store.Change{
		"name": change(r.Name, nil), "permissions": change(r.Permissions, nil),
	}})
	if err := a.Store.DeleteRole(ctx, r, fx); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}
