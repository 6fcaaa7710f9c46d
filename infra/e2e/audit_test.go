package e2e

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// auditTrail pages through GET /v1/audit-events with query, newest first.
func auditTrail(t *testing.T, token string, query url.Values, limit int) []map[string]any {
	t.Helper()
	return pageAll(t, token, "/v1/audit-events", query, limit)
}

func TestAuditEventsRecordAdminAndManagerChanges(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	adminID, _, admin := newUser(t, root, "platform_admin")
	memberID, memberToken := member(t)
	managerID, manager := member(t)

	// Every change below is the platform admin's, except the last, the team manager's.
	r := call(t, admin, "POST", "/v1/teams", map[string]any{"name": unique("Audited ")})
	expect(t, r, http.StatusCreated, "")
	teamID, oldName := r.str("id"), r.str("name")
	newName := unique("Renamed ")
	expect(t, call(t, admin, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": newName}), http.StatusOK, "")
	expect(t, call(t, admin, "POST", "/v1/teams/"+teamID+"/members", map[string]any{"userId": memberID, "roleIds": []string{"member"}}), http.StatusCreated, "")
	expect(t, call(t, admin, "POST", "/v1/teams/"+teamID+"/members", map[string]any{"userId": managerID, "roleIds": []string{"admin"}}), http.StatusCreated, "")
	invited := newEmail("audited")
	r = call(t, admin, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"email": invited, "roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	link := tokenIn(t, mailTo(t, invited)) // a bound link is only ever in its email
	typed := "a typed temporary passphrase 81"
	r = call(t, admin, "POST", "/v1/users", map[string]any{
		"username": "Audited", "loginAccount": unique("aud"), "accountType": "member", "password": map[string]any{"value": typed},
	})
	expect(t, r, http.StatusCreated, "")
	createdID := r.str("user", "id")
	r = call(t, manager, "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	code := r.str("code")

	byAdmin := auditTrail(t, root, url.Values{"actorId": {adminID}}, 100)
	want := []string{"user.create", "invitation.create", "member.add", "member.add", "team.update", "team.create"}
	if got := field(byAdmin, "action"); !slices.Equal(got, want) {
		t.Fatalf("the platform admin's events, newest first = %v, want %v", got, want)
	}
	for _, e := range byAdmin {
		if e["actorId"] != adminID || e["requestId"] == nil || e["time"] == nil || e["id"] == nil {
			t.Errorf("event without its who, when or request: %v", e)
		}
	}
	rename := byAdmin[4]
	if rename["targetType"] != "team" || rename["targetId"] != teamID || rename["teamId"] != teamID {
		t.Errorf("rename event target = %v", rename)
	}
	if c, _ := rename["changes"].(map[string]any)["name"].(map[string]any); c["from"] != oldName || c["to"] != newName {
		t.Errorf("rename changes = %v, want name from %q to %q", rename["changes"], oldName, newName)
	}
	if e := byAdmin[0]; e["targetId"] != createdID || e["targetType"] != "user" {
		t.Errorf("user.create event = %v", e)
	}

	// The manager's change is recorded as the manager's, within its team.
	byManager := auditTrail(t, root, url.Values{"actorId": {managerID}}, 100)
	if len(byManager) != 1 || byManager[0]["action"] != "invitation_code.create" || byManager[0]["teamId"] != teamID {
		t.Fatalf("the manager's events = %v, want its invitation code", byManager)
	}

	// Never a password, code or token.
	raw := call(t, root, "GET", "/v1/audit-events?limit=100&actorId="+adminID, nil).Raw +
		call(t, root, "GET", "/v1/audit-events?limit=100&actorId="+managerID, nil).Raw
	for _, secret := range []string{typed, code, link} {
		if strings.Contains(raw, secret) {
			t.Errorf("audit events hold a secret %q: %s", secret, raw)
		}
	}

	// Filters: the target's trail, one action, a time window, and pages of any size.
	if got := field(auditTrail(t, root, url.Values{"targetId": {memberID}}, 100), "action"); !slices.Equal(got, []string{"member.add", "user.create"}) {
		t.Errorf("member's trail = %v, want its membership then its creation", got)
	}
	if got := auditTrail(t, root, url.Values{"actorId": {adminID}, "action": {"member.add"}}, 100); len(got) != 2 {
		t.Errorf("actor and action filter = %d events, want 2", len(got))
	}
	window := auditTrail(t, root, url.Values{"actorId": {adminID}, "from": {byAdmin[4]["time"].(string)}, "to": {byAdmin[1]["time"].(string)}}, 100)
	if got := field(window, "id"); !slices.Equal(got, field(byAdmin[1:5], "id")) {
		t.Errorf("time window = %v, want %v", got, field(byAdmin[1:5], "id"))
	}
	if got := field(auditTrail(t, admin, url.Values{"actorId": {adminID}}, 2), "id"); !slices.Equal(got, field(byAdmin, "id")) {
		t.Errorf("pages of 2 = %v, want %v", got, field(byAdmin, "id"))
	}

	// Admins only; bad filters named together, and nothing read.
	expect(t, call(t, memberToken, "GET", "/v1/audit-events", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, manager, "GET", "/v1/audit-events", nil), http.StatusForbidden, "forbidden")
	expect(t, call(t, "", "GET", "/v1/audit-events", nil), http.StatusUnauthorized, "")
	r = call(t, root, "GET", "/v1/audit-events?actorId=nope&targetId=..&action=user.fly&from=yesterday&limit=0&sort=asc", nil)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	for _, f := range []string{"actorId", "targetId", "action", "from", "limit", "sort"} {
		if r.get("error", "fields", f) == nil {
			t.Errorf("fields.%s missing: %s", f, r.Raw)
		}
	}
	r = call(t, root, "GET", "/v1/audit-events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", nil)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if r.get("error", "fields", "to") == nil {
		t.Errorf("to before from not named: %s", r.Raw)
	}
	r = call(t, root, "GET", "/v1/audit-events?actorId="+managerID+"&cursor=bm90IGEgY3Vyc29y", nil)
	expect(t, r, http.StatusBadRequest, "invalid_request")
}

func TestAuditEventsOfRolesAndInvitations(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	adminID, _, admin := newUser(t, root, "platform_admin")
	teamID, teamName := newTeam(t, "")

	r := call(t, admin, "POST", "/v1/roles", map[string]any{"name": unique("Auditor "), "permissions": []string{"team:read"}})
	expect(t, r, http.StatusCreated, "")
	roleID := r.str("id")
	expect(t, call(t, admin, "PATCH", "/v1/roles/"+roleID, map[string]any{"permissions": []string{"team:read", "miniprogram:publish"}}), http.StatusOK, "")
	// Edits that change nothing are answered and are no events (nor writes).
	expect(t, call(t, admin, "PATCH", "/v1/roles/"+roleID, map[string]any{"permissions": []string{"team:read", "miniprogram:publish"}}), http.StatusOK, "")
	expect(t, call(t, admin, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": teamName}), http.StatusOK, "")
	r = call(t, admin, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"roleIds": []string{roleID}})
	expect(t, r, http.StatusCreated, "")
	invID := r.str("id")
	expect(t, call(t, admin, "POST", "/v1/teams/"+teamID+"/invitations/"+invID+"/resend", nil), http.StatusOK, "")
	expect(t, call(t, admin, "DELETE", "/v1/teams/"+teamID+"/invitations/"+invID, nil), http.StatusNoContent, "")
	r = call(t, admin, "POST", "/v1/teams/"+teamID+"/invitation-codes", map[string]any{"roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	expect(t, call(t, admin, "DELETE", "/v1/teams/"+teamID+"/invitation-codes/"+r.str("code"), nil), http.StatusNoContent, "")
	expect(t, call(t, admin, "DELETE", "/v1/roles/"+roleID, nil), http.StatusNoContent, "")
	expect(t, call(t, admin, "DELETE", "/v1/teams/"+teamID, nil), http.StatusNoContent, "")

	events := auditTrail(t, root, url.Values{"actorId": {adminID}}, 100)
	want := []string{"team.delete", "role.delete", "invitation_code.revoke", "invitation_code.create",
		"invitation.revoke", "invitation.resend", "invitation.create", "role.update", "role.create"}
	if got := field(events, "action"); !slices.Equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	perms, _ := events[7]["changes"].(map[string]any)["permissions"].(map[string]any)
	if !slices.Equal(strs(perms["from"]), []string{"team:read"}) || !slices.Equal(strs(perms["to"]), []string{"team:read", "miniprogram:publish"}) {
		t.Errorf("role.update changes = %v", events[7]["changes"])
	}
	// The deleted team's trail is still there for its target.
	if got := field(auditTrail(t, root, url.Values{"targetId": {teamID}}, 100), "action"); !slices.Contains(got, "team.delete") {
		t.Errorf("team trail = %v, want its deletion", got)
	}
}

// TestAFailedChangeLeavesNoTrace: an admin change and its audit event (and its mail) are
// one write. Changes refused (in their transaction, as a rename to a taken name, or
// before it, as a revoked link's resend or a link to a team gone) leave no event and send
// nothing; the changes done have exactly one event each. The store's own tests fail every
// kind of change in its transaction (internal/store, TestEffectsGoWithTheirChange).
func TestAFailedChangeLeavesNoTrace(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	adminID, _, admin := newUser(t, root, "platform_admin")
	r := call(t, admin, "POST", "/v1/teams", map[string]any{"name": unique("Traced ")})
	expect(t, r, http.StatusCreated, "")
	teamID := r.str("id")
	taken := call(t, admin, "POST", "/v1/teams", map[string]any{"name": unique("Taken ")})
	expect(t, taken, http.StatusCreated, "")

	// A rename to a taken name fails on the name's claim, in the rename's transaction.
	expect(t, call(t, admin, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": taken.str("name")}), http.StatusConflict, "team_name_taken")
	// A revoked link cannot be revoked again.
	invited := newEmail("traced")
	r = call(t, admin, "POST", "/v1/teams/"+teamID+"/invitations", map[string]any{"email": invited, "roleIds": []string{"member"}})
	expect(t, r, http.StatusCreated, "")
	invitation := r.str("id")
	nthMailTo(t, invited, 1)
	expect(t, call(t, admin, "DELETE", "/v1/teams/"+teamID+"/invitations/"+invitation, nil), http.StatusNoContent, "")
	expect(t, call(t, admin, "POST", "/v1/teams/"+teamID+"/invitations/"+invitation+"/resend", nil), http.StatusGone, "invitation_revoked")
	// A link to a team deleted meanwhile is never made, nor mailed.
	gone := call(t, admin, "POST", "/v1/teams", map[string]any{"name": unique("Gone ")})
	expect(t, gone, http.StatusCreated, "")
	expect(t, call(t, admin, "DELETE", "/v1/teams/"+gone.str("id"), nil), http.StatusNoContent, "")
	unsent := newEmail("unsent")
	expect(t, call(t, admin, "POST", "/v1/teams/"+gone.str("id")+"/invitations", map[string]any{"email": unsent, "roleIds": []string{"member"}}),
		http.StatusNotFound, "not_found")
	// The rename done, once.
	expect(t, call(t, admin, "PATCH", "/v1/teams/"+teamID, map[string]any{"name": unique("Traced again ")}), http.StatusOK, "")

	counts := map[string]int{}
	for _, e := range auditTrail(t, root, url.Values{"actorId": {adminID}}, 100) {
		counts[e["action"].(string)+" "+e["targetId"].(string)]++
	}
	want := map[string]int{
		"team.create " + teamID: 1, "team.create " + taken.str("id"): 1, "team.create " + gone.str("id"): 1,
		"team.delete " + gone.str("id"): 1, "team.update " + teamID: 1,
		"invitation.create " + invitation: 1, "invitation.revoke " + invitation: 1,
	}
	if !maps.Equal(counts, want) {
		t.Fatalf("events by action and target %v, want %v", counts, want)
	}
	settle()
	if got := mailsTo(t, unsent); len(got) != 0 {
		t.Fatalf("%d emails for a link that was never made", len(got))
	}
	if got := mailsTo(t, invited); len(got) != 1 {
		t.Fatalf("%d emails to the invited address, want the first link's only", len(got))
	}
}
