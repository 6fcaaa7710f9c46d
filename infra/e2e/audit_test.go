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
func auditTrail(t *testing.T, c Client, query url.Values, limit int) []AuditEvent {
	t.Helper()
	return all(t, c.ListAuditEvents, query, limit)
}

func actions(events []AuditEvent) []string {
	return pick(events, func(e AuditEvent) string { return e.Action })
}

func eventIDs(events []AuditEvent) []string {
	return pick(events, func(e AuditEvent) string { return e.ID })
}

func TestAuditEventsRecordAdminAndManagerChanges(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	adminID, _, admin := newUser(t, root, "platform_admin")
	memberID, memberClient := member(t)
	managerID, manager := member(t)

	// Every change below is the platform admin's, except the last, the team manager's.
	team := ok(t, admin.CreateTeam(t, TeamInput{Name: unique("Audited ")}), http.StatusCreated)
	teamID, oldName := team.ID, team.Name
	newName := unique("Renamed ")
	expect(t, admin.Team(teamID).Update(t, TeamInput{Name: newName}), http.StatusOK, "")
	expect(t, admin.Team(teamID).AddMember(t, MemberInput{UserID: memberID, RoleIDs: []string{"member"}}), http.StatusCreated, "")
	expect(t, admin.Team(teamID).AddMember(t, MemberInput{UserID: managerID, RoleIDs: []string{"admin"}}), http.StatusCreated, "")
	invited := newEmail("audited")
	expect(t, admin.Team(teamID).CreateInvitation(t, InvitationInput{Email: invited, RoleIDs: []string{"member"}}), http.StatusCreated, "")
	link := tokenIn(t, mailTo(t, invited)) // a bound link is only ever in its email
	typed := "a typed temporary passphrase 81"
	createdID := ok(t, admin.CreateUser(t, NewUser{
		Username: "Audited", LoginAccount: unique("aud"), AccountType: "member", Password: PasswordChoice{Value: typed},
	}), http.StatusCreated).User.ID
	code := ok(t, manager.Team(teamID).CreateInvitationCode(t, "member"), http.StatusCreated).Code

	byAdmin := auditTrail(t, root, url.Values{"actorId": {adminID}}, 100)
	want := []string{"user.create", "invitation.create", "member.add", "member.add", "team.update", "team.create"}
	if got := actions(byAdmin); !slices.Equal(got, want) {
		t.Fatalf("the platform admin's events, newest first = %v, want %v", got, want)
	}
	for _, e := range byAdmin {
		if e.ActorID != adminID || e.RequestID == nil || e.Time == "" || e.ID == "" {
			t.Errorf("event without its who, when or request: %+v", e)
		}
	}
	rename := byAdmin[4]
	if rename.TargetType != "team" || rename.TargetID != teamID || deref(rename.TeamID) != teamID {
		t.Errorf("rename event target = %+v", rename)
	}
	if c := rename.Changes["name"]; c.From != oldName || c.To != newName {
		t.Errorf("rename changes = %v, want name from %q to %q", rename.Changes, oldName, newName)
	}
	if e := byAdmin[0]; e.TargetID != createdID || e.TargetType != "user" {
		t.Errorf("user.create event = %+v", e)
	}

	// The manager's change is recorded as the manager's, within its team.
	byManager := auditTrail(t, root, url.Values{"actorId": {managerID}}, 100)
	if len(byManager) != 1 || byManager[0].Action != "invitation_code.create" || deref(byManager[0].TeamID) != teamID {
		t.Fatalf("the manager's events = %+v, want its invitation code", byManager)
	}

	// Never a password, code or token.
	raw := root.ListAuditEvents(t, url.Values{"limit": {"100"}, "actorId": {adminID}}).Raw +
		root.ListAuditEvents(t, url.Values{"limit": {"100"}, "actorId": {managerID}}).Raw
	for _, secret := range []string{typed, code, link} {
		if strings.Contains(raw, secret) {
			t.Errorf("audit events hold a secret %q: %s", secret, raw)
		}
	}

	// Filters: the target's trail, one action, a time window, and pages of any size.
	if got := actions(auditTrail(t, root, url.Values{"targetId": {memberID}}, 100)); !slices.Equal(got, []string{"member.add", "user.create"}) {
		t.Errorf("member's trail = %v, want its membership then its creation", got)
	}
	if got := auditTrail(t, root, url.Values{"actorId": {adminID}, "action": {"member.add"}}, 100); len(got) != 2 {
		t.Errorf("actor and action filter = %d events, want 2", len(got))
	}
	window := auditTrail(t, root, url.Values{"actorId": {adminID}, "from": {byAdmin[4].Time}, "to": {byAdmin[1].Time}}, 100)
	if got := eventIDs(window); !slices.Equal(got, eventIDs(byAdmin[1:5])) {
		t.Errorf("time window = %v, want %v", got, eventIDs(byAdmin[1:5]))
	}
	if got := eventIDs(auditTrail(t, admin, url.Values{"actorId": {adminID}}, 2)); !slices.Equal(got, eventIDs(byAdmin)) {
		t.Errorf("pages of 2 = %v, want %v", got, eventIDs(byAdmin))
	}

	// Admins only; bad filters named together, and nothing read.
	expect(t, memberClient.ListAuditEvents(t, nil), http.StatusForbidden, "forbidden")
	expect(t, manager.ListAuditEvents(t, nil), http.StatusForbidden, "forbidden")
	expect(t, Client{}.ListAuditEvents(t, nil), http.StatusUnauthorized, "")
	r := root.Send(t, "GET", "/v1/audit-events?actorId=nope&targetId=..&action=user.fly&from=yesterday&limit=0&sort=asc", nil)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if m := missing(r, "actorId", "targetId", "action", "from", "limit", "sort"); len(m) > 0 {
		t.Errorf("fields %q missing: %s", m, r.Raw)
	}
	r = root.Send(t, "GET", "/v1/audit-events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", nil)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "to") {
		t.Errorf("to before from not named: %s", r.Raw)
	}
	r = root.Send(t, "GET", "/v1/audit-events?actorId="+managerID+"&cursor=bm90IGEgY3Vyc29y", nil)
	expect(t, r, http.StatusBadRequest, "invalid_request")
}

func TestAuditEventsOfRolesAndInvitations(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	adminID, _, admin := newUser(t, root, "platform_admin")
	teamID, teamName := newTeam(t, "")
	team := admin.Team(teamID)

	roleID := ok(t, admin.CreateRole(t, RoleInput{Name: unique("Auditor "), Permissions: []string{"team:read"}}), http.StatusCreated).ID
	expect(t, admin.UpdateRole(t, roleID, RoleUpdate{Permissions: []string{"team:read", "miniprogram:publish"}}), http.StatusOK, "")
	// Edits that change nothing are answered and are no events (nor writes).
	expect(t, admin.UpdateRole(t, roleID, RoleUpdate{Permissions: []string{"team:read", "miniprogram:publish"}}), http.StatusOK, "")
	expect(t, team.Update(t, TeamInput{Name: teamName}), http.StatusOK, "")
	invID := ok(t, team.CreateInvitation(t, InvitationInput{RoleIDs: []string{roleID}}), http.StatusCreated).ID
	expect(t, team.ResendInvitation(t, invID), http.StatusOK, "")
	expect(t, team.RevokeInvitation(t, invID), http.StatusNoContent, "")
	code := ok(t, team.CreateInvitationCode(t, "member"), http.StatusCreated).Code
	expect(t, team.RevokeInvitationCode(t, code), http.StatusNoContent, "")
	expect(t, admin.DeleteRole(t, roleID), http.StatusNoContent, "")
	expect(t, team.Delete(t), http.StatusNoContent, "")

	events := auditTrail(t, root, url.Values{"actorId": {adminID}}, 100)
	want := []string{"team.delete", "role.delete", "invitation_code.revoke", "invitation_code.create",
		"invitation.revoke", "invitation.resend", "invitation.create", "role.update", "role.create"}
	if got := actions(events); !slices.Equal(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	perms := events[7].Changes["permissions"]
	if !slices.Equal(strs(perms.From), []string{"team:read"}) || !slices.Equal(strs(perms.To), []string{"team:read", "miniprogram:publish"}) {
		t.Errorf("role.update changes = %v", events[7].Changes)
	}
	// The deleted team's trail is still there for its target.
	if got := actions(auditTrail(t, root, url.Values{"targetId": {teamID}}, 100)); !slices.Contains(got, "team.delete") {
		t.Errorf("team trail = %v, want its deletion", got)
	}
}

// strs is a JSON list of strings (an audit change's value), or nil for anything else.
func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, s := range list {
		out[i], _ = s.(string)
	}
	return out
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
	teamID := ok(t, admin.CreateTeam(t, TeamInput{Name: unique("Traced ")}), http.StatusCreated).ID
	taken := ok(t, admin.CreateTeam(t, TeamInput{Name: unique("Taken ")}), http.StatusCreated)
	team := admin.Team(teamID)

	// A rename to a taken name fails on the name's claim, in the rename's transaction.
	expect(t, team.Update(t, TeamInput{Name: taken.Name}), http.StatusConflict, "team_name_taken")
	// A revoked link cannot be revoked again.
	invited := newEmail("traced")
	invitation := ok(t, team.CreateInvitation(t, InvitationInput{Email: invited, RoleIDs: []string{"member"}}), http.StatusCreated).ID
	nthMailTo(t, invited, 1)
	expect(t, team.RevokeInvitation(t, invitation), http.StatusNoContent, "")
	expect(t, team.ResendInvitation(t, invitation), http.StatusGone, "invitation_revoked")
	// A link to a team deleted meanwhile is never made, nor mailed.
	gone := ok(t, admin.CreateTeam(t, TeamInput{Name: unique("Gone ")}), http.StatusCreated)
	expect(t, admin.Team(gone.ID).Delete(t), http.StatusNoContent, "")
	unsent := newEmail("unsent")
	expect(t, admin.Team(gone.ID).CreateInvitation(t, InvitationInput{Email: unsent, RoleIDs: []string{"member"}}), http.StatusNotFound, "not_found")
	// The rename done, once.
	expect(t, team.Update(t, TeamInput{Name: unique("Traced again ")}), http.StatusOK, "")

	counts := map[string]int{}
	for _, e := range auditTrail(t, root, url.Values{"actorId": {adminID}}, 100) {
		counts[e.Action+" "+e.TargetID]++
	}
	want := map[string]int{
		"team.create " + teamID: 1, "team.create " + taken.ID: 1, "team.create " + gone.ID: 1,
		"team.delete " + gone.ID: 1, "team.update " + teamID: 1,
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
