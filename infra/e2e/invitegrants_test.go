package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// listedIDsWith returns the ids of a team's links with status, as a manager lists them.
func listedIDsWith(t *testing.T, links TeamAPI, status string) []string {
	t.Helper()
	return invitationIDs(all(t, links.ListInvitations, url.Values{"status": {status}}, 100))
}

// TestInvitationsObeyTheIssuersCurrentPowers is the repro: a team admin makes
// an open link (and codes) granting admin, is demoted to member, leaves the team and
// uses its own link. An invitation grants its roles only while its issuer could still
// make it, whichever way it is redeemed, and the lists and the public look-up say so.
func TestInvitationsObeyTheIssuersCurrentPowers(t *testing.T) {
	t.Parallel()
	ownerID, owner := member(t)
	teamID, _ := newTeam(t, ownerID)
	managerID, manager := member(t)
	join(t, teamID, managerID, "admin")
	anyone := Client{}

	newLink := func(c Client) (id, linkToken string) {
		t.Helper()
		inv := ok(t, c.Team(teamID).CreateInvitation(t, InvitationInput{RoleIDs: []string{"admin"}}), http.StatusCreated)
		return inv.ID, tokenOf(deref(inv.Link))
	}
	newCode := func() string {
		t.Helper()
		return ok(t, manager.Team(teamID).CreateInvitationCode(t, "admin"), http.StatusCreated).Code
	}
	link, linkToken := newLink(manager)
	forRegistration, forRegistrationToken := newLink(manager)
	code, registrationCode := newCode(), newCode()
	ownerLink, ownerToken := newLink(owner)
	expect(t, anyone.GetInvitation(t, linkToken), http.StatusOK, "")

	// The owner demotes the manager: what it made no longer grants anything.
	expect(t, owner.Team(teamID).UpdateMember(t, managerID, "member"), http.StatusOK, "")
	if got, want := listedIDsWith(t, owner.Team(teamID), "revoked"), []string{forRegistration, link}; !slices.Equal(got, want) {
		t.Fatalf("revoked links %v, want the demoted manager's %v", got, want)
	}
	if got := listedIDsWith(t, owner.Team(teamID), "pending"); !slices.Equal(got, []string{ownerLink}) {
		t.Fatalf("pending links %v, want only the owner's %s", got, ownerLink)
	}
	if got := codesOf(all(t, owner.Team(teamID).ListInvitationCodes, nil, 10)); len(got) != 0 {
		t.Fatalf("live codes %v, want none: the demoted manager's grant nothing", got)
	}
	// The public look-up answers as for any revoked link, without saying why; a
	// resend does not bring it back.
	expect(t, anyone.GetInvitation(t, linkToken), http.StatusGone, "invitation_revoked")
	expect(t, owner.Team(teamID).ResendInvitation(t, link), http.StatusGone, "invitation_revoked")

	// It leaves and uses its own link and code: refused, and it stays out.
	expect(t, manager.Team(teamID).RemoveMember(t, managerID), http.StatusNoContent, "")
	expect(t, manager.AcceptInvitation(t, linkToken), http.StatusGone, "invitation_revoked")
	expect(t, manager.JoinTeam(t, code), http.StatusGone, "invitation_revoked")
	if _, in := myTeams(t, manager)[teamID]; in {
		t.Fatal("the demoted manager is back in the team through its own invitation")
	}

	// Nobody else gets what they offer either: joining, or registering through them.
	_, other := member(t)
	expect(t, other.AcceptInvitation(t, linkToken), http.StatusGone, "invitation_revoked")
	expect(t, other.JoinTeam(t, code), http.StatusGone, "invitation_revoked")
	client := fromNewIP()
	email := newEmail("viacode")
	body := registration(unique("viacode"), email, requestCode(t, client, email))
	body.InvitationCode = registrationCode
	expect(t, client.Register(t, body), http.StatusGone, "invitation_revoked")
	email = newEmail("vialink")
	body = registration(unique("vialink"), email, requestCode(t, client, email))
	body.InvitationToken = forRegistrationToken
	expect(t, client.Register(t, body), http.StatusGone, "invitation_revoked")
	// Nothing was made or spent: the same registration without the link goes through.
	body.InvitationToken = ""
	expect(t, client.Register(t, body), http.StatusCreated, "")

	// The owner still holds admin: its link grants it.
	expect(t, other.AcceptInvitation(t, ownerToken), http.StatusCreated, "")
	if mine := myTeams(t, other)[teamID]; !slices.Equal(mine.Roles, []string{"admin"}) {
		t.Fatalf("joined through the owner's link with %+v", mine)
	}
}

// TestInvitationsOfIssuersFrozenRemovedOrDeleted: an issuer that is frozen, out of the
// team or deleted grants nothing; admins, who belong to no team, grant what they made
// as long as they are admins and active. The decision is made at each use: a frozen
// issuer's link works again once the issuer is recovered.
func TestInvitationsOfIssuersFrozenRemovedOrDeleted(t *testing.T) {
	t.Parallel()
	root := superAdmin(t)
	teamID, _ := newTeam(t, "")
	openLink := func(c Client) (id, linkToken string) {
		t.Helper()
		inv := ok(t, c.Team(teamID).CreateInvitation(t, InvitationInput{RoleIDs: []string{"member"}}), http.StatusCreated)
		return inv.ID, tokenOf(deref(inv.Link))
	}
	manager := func() (id string, c Client) {
		t.Helper()
		id, c = member(t)
		join(t, teamID, id, "admin")
		return id, c
	}
	frozenID, frozenClient := manager()
	removedID, removedClient := manager()
	deletedID, deletedClient := manager()
	_, _, platformAdmin := newUser(t, root, "platform_admin")
	frozenLink, frozenToken := openLink(frozenClient)
	removedLink, removedToken := openLink(removedClient)
	deletedLink, deletedToken := openLink(deletedClient)
	_, adminToken := openLink(platformAdmin)

	expect(t, root.User(frozenID).Freeze(t), http.StatusOK, "")
	expect(t, root.Team(teamID).RemoveMember(t, removedID), http.StatusNoContent, "")
	expect(t, root.User(deletedID).Delete(t), http.StatusNoContent, "")

	if got, want := listedIDsWith(t, root.Team(teamID), "revoked"), []string{deletedLink, removedLink, frozenLink}; !slices.Equal(got, want) {
		t.Fatalf("revoked links %v, want %v", got, want)
	}
	_, joiner := member(t)
	for _, token := range []string{frozenToken, removedToken, deletedToken} {
		expect(t, Client{}.GetInvitation(t, token), http.StatusGone, "invitation_revoked")
		expect(t, joiner.AcceptInvitation(t, token), http.StatusGone, "invitation_revoked")
	}
	// A platform admin is in no team and grants any role.
	expect(t, joiner.AcceptInvitation(t, adminToken), http.StatusCreated, "")

	// Recovered, the frozen manager's powers are back, and so is its link.
	expect(t, root.User(frozenID).Recover(t), http.StatusOK, "")
	if got := listedIDsWith(t, root.Team(teamID), "pending"); !slices.Equal(got, []string{frozenLink}) {
		t.Fatalf("pending links after the recovery %v, want %s", got, frozenLink)
	}
	_, late := member(t)
	expect(t, late.AcceptInvitation(t, frozenToken), http.StatusCreated, "")
}
