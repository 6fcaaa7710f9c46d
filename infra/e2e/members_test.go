package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func roleIDs(roles []Role) []string { return pick(roles, func(r Role) string { return r.ID }) }

func memberIDs(members []Membership) []string {
	return pick(members, func(m Membership) string { return m.User.ID })
}

func TestRolesAndPermissions(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	memberID, client := member(t)

	catalog := ok(t, client.ListPermissions(t), http.StatusOK)
	keys := pick(catalog.Items, func(p Permission) string { return p.Key })
	if !slices.Equal(keys, []string{"team:read", "team:update", "members:manage", "members:create", "invitations:manage"}) {
		t.Fatalf("catalog %v", keys)
	}

	// The built-in roles come first, and cannot be changed or deleted.
	roles := all(t, client.ListRoles, nil, 2)
	if got := roleIDs(roles); len(got) < 3 || !slices.Equal(got[:3], []string{"owner", "admin", "member"}) {
		t.Fatalf("roles %v", got)
	}
	if p := roles[1].Permissions; !slices.Equal(p, []string{"team:read", "team:update", "members:manage", "members:create", "invitations:manage"}) {
		t.Fatalf("admin role %v", p)
	}
	for _, id := range []string{"owner", "admin", "member"} {
		expect(t, root.UpdateRole(t, id, RoleUpdate{Description: "mine"}), http.StatusForbidden, "forbidden")
		expect(t, root.DeleteRole(t, id), http.StatusForbidden, "forbidden")
	}

	// A custom role with a business key of the console's.
	name := unique("Publisher ")
	roleID := ok(t, root.CreateRole(t, RoleInput{Name: name, Description: "Publishes", Permissions: []string{"team:read", "miniprogram:publish"}}), http.StatusCreated).ID
	if !slices.Contains(roleIDs(all(t, client.ListRoles, nil, 3)), roleID) {
		t.Fatal("the new role is not listed")
	}
	expect(t, root.CreateRole(t, RoleInput{Name: strings.ToUpper(name), Permissions: []string{}}), http.StatusConflict, "role_name_taken")
	expect(t, root.CreateRole(t, RoleInput{Name: "Owner", Permissions: []string{}}), http.StatusConflict, "role_name_taken")
	expect(t, client.CreateRole(t, RoleInput{Name: unique("Mine "), Permissions: []string{}}), http.StatusForbidden, "forbidden")
	r := root.CreateRole(t, RoleInput{Name: unique("Bad "), Permissions: []string{"team:read", "Publish", "a:b", "team:read", "*"}})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if f := r.Error.Fields; len(f) != 3 || !named(r, "permissions[1]", "permissions[3]", "permissions[4]") {
		t.Fatalf("fields %v", f)
	}

	// Holding the role, the member sees its permissions in /v1/me.
	teamID, _ := newTeam(t, "")
	join(t, teamID, memberID, roleID)
	mine := myTeams(t, client)[teamID]
	if !slices.Equal(mine.Permissions, []string{"miniprogram:publish", "team:read"}) || !slices.Equal(mine.Roles, []string{name}) {
		t.Fatalf("/v1/me team %+v", mine)
	}
	// A role change shows at once, for every holder.
	expect(t, root.UpdateRole(t, roleID, RoleUpdate{Permissions: []string{"team:read", "miniprogram:publish", "miniprogram:review"}}), http.StatusOK, "")
	if p := myTeams(t, client)[teamID].Permissions; !slices.Contains(p, "miniprogram:review") {
		t.Fatalf("permissions after the role changed: %v", p)
	}

	// An assigned role cannot be deleted; once nobody holds it, it can.
	team := root.Team(teamID)
	expect(t, root.DeleteRole(t, roleID), http.StatusConflict, "role_in_use")
	expect(t, team.UpdateMember(t, memberID, "member"), http.StatusOK, "")
	expect(t, root.DeleteRole(t, roleID), http.StatusNoContent, "")
	expect(t, root.DeleteRole(t, roleID), http.StatusNotFound, "not_found")
	updated := team.UpdateMember(t, memberID, roleID)
	expect(t, updated, http.StatusBadRequest, "invalid_request")
	if !named(updated, "roleIds[0]") {
		t.Fatalf("a deleted role is not named: %s", updated.Raw)
	}
	// Its name is free again.
	expect(t, root.CreateRole(t, RoleInput{Name: name, Permissions: []string{"team:read"}}), http.StatusCreated, "")
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	teamID, teamName := newTeam(t, "")
	team := root.Team(teamID)
	prefix := unique("mbr")
	var ids []string
	for i := range 5 {
		login := fmt.Sprintf("%s-%d", prefix, i)
		created := ok(t, root.CreateUser(t, NewUser{Username: "Member_" + login, LoginAccount: login, AccountType: "member", Password: generated}), http.StatusCreated)
		ids = append(ids, created.User.ID)
	}
	join(t, teamID, ids[0], "admin")
	join(t, teamID, ids[1], "member", "admin")
	for _, id := range ids[2:] {
		join(t, teamID, id, "member")
	}
	expect(t, team.AddMember(t, MemberInput{UserID: ids[2], RoleIDs: []string{"member"}}), http.StatusConflict, "already_member")

	// Admins never join a team.
	adminID, _, _ := newUser(t, root, "platform_admin")
	r := team.AddMember(t, MemberInput{UserID: adminID, RoleIDs: []string{"member"}})
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "userId") {
		t.Fatalf("admin joining: %s", r.Raw)
	}
	expect(t, team.AddMember(t, MemberInput{UserID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", RoleIDs: []string{"member"}}), http.StatusBadRequest, "invalid_request")

	// The member list with its filters, at every page size.
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	for _, limit := range []int{1, 2, 100} {
		if got := memberIDs(all(t, team.ListMembers, nil, limit)); !slices.Equal(sorted(got), sorted(ids)) {
			t.Fatalf("limit %d: members %v, want %v", limit, got, ids)
		}
		if got := memberIDs(all(t, team.ListMembers, url.Values{"roleId": {"admin"}}, limit)); !slices.Equal(sorted(got), sorted(ids[:2])) {
			t.Fatalf("limit %d: admins %v", limit, got)
		}
		if got := memberIDs(all(t, team.ListMembers, url.Values{"q": {strings.ToUpper(prefix + "-3")}}, limit)); !slices.Equal(got, ids[3:4]) {
			t.Fatalf("limit %d: q %v", limit, got)
		}
		if got := memberIDs(all(t, team.ListMembers, url.Values{"q": {"Member_" + prefix}, "roleId": {"member"}}, limit)); !slices.Equal(sorted(got), sorted(ids[1:])) {
			t.Fatalf("limit %d: q and role %v", limit, got)
		}
	}
	one := all(t, team.ListMembers, url.Values{"q": {prefix + "-1"}}, 5)[0]
	if one.JoinedAt == "" || len(one.Roles) != 2 || one.Team.Name != teamName {
		t.Fatalf("member row %+v", one)
	}

	// GET /v1/users?teamId= lists the team's users; GET /v1/users/{id} shows memberships.
	if got := userIDs(all(t, root.ListUsers, url.Values{"teamId": {teamID}}, 2)); !slices.Equal(sorted(got), sorted(ids)) {
		t.Fatalf("users of the team %v", got)
	}
	detail := root.User(ids[1]).Get(t)
	expect(t, detail, http.StatusOK, "")
	if ms := detail.Body.Memberships; len(ms) != 1 || ms[0].TeamID != teamID || !slices.Equal(ms[0].Roles, []string{"member", "admin"}) {
		t.Fatalf("memberships %s", detail.Raw)
	}

	// Change roles; remove; leave.
	expect(t, team.UpdateMember(t, ids[2], "admin", "member"), http.StatusOK, "")
	if got := all(t, team.ListMembers, url.Values{"roleId": {"admin"}}, 10); len(got) != 3 {
		t.Fatalf("%d admins after the change, want 3", len(got))
	}
	expect(t, team.UpdateMember(t, adminID, "member"), http.StatusNotFound, "not_found")
	expect(t, team.RemoveMember(t, ids[4]), http.StatusNoContent, "")
	expect(t, team.RemoveMember(t, ids[4]), http.StatusNotFound, "not_found")

	_, leaver := member(t)
	leaverID := selfID(t, leaver)
	join(t, teamID, leaverID, "member")
	// A plain member cannot remove others, and does not learn who is a member.
	expect(t, leaver.Team(teamID).RemoveMember(t, ids[3]), http.StatusForbidden, "forbidden")
	expect(t, leaver.Team(teamID).RemoveMember(t, leaverID), http.StatusNoContent, "")
	if _, still := myTeams(t, leaver)[teamID]; still {
		t.Fatal("the member is still in the team it left")
	}
	expect(t, leaver.Team(teamID).Get(t), http.StatusNotFound, "not_found")

	// Leaving again, or leaving a team that does not exist, answer alike: the member does not
	// learn which teams exist.
	again := leaver.Team(teamID).RemoveMember(t, leaverID)
	nowhere := leaver.Team(strings.Repeat("a", len(teamID))).RemoveMember(t, leaverID)
	expect(t, again, http.StatusNotFound, "not_found")
	expect(t, nowhere, http.StatusNotFound, "not_found")
	if a, b := again.Error.Message, nowhere.Error.Message; a != b {
		t.Fatalf("leaving a team one is not in says %q, a missing team %q", a, b)
	}
}

func TestCreateMemberIntoTeam(t *testing.T) {
	t.Parallel()
	managerID, manager := member(t)
	teamID, _ := newTeam(t, "")
	join(t, teamID, managerID, "admin")
	team := manager.Team(teamID)

	login := unique("emp")
	r := team.AddMember(t, MemberInput{
		NewUser: &NewUser{Username: "Employee", LoginAccount: login, Email: login + "@example.com", Password: generated, Notify: true},
		RoleIDs: []string{"member"},
	})
	expect(t, r, http.StatusCreated, "")
	if r.Body.User.AccountType != "member" || r.Body.TemporaryPassword == "" || !r.Body.Notified {
		t.Fatalf("created member %s", r.Raw)
	}
	if m := mailTo(t, login+"@example.com"); !strings.Contains(m.Text, r.Body.TemporaryPassword) {
		t.Fatalf("the password email does not carry the password: %q", m.Subject)
	}
	employee := firstLogin(t, login, r.Body.TemporaryPassword, "an employee's own passphrase")
	if _, ok := myTeams(t, employee)[teamID]; !ok {
		t.Fatal("the new employee is not in the team")
	}

	// A taken login account is named under newUser, and nothing is created.
	r = team.AddMember(t, MemberInput{
		NewUser: &NewUser{Username: "Twin", LoginAccount: strings.ToUpper(login), Password: generated},
		RoleIDs: []string{"member"},
	})
	expect(t, r, http.StatusConflict, "login_account_taken")
	if !named(r, "newUser.loginAccount") {
		t.Fatalf("fields %s", r.Raw)
	}

	// members:manage alone does not create accounts.
	adderID, adder := member(t)
	join(t, teamID, adderID, newRole(t, "team:read", "members:manage"))
	expect(t, adder.Team(teamID).AddMember(t, MemberInput{
		NewUser: &NewUser{Username: "Nope", LoginAccount: unique("nope"), Password: generated},
		RoleIDs: []string{"member"},
	}), http.StatusForbidden, "forbidden")
}

func TestNoEscalation(t *testing.T) {
	t.Parallel()
	ownerID, owner := member(t)
	teamID, _ := newTeam(t, ownerID)
	// A manager who may read, manage members and invite, but not rename the team.
	managerRole := newRole(t, "team:read", "members:manage", "invitations:manage")
	managerID, manager := member(t)
	join(t, teamID, managerID, managerRole)
	otherID, _ := member(t)
	team := manager.Team(teamID)

	// It may grant what it holds...
	expect(t, team.AddMember(t, MemberInput{UserID: otherID, RoleIDs: []string{"member"}}), http.StatusCreated, "")
	// ...never more: not admin (team:update, members:create), not owner (*).
	r := team.UpdateMember(t, otherID, "member", "admin", "owner")
	expect(t, r, http.StatusForbidden, "forbidden")
	if f := r.Error.Fields; len(f) != 2 || !named(r, "roleIds[1]", "roleIds[2]") {
		t.Fatalf("refused roles %s", r.Raw)
	}
	expect(t, team.UpdateMember(t, managerID, "admin"), http.StatusForbidden, "forbidden")
	expect(t, team.CreateInvitationCode(t, "admin"), http.StatusForbidden, "forbidden")
	expect(t, team.CreateInvitation(t, InvitationInput{RoleIDs: []string{"owner"}}), http.StatusForbidden, "forbidden")
	// A business key it does not hold is an escalation too.
	expect(t, team.UpdateMember(t, otherID, newRole(t, "team:read", "miniprogram:publish")), http.StatusForbidden, "forbidden")
	// It cannot demote or remove the owner, whose permissions it does not hold.
	expect(t, team.UpdateMember(t, ownerID, "member"), http.StatusForbidden, "forbidden")
	expect(t, team.RemoveMember(t, ownerID), http.StatusForbidden, "forbidden")
	// Nothing changed.
	if got := all(t, team.ListMembers, url.Values{"roleId": {"owner"}}, 5); len(got) != 1 {
		t.Fatalf("owners %+v", got)
	}
	// The owner holds every permission and grants anything.
	expect(t, owner.Team(teamID).UpdateMember(t, otherID, "admin"), http.StatusOK, "")
	expect(t, owner.Team(teamID).CreateInvitationCode(t, "owner"), http.StatusCreated, "")
}
