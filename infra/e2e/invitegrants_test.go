package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// listedIDsWith answers the ids of a team's links with status, as a manager lists them.
func listedIDsWith(t *testing.T, token, teamID, status string) []string {
	t.Helper()
	return field(pageAll(t, token, "/v1/teams/"+teamID+"/invitations", url.Values{"status": {status}}, 100), "id")
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
	links, codes := "/v1/teams/"+teamID+"/invitations", "/v1/teams/"+teamID+"/invitation-codes"

	newLink := func(token string) (id, linkToken string) {
		t.Helper()
		r := call(t, token, "POST", links, map[string]any{"roleIds": []string{"admin"}})
		expect(t, r, http.StatusCreated, "")
		return r.str("id"), tokenOf(r.str("link"))
	}
	newCode := func() string {
		t.Helper()
		r := call(t, manager, "POST", codes, map[string]any{"roleIds": []string{"admin"}})
		expect(t, r, http.StatusCreated, "")
		return r.str("code")
	}
	link, linkToken := newLink(manager)
	forRegistration, forRegistrationToken := newLink(manager)
	code, registrationCode := newCode(), newCode()
	ownerLink, ownerToken := newLink(owner)
	expect(t, call(t, "", "GET", "/v1/invitations/"+linkToken, nil), http.StatusOK, "")

	// The owner demotes the manager: what it made no longer grants anything.
	expect(t, call(t, owner, "PUT", "/v1/teams/"+teamID+"/members/"+managerID, map[string]any{"roleIds": []string{"member"}}), http.StatusOK, "")
	if got, want := listedIDsWith(t, owner, teamID, "revoked"), []string{forRegistration, link}; !slices.Equal(got, want) {
		t.Fatalf("revoked links %v, want the demoted manager's %v", got, want)
	}
	if got := listedIDsWith(t, owner, teamID, "pending"); !slices.Equal(got, []string{ownerLink}) {
		t.Fatalf("pending links %v, want only the owner's %s", got, ownerLink)
	}
	if got := field(pageAll(t, owner, codes, nil, 10), "code"); len(got) != 0 {
		t.Fatalf("live codes %v, want none: the demoted manager's grant nothing", got)
	}
	// The public look-up answers as for any revoked link, without saying why; a
	// resend does not bring it back.
	expect(t, call(t, "", "GET", "/v1/invitations/"+linkToken, nil), http.StatusGone, "invitation_revoked")
	expect(t, call(t, owner, "POST", links+"/"+link+"/resend", nil), http.StatusGone, "invitation_revoked")

	// It leaves and uses its own link and code: refused, and it stays out.
	expect(t, call(t, manager, "DELETE", "/v1/teams/"+teamID+"/members/"+managerID, nil), http.StatusNoContent, "")
	expect(t, call(t, manager, "POST", "/v1/invitations/"+linkToken+"/accept", nil), http.StatusGone, "invitation_revoked")
	expect(t, call(t, manager, "POST", "/v1/teams/join", map[string]any{"code": code}), http.StatusGone, "invitation_revoked")
	if _, in := myTeams(t, manager)[teamID]; in {
		t.Fatal("the demoted manager is back in the team through its own invitation")
	}

	// Nobody else gets what they offer either: joining, or registering through them.
	_, other := member(t)
	expect(t, call(t, other, "POST", "/v1/invitations/"+linkToken+"/accept", nil), http.StatusGone, "invitation_revoked")
	expect(t, call(t, other, "POST", "/v1/teams/join", map[string]any{"code": code}), http.StatusGone, "invitation_revoked")
	client := fromNewIP()
	email := newEmail("viacode")
	body := registration(unique("viacode"), email, requestCode(t, client, email))
	body["invitationCode"] = registrationCode
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusGone, "invitation_revoked")
	email = newEmail("vialink")
	body = registration(unique("vialink"), email, requestCode(t, client, email))
	body["invitationToken"] = forRegistrationToken
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusGone, "invitation_revoked")
	// Nothing was made or spent: the same registration without the link goes through.
	delete(body, "invitationToken")
	expect(t, callWith(t, client, "", "POST", "/v1/auth/register", body), http.StatusCreated, "")

	// The owner still holds admin: its link grants it.
	r := call(t, other, "POST", "/v1/invitations/"+ownerToken+"/accept", nil)
	expect(t, r, http.StatusCreated, "")
	if mine := myTeams(t, other)[teamID]; !slices.Equal(strs(mine["roles"]), []string{"admin"}) {
		t.Fatalf("joined through the owner's link with %v", mine)
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
	links := "/v1/teams/" + teamID + "/invitations"
	openLink := func(token string) (id, linkToken string) {
		t.Helper()
		r := call(t, token, "POST", links, map[string]any{"roleIds": []string{"member"}})
		expect(t, r, http.StatusCreated, "")
		return r.str("id"), tokenOf(r.str("link"))
	}
	manager := func() (id, token string) {
		t.Helper()
		id, token = member(t)
		join(t, teamID, id, "admin")
		return id, token
	}
	frozenID, frozenTok := manager()
	removedID, removedTok := manager()
	deletedID, deletedTok := manager()
	_, _, platformAdmin := newUser(t, root, "platform_admin")
	frozenLink, frozenToken := openLink(frozenTok)
	removedLink, removedToken := openLink(removedTok)
	deletedLink, deletedToken := openLink(deletedTok)
	_, adminToken := openLink(platformAdmin)

	expect(t, call(t, root, "POST", "/v1/users/"+frozenID+"/freeze", nil), http.StatusOK, "")
	expect(t, call(t, root, "DELETE", "/v1/teams/"+teamID+"/members/"+removedID, nil), http.StatusNoContent, "")
	expect(t, call(t, root, "DELETE", "/v1/users/"+deletedID, nil), http.StatusNoContent, "")

	if got, want := listedIDsWith(t, root, teamID, "revoked"), []string{deletedLink, removedLink, frozenLink}; !slices.Equal(got, want) {
		t.Fatalf("revoked links %v, want %v", got, want)
	}
	_, joiner := member(t)
	for _, token := range []string{frozenToken, removedToken, deletedToken} {
		expect(t, call(t, "", "GET", "/v1/invitations/"+token, nil), http.StatusGone, "invitation_revoked")
		expect(t, call(t, joiner, "POST", "/v1/invitations/"+token+"/accept", nil), http.StatusGone, "invitation_revoked")
	}
	// A platform admin is in no team and grants any role.
	expect(t, call(t, joiner, "POST", "/v1/invitations/"+adminToken+"/accept", nil), http.StatusCreated, "")

	// Recovered, the frozen manager's powers are back, and so is its link.
	expect(t, call(t, root, "POST", "/v1/users/"+frozenID+"/recover", nil), http.StatusOK, "")
	if got := listedIDsWith(t, root, teamID, "pending"); !slices.Equal(got, []string{frozenLink}) {
		t.Fatalf("pending links after the recovery %v, want %s", got, frozenLink)
	}
	_, late := member(t)
	expect(t, call(t, late, "POST", "/v1/invitations/"+frozenToken+"/accept", nil), http.StatusCreated, "")
}
