package e2e

import (
	"net/http"
	"strings"
	"testing"
)

func TestRegisterThroughABoundLink(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	email := newEmail("bound")
	token := inviteLink(t, teamID, email, "member")

	// The link was sent to the address: it proves it, no verification code needed.
	account := unique("inv")
	body := registration(account, strings.ToUpper(email), "")
	body.InvitationToken = token
	client := fromNewIP()
	r := client.Register(t, body)
	expect(t, r, http.StatusCreated, "")
	if !r.Body.User.EmailVerified || r.Body.Membership == nil || r.Body.Membership.Team.ID != teamID {
		t.Fatalf("registered %s", r.Raw)
	}
	if _, ok := myTeams(t, signIn(t, account, selfPassword))[teamID]; !ok {
		t.Fatal("the new member is not in the team")
	}
	// The link is used up.
	again := registration(unique("inv"), newEmail("again"), "")
	again.InvitationToken = token
	expect(t, client.Register(t, again), http.StatusGone, "invitation_used")
}

func TestRegisterThroughALinkForAnotherAddress(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	token := inviteLink(t, teamID, newEmail("meant"), "member")
	client := fromNewIP()
	other := newEmail("other")
	body := registration(unique("inv"), other, requestCode(t, client, other))
	body.InvitationToken = token
	expect(t, client.Register(t, body), http.StatusForbidden, "forbidden")
	// Nothing was made or spent: the same registration without the link goes through.
	body.InvitationToken = ""
	r := client.Register(t, body)
	expect(t, r, http.StatusCreated, "")
	if r.Body.Membership != nil {
		t.Fatalf("joined without an invitation: %s", r.Raw)
	}
}

// roleIDsOf is the ids of a membership's roles.
func roleIDsOf(m *Membership) []string {
	if m == nil {
		return nil
	}
	return pick(m.Roles, func(r RoleRef) string { return r.ID })
}

func TestRegisterThroughAnOpenLinkOrACode(t *testing.T) {
	t.Parallel()
	teamID, _ := newTeam(t, "")
	client := fromNewIP()

	// An open link proves no address: the verification code is required.
	token := inviteLink(t, teamID, "", "member")
	email := newEmail("open")
	body := registration(unique("open"), email, "")
	body.InvitationToken = token
	r := client.Register(t, body)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "verificationCode") {
		t.Fatalf("fields %s", r.Raw)
	}
	body.VerificationCode = requestCode(t, client, email)
	r = client.Register(t, body)
	expect(t, r, http.StatusCreated, "")
	if r.Body.Membership == nil || r.Body.Membership.Team.ID != teamID {
		t.Fatalf("registered %s", r.Raw)
	}

	// A code, with the verification code.
	code := ok(t, superAdmin(t).Team(teamID).CreateInvitationCode(t, "admin"), http.StatusCreated).Code
	email = newEmail("code")
	body = registration(unique("code"), email, requestCode(t, client, email))
	body.InvitationCode = code
	r = client.Register(t, body)
	expect(t, r, http.StatusCreated, "")
	if roles := roleIDsOf(r.Body.Membership); len(roles) != 1 || roles[0] != "admin" {
		t.Fatalf("registered %s", r.Raw)
	}
	if r.Body.Membership.Team.ID != teamID {
		t.Fatalf("registered %s", r.Raw)
	}

	// A code with a custom role: the new membership reads the role back (on AWS this needs
	// dynamodb:BatchGetItem, which RegisterFunction's policy once lacked).
	custom := newRole(t, "team:read", "miniprogram:publish")
	customCode := ok(t, superAdmin(t).Team(teamID).CreateInvitationCode(t, custom), http.StatusCreated).Code
	email = newEmail("custom")
	body = registration(unique("custom"), email, requestCode(t, client, email))
	body.InvitationCode = customCode
	r = client.Register(t, body)
	expect(t, r, http.StatusCreated, "")
	if roles := roleIDsOf(r.Body.Membership); len(roles) != 1 || roles[0] != custom {
		t.Fatalf("registered with a custom role: %s", r.Raw)
	}

	// A used code refuses the registration and gives the verification code back.
	email = newEmail("late")
	body = registration(unique("late"), email, requestCode(t, client, email))
	body.InvitationCode = code
	expect(t, client.Register(t, body), http.StatusGone, "invitation_used")
	body.InvitationCode = ""
	expect(t, client.Register(t, body), http.StatusCreated, "")

	// Both at once is refused, naming both.
	body = registration(unique("both"), newEmail("both"), "123456")
	body.InvitationCode, body.InvitationToken = code, token
	r = client.Register(t, body)
	expect(t, r, http.StatusBadRequest, "invalid_request")
	if !named(r, "invitationCode", "invitationToken") {
		t.Fatalf("fields %s", r.Raw)
	}
}

// TestAcceptABoundLinkWithTheVerifiedAddress: a registered member whose verified email
// is the invited one accepts the link followed from its email.
func TestAcceptABoundLinkWithTheVerifiedAddress(t *testing.T) {
	t.Parallel()
	account, email := registerMember(t)
	access := signIn(t, account, selfPassword)
	teamID, _ := newTeam(t, "")
	token := inviteLink(t, teamID, strings.ToUpper(email), "member")
	expect(t, access.AcceptInvitation(t, token), http.StatusCreated, "")
	if _, ok := myTeams(t, access)[teamID]; !ok {
		t.Fatal("not in the team after accepting")
	}
}
