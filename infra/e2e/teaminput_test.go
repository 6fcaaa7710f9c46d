package e2e

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestTeamRoutesRefuseBadInput sends bad input to every team, role and invitation route:
// each answers 400 naming every bad field, and writes nothing.
func TestTeamRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	ownerID, _ := member(t)
	teamID, _ := newTeam(t, ownerID)
	team := "/v1/teams/" + teamID
	freeTeamName, freeRoleName := unique("Free "), unique("Free ")
	long := strings.Repeat("x", 501)
	bad := "NOT-AN-ID"
	tests := []struct {
		name, method, path string
		body               any
		fields             []string
	}{
		{"list teams", "GET", "/v1/teams?limit=0&q=&sort=name", nil, []string{"limit", "q", "sort"}},
		{"create team", "POST", "/v1/teams", map[string]any{"name": " ", "description": long, "ownerId": bad, "extra": 1}, []string{"name", "description", "ownerId", "extra"}},
		{"create team, taken name elsewhere", "POST", "/v1/teams", map[string]any{"name": freeTeamName, "description": long}, []string{"description"}},
		{"create team, empty body", "POST", "/v1/teams", "", []string{"body"}},
		{"create team, wrong types", "POST", "/v1/teams", map[string]any{"name": 5, "description": true}, []string{"name", "description"}},
		{"get team", "GET", "/v1/teams/" + bad, nil, []string{"id"}},
		{"update team", "PATCH", team, map[string]any{"name": strings.Repeat("n", 65), "description": long}, []string{"name", "description"}},
		{"update team, nothing to change", "PATCH", team, map[string]any{}, []string{"body"}},
		{"update team, bad id", "PATCH", "/v1/teams/" + bad, map[string]any{"name": "ok"}, []string{"id"}},
		{"delete team", "DELETE", "/v1/teams/" + bad, nil, []string{"id"}},
		{"list members", "GET", team + "/members?limit=101&roleId=" + bad + "&q=", nil, []string{"limit", "roleId", "q"}},
		{"add member", "POST", team + "/members", map[string]any{"userId": bad, "roleIds": []string{"member", "member", "admin", "owner"}}, []string{"userId", "roleIds", "roleIds[1]"}},
		{"add member, neither", "POST", team + "/members", map[string]any{"roleIds": []string{}}, []string{"userId", "roleIds"}},
		{"add member, both", "POST", team + "/members", map[string]any{"userId": ownerID, "newUser": map[string]any{}, "roleIds": []string{"member"}}, []string{"userId"}},
		{"add member, bad new user", "POST", team + "/members", map[string]any{
			"newUser": map[string]any{"username": "x", "loginAccount": "a b", "email": "nope", "mobile": "123", "notify": true, "accountType": "member"},
			"roleIds": []string{"nope"}},
			[]string{"newUser.username", "newUser.loginAccount", "newUser.email", "newUser.mobile", "newUser.password", "newUser.accountType", "roleIds[0]"}},
		{"add member, unknown role", "POST", team + "/members", map[string]any{"userId": ownerID, "roleIds": []string{"member", "aaaaaaaaaaaaaaaaaaaaaaaaaa"}}, []string{"roleIds[1]"}},
		{"change roles", "PUT", team + "/members/" + bad, map[string]any{"roleIds": []string{"", "x"}}, []string{"userId", "roleIds[0]", "roleIds[1]"}},
		{"change roles, none", "PUT", "/v1/teams/" + bad + "/members/" + ownerID, map[string]any{"roleIds": []string{}}, []string{"id", "roleIds"}},
		{"remove member", "DELETE", "/v1/teams/" + bad + "/members/" + bad, nil, []string{"id", "userId"}},
		{"create code", "POST", team + "/invitation-codes", map[string]any{"roleIds": "member"}, []string{"roleIds"}},
		{"list codes", "GET", team + "/invitation-codes?limit=x", nil, []string{"limit"}},
		{"revoke code", "DELETE", team + "/invitation-codes/1234", nil, []string{"code"}},
		{"join", "POST", "/v1/teams/join", map[string]any{"code": "12ab5678"}, []string{"code"}},
		{"join, no code", "POST", "/v1/teams/join", map[string]any{}, []string{"code"}},
		{"create link", "POST", team + "/invitations", map[string]any{"email": "a@", "roleIds": []string{}, "validForHours": 721}, []string{"email", "roleIds", "validForHours"}},
		{"create link, zero hours", "POST", team + "/invitations", map[string]any{"roleIds": []string{"member"}, "validForHours": 0}, []string{"validForHours"}},
		{"create link, fractional hours", "POST", team + "/invitations", map[string]any{"roleIds": []string{"member"}, "validForHours": 1.5}, []string{"validForHours"}},
		{"list links", "GET", team + "/invitations?status=used", nil, []string{"status"}},
		{"revoke link", "DELETE", team + "/invitations/" + bad, nil, []string{"invitationId"}},
		{"resend link", "POST", "/v1/teams/" + bad + "/invitations/" + bad + "/resend", nil, []string{"id", "invitationId"}},
		{"look up link", "GET", "/v1/invitations/short", nil, []string{"token"}},
		{"accept link", "POST", "/v1/invitations/" + strings.Repeat("*", 43) + "/accept", nil, []string{"token"}},
		{"list roles", "GET", "/v1/roles?limit=-1", nil, []string{"limit"}},
		{"create role", "POST", "/v1/roles", map[string]any{"name": "", "description": long, "permissions": []string{"Team:Read", "ok:ok"}}, []string{"name", "description", "permissions[0]"}},
		{"create role, free name", "POST", "/v1/roles", map[string]any{"name": freeRoleName, "permissions": []string{"team"}}, []string{"permissions[0]"}},
		{"create role, missing", "POST", "/v1/roles", map[string]any{}, []string{"name", "permissions"}},
		{"update role", "PATCH", "/v1/roles/" + bad, map[string]any{"permissions": []string{"x"}}, []string{"id", "permissions[0]"}},
		{"update role, nothing", "PATCH", "/v1/roles/member", map[string]any{}, []string{"body"}},
		{"delete role", "DELETE", "/v1/roles/" + bad, nil, []string{"id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caller := root
			if strings.Contains(tt.path, "/invitations/short") || strings.HasSuffix(tt.path, "/accept") {
				caller = Client{}
			}
			if strings.HasSuffix(tt.path, "/accept") {
				_, caller = member(t)
			}
			r := caller.Send(t, tt.method, tt.path, tt.body)
			expect(t, r, http.StatusBadRequest, "invalid_request")
			got := slices.Sorted(maps.Keys(r.Error.Fields))
			want := slices.Sorted(slices.Values(tt.fields))
			if !slices.Equal(got, want) {
				t.Fatalf("fields %v, want %v", got, want)
			}
		})
	}

	// Nothing was written: the free names are still free, the team unchanged and alone
	// with its owner, no code or link made.
	expect(t, root.CreateTeam(t, TeamInput{Name: freeTeamName}), http.StatusCreated, "")
	expect(t, root.CreateRole(t, RoleInput{Name: freeRoleName, Permissions: []string{}}), http.StatusCreated, "")
	if got := all(t, root.Team(teamID).ListMembers, nil, 10); len(got) != 1 {
		t.Fatalf("%d members, want the owner alone", len(got))
	}
	if got := all(t, root.Team(teamID).ListInvitationCodes, nil, 10); len(got) != 0 {
		t.Fatalf("codes %+v", got)
	}
	if got := all(t, root.Team(teamID).ListInvitations, nil, 10); len(got) != 0 {
		t.Fatalf("links %+v", got)
	}
}
