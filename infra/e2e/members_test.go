package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// newRole creates a custom role as the super admin and answers its id.
func newRole(t *testing.T, permissions ...string) string {
	t.Helper()
	r := call(t, superAdmin(t), "POST", "/v1/roles", map[string]any{"name": unique("Role "), "permissions": permissions})
	expect(t, r, http.StatusCreated, "")
	return r.str("id")
}

func TestRolesAndPermissions(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	memberID, token := member(t)

	r := call(t, token, "GET", "/v1/permissions", nil)
	expect(t, r, http.StatusOK, "")
	keys := field(r.items(), "key")
	if !slices.Equal(keys, []string{"team:read", "team:update", "members:manage", "members:create", "invitations:manage"}) {
		t.Fatalf("catalog %v", keys)
	}

	// The built-in roles come first, and cannot be changed or deleted.
	all := pageAll(t, token, "/v1/roles", nil, 2)
	if got := field(all, "id"); len(got) < 3 || !slices.Equal(got[:3], []string{"owner", "admin", "member"}) {
		t.Fatalf("roles %v", got)
	}
	if p := strs(all[1]["permissions"]); !slices.Equal(p, []string{"team:read", "team:update", "members:manage", "members:create", "invitations:manage"}) {
		t.Fatalf("admin role %v", p)
	}
	for _, id := range []string{"owner", "admin", "member"} {
		expect(t, call(t, root, "PATCH", "/v1/roles/"+id, map[string]any{"description": "mine"}), http.StatusForbidden, "forbidden")
		expect(t, call(t, root, "DELETE", "/v1/roles/"+id, nil), http.StatusForbidden, "forbidden")
	}

	// A custom role with a business key of the console's.
	name := unique("Publisher ")
	r = call(t, root, "POST", "/v1/roles", map[string]any{"name": name, "description": "Publishes", "permissions": []string{"team:read", "miniprogram:publish"}})
	expect(t, r, http.StatusCreated, "")
	roleID := r.str("id")
	if !slices.Contains(field(pageAll(t, token, "/v1/roles", nil, 3), "id"), roleID) {
		t.Fatal("the new role is not listed")
	}
	expect(t, call(t, root, "POST", "/v1/roles", map[string]any{"name": strings.ToUpper(name), "permissions": []string{}}), http.StatusConflict, "role_name_taken")
	expect(t, call(t, root, "POST", "/v1/roles", map[string]any{"name": "Owner", "permissions": []string{}}), http.StatusConflict, "role_name_taken")
	expect(t, call(t, token, "POST", "/v1/roles", map[string]any{"name": unique("Mine "), "permissions": []string{}}), http.StatusForbidden, "forbidden")
	r = call(t, root, "POST", "/v1/roles", map[string]any{"name": unique("Bad "), "permissions": []string{"team:read", "Publish", "a:b", "team:read", "*"}})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if f := r.get("error", "fields").(map[string]any); len(f) != 3 || f["permissions[1]"] == nil || f["permissions[3]"] == nil || f["permissions[4]"] == nil {
		t.Fatalf("fields %v", f)
	}

	// Holding the role, the member sees its permissions in /v1/me.
	teamID, _ := newTeam(t, "")
	join(t, teamID, memberID, roleID)
	mine := myTeams(t, token)[teamID]
	if !slices.Equal(strs(mine["permissions"]), []string{"miniprogram:publish", "team:read"}) || !slices.Equal(strs(mine["roles"]), []string{name}) {
		t.Fatalf("/v1/me team %v", mine)
	}
	// A role change shows at once, for every holder.
	r = call(t, root, "PATCH", "/v1/roles/"+roleID, map[string]any{"permissions": []string{"team:read", "miniprogram:publish", "miniprogram:review"}})
	expect(t, r, http.StatusOK, "")
	if p := strs(myTeams(t, token)[teamID]["permissions"]); !slices.Contains(p, "miniprogram:review") {
		t.Fatalf("permissions after the role changed: %v", p)
	}

	// An assigned role cannot be deleted; once nobody holds it, it can.
	expect(t, call(t, root, "DELETE", "/v1/roles/"+roleID, nil), http.StatusConflict, "role_in_use")
	expect(t, call(t, root, "PUT", "/v1/teams/"+teamID+"/members/"+memberID, map[string]any{"roleIds": []string{"member"}}), http.StatusOK, "")
	expect(t, call(t, root, "DELETE", "/v1/roles/"+roleID, nil), http.StatusNoContent, "")
	expect(t, call(t, root, "DELETE", "/v1/roles/"+roleID, nil), http.StatusNotFound, "not_found")
	r = call(t, root, "PUT", "/v1/teams/"+teamID+"/members/"+memberID, map[string]any{"roleIds": []string{roleID}})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "roleIds[0]") == nil {
		t.Fatalf("a deleted role is not named: %s", r.Raw)
	}
	// Its name is free again.
	expect(t, call(t, root, "POST", "/v1/roles", map[string]any{"name": name, "permissions": []string{"team:read"}}), http.StatusCreated, "")
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	teamID, teamName := newTeam(t, "")
	prefix := unique("mbr")
	var ids []string
	for i := range 5 {
		login := fmt.Sprintf("%s-%d", prefix, i)
		r := call(t, root, "POST", "/v1/users", map[string]any{"username": "Member_" + login, "loginAccount": login,
			"accountType": "member", "password": map[string]any{"generate": true}})
		expect(t, r, http.StatusCreated, "")
		ids = append(ids, r.str("user", "id"))
	}
	join(t, teamID, ids[0], "admin")
	join(t, teamID, ids[1], "member", "admin")
	for _, id := range ids[2:] {
		join(t, teamID, id, "member")
	}
	expect(t, call(t, root, "POST", "/v1/teams/"+teamID+"/members", map[string]any{"userId": ids[2], "roleIds": []string{"member"}}), http.StatusConflict, "already_member")

	// Admins never join a team.
	adminID, _, _ := newUser(t, root, "platform_admin")
	r := call(t, root, "POST", "/v1/teams/"+teamID+"/members", map[string]any{"userId": adminID, "roleIds": []string{"member"}})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "userId") == nil {
		t.Fatalf("admin joining: %s", r.Raw)
	}
	nobody := map[string]any{"userId": "aaaaaaaaaaaaaaaaaaaaaaaaaa", "roleIds": []string{"member"}}
	expect(t, call(t, root, "POST", "/v1/teams/"+teamID+"/members", nobody), http.StatusBadRequest, "invalid_request")

	// The member list with its filters, at every page size.
	path := "/v1/teams/" + teamID + "/members"
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	for _, limit := range []int{1, 2, 100} {
		if got := field(pageAll(t, root, path, nil, limit), "user", "id"); !slices.Equal(sorted(got), sorted(ids)) {
			t.Fatalf("limit %d: members %v, want %v", limit, got, ids)
		}
		if got := field(pageAll(t, root, path, url.Values{"roleId": {"admin"}}, limit), "user", "id"); !slices.Equal(sorted(got), sorted(ids[:2])) {
			t.Fatalf("limit %d: admins %v", limit, got)
		}
		if got := field(pageAll(t, root, path, url.Values{"q": {strings.ToUpper(prefix + "-3")}}, limit), "user", "id"); !slices.Equal(got, ids[3:4]) {
			t.Fatalf("limit %d: q %v", limit, got)
		}
		if got := field(pageAll(t, root, path, url.Values{"q": {"Member_" + prefix}, "roleId": {"member"}}, limit), "user", "id"); !slices.Equal(sorted(got), sorted(ids[1:])) {
			t.Fatalf("limit %d: q and role %v", limit, got)
		}
	}
	one := pageAll(t, root, path, url.Values{"q": {prefix + "-1"}}, 5)[0]
	if one["joinedAt"] == nil || len(one["roles"].([]any)) != 2 || (response{Body: one}).str("team", "name") != teamName {
		t.Fatalf("member row %v", one)
	}

	// GET /v1/users?teamId= lists the team's users; GET /v1/users/{id} shows memberships.
	if got := field(pageAll(t, root, "/v1/users", url.Values{"teamId": {teamID}}, 2), "id"); !slices.Equal(sorted(got), sorted(ids)) {
		t.Fatalf("users of the team %v", got)
	}
	r = call(t, root, "GET", "/v1/users/"+ids[1], nil)
	expect(t, r, http.StatusOK, "")
	ms, _ := r.get("memberships").([]any)
	if len(ms) != 1 || ms[0].(map[string]any)["teamId"] != teamID || !slices.Equal(strs(ms[0].(map[string]any)["roles"]), []string{"member", "admin"}) {
		t.Fatalf("memberships %s", r.Raw)
	}

	// Change roles; remove; leave.
	r = call(t, root, "PUT", path+"/"+ids[2], map[string]any{"roleIds": []string{"admin", "member"}})
	expect(t, r, http.StatusOK, "")
	if got := pageAll(t, root, path, url.Values{"roleId": {"admin"}}, 10); len(got) != 3 {
		t.Fatalf("%d admins after the change, want 3", len(got))
	}
	expect(t, call(t, root, "PUT", path+"/"+adminID, map[string]any{"roleIds": []string{"member"}}), http.StatusNotFound, "not_found")
	expect(t, call(t, root, "DELETE", path+"/"+ids[4], nil), http.StatusNoContent, "")
	expect(t, call(t, root, "DELETE", path+"/"+ids[4], nil), http.StatusNotFound, "not_found")

	_, leaver := member(t)
	leaverID := selfID(t, leaver)
	join(t, teamID, leaverID, "member")
	// A plain member cannot remove others, and does not learn who is a member.
	expect(t, call(t, leaver, "DELETE", path+"/"+ids[3], nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, leaver, "DELETE", path+"/"+leaverID, nil), http.StatusNoContent, "")
	if _, still := myTeams(t, leaver)[teamID]; still {
		t.Fatal("the member is still in the team it left")
	}
	expect(t, call(t, leaver, "GET", "/v1/teams/"+teamID, nil), http.StatusNotFound, "not_found")

	// Leaving again, or leaving a team that does not exist, answer alike: the member does not
	// learn which teams exist.
	again := call(t, leaver, "DELETE", path+"/"+leaverID, nil)
	nowhere := call(t, leaver, "DELETE", "/v1/teams/"+strings.Repeat("a", len(teamID))+"/members/"+leaverID, nil)
	expect(t, again, http.StatusNotFound, "not_found")
	expect(t, nowhere, http.StatusNotFound, "not_found")
	if a, b := again.str("error", "message"), nowhere.str("error", "message"); a != b {
		t.Fatalf("leaving a team one is not in says %q, a missing team %q", a, b)
	}
}

func TestCreateMemberIntoTeam(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, _ := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	path := "/v1/teams/" + teamID + "/members"

	login := unique("emp")
	r := call(t, manager, "POST", path, map[string]any{
		"newUser": map[string]any{"username": "Employee", "loginAccount": login, "email": login + "@example.com",
			"password": map[string]any{"generate": true}, "notify": true},
		"roleIds": []string{"member"},
	})
	expect(t, r, http.StatusCreated, "")
	if r.str("user", "accountType") != "member" || r.str("temporaryPassword") == "" || r.get("notified") != true {
		t.Fatalf("created member %s", r.Raw)
	}
	if m := mailTo(t, login+"@example.com"); !strings.Contains(m.Text, r.str("temporaryPassword")) {
		t.Fatalf("the password email does not carry the password: %q", m.Subject)
	}
	employee := firstLogin(t, login, r.str("temporaryPassword"), "an employee's own passphrase")
	if _, ok := myTeams(t, employee)[teamID]; !ok {
		t.Fatal("the new employee is not in the team")
	}

	// A taken login account is named under newUser, and nothing is created.
	r = call(t, manager, "POST", path, map[string]any{
		"newUser": map[string]any{"username": "Twin", "loginAccount": strings.ToUpper(login), "password": map[string]any{"generate": true}},
		"roleIds": []string{"member"},
	})
	expect(t, r, http.StatusConflict, "login_account_taken")
	if r.get("error", "fields", "newUser.loginAccount") == nil {
		t.Fatalf("fields %s", r.Raw)
	}

	// members:manage alone does not create accounts.
	adderID, adder := member(t)
	join(t, teamID, adderID, newRole(t, "team:read", "members:manage"))
	expect(t, call(t, adder, "POST", path, map[string]any{
		"newUser": map[string]any{"username": "Nope", "loginAccount": unique("nope"), "password": map[string]any{"generate": true}},
		"roleIds": []string{"member"},
	}), http.StatusForbidden, "forbidden")
}

func TestNoEscalation(t *testing.T) {
	t.Parallel()
	ownerID, owner := member(t)
	teamID, _ := newTeam(t, ownerID)
	path := "/v1/teams/" + teamID + "/members"
	// A manager who may read, manage members and invite, but not rename the team.
	managerRole := newRole(t, "team:read", "members:manage", "invitations:manage")
	managerID, manager := member(t)
	join(t, teamID, managerID, managerRole)
	otherID, _ := member(t)

	// It may grant what it holds...
	expect(t, call(t, manager, "POST", path, map[string]any{"userId": otherID, "roleIds": []string{"member"}}), http.StatusCreated, "")
	// ...never more: not admin (team:update, members:create), not owner (*).
	r := call(t, manager, "PUT", path+"/"+otherID, map[string]any{"roleIds": []string{"member", "admin", "owner"}})
	expect(t, r, http.StatusForbidden, "forbidden")
	if f := r.get("error", "fields").(map[string]any); len(f) != 2 || f["roleIds[1]"] == nil || f["roleIds[2]"] == nil {
		t.Fatalf("refused roles %s", r.Raw)
	}
	expect(t, call(t, manager, "PUT", path+"/"+managerID, map[string]any{"roleIds": []string{"admin"}}), http.StatusForbidden, "forbidden")
	expect(t, call(t, manager, "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"admin"}}), http.StatusForbidden, "forbidden")
	expect(t, call(t, manager, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"roleIds": []string{"owner"}}), http.StatusForbidden, "forbidden")
	// A business key it does not hold is an escalation too.
	expect(t, call(t, manager, "PUT", path+"/"+otherID, map[string]any{"roleIds": []string{newRole(t, "team:read", "miniprogram:publish")}}), http.StatusForbidden, "forbidden")
	// It cannot demote or remove the owner, whose permissions it does not hold.
	expect(t, call(t, manager, "PUT", path+"/"+ownerID, map[string]any{"roleIds": []string{"member"}}), http.StatusForbidden, "forbidden")
	expect(t, call(t, manager, "DELETE", path+"/"+ownerID, nil), http.StatusForbidden, "forbidden")
	// Nothing changed.
	if got := pageAll(t, manager, path, url.Values{"roleId": {"owner"}}, 5); len(got) != 1 {
		t.Fatalf("owners %v", got)
	}
	// The owner holds every permission and grants anything.
	expect(t, call(t, owner, "PUT", path+"/"+otherID, map[string]any{"roleIds": []string{"admin"}}), http.StatusOK, "")
	expect(t, call(t, owner, "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"owner"}}), http.StatusCreated, "")
}
